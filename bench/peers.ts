/**
 * Peers benchmark: the same produce (and read-back) workload, in one run on this machine, against Strata, NATS
 * JetStream and Redis Streams, each server started here on loopback (fresh temp dir, free port) and stopped after
 * its case. Prints msgs/s, MB/s, publish→ack p50/p99 per system and the ratio of each to Strata.
 *
 *   npm run bench:peers                            # ~1–2 minutes on 2 cores
 *   npm run bench:peers -- --sizes=100,1024 --messages=2000000,500000 --window=1024 --only=strata,nats,redis
 *   other options: --warmup=0.1 (fraction of --messages sent first, untimed) --batch-bytes=16384 --max-in-flight=5
 *   --fetch-bytes=1048576 --consume-seconds=2 --linger-ms=1 --per-send=32 --no-consume --broker=src (default: dist/, npm run build:ts)
 *   --wait-load=1.5 --wait-load-s=120 (wait for the 1-minute load average to drop below 1.5, at most 120 s)
 *   cases (--only): strata, nats, redis, strata-durable, strata-node, redis-pipe
 *
 * Workload, the same for every system: one connection, one producer, --messages messages of each --sizes bytes
 * (random bytes, no key) to one partition / stream / key, published as fast as the server takes them with at most
 * --window messages sent and not yet acknowledged, after --warmup of them untimed. Acknowledged writes:
 *  - Strata: Produce acks=-1 (answered once the leader's log has the batch: page cache, as Kafka), as Kafka's
 *    producer at most --max-in-flight=5 requests outstanding, one record batch each, of --batch-bytes (batch.size,
 *    16 KiB) or more: as many records as the window needs (1024 / 5: 204 records, 22 KiB at 100 B, 206 KiB at
 *    1 KiB); again with strata.durable.acks=true (answered once fdatasync'd, fsyncs shared by waiting requests).
 *  - NATS JetStream: PublishAsync to a file-storage stream, each message answered by its PubAck (JetStream writes
 *    the message to its file before the ack but fsyncs only every 2 minutes by default: page cache too).
 *  - Redis: XADD with appendonly yes, appendfsync everysec (the AOF is written before the answer, fsynced once a
 *    second: Redis answers before its fsync).
 * Drivers: Go programs for all three (bench/peers/nats-load with nats.go, bench/peers/wire-load speaking Kafka
 * Produce/Fetch and RESP by hand), so no client library in Node is the limit (the Node `nats` client tops out near
 * 26k msgs/s here); built by this script, offline, into the run's temp dir. Also, for what an application sees:
 * Strata through its embedded Node Producer (src/client, WireTransport, acks=-1, --linger-ms, max.in.flight 5,
 * send() of --per-send records, window / per-send calls outstanding), and Redis through `redis-cli --pipe` (its
 * bulk-load path: no bound on commands in flight, so no latency figure).
 * Latency: per message, from handing it to the client/socket to reading its acknowledgement (a Kafka request's
 * latency counts once per record of its batch). Throughput: timed messages / time from the first timed send to
 * the last acknowledgement. MB/s: messages × payload bytes / 10^6 / s.
 * Read back (unless --no-consume): everything the produce phase wrote, from the start, one request in flight, again
 * and again until --consume-seconds=2 have passed: Strata Fetch v4 of --fetch-bytes (Kafka's default 1 MiB
 * max.partition.fetch.bytes; a batch cut at its end is fetched again by the next one); a JetStream pull consumer
 * (AckNone, a new one each pass) fetching --fetch-bytes / size messages per pull; XREAD COUNT --fetch-bytes / size.
 * CPU: the server's (/proc, all threads) and the driver's over each timed phase, in % of one core. Driver and
 * server share this machine's cores: a server near 100% of a core is saturated (Strata and Redis each do their
 * work on one thread; nats-server is multi-threaded).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brokerEntry, BrokerSource } from './helpers/broker-process';
import { formatRate, formatRatio, markdownTable } from './helpers/markdown-table';
import { buildGoDrivers, GoDrivers, PhaseResult, runGoDriver, runNodeProducer, runRedisPipe } from './peers/drivers';
import { Server, startNats, startRedis, startStrata, stopAll } from './peers/processes';

function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

const SIZES = (argValue('sizes') ?? '100,1024').split(',').map(Number);
const MESSAGES_ARG = (argValue('messages') ?? '2000000,500000').split(',').map(Number);
const WARMUP_FRACTION = Number(argValue('warmup') ?? '0.1');
const WINDOW = Number(argValue('window') ?? '1024');
const BATCH_BYTES = Number(argValue('batch-bytes') ?? '16384');
const MAX_IN_FLIGHT = Number(argValue('max-in-flight') ?? '5');
const FETCH_BYTES = Number(argValue('fetch-bytes') ?? String(1 << 20));
const LINGER_MS = Number(argValue('linger-ms') ?? '1');
const PER_SEND = Number(argValue('per-send') ?? '32');
const CONSUME = !process.argv.includes('--no-consume');
const CONSUME_SECONDS = Number(argValue('consume-seconds') ?? '2');
const SOURCE = (argValue('broker') ?? 'dist') as BrokerSource;
const ALL_CASES = ['strata', 'nats', 'redis', 'strata-durable', 'strata-node', 'redis-pipe'] as const;
type CaseId = (typeof ALL_CASES)[number];
const ONLY = (argValue('only')?.split(',') ?? ALL_CASES) as CaseId[];
const TOPIC = 'bench-peers';

for (const c of ONLY) if (!ALL_CASES.includes(c)) throw new Error(`--only: unknown case ${c} (${ALL_CASES.join(', ')})`);
for (const [name, v] of Object.entries({ WINDOW, BATCH_BYTES, MAX_IN_FLIGHT, FETCH_BYTES, PER_SEND })) if (!(v > 0)) throw new Error(`${name} must be > 0`);
if (SIZES.some((s) => !(s > 0))) throw new Error('--sizes must be positive');

function messagesFor(sizeIndex: number): number {
  return MESSAGES_ARG[Math.min(sizeIndex, MESSAGES_ARG.length - 1)];
}

const BATCH_HEADER_BYTES = 61;
const varintBytes = (v: number) => {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
};
/** Bytes of a record of `size` value bytes, no key, no headers, at offsetDelta `i` (timestampDelta 0). */
const recordBytes = (size: number, i: number) => {
  const body = 1 + 1 + varintBytes(i) + 1 + varintBytes(size) + size + 1;
  return varintBytes(body) + body;
};

/**
 * Records per Strata Produce request: as Kafka's producer, at most --max-in-flight requests outstanding, each one
 * batch; batch.size is --batch-bytes, raised where needed so that those requests cover the window (--window 1024,
 * 5 in flight: 204 records, 22 KiB at 100 B, 206 KiB at 1 KiB).
 */
function kafkaBatch(size: number): { records: number; bytes: number } {
  let fit = 0;
  let bytes = BATCH_HEADER_BYTES;
  while (fit === 0 || bytes + recordBytes(size, fit) <= BATCH_BYTES) bytes += recordBytes(size, fit++);
  const records = Math.max(fit, Math.floor(WINDOW / MAX_IN_FLIGHT));
  let total = BATCH_HEADER_BYTES;
  for (let i = 0; i < records; i++) total += recordBytes(size, i);
  return { records, bytes: total };
}

interface CaseLabel {
  system: string;
  driver: string;
}

const LABELS: Record<CaseId, CaseLabel> = {
  strata: { system: 'Strata, acks=-1', driver: 'Go, Produce v7' },
  'strata-durable': { system: 'Strata, acks=-1 + durable.acks', driver: 'Go, Produce v7' },
  'strata-node': { system: 'Strata, acks=-1', driver: 'Node embedded Producer' },
  nats: { system: 'NATS JetStream, file', driver: 'Go, nats.go PublishAsync' },
  redis: { system: 'Redis Streams, AOF everysec', driver: 'Go, XADD pipelined' },
  'redis-pipe': { system: 'Redis Streams, AOF everysec', driver: 'redis-cli --pipe (unbounded)' },
};

const READERS: Partial<Record<CaseId, string>> = {
  strata: 'Go, Fetch v4',
  nats: 'Go, pull consumer',
  redis: 'Go, XREAD COUNT',
};

interface CaseResult {
  id: CaseId;
  size: number;
  phases: PhaseResult[];
}

interface Context {
  root: string;
  go: GoDrivers;
}

async function withServer<T>(ctx: Context, start: (dir: string) => Promise<Server>, run: (server: Server) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(ctx.root, 'data-'));
  let server: Server | undefined;
  try {
    server = await start(dir);
    return await run(server);
  } finally {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runCase(ctx: Context, id: CaseId, size: number, messages: number): Promise<CaseResult> {
  const warmup = Math.round(messages * WARMUP_FRACTION);
  const common = ['-size', String(size), '-messages', String(messages), '-warmup', String(warmup), '-window', String(WINDOW)];
  const consume = CONSUME && READERS[id] !== undefined ? ['-consume', '-consume-seconds', String(CONSUME_SECONDS)] : [];
  const fetchMessages = String(Math.max(1, Math.floor(FETCH_BYTES / size)));
  const batch = kafkaBatch(size);
  let phases: PhaseResult[];
  switch (id) {
    case 'strata':
    case 'strata-durable':
      phases = await withServer(
        ctx,
        (dir) => startStrata(dir, SOURCE, id === 'strata-durable', TOPIC),
        (s) =>
          runGoDriver(
            ctx.go.wire,
            ['-proto', 'kafka', '-addr', `${s.host}:${s.port}`, '-topic', TOPIC, '-acks', '-1', '-batch-records', String(batch.records), '-fetch-bytes', String(FETCH_BYTES), ...common, ...consume],
            s.pid,
          ),
      );
      break;
    case 'strata-node':
      phases = await withServer(
        ctx,
        (dir) => startStrata(dir, SOURCE, false, TOPIC),
        async (s) => [
          await runNodeProducer({ host: s.host, port: s.port, topic: TOPIC, size, messages, warmup, window: WINDOW, batchBytes: batch.bytes + 4 * batch.records, lingerMs: LINGER_MS, perSend: PER_SEND, serverPid: s.pid }),
        ],
      );
      break;
    case 'nats':
      phases = await withServer(ctx, startNats, (s) => runGoDriver(ctx.go.nats, ['-url', `nats://${s.host}:${s.port}`, '-fetch-batch', fetchMessages, ...common, ...consume], s.pid));
      break;
    case 'redis':
      phases = await withServer(ctx, startRedis, (s) => runGoDriver(ctx.go.wire, ['-proto', 'redis', '-addr', `${s.host}:${s.port}`, '-fetch-bytes', String(FETCH_BYTES), ...common, ...consume], s.pid));
      break;
    case 'redis-pipe':
      phases = await withServer(ctx, startRedis, async (s) => {
        if (warmup > 0) await runRedisPipe(s.port, 'bench-peers', size, warmup, s.pid);
        return [await runRedisPipe(s.port, 'bench-peers', size, messages, s.pid)];
      });
      break;
  }
  return { id, size, phases };
}

function version(command: string, args: string[], pattern: RegExp): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  const m = pattern.exec(`${r.stdout ?? ''} ${r.stderr ?? ''}`);
  return m ? m[1] : '?';
}

async function waitForQuietMachine(maxLoad: number, maxWaitS: number): Promise<string> {
  const deadline = Date.now() + maxWaitS * 1000;
  while (os.loadavg()[0] > maxLoad && Date.now() < deadline) {
    process.stderr.write(`# load average ${os.loadavg()[0].toFixed(2)} > ${maxLoad}: waiting (up to ${maxWaitS} s in all)\n`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
  const l = os.loadavg()[0];
  return l > maxLoad ? `WARNING: load average ${l.toFixed(2)} was still above ${maxLoad} when the run started` : '';
}

const fmtMs = (v: number | undefined) => (v === undefined || !Number.isFinite(v) || v < 0 ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const fmtPct = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)}%` : '-');
const fmtCount = (v: number) => formatRate(v, 0);

function tables(results: CaseResult[]): string[] {
  const produceRows: string[][] = [];
  const consumeRows: string[][] = [];
  for (const size of SIZES) {
    const ofSize = results.filter((r) => r.size === size);
    const phase = (r: CaseResult | undefined, p: string) => r?.phases.find((x) => x.phase === p);
    const base = ofSize.find((r) => r.id === 'strata');
    const baseProduce = phase(base, 'produce')?.msgsPerSec ?? NaN;
    const baseConsume = phase(base, 'consume')?.msgsPerSec ?? NaN;
    for (const r of ofSize) {
      const label = LABELS[r.id];
      const p = phase(r, 'produce');
      if (p) {
        produceRows.push([
          `${size} B`,
          label.system,
          label.driver,
          fmtCount(p.msgsPerSec),
          formatRate((p.msgsPerSec * size) / 1e6, 1),
          fmtMs(p.p50Ms),
          fmtMs(p.p99Ms),
          formatRatio(p.msgsPerSec / baseProduce),
          fmtPct(p.serverCpuPct),
          fmtPct(p.driverCpuPct),
        ]);
      }
      const c = phase(r, 'consume');
      if (c) {
        consumeRows.push([
          `${size} B`,
          label.system,
          READERS[r.id] ?? '',
          fmtCount(c.msgsPerSec),
          formatRate((c.msgsPerSec * size) / 1e6, 1),
          formatRatio(c.msgsPerSec / baseConsume),
          fmtPct(c.serverCpuPct),
          fmtPct(c.driverCpuPct),
        ]);
      }
    }
  }
  const out = [
    '### Produce, acknowledged',
    '',
    markdownTable(['size', 'system', 'driver', 'msgs/s', 'MB/s', 'p50 ms', 'p99 ms', 'msgs/s vs Strata', 'server CPU', 'driver CPU'], produceRows),
  ];
  if (consumeRows.length > 0) {
    out.push('', '### Read back from the start', '', markdownTable(['size', 'system', 'reader', 'msgs/s', 'MB/s', 'msgs/s vs Strata', 'server CPU', 'driver CPU'], consumeRows));
  }
  return out;
}

async function main(): Promise<void> {
  if (SOURCE === 'dist') {
    const stale = brokerEntry('dist').staleFiles;
    if (stale.length > 0) process.stderr.write(`# WARNING: dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}...): npm run build:ts, or --broker=src\n`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-peers-'));
  const cleanUp = async () => {
    await stopAll();
    fs.rmSync(root, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n# ${signal}: stopping the servers\n`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  const results: CaseResult[] = [];
  let loadBefore = '';
  let warning = '';
  try {
    const binDir = path.join(root, 'bin');
    fs.mkdirSync(binDir);
    process.stderr.write('# building the Go drivers (bench/peers/nats-load, bench/peers/wire-load)\n');
    const go = buildGoDrivers(binDir);
    warning = await waitForQuietMachine(Number(argValue('wait-load') ?? 1.5), Number(argValue('wait-load-s') ?? 120));
    loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    const ctx: Context = { root, go };
    for (const [i, size] of SIZES.entries()) {
      for (const id of ALL_CASES.filter((c) => ONLY.includes(c))) {
        process.stderr.write(`# ${id}, ${messagesFor(i)} x ${size} B\n`);
        const r = await runCase(ctx, id, size, messagesFor(i));
        results.push(r);
        console.log(`@@strata-bench ${JSON.stringify(r)}`);
      }
    }
  } finally {
    await cleanUp();
  }

  const cpus = os.cpus();
  const versions = [
    `Strata ${SOURCE === 'dist' ? 'dist/' : 'src/'} on Node ${process.version}`,
    `nats-server ${version('nats-server', ['--version'], /v?(\d+\.\d+\.\d+)/)}`,
    `redis-server ${version('redis-server', ['--version'], /v=(\S+)/)}`,
    `${version('go', ['version'], /(go\d+\.\d+(\.\d+)?)/)}`,
  ].join(', ');
  const lines = [
    '',
    `## Peers: Strata, NATS JetStream, Redis Streams (${new Date().toISOString().slice(0, 10)})`,
    '',
    `One producer on one connection, at most ${WINDOW} messages unacknowledged, one partition / stream / key, ${Math.round(WARMUP_FRACTION * 100)}% of the messages sent first as a warm-up;`,
    `${SIZES.map((s, i) => `${messagesFor(i).toLocaleString('en-US')} x ${s} B`).join(', ')} timed; read back for ${CONSUME_SECONDS} s or one pass, ${FETCH_BYTES} B a read.`,
    `Strata: at most ${MAX_IN_FLIGHT} Produce requests in flight, one batch each (${SIZES.map((s) => `${kafkaBatch(s).records} x ${s} B = ${(kafkaBatch(s).bytes / 1024).toFixed(1)} KiB`).join(', ')}); embedded Producer: linger.ms ${LINGER_MS}, send() of ${PER_SEND} records.`,
    `Machine: ${cpus.length} vCPUs (${cpus[0]?.model ?? '?'}), the driver and the server share them; ${versions}.`,
    `Load average before: ${loadBefore}, after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}${warning ? ` (${warning})` : ''}.`,
    '',
    ...tables(results),
    '',
    'Acknowledged means: Strata acks=-1 once the batch is in its log (page cache; with durable.acks once fdatasync\'d); JetStream once in its',
    'stream file (page cache: fsync every 2 min by default); Redis once in its AOF buffer/file (fsync once a second: Redis answers before the fsync).',
    'CPU in % of one core over the timed phase (driver: the load process; for redis-cli --pipe, redis-cli plus the Node process feeding it).',
  ];
  console.log(lines.join('\n'));
}

main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
