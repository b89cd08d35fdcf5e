/**
 * Durable acknowledgement benchmark: acks=-1 produce with and without strata.durable.acks (answer only once the
 * batch is fdatasynced, fsyncs shared by the requests waiting at the time), for 1 and 16 concurrent producers, in
 * one run. Per case: requests/s, messages/s, MB/s, p50/p99/max latency, and fsyncs (data-sync rounds) per
 * acknowledged request. The baseline of each durable case is the same load without the option, measured in the
 * same run: the ratio is what durability costs.
 *
 *   npm run bench:flush
 *   npm run bench:flush -- --seconds=5 --messages=10 --value-bytes=100 --partitions=1 --producers=1,16
 *
 * Every case gets a fresh broker process (embedded Broker, bench/helpers/flush-broker.ts, from dist/) with its
 * data in a fresh directory on the same disk as the repository (not tmpfs: fsyncs must reach a device); the load
 * runs in this process: each producer is one connection with one request in flight (send, wait for the
 * acknowledgement, send again), as a client waiting on acks=-1 is, writing --messages records of --value-bytes
 * per request to a topic of --partitions partitions (producer i writes partition i % partitions). The first
 * second of each case is not counted.
 */
import { fork, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiKey } from '../src/protocol/api-key';
import { encodeRecordBatch } from '../src/protocol/records/index';
import { markdownTable, formatCount, formatRate, formatRatio } from './helpers/markdown-table';
import { WireClient } from './helpers/wire-client';

function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const SECONDS = Number(arg('seconds', '5'));
const MESSAGES = Number(arg('messages', '10'));
const VALUE_BYTES = Number(arg('value-bytes', '100'));
const PARTITIONS = Number(arg('partitions', '1'));
const PRODUCERS = arg('producers', '1,16').split(',').map(Number);
const WARM_UP_MS = 1000;
const TOPIC = 'flush-bench';
const ROOT = path.join(__dirname, '..');

interface CaseResult {
  durable: boolean;
  producers: number;
  requests: number;
  seconds: number;
  latenciesMs: number[];
  dataSyncs: number;
}

interface Child {
  port: number;
  ask(type: string): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

async function startBroker(dir: string, durable: boolean): Promise<Child> {
  const props = {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': dir,
    'strata.durable.acks': String(durable),
    'auto.create.topics.enable': 'false',
  };
  const child: ChildProcess = fork(path.join(__dirname, 'helpers', 'flush-broker.ts'), [JSON.stringify(props)], {
    execArgv: ['-r', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, STRATA_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting = new Map<string, (m: Record<string, number>) => void>();
  child.on('message', (m: { type: string } & Record<string, number>) => waiting.get(m.type)?.(m));
  const started = await new Promise<Record<string, number>>((resolve, reject) => {
    waiting.set('started', resolve);
    void exited.then(() => reject(new Error('broker process exited before starting')));
  });
  return {
    port: started.port,
    ask: (type) =>
      new Promise((resolve) => {
        waiting.set(type, resolve);
        child.send({ type });
      }),
    stop: async () => {
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

async function producer(port: number, index: number, countFrom: number, until: number, latencies: number[]): Promise<number> {
  const c = await WireClient.connect(port);
  const value = Buffer.alloc(VALUE_BYTES, 0x61);
  const records = encodeRecordBatch({ records: Array.from({ length: MESSAGES }, () => ({ value })) });
  const request = { transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index: index % PARTITIONS, records }] }] };
  let requests = 0;
  for (;;) {
    const t0 = performance.now();
    if (Date.now() >= until) break;
    const r = await c.request(ApiKey.Produce, 9, request);
    const code = r.responses[0].partitionResponses[0].errorCode;
    if (code !== 0) throw new Error(`Produce: error ${code}`);
    if (Date.now() >= countFrom) {
      latencies.push(performance.now() - t0);
      requests++;
    }
  }
  c.close();
  return requests;
}

async function runCase(durable: boolean, producers: number): Promise<CaseResult> {
  const dir = fs.mkdtempSync(path.join(ROOT, '.bench-flush-'));
  const broker = await startBroker(dir, durable);
  try {
    const admin = await WireClient.connect(broker.port);
    await admin.createTopic(TOPIC, PARTITIONS);
    const countFrom = Date.now() + WARM_UP_MS;
    const until = countFrom + SECONDS * 1000;
    const latencies: number[] = [];
    let syncsAtStart = 0;
    const startStats = new Promise<void>((resolve) =>
      setTimeout(async () => {
        syncsAtStart = (await broker.ask('stats')).dataSyncs;
        resolve();
      }, WARM_UP_MS),
    );
    const counts = await Promise.all(Array.from({ length: producers }, (_, i) => producer(broker.port, i, countFrom, until, latencies)));
    await startStats;
    const dataSyncs = (await broker.ask('stats')).dataSyncs - syncsAtStart;
    admin.close();
    return { durable, producers, requests: counts.reduce((a, b) => a + b, 0), seconds: SECONDS, latenciesMs: latencies, dataSyncs };
  } finally {
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const results: CaseResult[] = [];
  // Untimed warm-up of the disk path and the broker code, then the cases, each baseline next to its durable case.
  await runCase(true, 1);
  for (const producers of PRODUCERS) {
    results.push(await runCase(false, producers));
    results.push(await runCase(true, producers));
  }
  for (const r of results) console.log(`@@strata-bench ${JSON.stringify({ ...r, latenciesMs: undefined })}`);
  console.log(
    `\nacks=-1, ${MESSAGES} x ${VALUE_BYTES} B messages per request, 1 request in flight per producer, ${PARTITIONS} partition(s), ${SECONDS} s per case, ${os.cpus().length} vCPUs; data on ${ROOT}\n`,
  );
  const rows = results.map((r) => {
    const sorted = [...r.latenciesMs].sort((a, b) => a - b);
    const rate = r.requests / r.seconds;
    const base = results.find((b) => !b.durable && b.producers === r.producers)!;
    return [
      r.durable ? 'on disk (strata.durable.acks)' : 'page cache (Kafka default)',
      String(r.producers),
      formatCount(rate),
      formatCount(rate * MESSAGES),
      formatRate((rate * MESSAGES * VALUE_BYTES) / 1e6, 1),
      percentile(sorted, 50).toFixed(2),
      percentile(sorted, 99).toFixed(2),
      sorted.length ? sorted[sorted.length - 1].toFixed(1) : '-',
      r.requests ? (r.dataSyncs / r.requests).toFixed(3) : '-',
      r.durable ? formatRatio(r.requests / base.requests) : '1.00×',
    ];
  });
  console.log(markdownTable(['acknowledged when', 'producers', 'requests/s', 'messages/s', 'MB/s', 'p50 ms', 'p99 ms', 'max ms', 'fsyncs per ack', 'ratio to page cache'], rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
