/**
 * The servers bench:peers compares, each started by the benchmark on loopback in a fresh data directory on a free
 * port, and stopped after its case (SIGTERM, then SIGKILL after a grace period), also when the run fails or is
 * interrupted: every process started here is registered until it exits, and `stopAll()` ends them.
 *  - Strata: `strata start --override ...` (bench/helpers/broker-process.ts, dist/ by default), acks=-1 load, with
 *    or without strata.durable.acks; the topic is created with CreateTopics before the load.
 *  - NATS: `nats-server -js -sd <dir>` (JetStream, file storage; the stream is created by the driver).
 *  - Redis: `redis-server --appendonly yes --appendfsync everysec --save ''` (AOF written at once, fsynced once a
 *    second: Redis answers XADD before its fsync).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import { BrokerSource, startBenchBroker } from '../helpers/broker-process';
import { WireClient } from '../helpers/wire-client';

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

export interface Server {
  name: string;
  pid: number;
  host: string;
  port: number;
  /** SIGTERM, SIGKILL after the grace period; resolves once the process is gone. */
  stop(): Promise<void>;
  output(): string;
}

const live = new Set<() => Promise<void>>();

/** Stop every process still running (each SIGTERM then SIGKILL). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((stop) => stop().catch(() => {})));
}

/** A free TCP port on 127.0.0.1 (the OS picks it; free again once this returns, so bind it soon). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  stop(): Promise<void>;
}

/** Spawn a process, keep its output (for error messages), register it for stopAll(). */
export function spawnTracked(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe'; onStdoutLine?: (line: string) => void } = {},
): Spawned {
  const child = spawn(command, args, { stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let text = '';
  const keep = (chunk: Buffer | string) => {
    text += chunk.toString();
    if (text.length > 64_000) text = text.slice(-32_000);
  };
  child.stderr!.on('data', keep);
  const onLine = options.onStdoutLine;
  if (onLine) {
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        keep(line + '\n');
        onLine(line);
      }
    });
  } else {
    child.stdout!.on('data', keep);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
    child.once('error', (err) => {
      text += `\n${String(err)}`;
      resolve(-1);
    });
  });
  const stop = () => killGracefully(child, exited);
  live.add(stop);
  void exited.then(() => live.delete(stop));
  return { child, exited, output: () => text, stop };
}

async function killGracefully(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolve once host:port accepts a connection; reject if the process exits first or after the timeout. */
async function waitForPort(port: number, spawned: Spawned, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = false;
  void spawned.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`${what} exited before listening: ${spawned.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${START_TIMEOUT_MS} ms: ${spawned.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startStrata(dir: string, source: BrokerSource, durable: boolean, topic: string): Promise<Server> {
  const broker = await startBenchBroker({
    dir,
    source,
    overrides: { 'strata.durable.acks': String(durable), 'auto.create.topics.enable': 'false' },
  });
  const stop = async () => {
    await broker.stop(STOP_GRACE_MS);
  };
  live.add(stop);
  try {
    const admin = await WireClient.connect(broker.port);
    await admin.createTopic(topic, 1);
    admin.close();
  } catch (err) {
    await stop();
    live.delete(stop);
    throw err;
  }
  return {
    name: durable ? 'strata (durable.acks)' : 'strata',
    pid: broker.pid,
    host: '127.0.0.1',
    port: broker.port,
    output: broker.output,
    stop: async () => {
      await stop();
      live.delete(stop);
    },
  };
}

export async function startNats(dir: string): Promise<Server> {
  const port = await freePort();
  const s = spawnTracked('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)]);
  try {
    await waitForPort(port, s, 'nats-server');
  } catch (err) {
    await s.stop();
    throw err;
  }
  return { name: 'nats', pid: s.child.pid!, host: '127.0.0.1', port, output: s.output, stop: s.stop };
}

export async function startRedis(dir: string): Promise<Server> {
  const port = await freePort();
  const s = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']);
  try {
    await waitForPort(port, s, 'redis-server');
  } catch (err) {
    await s.stop();
    throw err;
  }
  return { name: 'redis', pid: s.child.pid!, host: '127.0.0.1', port, output: s.output, stop: s.stop };
}
