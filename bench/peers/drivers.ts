/**
 * The load drivers of bench:peers and what each reports (PhaseResult): the Go programs (nats-load for JetStream,
 * wire-load for Strata's Kafka protocol and Redis' RESP), built here from bench/peers/ into the run's temp dir;
 * the embedded Node Producer (src/client over WireTransport) against Strata; and `redis-cli --pipe` for Redis'
 * unbounded pipeline. Around each timed phase the server's CPU time is read from /proc (all its threads), so the
 * table shows who was busy: the driver and the server share the machine's cores.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Producer, WireTransport } from '../../src/client/index';
import { cpuDelta, cpuTimeMs, CpuTime, percentile } from '../helpers/proc-stat';
import { spawnTracked } from './processes';

export type PhaseName = 'produce' | 'consume';

export interface PhaseResult {
  phase: PhaseName;
  messages: number;
  seconds: number;
  msgsPerSec: number;
  /** Publish→ack latency per message (produce phases with a bounded window only). */
  p50Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
  maxMs?: number;
  /** CPU time over the timed phase in % of one core. */
  driverCpuPct: number;
  serverCpuPct: number;
  /** Requests (Kafka Produce / Fetch, XREAD) in the phase and messages per Produce request, where it applies. */
  requests?: number;
  msgsPerReq?: number;
}

export interface GoDrivers {
  nats: string;
  wire: string;
}

/**
 * Build nats-load and wire-load into binDir. GOPATH mode, offline: nats.go and its dependencies come from
 * Debian's golang-github-nats-io-go-nats-dev under /usr/share/gocode (override with STRATA_BENCH_GOPATH).
 */
export function buildGoDrivers(binDir: string): GoDrivers {
  const env = { ...process.env, GO111MODULE: 'off', GOPATH: process.env.STRATA_BENCH_GOPATH ?? '/usr/share/gocode', GOFLAGS: '' };
  const build = (name: string) => {
    const out = path.join(binDir, name);
    const r = spawnSync('go', ['build', '-o', out, '.'], { cwd: path.join(__dirname, name), env, encoding: 'utf8' });
    if (r.error) throw new Error(`go build ${name}: ${r.error.message} (is Go installed?)`);
    if (r.status !== 0) throw new Error(`go build ${name} failed:\n${r.stderr}`);
    return out;
  };
  return { nats: build('nats-load'), wire: build('wire-load') };
}

interface GoEvent {
  event: 'start' | 'end';
  phase: PhaseName;
  messages?: number;
  seconds?: number;
  msgsPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
  maxMs?: number;
  driverCpuMs?: number;
  requests?: number;
  msgsPerReq?: number;
}

/** Run a Go driver to its end; one PhaseResult per phase it reports, with the server's CPU over that phase. */
export async function runGoDriver(bin: string, args: string[], serverPid: number): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  let mark: { cpu: CpuTime; at: bigint } | null = null;
  const s = spawnTracked(bin, args, {
    onStdoutLine: (line) => {
      if (!line.startsWith('{')) return;
      const e = JSON.parse(line) as GoEvent;
      if (e.event === 'start') {
        mark = { cpu: cpuTimeMs(serverPid), at: process.hrtime.bigint() };
        return;
      }
      const wallMs = mark ? Number(process.hrtime.bigint() - mark.at) / 1e6 : NaN;
      const server = mark ? cpuDelta(mark.cpu, cpuTimeMs(serverPid)) : { totalMs: NaN };
      const seconds = e.seconds!;
      results.push({
        phase: e.phase,
        messages: e.messages!,
        seconds,
        msgsPerSec: e.msgsPerSec!,
        p50Ms: e.p50Ms,
        p99Ms: e.p99Ms,
        p999Ms: e.p999Ms,
        maxMs: e.maxMs,
        driverCpuPct: (e.driverCpuMs! / (seconds * 1000)) * 100,
        serverCpuPct: (server.totalMs / wallMs) * 100,
        requests: e.requests,
        msgsPerReq: e.msgsPerReq,
      });
    },
  });
  const code = await s.exited;
  if (code !== 0) throw new Error(`${path.basename(bin)} ${args.join(' ')} exited with ${code}:\n${s.output()}`);
  return results;
}

export interface NodeProducerOptions {
  host: string;
  port: number;
  topic: string;
  size: number;
  messages: number;
  warmup: number;
  /** Records sent and not yet acknowledged, at most (as the Go drivers' window). */
  window: number;
  batchBytes: number;
  lingerMs: number;
  /** Records per send() call; the call's latency counts for each of them. */
  perSend: number;
  serverPid: number;
}

/**
 * The embedded Producer (acks=-1, batch.size, linger.ms, max.in.flight 5, no compression) over WireTransport:
 * send() of perSend records at a time, window / perSend calls outstanding. Latency: from send() to its promise
 * resolving (all its records acknowledged), per record. Driver CPU: this process, which runs nothing else then.
 */
export async function runNodeProducer(o: NodeProducerOptions): Promise<PhaseResult> {
  const transport = await WireTransport.connect(o.host, o.port, 'strata-bench-peers');
  const producer = await Producer.create({
    transport,
    acks: -1,
    batchSize: o.batchBytes,
    lingerMs: o.lingerMs,
    compression: 'none',
    maxInFlightRequestsPerConnection: 5,
  });
  const value = Buffer.alloc(o.size);
  for (let i = 0; i < o.size; i++) value[i] = (i * 131 + 7) & 0xff;
  const records = Array.from({ length: o.perSend }, () => ({ value }));
  const sends = Math.ceil(o.messages / o.perSend);
  const warmupSends = Math.ceil(o.warmup / o.perSend);
  const total = warmupSends + sends;
  const lanes = Math.max(1, Math.floor(o.window / o.perSend));
  const latencies = new Float64Array(sends);
  let next = 0;
  let answered = 0;
  let startAt = 0n;
  let endAt = 0n;
  let cpuStart: CpuTime = cpuTimeMs(process.pid);
  let serverStart: CpuTime = cpuTimeMs(o.serverPid);
  const lane = async () => {
    while (next < total) {
      const i = next++;
      if (i === warmupSends) {
        startAt = process.hrtime.bigint();
        cpuStart = cpuTimeMs(process.pid);
        serverStart = cpuTimeMs(o.serverPid);
      }
      const t0 = process.hrtime.bigint();
      await producer.send(o.topic, records);
      const t1 = process.hrtime.bigint();
      if (i >= warmupSends) latencies[i - warmupSends] = Number(t1 - t0) / 1e6;
      if (++answered === total) endAt = t1;
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    await producer.close().catch(() => {});
    transport.close();
  }
  const wallMs = Number(endAt - startAt) / 1e6;
  const driver = cpuDelta(cpuStart, cpuTimeMs(process.pid));
  const server = cpuDelta(serverStart, cpuTimeMs(o.serverPid));
  const messages = sends * o.perSend;
  return {
    phase: 'produce',
    messages,
    seconds: wallMs / 1000,
    msgsPerSec: messages / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    p999Ms: percentile(latencies, 99.9),
    maxMs: percentile(latencies, 100),
    driverCpuPct: (driver.totalMs / wallMs) * 100,
    serverCpuPct: (server.totalMs / wallMs) * 100,
  };
}

/** The same XADD, RESP-encoded, as wire-load sends (field "v", id "*"). */
export function xaddCommand(key: string, payload: Buffer): Buffer {
  const head = `*5\r\n$4\r\nXADD\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$1\r\n*\r\n$1\r\nv\r\n$${payload.length}\r\n`;
  return Buffer.concat([Buffer.from(head), payload, Buffer.from('\r\n')]);
}

/**
 * `redis-cli --pipe` fed `count` XADDs of `size`-byte payloads from this process (a pre-built chunk of commands
 * written again and again, as fast as redis-cli takes them): Redis' own bulk-load path, no bound on commands in
 * flight, so no per-command latency. Timed from spawn to exit (redis-cli waits for the last reply); driver CPU is
 * redis-cli's (read from /proc while it runs) plus this process's generating and writing.
 */
export async function runRedisPipe(port: number, key: string, size: number, count: number, serverPid: number): Promise<PhaseResult> {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 131 + 7) & 0xff;
  const command = xaddCommand(key, payload);
  const perChunk = Math.max(1, Math.floor((256 * 1024) / command.length));
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => command));
  const serverStart = cpuTimeMs(serverPid);
  const selfStart = cpuTimeMs(process.pid);
  const t0 = process.hrtime.bigint();
  let stdout = '';
  const s = spawnTracked('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--pipe'], { stdin: 'pipe', onStdoutLine: (l) => (stdout += l + '\n') });
  const pid = s.child.pid!;
  let cliCpu: CpuTime = { userMs: 0, systemMs: 0, totalMs: 0 };
  const poll = setInterval(() => {
    const c = cpuTimeMs(pid);
    if (c.totalMs > 0) cliCpu = c;
  }, 50);
  const stdin = s.child.stdin!;
  let left = count;
  await new Promise<void>((resolve, reject) => {
    stdin.once('error', reject);
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, perChunk);
        left -= n;
        const ok = stdin.write(n === perChunk ? chunk : chunk.subarray(0, n * command.length));
        if (!ok) {
          stdin.once('drain', pump);
          return;
        }
      }
      stdin.end(resolve);
    };
    pump();
  });
  // The last /proc sample before the exit: kept polling until redis-cli is gone.
  const code = await s.exited;
  const t1 = process.hrtime.bigint();
  clearInterval(poll);
  const server = cpuDelta(serverStart, cpuTimeMs(serverPid));
  const self = cpuDelta(selfStart, cpuTimeMs(process.pid));
  const m = /errors: (\d+), replies: (\d+)/.exec(stdout);
  if (code !== 0 || !m || Number(m[1]) !== 0 || Number(m[2]) !== count) {
    throw new Error(`redis-cli --pipe exited with ${code}: ${stdout} ${s.output()}`);
  }
  const wallMs = Number(t1 - t0) / 1e6;
  return {
    phase: 'produce',
    messages: count,
    seconds: wallMs / 1000,
    msgsPerSec: count / (wallMs / 1000),
    driverCpuPct: ((cliCpu.totalMs + self.totalMs) / wallMs) * 100,
    serverCpuPct: (server.totalMs / wallMs) * 100,
  };
}
