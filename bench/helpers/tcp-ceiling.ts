/**
 * The loopback ceiling for the broker benchmark: a raw TCP transfer between two processes over the same number
 * of connections. A child process (this file run directly) listens and, on every accepted connection, writes one
 * pre-built chunk (record batch bytes as the benchmark sends them) as fast as the socket takes it, keeping two
 * chunks queued per socket. This process connects and reads into one fixed Buffer per connection (net `onread`:
 * nothing allocated, nothing kept). Bytes are counted over a window after a warm-up. No framing, no parsing, no
 * disk: what moving the bytes between two Node processes costs on this machine.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { buildBatch } from './batch-fixture';
import { cpuTimeMs } from './proc-stat';

const READ_BUFFER_BYTES = 1 << 20;

export interface CeilingOptions {
  connections: number;
  chunkBytes: number;
  warmMs: number;
  measureMs: number;
}

export interface CeilingResult {
  mbPerSec: number;
  bytes: number;
  seconds: number;
  /** CPU over the window, % of one core: the reader (this process) and the writer process. */
  readerCpuPercent: number;
  writerCpuPercent: number;
}

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the writer child (which listens) and measures what this process reads from it. */
export async function measureTcpCeiling(options: CeilingOptions): Promise<CeilingResult> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      require.resolve('tsx/cjs'),
      __filename,
      `--chunk-bytes=${options.chunkBytes}`,
      `--duration-ms=${options.warmMs + options.measureMs + 10_000}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const sockets: net.Socket[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /PORT (\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      void exited.then((code) => reject(new Error(`tcp writer exited with ${code}`)));
    });
    let total = 0;
    for (let i = 0; i < options.connections; i++) {
      const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
      const s = net.connect({ port, host: '127.0.0.1', onread: { buffer, callback: (n: number) => ((total += n), true) } });
      s.on('error', () => undefined);
      sockets.push(s);
    }
    const firstDeadline = Date.now() + 30_000;
    while (total === 0) {
      if (Date.now() > firstDeadline || child.exitCode !== null) throw new Error('tcp writer sent nothing');
      await sleep(5);
    }
    await sleep(options.warmMs);
    const bytes0 = total;
    const t0 = nowNs();
    const cpu0 = cpuTimeMs(process.pid);
    const wcpu0 = cpuTimeMs(child.pid!);
    await sleep(options.measureMs);
    const bytes1 = total;
    const t1 = nowNs();
    const cpu1 = cpuTimeMs(process.pid);
    const wcpu1 = cpuTimeMs(child.pid!);
    const seconds = (t1 - t0) / 1e9;
    return {
      mbPerSec: (bytes1 - bytes0) / seconds / 1e6,
      bytes: bytes1 - bytes0,
      seconds,
      readerCpuPercent: ((cpu1.totalMs - cpu0.totalMs) / 1000 / seconds) * 100,
      writerCpuPercent: ((wcpu1.totalMs - wcpu0.totalMs) / 1000 / seconds) * 100,
    };
  } finally {
    for (const s of sockets) s.destroy();
    child.kill('SIGTERM');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The writer process.

function arg(name: string): number {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (!v) throw new Error(`--${name} is required`);
  return Number(v.slice(name.length + 3));
}

async function writer(): Promise<void> {
  // Record batch bytes (1 KiB values, as the benchmark's load sends), repeated up to the chunk size.
  const chunkBytes = arg('chunk-bytes');
  const batch = buildBatch(1024, Math.min(chunkBytes, 1 << 20), 1_700_000_000_000).batch;
  const chunk = Buffer.alloc(chunkBytes);
  for (let p = 0; p < chunkBytes; p += batch.length) batch.copy(chunk, p, 0, Math.min(batch.length, chunkBytes - p));
  const deadline = Date.now() + arg('duration-ms');
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on('error', () => undefined);
    const pump = () => {
      if (Date.now() > deadline) {
        s.destroy();
        return;
      }
      while (s.writableLength < 2 * chunk.length) s.write(chunk);
      s.once('drain', pump);
    };
    pump();
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as net.AddressInfo).port}\n`));
  setTimeout(() => process.exit(0), deadline - Date.now()).unref();
  process.once('SIGTERM', () => process.exit(0));
}

if (require.main === module) {
  writer().catch((err: Error) => {
    process.stderr.write(`tcp writer: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
