/**
 * Broker-side coalescing of Produce requests: pipelined requests that arrive together on a connection appended in
 * one pass (one pwritev per partition, Log.appendMany) against the same broker serving them one at a time
 * (strata.produce.coalesce=false), in one run.
 *
 *   npm run bench:coalesce                       # ~1 minute on 2 cores
 *   npm run bench:coalesce -- --batch-bytes=1024,16384 --depth=8 --connections=2 --requests=40000
 *
 * Load: the broker benchmark's generator (helpers/broker-load.ts) in a worker thread: the same pre-encoded
 * Produce request (one batch of 100 B records, --batch-bytes) written --depth times ahead of the responses on
 * each of --connections connections, one partition each, acks=1. Each case gets a fresh broker process and data
 * dir; cases run in A B B A order (on, off, off, on) per batch size and each figure is the mean of its two runs.
 * Broker CPU is the broker process's CPU time over the timed window (/proc), per request: the work coalescing
 * saves. Broker and load share the machine's 2 vCPUs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBenchBroker } from './helpers/broker-process';
import { runLoad } from './helpers/load-runner';
import { buildBatch } from './helpers/batch-fixture';
import { cpuDelta, cpuTimeMs, percentile } from './helpers/proc-stat';
import { WireClient } from './helpers/wire-client';
import { formatBytes, formatCount, formatRate, formatRatio, markdownTable } from './helpers/markdown-table';

function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const BATCH_BYTES = arg('batch-bytes', '1024,16384').split(',').map(Number);
const DEPTH = Number(arg('depth', '8'));
const CONNECTIONS = Number(arg('connections', '2'));
const REQUESTS = Number(arg('requests', '60000'));
const VALUE_BYTES = 100;
const TOPIC = 'coalesce-bench';

interface CaseResult {
  coalesce: boolean;
  batchBytes: number;
  requests: number;
  records: number;
  recordBytes: number;
  seconds: number;
  brokerCpuMs: number;
  p50: number;
  p99: number;
}

async function runCase(coalesce: boolean, batchBytes: number): Promise<CaseResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-coalesce-'));
  const broker = await startBenchBroker({
    dir,
    source: 'dist',
    overrides: { 'strata.produce.coalesce': String(coalesce), 'log.segment.bytes': 512 * 1024 * 1024, 'num.partitions': CONNECTIONS },
  });
  try {
    const admin = await WireClient.connect(broker.port);
    await admin.createTopic(TOPIC, CONNECTIONS);
    admin.close();
    const fx = buildBatch(VALUE_BYTES, batchBytes, Date.now());
    let before = cpuTimeMs(broker.pid);
    let cpu = 0;
    const run = await runLoad(
      [
        {
          kind: 'produce',
          port: broker.port,
          topic: TOPIC,
          partitions: Array.from({ length: CONNECTIONS }, (_, p) => p),
          batch: fx.batch,
          recordsPerBatch: fx.recordCount,
          depth: DEPTH,
          warmRequests: Math.round(REQUESTS / 5),
          timedRequests: REQUESTS,
        },
      ],
      {
        onStart: () => {
          before = cpuTimeMs(broker.pid);
        },
        onEnd: () => {
          cpu = cpuDelta(before, cpuTimeMs(broker.pid)).totalMs;
        },
      },
    );
    if (run.errors > 0) throw new Error(`produce errors: ${run.errors} (${run.firstError})`);
    return {
      coalesce,
      batchBytes,
      requests: run.requests,
      records: run.records,
      recordBytes: run.recordBytes,
      seconds: run.seconds,
      brokerCpuMs: cpu,
      p50: percentile(run.latenciesMs, 50),
      p99: percentile(run.latenciesMs, 99),
    };
  } finally {
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  await runCase(true, BATCH_BYTES[0]); // untimed: page cache, disk, JIT of the load worker
  for (const batchBytes of BATCH_BYTES) {
    const runs = [await runCase(true, batchBytes), await runCase(false, batchBytes), await runCase(false, batchBytes), await runCase(true, batchBytes)];
    for (const r of runs) console.log(`@@strata-bench ${JSON.stringify(r)}`);
    const mean = (rs: CaseResult[], f: (r: CaseResult) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    const on = [runs[0], runs[3]];
    const off = [runs[1], runs[2]];
    const mbs = (r: CaseResult) => r.recordBytes / r.seconds / 1e6;
    const cpuPerReq = (r: CaseResult) => (r.brokerCpuMs * 1000) / r.requests;
    for (const [name, rs] of [['one at a time', off], ['coalesced', on]] as const) {
      rows.push([
        formatBytes(batchBytes),
        name,
        formatCount(mean(rs, (r) => r.requests / r.seconds)),
        formatRate(mean(rs, mbs)),
        formatRate(mean(rs, cpuPerReq), 1),
        mean(rs, (r) => r.p50).toFixed(2),
        mean(rs, (r) => r.p99).toFixed(2),
        rs === on ? formatRatio(mean(on, mbs) / mean(off, mbs)) : '1.00×',
        rs === on ? formatRatio(mean(on, cpuPerReq) / mean(off, cpuPerReq)) : '1.00×',
      ]);
    }
  }
  console.log(
    `\n${CONNECTIONS} connections x ${DEPTH} pipelined Produce requests (acks=1, one batch of ${VALUE_BYTES} B records each, one partition per connection), ${REQUESTS} timed requests per case, A B B A means, ${os.cpus().length} vCPUs\n`,
  );
  console.log(markdownTable(['batch', 'broker', 'requests/s', 'MB/s', 'broker CPU µs/request', 'p50 ms', 'p99 ms', 'MB/s ratio', 'CPU/request ratio'], rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
