/**
 * Broker benchmark: produce and consume throughput of a real broker process over loopback, 100 B and 1 KiB
 * messages, against the loopback ceiling measured in the same run.
 *
 *   npm run bench:broker                          # the whole matrix, ~2-3 minutes on 2 cores
 *   npm run bench:broker -- --only=gen,ceiling    # suites: ceiling, gen, kcat, kafkajs
 *   npm run bench:broker -- --profile --perf      # then profile the broker under the load generator:
 *                                                 # V8 --cpu-prof (JS functions, GC) and Linux perf (native, kernel)
 *   npm run bench:broker -- --only=none --profile --perf   # only the profiles
 *   npm run bench:broker -- --broker=src          # run the broker from src/ through tsx (default: dist/)
 *   other options: --batch-bytes=16384,1048576 --connections=3 --depth=4 --fetch-bytes=4194304 --rounds=3
 *   --consume-passes=3 --scale=1 --kafkajs-send=N --broker-node-args="--trace-gc" --broker-log=FILE
 *   --wait-load=1.5 --wait-load-s=120 (wait for the 1-minute load average to drop below 1.5, at most 120 s)
 *
 * Loads, each suite in a fresh child process with a fresh broker process and data dir (deleted afterwards):
 *  - gen: the benchmark's own load generator (helpers/broker-load.ts) in a worker thread. Produce: the same
 *    pre-encoded Produce request (one record batch of --batch-bytes built once with encodeRecordBatch; the
 *    broker patches baseOffset in its own copy) on --connections connections, one partition each, --depth
 *    requests in flight per connection, acks=1; latency per request. Consume: then Fetch requests over every
 *    partition from offset 0 (one connection per partition, one Fetch in flight each, max_bytes and
 *    partition_max_bytes --fetch-bytes), counting records from the batch headers, --consume-passes times over
 *    the log. Both after an untimed warm-up (20% of the requests / of each partition). --rounds rounds, each
 *    in fresh processes; the table shows the median of each figure.
 *  - kcat (librdkafka 2.0.2): `kcat -P` fed from a pre-generated file (one message per line, no key, -z none,
 *    acks=1, linger.ms=5), wall time from spawn to exit (kcat waits for every delivery report); latency is
 *    librdkafka's own round-trip time of each Produce request (its `-d protocol` log); then `kcat -C -o
 *    beginning -c N` to /dev/null, wall time from spawn to exit (startup, metadata and ListOffsets included).
 *  - kafkajs 2.2.4: producer.send() of --kafkajs-send messages, 4 sends in flight, acks=1, one partition per
 *    send in turn; latency per send(). Its consumer (consumer.run, eachBatch) runs if the broker serves the
 *    group APIs; its time includes joining the group.
 *  - ceiling: a raw TCP transfer between two Node processes on the same number of connections, the writer
 *    writing chunks of record batch bytes of the largest --batch-bytes as fast as the sockets take them, the
 *    reader reading into a fixed Buffer (helpers/tcp-ceiling.ts); measured before each round and last, the
 *    table uses their median.
 *
 * Figures: msgs/s = records / timed seconds; MB/s = messages × message size (payload, 10^6 B) / s; ratio = that
 * MB/s / the ceiling's MB/s (record batch framing adds ~9% to 100 B values and ~1% to 1 KiB values on the
 * wire: the details table has the wire figure). Broker CPU = the broker process's CPU time (/proc, all threads;
 * "main" = its JS thread) over the timed window, in % of one core: ~100% main means the broker is the
 * bottleneck. The machine's cores are shared by broker and load: both figures are printed. Profiles cover the
 * timed windows only (the cpu-prof samples are cut to them; perf records just them).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../src/protocol/api-key';
import { buildBatch } from './helpers/batch-fixture';
import { BenchBroker, brokerEntry, BrokerSource, startBenchBroker } from './helpers/broker-process';
import type { ConsumeLoadSpec, ProduceLoadSpec } from './helpers/broker-load';
import { CpuProfile, formatSummary, summarizeProfile } from './helpers/cpu-profile-summary';
import { runLoad, LoadRun } from './helpers/load-runner';
import { formatBytes, formatCount, formatRate, formatRatio, markdownTable } from './helpers/markdown-table';
import { cpuDelta, cpuTimeMs, CpuTime, percentile } from './helpers/proc-stat';
import { cleanUpPerf, perfAvailable, PerfRecording, startPerf, summarizePerf } from './helpers/perf-summary';
import { measureTcpCeiling } from './helpers/tcp-ceiling';
import { WireClient } from './helpers/wire-client';

const KIB = 1024;
const MIB = 1024 * KIB;
const VALUE_SIZES = [100, KIB] as const;
const TIMESTAMP = 1_700_000_000_000;
const RESULT_PREFIX = '@@strata-bench ';
const TOPIC = 'bench';
const SEGMENT_BYTES = 256 * MIB;
const SUITE_TIMEOUT_MS = 180_000;
const WARM_FRACTION = 0.2;

/** Messages per timed run, by load and message size: bounded so a run stays ~2-3 minutes and ~1 GB of disk. */
const MESSAGES: Record<'gen' | 'kcat' | 'kafkajs', Record<number, number>> = {
  gen: { 100: 5_000_000, [KIB]: 1_000_000 },
  kcat: { 100: 2_000_000, [KIB]: 500_000 },
  kafkajs: { 100: 500_000, [KIB]: 150_000 },
};

/** The issue's targets (acks=1). */
const TARGETS: Record<string, { value: number; unit: 'msgs/s' | 'MB/s' }> = {
  'produce:100': { value: 1_000_000, unit: 'msgs/s' },
  [`produce:${KIB}`]: { value: 450, unit: 'MB/s' },
  'consume:100': { value: 2_500_000, unit: 'msgs/s' },
  [`consume:${KIB}`]: { value: 1000, unit: 'MB/s' },
};

interface Options {
  source: BrokerSource;
  connections: number;
  depth: number;
  batchBytes: number[];
  fetchBytes: number;
  kafkajsSend: number;
  consumePasses: number;
  rounds: number;
  scale: number;
  /** Extra node flags for the broker process (--broker-node-args="--trace-gc --max-semi-space-size=64"). */
  brokerNodeArgs: string[];
  /** Write the broker's output (stdout + stderr) to this file when it stops (a suite's last broker wins). */
  brokerLog: string | undefined;
}

interface Row {
  workload: 'produce' | 'consume';
  client: string;
  valueBytes: number;
  messages: number;
  seconds: number;
  msgsPerSec: number;
  mbPerSec: number;
  wireMbPerSec: number | null;
  requests: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  latency: string;
  brokerCpuPercent: number;
  brokerMainCpuPercent: number;
  brokerSysPercent: number;
  loadCpuPercent: number | null;
}

interface SuiteOutput {
  suite: string;
  rows: Row[];
  ceilingMbPerSec?: number;
  notes: string[];
  profile?: string;
}

function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function options(): Options {
  const source = (argValue('broker') ?? 'dist') as BrokerSource;
  if (source !== 'dist' && source !== 'src') throw new Error('--broker must be dist or src');
  return {
    source,
    connections: Number(argValue('connections') ?? 3),
    depth: Number(argValue('depth') ?? 4),
    batchBytes: (argValue('batch-bytes') ?? `${16 * KIB},${MIB}`).split(',').map(Number),
    fetchBytes: Number(argValue('fetch-bytes') ?? 4 * MIB),
    kafkajsSend: Number(argValue('kafkajs-send') ?? 0),
    consumePasses: Number(argValue('consume-passes') ?? 3),
    rounds: Number(argValue('rounds') ?? 3),
    brokerNodeArgs: (argValue('broker-node-args') ?? '').split(' ').filter(Boolean),
    brokerLog: argValue('broker-log'),
    scale: Number(argValue('scale') ?? 1),
  };
}

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// Child: one suite.

/** CPU of the broker (process and JS thread) and of this process over a window. */
class CpuWindow {
  private broker0: CpuTime;
  private main0: CpuTime;
  private self0: NodeJS.CpuUsage;
  private t0 = nowNs();

  constructor(private readonly brokerPid: number) {
    this.broker0 = cpuTimeMs(brokerPid);
    this.main0 = cpuTimeMs(brokerPid, brokerPid);
    this.self0 = process.cpuUsage();
  }

  end(extraLoadCpuMs?: number): { brokerCpuPercent: number; brokerMainCpuPercent: number; brokerSysPercent: number; loadCpuPercent: number; seconds: number } {
    const seconds = (nowNs() - this.t0) / 1e9;
    const b = cpuDelta(this.broker0, cpuTimeMs(this.brokerPid));
    const m = cpuDelta(this.main0, cpuTimeMs(this.brokerPid, this.brokerPid));
    const self = process.cpuUsage(this.self0);
    const loadMs = extraLoadCpuMs ?? (self.user + self.system) / 1000;
    const pct = (ms: number) => (ms / 1000 / seconds) * 100;
    return { brokerCpuPercent: pct(b.totalMs), brokerMainCpuPercent: pct(m.totalMs), brokerSysPercent: pct(b.systemMs), loadCpuPercent: pct(loadMs), seconds };
  }
}

async function withBroker<T>(dir: string, opts: Options, profileDir: string | null, perfMap: boolean, fn: (broker: BenchBroker) => Promise<T>): Promise<T> {
  const broker = await startBenchBroker({
    dir: path.join(dir, 'data'),
    source: opts.source,
    nodeArgs: [
      ...opts.brokerNodeArgs,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=500'] : []),
      // Code that moves after perf has mapped it would be misnamed: no code-space compaction while profiling.
      ...(perfMap ? ['--perf-basic-prof', '--no-compact-code-space'] : []),
    ],
    overrides: {
      'log.segment.bytes': SEGMENT_BYTES,
      'num.partitions': opts.connections,
      'group.initial.rebalance.delay.ms': 0,
    },
  });
  fs.writeFileSync(path.join(dir, 'broker.pid'), String(broker.pid));
  try {
    return await fn(broker);
  } finally {
    const code = await broker.stop();
    fs.writeFileSync(path.join(dir, 'broker.pid'), `${broker.pid} exited`);
    if (code !== 0) process.stderr.write(`broker exited with ${code}\n${broker.output().slice(-2000)}\n`);
    if (opts.brokerLog) fs.writeFileSync(opts.brokerLog, broker.output());
  }
}

async function createTopic(broker: BenchBroker, partitions: number): Promise<void> {
  const c = await WireClient.connect(broker.port);
  try {
    await c.createTopic(TOPIC, partitions);
  } finally {
    c.close();
  }
}

async function endOffsets(broker: BenchBroker, partitions: number): Promise<number[]> {
  const c = await WireClient.connect(broker.port);
  try {
    return await c.endOffsets(TOPIC, partitions);
  } finally {
    c.close();
  }
}

function loadRow(workload: Row['workload'], client: string, valueBytes: number, run: LoadRun, cpu: ReturnType<CpuWindow['end']>, latency: string): Row {
  if (run.errors > 0) throw new Error(`${workload} ${client}: ${run.errors} errors, first: ${run.firstError}`);
  return {
    workload,
    client,
    valueBytes,
    messages: run.records,
    seconds: run.seconds,
    msgsPerSec: run.records / run.seconds,
    mbPerSec: (run.records * valueBytes) / run.seconds / 1e6,
    wireMbPerSec: run.recordBytes / run.seconds / 1e6,
    requests: run.requests,
    p50Ms: percentile(run.latenciesMs, 50),
    p99Ms: percentile(run.latenciesMs, 99),
    latency,
    brokerCpuPercent: cpu.brokerCpuPercent,
    brokerMainCpuPercent: cpu.brokerMainCpuPercent,
    brokerSysPercent: cpu.brokerSysPercent,
    loadCpuPercent: cpu.loadCpuPercent,
  };
}

type ProfileMode = 'none' | 'cpu-prof' | 'perf';

async function genSuite(id: string, dir: string, opts: Options, mode: ProfileMode): Promise<SuiteOutput> {
  const [, value, batchMax] = id.split(':');
  const valueBytes = Number(value);
  const fx = buildBatch(valueBytes, Number(batchMax), TIMESTAMP);
  const conns = opts.connections;
  // Small batches cost the broker per request, not per byte: fewer messages keep those suites as short (and
  // more passes of the consumer over the smaller log keep its window as long).
  const smallBatchFactor = Number(batchMax) < 256 * KIB ? 0.25 : 1;
  const messages = MESSAGES.gen[valueBytes] * opts.scale * smallBatchFactor;
  const timedRequests = Math.max(1, Math.ceil(messages / fx.recordCount / conns));
  const warmRequests = Math.max(1, Math.ceil(timedRequests * WARM_FRACTION));
  const profileDir = mode === 'cpu-prof' ? path.join(dir, 'prof') : null;
  const perfReports: string[] = [];
  const client = `strata-load ${conns} conn × ${opts.depth} in flight, ${formatBytes(Number(batchMax))} batches`;
  const notes: string[] = [`batch: ${fx.recordCount} records × ${valueBytes} B = ${fx.batch.length} B (${fx.builder})`];
  const windows: Array<[string, string, number, number]> = [];
  let cpu: CpuWindow | undefined;
  let usage: ReturnType<CpuWindow['end']> | undefined;
  let brokerPid = 0;
  const rows = await withBroker(dir, opts, profileDir, mode === 'perf', async (broker) => {
    brokerPid = broker.pid;
    await createTopic(broker, conns);
    let perf: PerfRecording | null = null;
    const perfFile = path.join(dir, 'perf.data');
    const startWindow = async (): Promise<void> => {
      if (mode === 'perf') perf = await startPerf(broker.pid, perfFile);
      cpu = new CpuWindow(broker.pid);
    };
    const endWindow = () => (usage = cpu!.end());
    const report = async (what: string, who: string) => {
      if (!perf) return;
      await perf.stop();
      perf = null;
      perfReports.push(summarizePerf(perfFile, `broker perf profile: ${what}, ${formatBytes(valueBytes)} messages (${who})`));
      fs.rmSync(perfFile, { force: true });
    };
    const partitions = Array.from({ length: conns }, (_, p) => p);
    const produceSpec: ProduceLoadSpec = {
      kind: 'produce',
      port: broker.port,
      topic: TOPIC,
      partitions,
      batch: fx.batch,
      recordsPerBatch: fx.recordCount,
      depth: opts.depth,
      warmRequests,
      timedRequests,
    };
    const produced = await runLoad([produceSpec], { onStart: startWindow, onEnd: endWindow });
    windows.push(['produce', client, produced.startNs, produced.endNs]);
    await report('produce', client);
    const produceRow = loadRow('produce', client, valueBytes, produced, usage!, 'per Produce request (write to response)');

    const ends = await endOffsets(broker, conns);
    const expected = (warmRequests + timedRequests) * fx.recordCount;
    if (ends.some((e) => e !== expected)) throw new Error(`end offsets ${ends.join(',')}, expected ${expected} each`);
    const consumeSpec: ConsumeLoadSpec = {
      kind: 'consume',
      port: broker.port,
      topic: TOPIC,
      partitions,
      warmOffsets: ends.map((e) => Math.floor(e * WARM_FRACTION)),
      endOffsets: ends,
      passes: Math.round(opts.consumePasses / smallBatchFactor),
      maxBytes: opts.fetchBytes,
      partitionMaxBytes: opts.fetchBytes,
    };
    const consumed = await runLoad([consumeSpec], { onStart: startWindow, onEnd: endWindow });
    const consumeClient = `strata-load ${conns} conn × 1 Fetch of ${formatBytes(opts.fetchBytes)}, ${formatBytes(Number(batchMax))} batches`;
    windows.push(['consume', consumeClient, consumed.startNs, consumed.endNs]);
    await report('consume', consumeClient);
    const consumeRow = loadRow('consume', consumeClient, valueBytes, consumed, usage!, 'per Fetch request');
    return [produceRow, consumeRow];
  });
  if (mode === 'perf') cleanUpPerf(path.join(dir, 'perf.data'), brokerPid); // the JIT map, once the broker is gone
  let profileText: string | undefined;
  if (profileDir) {
    const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the broker wrote no .cpuprofile');
    const prof = JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
    profileText = windows
      .map(([name, who, s, e]) => formatSummary(`broker CPU profile: ${name}, ${formatBytes(valueBytes)} messages (${who})`, summarizeProfile(prof, s / 1000, e / 1000)))
      .join('\n\n');
  }
  if (perfReports.length) profileText = [profileText, ...perfReports].filter(Boolean).join('\n\n');
  return { suite: id, rows, notes, profile: profileText };
}

/** A file of `count` lines of exactly `valueBytes` printable bytes (kcat -P sends one message per line). */
function writeMessageFile(file: string, valueBytes: number, count: number): void {
  const distinct = 4096;
  const line = valueBytes + 1;
  const block = Buffer.alloc(distinct * line);
  let x = 0x9e3779b9;
  for (let i = 0; i < distinct; i++) {
    for (let j = 0; j < valueBytes; j++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      block[i * line + j] = 33 + (x % 94);
    }
    block[i * line + valueBytes] = 10;
  }
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < count; written += distinct) {
      const n = Math.min(distinct, count - written);
      fs.writeSync(fd, block, 0, n * line);
    }
  } finally {
    fs.closeSync(fd);
  }
}

interface ProcessRun {
  seconds: number;
  code: number | null;
  stderr: string;
  cpuMs: number | null;
  cpu: ReturnType<CpuWindow['end']>;
}

/** Runs a command under /usr/bin/time (for its CPU time), with the broker's CPU measured over the same window. */
function runTimed(brokerPid: number, command: string, args: string[], stdin: number | 'ignore', stdout: number | 'ignore'): Promise<ProcessRun> {
  const useTime = fs.existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : command;
  const fullArgs = useTime ? ['-f', '@@time %e %U %S', command, ...args] : args;
  const cpu = new CpuWindow(brokerPid);
  const t0 = nowNs();
  const child = spawn(cmd, fullArgs, { stdio: [stdin, stdout, 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = (nowNs() - t0) / 1e9;
      const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
      const cpuMs = m ? (Number(m[2]) + Number(m[3])) * 1000 : null;
      resolve({ seconds, code, stderr, cpuMs, cpu: cpu.end(cpuMs ?? 0) });
    });
  });
}

async function kcatSuite(id: string, dir: string, opts: Options): Promise<SuiteOutput> {
  const valueBytes = Number(id.split(':')[1]);
  const messages = MESSAGES.kcat[valueBytes] * opts.scale;
  const file = path.join(dir, 'messages.txt');
  writeMessageFile(file, valueBytes, messages);
  const notes: string[] = [];
  const rows = await withBroker(dir, opts, null, false, async (broker) => {
    await createTopic(broker, opts.connections);
    const rows: Row[] = [];
    const input = fs.openSync(file, 'r');
    const devNull = fs.openSync('/dev/null', 'w');
    try {
      const produceArgs = ['-P', '-b', broker.bootstrap, '-t', TOPIC, '-z', 'none', '-X', 'acks=1', '-X', 'linger.ms=5'];
      produceArgs.push('-X', 'batch.num.messages=100000', '-X', 'batch.size=1000000');
      produceArgs.push('-X', 'queue.buffering.max.messages=2000000', '-X', 'queue.buffering.max.kbytes=2097151', '-d', 'protocol');
      const p = await runTimed(broker.pid, 'kcat', produceArgs, input, 'ignore');
      if (p.code !== 0) throw new Error(`kcat -P exited with ${p.code}: ${p.stderr.slice(-2000)}`);
      const produced = (await endOffsets(broker, opts.connections)).reduce((a, b) => a + b, 0);
      if (produced !== messages) throw new Error(`kcat -P: ${produced} messages in the log, expected ${messages}`);
      const rtts = [...p.stderr.matchAll(/Received ProduceResponse \(v(\d+)[^)]*rtt ([\d.]+)ms\)/g)];
      const rttMs = Float64Array.from(rtts.map((m) => Number(m[2])));
      notes.push(`kcat -P: ${rtts.length} Produce requests (v${rtts[0]?.[1] ?? '?'}), ${formatRate(messages / Math.max(1, rtts.length))} messages each on average`);
      const produceCmd = `kcat -P ${produceArgs.slice(4).filter((a) => a !== '-d' && a !== 'protocol').join(' ')}`;
      notes.push(`produce: ${produceCmd} < file of ${formatCount(messages)} lines`);
      rows.push({
        workload: 'produce',
        client: 'kcat (librdkafka 2.0.2)',
        valueBytes,
        messages,
        seconds: p.seconds,
        msgsPerSec: messages / p.seconds,
        mbPerSec: (messages * valueBytes) / p.seconds / 1e6,
        wireMbPerSec: null,
        requests: rtts.length,
        p50Ms: rtts.length ? percentile(rttMs, 50) : null,
        p99Ms: rtts.length ? percentile(rttMs, 99) : null,
        latency: 'librdkafka rtt per Produce request (-d protocol)',
        brokerCpuPercent: p.cpu.brokerCpuPercent,
        brokerMainCpuPercent: p.cpu.brokerMainCpuPercent,
        brokerSysPercent: p.cpu.brokerSysPercent,
        loadCpuPercent: p.cpuMs === null ? null : p.cpu.loadCpuPercent,
      });

      // -c: exit right after the last message (with -e alone, kcat waits out a long-poll Fetch at the end of
      // each partition, fetch.wait.max.ms = 500 ms); -e only guards against a shortfall.
      const consumeArgs = ['-C', '-b', broker.bootstrap, '-t', TOPIC, '-o', 'beginning', '-c', String(messages), '-e'];
      const c = await runTimed(broker.pid, 'kcat', consumeArgs, 'ignore', devNull);
      if (c.code !== 0) throw new Error(`kcat -C exited with ${c.code}: ${c.stderr.slice(-2000)}`);
      const eofs = [...c.stderr.matchAll(/Reached end of topic \S+ \[(\d+)\] at offset (\d+)/g)];
      if (eofs.length === opts.connections && eofs.reduce((n, m) => n + Number(m[2]), 0) !== messages) {
        throw new Error(`kcat -C: reached the end of every partition short of ${messages} messages: ${c.stderr.slice(-1000)}`);
      }
      notes.push(`consume: kcat ${consumeArgs.slice(0, 1).concat(consumeArgs.slice(4)).join(' ')} > /dev/null (librdkafka fetch defaults)`);
      rows.push({
        workload: 'consume',
        client: 'kcat (librdkafka 2.0.2)',
        valueBytes,
        messages,
        seconds: c.seconds,
        msgsPerSec: messages / c.seconds,
        mbPerSec: (messages * valueBytes) / c.seconds / 1e6,
        wireMbPerSec: null,
        requests: null,
        p50Ms: null,
        p99Ms: null,
        latency: '-',
        brokerCpuPercent: c.cpu.brokerCpuPercent,
        brokerMainCpuPercent: c.cpu.brokerMainCpuPercent,
        brokerSysPercent: c.cpu.brokerSysPercent,
        loadCpuPercent: c.cpuMs === null ? null : c.cpu.loadCpuPercent,
      });
    } finally {
      fs.closeSync(input);
      fs.closeSync(devNull);
      fs.rmSync(file, { force: true });
    }
    return rows;
  });
  return { suite: id, rows, notes };
}

const GROUP_APIS: Array<[number, string]> = [
  [ApiKey.FindCoordinator, 'FindCoordinator'],
  [ApiKey.JoinGroup, 'JoinGroup'],
  [ApiKey.SyncGroup, 'SyncGroup'],
  [ApiKey.Heartbeat, 'Heartbeat'],
  [ApiKey.OffsetFetch, 'OffsetFetch'],
  [ApiKey.LeaveGroup, 'LeaveGroup'],
];

async function kafkajsSuite(id: string, dir: string, opts: Options): Promise<SuiteOutput> {
  const valueBytes = Number(id.split(':')[1]);
  const messages = MESSAGES.kafkajs[valueBytes] * opts.scale;
  const perSend = opts.kafkajsSend > 0 ? opts.kafkajsSend : valueBytes >= KIB ? 100 : 1000;
  const inFlight = 4;
  const notes: string[] = [];
  const rows = await withBroker(dir, opts, null, false, async (broker) => {
    await createTopic(broker, opts.connections);
    const rows: Row[] = [];
    const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'strata-bench', logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const values = Array.from({ length: 64 }, (_, i) => Buffer.alloc(valueBytes, 65 + (i % 26)));
    const batches = Array.from({ length: opts.connections }, (_, p) => Array.from({ length: perSend }, (_, i) => ({ value: values[i % values.length], partition: p })));
    const sendAll = async (sends: number, latencies: number[] | null) => {
      let next = 0;
      const loop = async () => {
        while (next < sends) {
          const i = next++;
          const t0 = nowNs();
          await producer.send({ topic: TOPIC, acks: 1, compression: CompressionTypes.None, messages: batches[i % batches.length] });
          latencies?.push((nowNs() - t0) / 1e6);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, loop));
    };
    const timedSends = Math.ceil(messages / perSend);
    await sendAll(Math.ceil(timedSends * WARM_FRACTION), null);
    const latencies: number[] = [];
    const cpu = new CpuWindow(broker.pid);
    const t0 = nowNs();
    await sendAll(timedSends, latencies);
    const seconds = (nowNs() - t0) / 1e9;
    const usage = cpu.end();
    await producer.disconnect();
    const sent = timedSends * perSend;
    notes.push(`produce: producer.send() of ${perSend} messages (one partition, in turn), ${inFlight} sends in flight, acks=1, no compression`);
    rows.push({
      workload: 'produce',
      client: 'kafkajs 2.2.4',
      valueBytes,
      messages: sent,
      seconds,
      msgsPerSec: sent / seconds,
      mbPerSec: (sent * valueBytes) / seconds / 1e6,
      wireMbPerSec: null,
      requests: timedSends,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      latency: `per producer.send() of ${perSend} messages`,
      brokerCpuPercent: usage.brokerCpuPercent,
      brokerMainCpuPercent: usage.brokerMainCpuPercent,
      brokerSysPercent: usage.brokerSysPercent,
      loadCpuPercent: usage.loadCpuPercent,
    });

      const wc = await WireClient.connect(broker.port);
    const served = await wc.apiVersions().finally(() => wc.close());
    const missing = GROUP_APIS.filter(([k]) => !served.has(k)).map(([, n]) => n);
    if (missing.length > 0) {
      notes.push(`consume: not run: kafkajs's consumer needs consumer groups and the broker does not serve ${missing.join(', ')}`);
      return rows;
    }
    const total = (await endOffsets(broker, opts.connections)).reduce((a, b) => a + b, 0);
    const consumer = kafka.consumer({ groupId: `bench-${process.pid}`, maxBytesPerPartition: MIB, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const ccpu = new CpuWindow(broker.pid);
    const c0 = nowNs();
    let count = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumer: ${count} of ${total} messages in 60 s`)), 60_000);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          count += batch.messages.length;
          if (count >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    const cseconds = (nowNs() - c0) / 1e9;
    const cusage = ccpu.end();
    await consumer.disconnect();
    notes.push('consume: consumer.run({ eachBatch }) from the beginning, group join included in the time');
    rows.push({
      workload: 'consume',
      client: 'kafkajs 2.2.4',
      valueBytes,
      messages: count,
      seconds: cseconds,
      msgsPerSec: count / cseconds,
      mbPerSec: (count * valueBytes) / cseconds / 1e6,
      wireMbPerSec: null,
      requests: null,
      p50Ms: null,
      p99Ms: null,
      latency: '-',
      brokerCpuPercent: cusage.brokerCpuPercent,
      brokerMainCpuPercent: cusage.brokerMainCpuPercent,
      brokerSysPercent: cusage.brokerSysPercent,
      loadCpuPercent: cusage.loadCpuPercent,
    });
    return rows;
  });
  return { suite: id, rows, notes };
}

async function ceilingSuite(id: string, opts: Options): Promise<SuiteOutput> {
  const chunkBytes = Number(id.split(':')[1]);
  const r = await measureTcpCeiling({ connections: opts.connections, chunkBytes, warmMs: 500, measureMs: 2500 });
  return {
    suite: id,
    rows: [],
    ceilingMbPerSec: r.mbPerSec,
    notes: [
      `${formatRate(r.mbPerSec)} MB/s over ${opts.connections} connections, ${formatBytes(chunkBytes)} writes, ${r.seconds.toFixed(1)} s; ` +
        `reader CPU ${r.readerCpuPercent.toFixed(0)}%, writer CPU ${r.writerCpuPercent.toFixed(0)}% of a core`,
    ],
  };
}

async function runChild(id: string): Promise<void> {
  const dir = argValue('dir');
  if (!dir) throw new Error('--dir is required');
  const opts = options();
  const [kind] = id.split(':');
  let out: SuiteOutput;
  if (kind === 'ceiling') out = await ceilingSuite(id, opts);
  else if (kind === 'gen') out = await genSuite(id, dir, opts, 'none');
  else if (kind === 'profile') out = await genSuite(id.slice('profile:'.length), dir, opts, 'cpu-prof');
  else if (kind === 'perf') out = await genSuite(id.slice('perf:'.length), dir, opts, 'perf');
  else if (kind === 'kcat') out = await kcatSuite(id, dir, opts);
  else if (kind === 'kafkajs') out = await kafkajsSuite(id, dir, opts);
  else throw new Error(`unknown suite ${id}`);
  out.suite = id;
  process.stdout.write(RESULT_PREFIX + JSON.stringify(out) + '\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: spawn the suites one after the other, print the tables.

/** After a suite: kill its broker if it outlived the suite, and delete the broker's JIT map from --perf-basic-prof. */
function cleanUpBroker(dir: string): void {
  const file = path.join(dir, 'broker.pid');
  if (!fs.existsSync(file)) return;
  const [pidText, state] = fs.readFileSync(file, 'utf8').split(' ');
  const pid = Number(pidText);
  // Only a broker this suite started and did not see exit: its command line names the suite's data dir.
  let cmdline = '';
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // gone
  }
  if (state !== 'exited' && cmdline.includes(path.join(dir, 'data'))) {
    process.stderr.write(`  killing leftover broker process ${pid}\n`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  fs.rmSync(`/tmp/perf-${pid}.map`, { force: true });
}

function spawnSuite(id: string): SuiteOutput {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-broker-'));
  const passThrough = process.argv.slice(2).filter((a) => !a.startsWith('--only=') && a !== '--profile' && a !== '--perf' && !a.startsWith('--wait-load'));
  const started = Date.now();
  try {
    process.stderr.write(`# ${id} ...\n`);
    const child = spawnSync(
      process.execPath,
      ['-r', require.resolve('tsx/cjs'), '--expose-gc', __filename, `--suite=${id}`, `--dir=${dir}`, ...passThrough],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * MIB, timeout: SUITE_TIMEOUT_MS, killSignal: 'SIGKILL' },
    );
    if (child.error) throw child.error;
    const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
    if (child.status !== 0 || !line) throw new Error(`suite ${id} failed (status ${child.status}, signal ${child.signal})`);
    process.stderr.write(`  ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as SuiteOutput;
  } finally {
    cleanUpBroker(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How fast this machine writes memory it has not touched yet vs memory it has: on a VM whose host backs guest
 * pages lazily (and takes freed ones back), every new page-cache page a produce writes costs a host fault.
 */
function memoryTouchMbPerSec(): { first: number; again: number } {
  const bytes = 256 * MIB;
  let t = nowNs();
  const b = Buffer.alloc(bytes, 1);
  const first = bytes / ((nowNs() - t) / 1e9) / 1e6;
  t = nowNs();
  b.fill(2);
  const again = bytes / ((nowNs() - t) / 1e9) / 1e6;
  return { first, again };
}

async function waitForQuietMachine(maxLoad: number, maxWaitS: number): Promise<string> {
  const deadline = Date.now() + maxWaitS * 1000;
  while (os.loadavg()[0] > maxLoad && Date.now() < deadline) {
    process.stderr.write(`# load average ${os.loadavg()[0].toFixed(2)} > ${maxLoad}: waiting (up to ${maxWaitS} s in all)\n`);
    await sleep(10_000);
  }
  const l = os.loadavg()[0];
  return l > maxLoad ? `WARNING: load average ${l.toFixed(2)} was still above ${maxLoad} when the run started` : '';
}

function fmtMs(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1);
}

function targetCell(row: Row): string {
  const t = TARGETS[`${row.workload}:${row.valueBytes}`];
  if (!t) return '-';
  const got = t.unit === 'msgs/s' ? row.msgsPerSec : row.mbPerSec;
  const label = t.unit === 'msgs/s' ? `${formatCount(t.value)} msgs/s` : `${formatRate(t.value)} MB/s`;
  return `${label}: ${((got / t.value) * 100).toFixed(0)}%`;
}

interface RoundsRow extends Row {
  roundMsgsPerSec: number[];
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * One row per (workload, client, size): the median of its rounds, field by field (robust to one round that
 * another process on the machine disturbed); messages and seconds are per round.
 */
function medianOfRounds(rows: Row[]): RoundsRow[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.workload}|${r.client}|${r.valueBytes}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const med = (rs: Row[], f: (r: Row) => number | null): number | null => {
    const v = rs.map(f);
    return v.some((x) => x === null) ? null : median(v as number[]);
  };
  return [...groups.values()].map((rs) => ({
    ...rs[0],
    messages: med(rs, (r) => r.messages)!,
    seconds: med(rs, (r) => r.seconds)!,
    msgsPerSec: med(rs, (r) => r.msgsPerSec)!,
    mbPerSec: med(rs, (r) => r.mbPerSec)!,
    wireMbPerSec: med(rs, (r) => r.wireMbPerSec),
    requests: med(rs, (r) => r.requests),
    p50Ms: med(rs, (r) => r.p50Ms),
    p99Ms: med(rs, (r) => r.p99Ms),
    brokerCpuPercent: med(rs, (r) => r.brokerCpuPercent)!,
    brokerMainCpuPercent: med(rs, (r) => r.brokerMainCpuPercent)!,
    brokerSysPercent: med(rs, (r) => r.brokerSysPercent)!,
    loadCpuPercent: med(rs, (r) => r.loadCpuPercent),
    roundMsgsPerSec: rs.map((r) => r.msgsPerSec),
  }));
}

async function runParent(): Promise<void> {
  const opts = options();
  const only = argValue('only')?.split(',');
  const want = (k: string) => !only || only.includes(k);
  const profile = process.argv.includes('--profile');
  const perf = process.argv.includes('--perf');
  const warning = await waitForQuietMachine(Number(argValue('wait-load') ?? 1.5), Number(argValue('wait-load-s') ?? 120));
  const started = Date.now();
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const { staleFiles } = brokerEntry(opts.source);
  const touch = memoryTouchMbPerSec();

  // The load generator runs `rounds` times (fresh processes each), the real clients once; the ceiling first,
  // between the rounds and last.
  const ids: string[] = [];
  const ceilingChunk = Math.max(...opts.batchBytes);
  for (let round = 1; round <= Math.max(1, opts.rounds); round++) {
    if (want('ceiling')) ids.push(`ceiling:${ceilingChunk}:${round}`);
    for (const v of VALUE_SIZES) {
      if (want('gen')) for (const b of opts.batchBytes) ids.push(`gen:${v}:${b}:${round}`);
      if (round > 1) continue;
      if (want('kcat')) ids.push(`kcat:${v}`);
      if (want('kafkajs')) ids.push(`kafkajs:${v}`);
    }
  }
  if (want('ceiling')) ids.push(`ceiling:${ceilingChunk}:last`);
  for (const v of VALUE_SIZES) {
    for (const b of opts.batchBytes) {
      if (profile) ids.push(`profile:gen:${v}:${b}`);
      if (perf && perfAvailable()) ids.push(`perf:gen:${v}:${b}`);
    }
  }

  const outputs: SuiteOutput[] = [];
  for (const id of ids) {
    try {
      outputs.push(spawnSuite(id));
    } catch (err) {
      process.stderr.write(`  ${(err as Error).message}\n`);
      outputs.push({ suite: id, rows: [], notes: [`FAILED: ${(err as Error).message}`] });
    }
  }
  const ceilings = outputs.filter((o) => o.ceilingMbPerSec !== undefined).map((o) => o.ceilingMbPerSec!);
  const ceiling = ceilings.length ? median(ceilings) : NaN;
  const measured = outputs.filter((o) => !o.suite.startsWith('profile:') && !o.suite.startsWith('perf:'));
  const rows = medianOfRounds(measured.flatMap((o) => o.rows));
  rows.sort((a, b) => (a.workload === b.workload ? a.valueBytes - b.valueBytes : a.workload === 'produce' ? -1 : 1));

  const cpus = os.cpus();
  const lines: string[] = [];
  lines.push('## Strata broker benchmark');
  lines.push('');
  lines.push(`- date: ${new Date(started).toISOString()}`);
  lines.push(`- node ${process.version}, ${os.platform()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model ?? '?'}: broker and load share these cores`);
  lines.push(`- memory: writing fresh pages ${formatRate(touch.first)} MB/s, the same pages again ${formatRate(touch.again)} MB/s (a slow first touch taxes every new page-cache page a produce fills)`);
  lines.push(`- load average before: ${loadBefore}, after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}${warning ? ` (${warning})` : ''}`);
  lines.push(
    `- broker: ${opts.source === 'dist' ? 'dist/cli/strata.js' : 'src/cli/strata.ts via tsx'} start, log.segment.bytes ${formatBytes(SEGMENT_BYTES)}, ` +
      `topic of ${opts.connections} partitions, data dir under ${os.tmpdir()}` +
      (staleFiles.length ? ` — WARNING: dist is older than ${staleFiles.length} source file(s) (${staleFiles.slice(0, 3).join(', ')}...)` : ''),
  );
  lines.push(`- ceiling: raw TCP between two Node processes, ${opts.connections} connections: ${ceilings.map((c) => formatRate(c)).join(' / ')} MB/s (in run order), median ${formatRate(ceiling)} MB/s`);
  lines.push(
    `- MB = 10^6 bytes of message payload; ratio = MB/s / ceiling MB/s; strata-load rows: median of ${Math.max(1, opts.rounds)} rounds; ` +
      'p50/p99: produce = per request (see details), consume = per Fetch; broker CPU = its JS thread, % of one core',
  );
  lines.push('');
  lines.push(
    markdownTable(
      ['workload', 'client', 'msg size', 'msgs/s', 'MB/s', 'p50 ms', 'p99 ms', 'ceiling MB/s', 'ratio', 'target: reached', 'broker CPU'],
      rows.map((r) => [
        r.workload,
        r.client,
        formatBytes(r.valueBytes),
        formatRate(r.msgsPerSec),
        formatRate(r.mbPerSec),
        fmtMs(r.p50Ms),
        fmtMs(r.p99Ms),
        formatRate(ceiling),
        formatRatio(r.mbPerSec / ceiling),
        targetCell(r),
        `${r.brokerMainCpuPercent.toFixed(0)}%`,
      ]),
    ),
  );
  lines.push('');
  lines.push('### Details');
  lines.push('');
  lines.push(
    markdownTable(
      ['workload', 'client', 'msg size', 'msgs/s per round', 'messages', 'seconds', 'wire MB/s', 'requests', 'latency is', 'broker CPU main / all (sys)', 'load CPU'],
      rows.map((r) => [
        r.workload,
        r.client,
        formatBytes(r.valueBytes),
        r.roundMsgsPerSec.map((v) => formatCount(v)).join(' / '),
        formatCount(r.messages),
        r.seconds.toFixed(2),
        r.wireMbPerSec === null ? '-' : formatRate(r.wireMbPerSec),
        r.requests === null ? '-' : formatCount(r.requests),
        r.latency,
        `${r.brokerMainCpuPercent.toFixed(0)}% / ${r.brokerCpuPercent.toFixed(0)}% (${r.brokerSysPercent.toFixed(0)}%)`,
        r.loadCpuPercent === null ? '-' : `${r.loadCpuPercent.toFixed(0)}%`,
      ]),
    ),
  );
  const notes = outputs.flatMap((o) => o.notes.map((n) => `- ${o.suite}: ${n}`));
  if (notes.length > 0) lines.push('', ...notes);
  for (const o of outputs) if (o.profile) lines.push('', o.profile);
  lines.push('', `total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(lines.join('\n') + '\n');
}

const suiteArg = argValue('suite');
(suiteArg ? runChild(suiteArg) : runParent()).catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
