/**
 * The benchmark workloads, run with the embedded client (src/client) over transports the caller opens, so the same
 * code measures Strata or any Kafka-compatible broker (WireTransport), or an embedded Broker (InProcessTransport):
 *
 *   produce  P producers (one transport each) send `messages` records of `messageSize` bytes (or send for
 *            `durationMs`) as fast as their acknowledgements allow: each producer keeps `sendsInFlight` send()
 *            calls outstanding, each of `recordsPerSend` records (about one batch). Latency per record: from its
 *            send() call to the call's acknowledgement (the producer resolves a call once all its records are
 *            acknowledged; a call is about one batch, so this is the batch's latency).
 *   consume  C consumers (one transport each; partition p goes to consumer p mod C) read `messages` records from
 *            the start of the topic, which is first filled up to that count if it holds fewer; throughput only.
 *   e2e      both at once: consumers start at the end of each partition, producers write a timestamp (the sender's
 *            clock, float64 ms since the epoch, microsecond precision) into each value's first 8 bytes; latency is
 *            the consumer's clock when its poll returned minus that timestamp (one clock when both run in one
 *            process, as `strata bench` does).
 *
 * Hot loop: one value Buffer per send() lane, pre-built and reused (the producer copies a record into its batch when
 * send() is called; a lane re-stamps its own Buffer only after its previous call resolved), one records array per
 * lane, and per call a performance.now(), a send() and a histogram add: nothing allocated per record by the bench.
 *
 * Warm-up: for `warmupMs` the producers send without being measured; `messages` counts what is sent after it (the
 * topic gets the warm-up's records on top). For consume, the warm-up's reads are part of the `messages` read.
 */
import { performance } from 'node:perf_hooks';
import { StrataError } from '../errors/strata-error';
import { Consumer } from '../client/consumer';
import { BATCH_SIZE_DEFAULT, LINGER_MS_DEFAULT, Producer } from '../client/producer';
import type { CompressionName, ProducerRecord } from '../client/producer';
import type { Transport } from '../client/transport';
import { BenchConfig, BenchMode, BenchResult, environment, phaseTotals, RESULT_SCHEMA } from './bench-result';
import { LatencyRecorder } from './latency-recorder';
import { SAMPLE_INTERVAL_MS, seriesIntervalMs, ThroughputSeries } from './throughput-series';
import { ensureTopic, partitionOffsets } from './topic-admin';

export type TransportRole = 'admin' | 'producer' | 'consumer';
/** Opens a transport for one client of the run (each producer and consumer gets its own, as its own connection). */
export type TransportFactory = (role: TransportRole, index: number) => Promise<Transport>;

export interface WorkloadOptions {
  topic: string;
  /** Bytes of each value. Default 100; e2e needs at least 8 (the timestamp). */
  messageSize?: number;
  /** Measured messages. Default 1,000,000 unless durationMs is given. */
  messages?: number;
  /** Run for this long instead (produce, e2e: sending; consume: reading, at most what the topic holds). */
  durationMs?: number;
  /** Partitions of the topic when it is created (an existing topic keeps its own). Default max(producers, consumers). */
  partitions?: number;
  acks?: 0 | 1 | -1;
  batchSize?: number;
  lingerMs?: number;
  compression?: CompressionName;
  producers?: number;
  consumers?: number;
  warmupMs?: number;
  /** send() calls outstanding per producer. Default 16. */
  sendsInFlight?: number;
  /** Records per send() call. Default: what fills one batch (batch.size / (messageSize + 16)), in [1, 1000]. */
  recordsPerSend?: number;
  /** e2e and consume: stop waiting after this long without a new record. Default 10 s. */
  drainTimeoutMs?: number;
  /** Every 100 ms while running. */
  onProgress?: (progress: Progress) => void;
  /** For the result: the system measured (default 'strata') and where (e.g. the bootstrap server). */
  system?: string;
  target?: string;
}

export type Phase = 'prefill' | 'warmup' | 'measure' | 'drain';

export interface Progress {
  mode: BenchMode;
  phase: Phase;
  /** ms since the measurement started (negative during the warm-up; since the phase began for prefill). */
  elapsedMs: number;
  /** Messages measured so far, each side. */
  produced: number;
  consumed: number;
  /** Over the last second. */
  produceRate: number;
  consumeRate: number;
  /** What the run is heading for: messages, or the duration. */
  messages: number | null;
  durationMs: number | null;
}

export const MESSAGE_SIZE_DEFAULT = 100;
export const MESSAGES_DEFAULT = 1_000_000;
export const SENDS_IN_FLIGHT_DEFAULT = 16;
const RECORDS_PER_SEND_MAX = 1000;
/** A record's bytes besides its value (length, attributes, deltas, key and value lengths, header count), rounded up. */
const RECORD_OVERHEAD_BYTES = 16;
const BATCH_HEADER_BYTES = 61;
const DRAIN_TIMEOUT_MS_DEFAULT = 10_000;
const TIMESTAMP_BYTES = 8;
const CONSUMER_WAIT_MS = 100;
const COUNT_MAX = 2 ** 40;

function invalid(message: string): never {
  throw new StrataError('ERR_INVALID_CONFIG', message);
}

function intIn(name: string, v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) invalid(`${name} must be an integer in [${min}, ${max}], not ${v}`);
  return v;
}

/** The options with their defaults filled in and checked (ERR_INVALID_CONFIG otherwise). */
export function resolveConfig(mode: BenchMode, o: WorkloadOptions): BenchConfig {
  if (o.messages !== undefined && o.durationMs !== undefined) invalid('give messages or durationMs, not both');
  const messageSize = intIn('messageSize', o.messageSize, MESSAGE_SIZE_DEFAULT, mode === 'e2e' ? TIMESTAMP_BYTES : 0, 64 * 1024 * 1024);
  const producers = intIn('producers', o.producers, 1, 1, 1024);
  const consumers = intIn('consumers', o.consumers, 1, 1, 1024);
  const batchSize = intIn('batchSize', o.batchSize, BATCH_SIZE_DEFAULT, 0, 1 << 30);
  const acks = o.acks ?? -1;
  if (acks !== 0 && acks !== 1 && acks !== -1) invalid(`acks must be 0, 1 or -1, not ${String(acks)}`);
  const perBatch = Math.floor((batchSize - BATCH_HEADER_BYTES) / (messageSize + RECORD_OVERHEAD_BYTES));
  return {
    topic: o.topic,
    messageSize,
    messages: o.durationMs !== undefined ? null : intIn('messages', o.messages, MESSAGES_DEFAULT, 1, COUNT_MAX),
    durationMs: o.durationMs === undefined ? null : intIn('durationMs', o.durationMs, 0, 1, 2 ** 31 - 1),
    partitions: intIn('partitions', o.partitions, Math.max(mode === 'consume' ? 1 : producers, mode === 'produce' ? 1 : consumers), -1, 1_000_000),
    acks,
    batchSize,
    lingerMs: intIn('lingerMs', o.lingerMs, LINGER_MS_DEFAULT, 0, 2 ** 31 - 1),
    compression: o.compression ?? 'none',
    producers,
    consumers,
    warmupMs: intIn('warmupMs', o.warmupMs, 0, 0, 2 ** 31 - 1),
    sendsInFlight: intIn('sendsInFlight', o.sendsInFlight, SENDS_IN_FLIGHT_DEFAULT, 1, 1 << 16),
    recordsPerSend: intIn('recordsPerSend', o.recordsPerSend, Math.min(RECORDS_PER_SEND_MAX, Math.max(1, perBatch)), 1, 1 << 20),
  };
}

/** Kafka's ProducerPerformance values: random capital letters (compressible as text is, not as zeros are). */
function payload(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = 65 + (x % 26);
  }
  return out;
}

/** Clocks of one run (performance.now() ms). */
interface Clock {
  measureStart: number;
  deadline: number;
}

/** The producers' side of a run: lanes of send() calls sharing the count still to send. */
class ProduceLoad {
  remaining: number;
  readonly meter = new ThroughputSeries();
  warmupMessages = 0;
  lastAck = NaN;
  failure: Error | null = null;
  done = false;

  constructor(
    private readonly cfg: BenchConfig,
    private readonly clock: Clock,
    private readonly latency: LatencyRecorder | null,
    private readonly stamp: boolean,
    messages: number | null,
  ) {
    this.remaining = messages ?? Infinity;
    this.meter.start(clock.measureStart);
  }

  /** Everything acknowledged so far (warm-up included). */
  get sent(): number {
    return this.warmupMessages + this.meter.messages;
  }

  async run(producers: readonly Producer[]): Promise<void> {
    const lanes: Promise<void>[] = [];
    let seed = 1;
    for (const p of producers) for (let i = 0; i < this.cfg.sendsInFlight; i++) lanes.push(this.lane(p, seed++));
    await Promise.all(lanes);
    this.done = true;
  }

  private async lane(producer: Producer, seed: number): Promise<void> {
    const { topic, messageSize, recordsPerSend: chunk } = this.cfg;
    const value = payload(messageSize, seed);
    const record: ProducerRecord = { value };
    const full: ProducerRecord[] = new Array<ProducerRecord>(chunk).fill(record);
    const clock = this.clock;
    const latency = this.latency;
    for (;;) {
      if (this.failure !== null) return;
      const sentAt = performance.now();
      const measured = sentAt >= clock.measureStart;
      let n = chunk;
      if (measured) {
        if (sentAt >= clock.deadline || this.remaining <= 0) return;
        if (this.remaining < n) n = this.remaining;
        this.remaining -= n;
      }
      if (this.stamp) value.writeDoubleBE(performance.timeOrigin + sentAt, 0);
      try {
        await producer.send(topic, n === chunk ? full : full.slice(0, n));
      } catch (err) {
        this.failure ??= err as Error;
        return;
      }
      const ackedAt = performance.now();
      if (measured) {
        latency?.record(ackedAt - sentAt, n);
        this.meter.add(n, n * messageSize);
        this.lastAck = ackedAt;
      } else {
        this.warmupMessages += n;
      }
    }
  }
}

/** The consumers' side: counts, the measured series, and the e2e latencies. */
class ConsumeLoad {
  readonly meter = new ThroughputSeries();
  warmupMessages = 0;
  /** Every record read (warm-up included). */
  read = 0;
  lastRead = NaN;
  lastProgress = performance.now();
  failure: Error | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly latency: LatencyRecorder | null,
  ) {
    this.meter.start(clock.measureStart);
  }

  /** e2e: records stamped at or after the measurement's start are measured, earlier ones were the warm-up's. */
  countStamped(records: ReadonlyArray<{ value: Buffer | null }>, now: number): void {
    const nowEpoch = performance.timeOrigin + now;
    const fromEpoch = performance.timeOrigin + this.clock.measureStart;
    const latency = this.latency!;
    let measured = 0;
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const v = records[i].value;
      if (v === null || v.length < TIMESTAMP_BYTES) continue;
      const sentEpoch = v.readDoubleBE(0);
      if (sentEpoch < fromEpoch) continue;
      measured++;
      bytes += v.length;
      latency.record(nowEpoch - sentEpoch);
    }
    this.tally(records.length, measured, bytes, now);
  }

  tally(records: number, measured: number, bytes: number, now: number): void {
    if (records === 0) return;
    this.read += records;
    this.lastProgress = now;
    this.warmupMessages += records - measured;
    if (measured > 0) {
      this.meter.add(measured, bytes);
      this.lastRead = now;
    }
  }
}

async function openProducers(factory: TransportFactory, count: number, cfg: BenchConfig, opened: Array<{ close(): unknown }>): Promise<Producer[]> {
  const out: Producer[] = [];
  for (let i = 0; i < count; i++) {
    const transport = await factory('producer', i);
    opened.push(transport);
    const p = await Producer.create({ transport, acks: cfg.acks, batchSize: cfg.batchSize, lingerMs: cfg.lingerMs, compression: cfg.compression as CompressionName });
    // Closed before its transport (closeAll goes backwards): whatever is pending is flushed first.
    opened.push({ close: () => p.close().catch(() => {}) });
    out.push(p);
  }
  return out;
}

/** Partition p to consumer p mod count, each starting at `from[p]`. */
async function openConsumers(factory: TransportFactory, count: number, topic: string, from: readonly number[], opened: Array<{ close(): unknown }>): Promise<Array<{ consumer: Consumer; partitions: number[] }>> {
  const out: Array<{ consumer: Consumer; partitions: number[] }> = [];
  for (let i = 0; i < count; i++) {
    const partitions = from.map((_, p) => p).filter((p) => p % count === i);
    const transport = await factory('consumer', i);
    opened.push(transport);
    const consumer = Consumer.create({ transport, isolationLevel: 'read_uncommitted', maxWaitMs: CONSUMER_WAIT_MS });
    await consumer.assign(partitions.map((partition) => ({ topic, partition, offset: from[partition] })));
    out.push({ consumer, partitions });
  }
  return out;
}

/** Closes in reverse order of opening, one after the other. */
async function closeAll(opened: Array<{ close(): unknown }>): Promise<void> {
  for (let i = opened.length - 1; i >= 0; i--) {
    try {
      await opened[i].close();
    } catch {
      // closing is best effort: the run's own outcome is what is reported
    }
  }
}

interface Ticker {
  stop(): void;
}

function tick(every: () => void): Ticker {
  const timer = setInterval(every, SAMPLE_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}

function progressOf(mode: BenchMode, phase: Phase, cfg: BenchConfig, clock: Clock, now: number, produce: ThroughputSeries | null, consume: ThroughputSeries | null): Progress {
  return {
    mode,
    phase,
    elapsedMs: now - clock.measureStart,
    produced: produce?.messages ?? 0,
    consumed: consume?.messages ?? 0,
    produceRate: produce?.recentRate().messagesPerSec ?? 0,
    consumeRate: consume?.recentRate().messagesPerSec ?? 0,
    messages: cfg.messages,
    durationMs: cfg.durationMs,
  };
}

function newClock(cfg: BenchConfig): Clock {
  const measureStart = performance.now() + cfg.warmupMs;
  return { measureStart, deadline: cfg.durationMs === null ? Infinity : measureStart + cfg.durationMs };
}

function buildResult(mode: BenchMode, cfg: BenchConfig, o: WorkloadOptions, startedAt: Date, parts: {
  produce: ProduceLoad | null;
  consume: ConsumeLoad | null;
  clock: Clock;
  latency: LatencyRecorder | null;
  prefilled: number;
  missing: number;
}): BenchResult {
  const { clock } = parts;
  const secondsTo = (t: number) => (Number.isNaN(t) ? 0 : Math.max(0, t - clock.measureStart) / 1000);
  const produce = parts.produce === null ? null : phaseTotals(parts.produce.meter.messages, parts.produce.meter.bytes, secondsTo(parts.produce.lastAck));
  const consume = parts.consume === null ? null : phaseTotals(parts.consume.meter.messages, parts.consume.meter.bytes, secondsTo(parts.consume.lastRead));
  const head = (mode === 'produce' ? produce : consume)!;
  const runMs = Math.max(produce?.seconds ?? 0, consume?.seconds ?? 0) * 1000;
  const intervalMs = seriesIntervalMs(runMs);
  return {
    schema: RESULT_SCHEMA,
    mode,
    system: o.system ?? 'strata',
    target: o.target ?? null,
    startedAt: startedAt.toISOString(),
    config: cfg,
    totals: {
      ...head,
      warmupMessages: mode === 'consume' ? (parts.consume?.warmupMessages ?? 0) : (parts.produce?.warmupMessages ?? 0),
      prefilledMessages: parts.prefilled,
      missingMessages: parts.missing,
    },
    produce,
    consume,
    latencyKind: mode === 'produce' ? 'ack' : mode === 'e2e' ? 'end-to-end' : null,
    latency: parts.latency === null ? null : parts.latency.summary(),
    histogram: parts.latency === null ? [] : parts.latency.buckets(),
    series: { intervalMs, produce: parts.produce?.meter.samples(intervalMs) ?? [], consume: parts.consume?.meter.samples(intervalMs) ?? [] },
    environment: environment(),
  };
}

async function setUpTopic(factory: TransportFactory, cfg: BenchConfig): Promise<Transport> {
  const admin = await factory('admin', 0);
  try {
    const { partitions } = await ensureTopic(admin, cfg.topic, cfg.partitions);
    cfg.partitions = partitions;
    return admin;
  } catch (err) {
    admin.close();
    throw err;
  }
}

/** P producers send `messages` (or for `durationMs`); latency from send() to acknowledgement. */
export async function runProduce(options: WorkloadOptions, factory: TransportFactory): Promise<BenchResult> {
  const cfg = resolveConfig('produce', options);
  const startedAt = new Date();
  const admin = await setUpTopic(factory, cfg);
  admin.close();
  const opened: Array<{ close(): unknown }> = [];
  try {
    const producers = await openProducers(factory, cfg.producers, cfg, opened);
    const latency = new LatencyRecorder();
    const clock = newClock(cfg);
    const load = new ProduceLoad(cfg, clock, latency, false, cfg.messages);
    const ticker = tick(() => {
      const now = performance.now();
      load.meter.sample(now);
      options.onProgress?.(progressOf('produce', now < clock.measureStart ? 'warmup' : 'measure', cfg, clock, now, load.meter, null));
    });
    try {
      await load.run(producers);
    } finally {
      ticker.stop();
    }
    load.meter.sample(performance.now());
    if (load.failure !== null) throw load.failure;
    return buildResult('produce', cfg, options, startedAt, { produce: load, consume: null, clock, latency, prefilled: 0, missing: 0 });
  } finally {
    await closeAll(opened);
  }
}

/** Produces `count` unmeasured messages (the consume benchmark's fill). */
async function prefill(factory: TransportFactory, cfg: BenchConfig, count: number, onProgress: ((p: Progress) => void) | undefined): Promise<void> {
  const opened: Array<{ close(): unknown }> = [];
  try {
    const producers = await openProducers(factory, cfg.producers, cfg, opened);
    const clock = { measureStart: performance.now(), deadline: Infinity };
    const load = new ProduceLoad(cfg, clock, null, false, count);
    const ticker = tick(() => {
      const now = performance.now();
      load.meter.sample(now);
      onProgress?.(progressOf('consume', 'prefill', cfg, clock, now, load.meter, null));
    });
    try {
      await load.run(producers);
    } finally {
      ticker.stop();
    }
    if (load.failure !== null) throw load.failure;
  } finally {
    await closeAll(opened);
  }
}

/** Splits `want` records over partitions in proportion to what each holds (never more than it holds). */
function quotas(available: readonly number[], want: number): number[] {
  const total = available.reduce((s, a) => s + a, 0);
  if (total <= want) return [...available];
  const out = available.map((a) => Math.floor((a * want) / total));
  let left = want - out.reduce((s, q) => s + q, 0);
  for (let p = 0; left > 0; p = (p + 1) % out.length) {
    if (out[p] < available[p]) {
      out[p]++;
      left--;
    }
  }
  return out;
}

/** C consumers read `messages` records from the start of the topic (filled first if it holds fewer); throughput only. */
export async function runConsume(options: WorkloadOptions, factory: TransportFactory): Promise<BenchResult> {
  const cfg = resolveConfig('consume', options);
  const startedAt = new Date();
  const admin = await setUpTopic(factory, cfg);
  const opened: Array<{ close(): unknown }> = [admin];
  try {
    let start = await partitionOffsets(admin, cfg.topic, cfg.partitions, 'earliest');
    let end = await partitionOffsets(admin, cfg.topic, cfg.partitions, 'latest');
    let available = end.reduce((s, e, p) => s + e - start[p], 0);
    let prefilled = 0;
    if (cfg.messages !== null && available < cfg.messages) {
      prefilled = cfg.messages - available;
      await prefill(factory, cfg, prefilled, options.onProgress);
      start = await partitionOffsets(admin, cfg.topic, cfg.partitions, 'earliest');
      end = await partitionOffsets(admin, cfg.topic, cfg.partitions, 'latest');
      available = end.reduce((s, e, p) => s + e - start[p], 0);
    }
    if (available === 0) invalid(`topic ${cfg.topic} holds no messages to consume (give a message count to fill it)`);
    const left = quotas(end.map((e, p) => e - start[p]), cfg.messages ?? available);
    const wanted = left.reduce((s, q) => s + q, 0);
    const consumers = await openConsumers(factory, cfg.consumers, cfg.topic, start, opened);
    const clock = newClock(cfg);
    const load = new ConsumeLoad(clock, null);
    const drainMs = options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS_DEFAULT;
    const ticker = tick(() => {
      const now = performance.now();
      load.meter.sample(now);
      options.onProgress?.(progressOf('consume', now < clock.measureStart ? 'warmup' : 'measure', cfg, clock, now, null, load.meter));
    });
    const reader = async ({ consumer, partitions }: { consumer: Consumer; partitions: number[] }) => {
      let active = partitions.filter((p) => left[p] > 0);
      if (active.length !== partitions.length) await consumer.assign(active.map((partition) => ({ topic: cfg.topic, partition, offset: start[partition] })));
      while (active.length > 0 && load.failure === null) {
        const records = await consumer.poll();
        const now = performance.now();
        let counted = 0;
        let bytes = 0;
        let finished = false;
        for (let i = 0; i < records.length; i++) {
          const r = records[i];
          if (left[r.partition] <= 0) continue;
          if (--left[r.partition] === 0) finished = true;
          counted++;
          bytes += r.value === null ? 0 : r.value.length;
        }
        load.tally(counted, now >= clock.measureStart ? counted : 0, now >= clock.measureStart ? bytes : 0, now);
        if (now >= clock.deadline) return;
        if (finished) {
          active = active.filter((p) => left[p] > 0);
          if (active.length > 0) await consumer.assign(active.map((partition) => ({ topic: cfg.topic, partition, offset: consumer.position(cfg.topic, partition)! })));
        }
        if (counted === 0 && now - load.lastProgress > drainMs) return;
      }
    };
    try {
      await Promise.all(
        consumers.map((c) =>
          reader(c).catch((err: Error) => {
            load.failure ??= err;
          }),
        ),
      );
    } finally {
      ticker.stop();
    }
    load.meter.sample(performance.now());
    if (load.failure !== null) throw load.failure;
    const missing = cfg.durationMs === null ? wanted - load.read : 0;
    return buildResult('consume', cfg, options, startedAt, { produce: null, consume: load, clock, latency: null, prefilled, missing });
  } finally {
    await closeAll(opened);
  }
}

/** Producers and consumers at once; latency from the timestamp in each value to its consumption. */
export async function runE2e(options: WorkloadOptions, factory: TransportFactory): Promise<BenchResult> {
  const cfg = resolveConfig('e2e', options);
  const startedAt = new Date();
  const admin = await setUpTopic(factory, cfg);
  const opened: Array<{ close(): unknown }> = [admin];
  try {
    const end = await partitionOffsets(admin, cfg.topic, cfg.partitions, 'latest');
    const consumers = await openConsumers(factory, cfg.consumers, cfg.topic, end, opened);
    const producers = await openProducers(factory, cfg.producers, cfg, opened);
    const latency = new LatencyRecorder();
    const clock = newClock(cfg);
    const produce = new ProduceLoad(cfg, clock, null, true, cfg.messages);
    const consume = new ConsumeLoad(clock, latency);
    const drainMs = options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS_DEFAULT;
    const ticker = tick(() => {
      const now = performance.now();
      produce.meter.sample(now);
      consume.meter.sample(now);
      const phase: Phase = now < clock.measureStart ? 'warmup' : produce.done ? 'drain' : 'measure';
      options.onProgress?.(progressOf('e2e', phase, cfg, clock, now, produce.meter, consume.meter));
    });
    let producersDoneAt = Infinity;
    const reader = async ({ consumer }: { consumer: Consumer }) => {
      for (;;) {
        if (produce.failure !== null || consume.failure !== null) return;
        if (produce.done && consume.read >= produce.sent) return;
        const records = await consumer.poll();
        const now = performance.now();
        consume.countStamped(records, now);
        if (produce.done && records.length === 0 && now - Math.max(consume.lastProgress, producersDoneAt) > drainMs) return;
      }
    };
    const reading = Promise.all(
      consumers.map((c) =>
        reader(c).catch((err: Error) => {
          consume.failure ??= err;
        }),
      ),
    );
    try {
      await produce.run(producers);
      producersDoneAt = performance.now();
      await reading;
    } finally {
      ticker.stop();
    }
    const now = performance.now();
    produce.meter.sample(now);
    consume.meter.sample(now);
    if (produce.failure !== null) throw produce.failure;
    if (consume.failure !== null) throw consume.failure;
    return buildResult('e2e', cfg, options, startedAt, { produce, consume, clock, latency, prefilled: 0, missing: Math.max(0, produce.sent - consume.read) });
  } finally {
    await closeAll(opened);
  }
}

/** runProduce, runConsume or runE2e by name. */
export function runBench(mode: BenchMode, options: WorkloadOptions, factory: TransportFactory): Promise<BenchResult> {
  return mode === 'produce' ? runProduce(options, factory) : mode === 'consume' ? runConsume(options, factory) : runE2e(options, factory);
}
