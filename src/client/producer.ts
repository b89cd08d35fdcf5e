/**
 * Embedded producer: batching, compression, idempotent and transactional writes through a Transport (in process
 * or over the wire), with the options and semantics of Kafka's Java producer.
 *
 *   const producer = await Producer.create({ transport, transactionalId: 'app', lingerMs: 5 });
 *   await producer.beginTransaction();
 *   await producer.send('out', [{ key: 'k', value: 'v' }]);
 *   await producer.sendOffsets('group', [{ topic: 'in', partition: 0, offset: 42 }]);
 *   await producer.commit();
 *
 * Accumulator: send() encodes each record at once into its partition's open batch (producer-batch.ts), across
 * send() calls, and resolves with each record's offset when its batch is acknowledged. A batch is sent when it is
 * full (batch.size) or its linger.ms expired, whichever first, or at flush()/commit()/close(), or when buffer.memory
 * is exhausted. When any partition is ready, every partition's oldest batch goes in the same Produce request (as
 * Kafka drains a ready node), one batch per partition per request, at most max.request.size bytes, at most
 * max.in.flight.requests.per.connection requests outstanding.
 *
 * Partitioner (Kafka's default): an explicit partition; else murmur2 of the key bytes (murmur2.ts); else sticky
 * (KIP-480): null-key records stay on one partition until its batch is full or sent, then move to the next
 * partition (round-robin from a random start; Kafka's Java client picks the next one at random).
 *
 * Retries: a retriable error (or a lost connection's request error) re-queues the batch at the head of its
 * partition after a backoff (retry.backoff.ms doubling up to retry.backoff.max.ms, ±20% jitter, KIP-580), up to
 * `retries` times and within delivery.timeout.ms of the batch's creation. Ordering: once a partition's batch
 * failed, nothing new is sent to it until all its requests in flight came back; then its failed batches are re-sent
 * first, in their order. Idempotence (enable.idempotence, implied by transactional.id): a producer id and epoch from
 * InitProducerId; each batch gets its partition's next sequence number when first sent and keeps it on retries, so
 * the broker deduplicates a retry of a batch it wrote (its answer lost) and rejects a gap. A later batch answered
 * OUT_OF_ORDER_SEQUENCE_NUMBER because an earlier one failed is retried; when a batch fails for good (not written),
 * the batches after it are re-numbered to close the gap before they are re-sent.
 *
 * Transactions: partitions join the open transaction (AddPartitionsToTxn, batched) before their first batch is
 * sent; commit() flushes every pending batch, fails if one of them failed (the transaction must then be aborted,
 * Kafka's abortable error), then EndTxn(commit). abort() fails the batches never sent (their send() rejects; as
 * Kafka's abortUndrainedBatches), waits for those already sent, then EndTxn(abort). A fenced producer
 * (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED) is dead: every later call throws PRODUCER_FENCED.
 *
 * One broker: every request goes to the transport's broker (a single Strata node leads every partition and is
 * every coordinator). Metadata (the partition count) is read once per topic.
 */
import { KafkaError } from '../errors/kafka-error';
import { StrataError } from '../errors/strata-error';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode, errorCodeInfo, KafkaErrorName } from '../protocol/error-codes';
import { CompressionType } from '../protocol/records/compression';
import { RECORDS_POSITION } from '../protocol/records/record-batch';
import { murmur2, toPositive } from './murmur2';
import { ProducerBatch, ProducerRecord, RecordMetadata, recordSizeBound, recordSizeMax, SendCall } from './producer-batch';
import type { Transport } from './transport';

export type { ProducerRecord, RecordMetadata } from './producer-batch';

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerOptions {
  transport: Transport;
  /** enable.idempotence: deduplicated retries (InitProducerId, sequences). Implied by transactionalId. Default false (Kafka 3+: true). */
  idempotent?: boolean;
  /** transactional.id */
  transactionalId?: string;
  /** transaction.timeout.ms: the coordinator aborts a transaction open longer. Default 60000. */
  transactionTimeoutMs?: number;
  /** acks: 0 (no answer, offsets -1), 1 (leader), -1 (all, the default; required by idempotence). */
  acks?: 0 | 1 | -1;
  /** batch.size: bytes of records per partition batch (uncompressed here). Default 16384; 0 = one record per batch. */
  batchSize?: number;
  /** linger.ms: how long a partial batch waits for more records. Default 5 (Kafka 4.0's; 0 before). */
  lingerMs?: number;
  /** compression.type. Default 'none'. */
  compression?: CompressionName;
  /** max.in.flight.requests.per.connection: Produce requests outstanding. Default 5; at most 5 with idempotence. */
  maxInFlightRequestsPerConnection?: number;
  /** retries: re-sends of a batch after a retriable error. Default 2147483647 (bounded by deliveryTimeoutMs). */
  retries?: number;
  /** retry.backoff.ms: the first backoff. Default 100. */
  retryBackoffMs?: number;
  /** retry.backoff.max.ms: the backoff doubles up to this. Default 1000. */
  retryBackoffMaxMs?: number;
  /** delivery.timeout.ms: a batch not acknowledged this long after its creation fails. Default 120000. */
  deliveryTimeoutMs?: number;
  /** request.timeout.ms: the Produce request's timeout field. Default 30000. */
  requestTimeoutMs?: number;
  /** max.request.size: bytes of batches per Produce request, and the largest record. Default 1048576. */
  maxRequestSize?: number;
  /** buffer.memory: bytes of batches held before send() waits for room. Default 33554432. */
  bufferMemory?: number;
}

export const BATCH_SIZE_DEFAULT = 16_384;
export const LINGER_MS_DEFAULT = 5;
export const MAX_IN_FLIGHT_DEFAULT = 5;
/** Kafka's bound with idempotence: the broker remembers the last 5 batches per producer and partition. */
export const IDEMPOTENT_IN_FLIGHT_MAX = 5;
export const RETRY_BACKOFF_MS_DEFAULT = 100;
export const RETRY_BACKOFF_MAX_MS_DEFAULT = 1000;
export const DELIVERY_TIMEOUT_MS_DEFAULT = 120_000;
export const REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
export const MAX_REQUEST_SIZE_DEFAULT = 1_048_576;
export const BUFFER_MEMORY_DEFAULT = 32 * 1024 * 1024;
/** batch.size and max.request.size bound: a batch is one Buffer and one Produce partition entry. */
const BYTES_OPTION_MAX = 1 << 30;

const PRODUCE_VERSION = 9;
const METADATA_VERSION = 9;
const INT32_MAX = 2 ** 31 - 1;
const SEQUENCE_MODULUS = 2 ** 31;

const COMPRESSION: Record<CompressionName, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** Errors after which the producer id is unusable: the producer is dead, as Kafka's ProducerFencedException. */
const FENCING_CODES = new Set<number>([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ErrorCode.INVALID_PRODUCER_ID_MAPPING]);

function fail(error: KafkaErrorName | number, message?: string): never {
  throw new KafkaError(error, message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function invalidOption(name: string, value: unknown, bound: string): never {
  throw new StrataError('ERR_INVALID_CONFIG', `${name} must be ${bound}, not ${String(value)}`);
}

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) invalidOption(name, value, `an integer in [${min}, ${max}]`);
  return value;
}

/** One partition's queue of batches and its sequence state. */
class PartitionState {
  readonly key: string;
  /** Batches never sent, oldest first; the last one may be open. */
  readonly queue: ProducerBatch[] = [];
  /** Batches sent and come back for a retry, in creation order: re-sent before anything in `queue`. */
  readonly retries: ProducerBatch[] = [];
  inFlight = 0;
  /** Retried batches in flight: while any (or any waiting), the partition has one request in flight at most. */
  retriesInFlight = 0;
  nextSequence = 0;
  /** A batch failed or came back for a retry: send nothing until every request in flight came back. */
  recovering = false;
  /** Batches of this recovery that failed for good (not written): later sequences move down by their counts. */
  readonly lost: ProducerBatch[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    this.key = `${topic}-${partition}`;
  }

  openBatch(): ProducerBatch | null {
    const last = this.queue.length > 0 ? this.queue[this.queue.length - 1] : undefined;
    return last !== undefined && !last.closed ? last : null;
  }

  head(): ProducerBatch | undefined {
    return this.retries.length > 0 ? this.retries[0] : this.queue[0];
  }
}

class TopicState {
  readonly partitions: PartitionState[];
  /** The sticky partition for null keys (-1 until the first), and whether a record went there since it was chosen. */
  sticky = -1;
  stickyUsed = false;

  constructor(
    readonly name: string,
    count: number,
  ) {
    this.partitions = Array.from({ length: count }, (_, p) => new PartitionState(name, p));
  }
}

type TxnState = 'none' | 'open' | 'ending';

export class Producer {
  private producerId = -1n;
  private producerEpoch = -1;
  private readonly transport: Transport;
  private readonly acks: 0 | 1 | -1;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly compression: CompressionType;
  private readonly maxInFlight: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxRequestSize: number;
  private readonly bufferMemory: number;

  private readonly topics = new Map<string, TopicState>();
  private readonly topicLoads = new Map<string, Promise<TopicState>>();
  /** Partitions with batches queued or to retry. */
  private readonly active = new Set<PartitionState>();
  private readonly incomplete = new Set<ProducerBatch>();
  private bufferedBytes = 0;
  private inFlight = 0;
  private flushing = 0;
  private senderScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Infinity;
  /** send() calls waiting for metadata or buffer memory, in call order. */
  private readonly appendQueue: SendCall[] = [];
  private appendPumping = false;
  private readonly appendIdleWaiters: Array<() => void> = [];
  private readonly memoryWaiters: Array<() => void> = [];
  private fatal: Error | null = null;
  private closing: Promise<void> | null = null;
  private scratch = Buffer.allocUnsafe(256);

  private txnState: TxnState = 'none';
  private readonly txnPartitions = new Set<string>();
  private readonly txnPendingAdds = new Set<PartitionState>();
  private addsRunning: Promise<void> | null = null;
  private txnOffsetsAdded = false;
  /** The first failure in the open transaction: commit() throws it; abort() clears it. */
  private txnError: Error | null = null;

  private constructor(private readonly options: ProducerOptions) {
    this.transport = options.transport;
    const acks = options.acks ?? -1;
    if (acks !== 0 && acks !== 1 && acks !== -1) invalidOption('acks', acks, '0, 1 or -1');
    this.acks = acks;
    if (this.idempotent && this.acks !== -1) throw new StrataError('ERR_INVALID_CONFIG', 'idempotence needs acks=-1');
    this.batchSize = intOption('batch.size', options.batchSize, BATCH_SIZE_DEFAULT, 0, BYTES_OPTION_MAX);
    this.lingerMs = intOption('linger.ms', options.lingerMs, LINGER_MS_DEFAULT, 0, INT32_MAX);
    const compression = options.compression ?? 'none';
    if (!(compression in COMPRESSION)) invalidOption('compression.type', compression, Object.keys(COMPRESSION).join(', '));
    this.compression = COMPRESSION[compression];
    this.maxInFlight = intOption('max.in.flight.requests.per.connection', options.maxInFlightRequestsPerConnection, MAX_IN_FLIGHT_DEFAULT, 1, this.idempotent ? IDEMPOTENT_IN_FLIGHT_MAX : INT32_MAX);
    this.retries = intOption('retries', options.retries, INT32_MAX, 0, INT32_MAX);
    this.retryBackoffMs = intOption('retry.backoff.ms', options.retryBackoffMs, RETRY_BACKOFF_MS_DEFAULT, 0, INT32_MAX);
    this.retryBackoffMaxMs = Math.max(this.retryBackoffMs, intOption('retry.backoff.max.ms', options.retryBackoffMaxMs, RETRY_BACKOFF_MAX_MS_DEFAULT, 0, INT32_MAX));
    this.deliveryTimeoutMs = intOption('delivery.timeout.ms', options.deliveryTimeoutMs, DELIVERY_TIMEOUT_MS_DEFAULT, 1, INT32_MAX);
    this.requestTimeoutMs = intOption('request.timeout.ms', options.requestTimeoutMs, REQUEST_TIMEOUT_MS_DEFAULT, 1, INT32_MAX);
    this.maxRequestSize = intOption('max.request.size', options.maxRequestSize, MAX_REQUEST_SIZE_DEFAULT, RECORDS_POSITION + 8, BYTES_OPTION_MAX);
    this.bufferMemory = intOption('buffer.memory', options.bufferMemory, BUFFER_MEMORY_DEFAULT, 1, Number.MAX_SAFE_INTEGER);
  }

  static async create(options: ProducerOptions): Promise<Producer> {
    const producer = new Producer(options);
    if (producer.idempotent) await producer.initProducerId();
    return producer;
  }

  private get idempotent(): boolean {
    return this.options.idempotent === true || this.options.transactionalId !== undefined;
  }

  private get transactionalId(): string | null {
    return this.options.transactionalId ?? null;
  }

  /** The producer id and epoch in use (-1 without idempotence). */
  get identity(): { producerId: bigint; producerEpoch: number } {
    return { producerId: this.producerId, producerEpoch: this.producerEpoch };
  }

  private async initProducerId(): Promise<void> {
    const r = await this.retrying(async () => {
      const res = await this.transport.request(ApiKey.InitProducerId, 4, {
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.options.transactionTimeoutMs ?? 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      return { errorCode: res.errorCode, value: res };
    });
    this.producerId = r.producerId;
    this.producerEpoch = r.producerEpoch;
  }

  /** Runs `call` again while it answers a retriable error code (or a coordinator still loading), with backoff. */
  private async retrying<T>(call: () => Promise<{ errorCode: number; value: T }>): Promise<T> {
    const deadline = Date.now() + this.deliveryTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const { errorCode, value } = await call();
      if (errorCode === ErrorCode.NONE) return value;
      const retriable = errorCodeInfo(errorCode)?.retriable === true || errorCode === ErrorCode.CONCURRENT_TRANSACTIONS;
      const backoff = this.backoffMs(attempt + 1);
      if (!retriable || attempt >= this.retries || Date.now() + backoff > deadline) {
        if (FENCING_CODES.has(errorCode)) this.setFatal(errorCode);
        fail(errorCode);
      }
      await sleep(backoff);
    }
  }

  /** KIP-580: retry.backoff.ms doubling per attempt up to retry.backoff.max.ms, ±20% jitter. */
  private backoffMs(attempt: number): number {
    const base = Math.min(this.retryBackoffMs * 2 ** Math.min(attempt - 1, 30), this.retryBackoffMaxMs);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private topicState(topic: string): Promise<TopicState> {
    let load = this.topicLoads.get(topic);
    if (load === undefined) {
      load = this.loadTopic(topic);
      this.topicLoads.set(topic, load);
      load.catch(() => this.topicLoads.delete(topic));
    }
    return load;
  }

  private async loadTopic(topic: string): Promise<TopicState> {
    const res = await this.transport.request(ApiKey.Metadata, METADATA_VERSION, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    const t = res.topics.find((x) => x.name === topic);
    if (!t || t.errorCode !== ErrorCode.NONE || t.partitions.length === 0) fail(t?.errorCode || ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}: no metadata`);
    const state = new TopicState(topic, t.partitions.length);
    this.topics.set(topic, state);
    return state;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Appending (send)

  /**
   * Appends records to their partitions' batches; resolves once every one is acknowledged, with each record's
   * offset (in the order given), or rejects with the first failure of one of its batches.
   */
  send(topic: string, records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return Promise.resolve([]);
    if (this.fatal !== null) return Promise.reject(this.fatal);
    if (this.closing !== null) return Promise.reject(new StrataError('ERR_CLOSED', 'the producer is closed'));
    if (this.transactionalId !== null && this.txnState !== 'open') {
      return Promise.reject(new StrataError('ERR_INVALID_ARG', 'a transactional producer sends inside beginTransaction() .. commit()/abort()'));
    }
    const problem = this.checkRecords(records);
    if (problem !== null) return Promise.reject(problem);
    const call = new SendCall(topic, records);
    call.transactional = this.txnState === 'open';
    const state = this.topics.get(topic);
    if (this.appendQueue.length === 0 && state !== undefined && this.bufferedBytes < this.bufferMemory) {
      this.append(state, call);
    } else {
      this.appendQueue.push(call);
      if (!this.appendPumping) void this.pumpAppends();
    }
    return call.promise;
  }

  private checkRecords(records: readonly ProducerRecord[]): Error | null {
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.timestamp !== undefined && (!Number.isSafeInteger(r.timestamp) || r.timestamp < 0)) return new StrataError('ERR_INVALID_ARG', `record ${i}: bad timestamp ${r.timestamp}`);
      if (r.partition !== undefined && (!Number.isInteger(r.partition) || r.partition < 0)) return new StrataError('ERR_INVALID_ARG', `record ${i}: bad partition ${r.partition}`);
      if (recordSizeBound(r) + RECORDS_POSITION > this.maxRequestSize && recordSizeMax(r) + RECORDS_POSITION > this.maxRequestSize) {
        return new KafkaError('MESSAGE_TOO_LARGE', `record ${i} is larger than max.request.size (${this.maxRequestSize} bytes)`);
      }
    }
    return null;
  }

  /** Appends the queued calls in order, each once its topic's metadata is known and buffer memory has room. */
  private async pumpAppends(): Promise<void> {
    this.appendPumping = true;
    try {
      while (this.appendQueue.length > 0) {
        const call = this.appendQueue[0];
        let state: TopicState;
        try {
          state = await this.topicState(call.topic);
        } catch (err) {
          if (this.appendQueue[0] === call) this.appendQueue.shift();
          call.fail(err as Error);
          continue;
        }
        while (this.bufferedBytes >= this.bufferMemory && this.fatal === null && this.appendQueue[0] === call) {
          this.kickSoon(); // an exhausted buffer makes every batch ready
          await new Promise<void>((resolve) => this.memoryWaiters.push(resolve));
        }
        if (this.appendQueue[0] !== call) continue; // failed meanwhile (abort, fatal error)
        this.appendQueue.shift();
        if (this.fatal !== null) call.fail(this.fatal);
        else this.append(state, call);
      }
    } finally {
      this.appendPumping = false;
      for (const w of this.appendIdleWaiters.splice(0)) w();
    }
  }

  private appendsIdle(): Promise<void> {
    if (!this.appendPumping && this.appendQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.appendIdleWaiters.push(resolve));
  }

  private append(state: TopicState, call: SendCall): void {
    const records = call.records;
    const count = state.partitions.length;
    for (let i = 0; i < records.length; i++) {
      const p = records[i].partition;
      if (p !== undefined && p >= count) {
        call.fail(new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${state.name} has no partition ${p}`));
        return;
      }
    }
    const now = Date.now();
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const timestamp = record.timestamp ?? now;
      if (record.partition !== undefined) {
        this.appendTo(state.partitions[record.partition], record, timestamp, call, i, now);
      } else if (record.key !== undefined && record.key !== null) {
        this.appendTo(state.partitions[this.partitionOfKey(record.key, count)], record, timestamp, call, i, now);
      } else {
        this.appendSticky(state, record, timestamp, call, i, now);
      }
    }
  }

  private partitionOfKey(key: Uint8Array | string, count: number): number {
    if (typeof key !== 'string') return toPositive(murmur2(key)) % count;
    // The key's UTF-8 bytes go into a reused buffer, not a new one per record.
    const length = Buffer.byteLength(key, 'utf8');
    if (length > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(length, this.scratch.length * 2));
    this.scratch.write(key, 0, length, 'utf8');
    return toPositive(murmur2(this.scratch, 0, length)) % count;
  }

  /** KIP-480: stay on the sticky partition while its batch has room; once it is full or sent, move on. */
  private appendSticky(state: TopicState, record: ProducerRecord, timestamp: number, call: SendCall, index: number, now: number): void {
    if (state.sticky < 0) state.sticky = Math.floor(Math.random() * state.partitions.length);
    const current = state.partitions[state.sticky];
    const open = current.openBatch();
    if (open !== null && this.tryAppend(open, record, timestamp, call, index)) {
      state.stickyUsed = true;
      return;
    }
    if (open !== null) this.closeFull(open);
    if (state.stickyUsed) state.sticky = (state.sticky + 1) % state.partitions.length;
    state.stickyUsed = true;
    this.appendTo(state.partitions[state.sticky], record, timestamp, call, index, now);
  }

  private tryAppend(batch: ProducerBatch, record: ProducerRecord, timestamp: number, call: SendCall, index: number): boolean {
    if (!batch.tryAppend(record, timestamp, call, index)) return false;
    if (this.batchSize === 0) this.closeFull(batch);
    return true;
  }

  private appendTo(ps: PartitionState, record: ProducerRecord, timestamp: number, call: SendCall, index: number, now: number): void {
    const open = ps.openBatch();
    if (open !== null) {
      if (this.tryAppend(open, record, timestamp, call, index)) return;
      this.closeFull(open);
    }
    const capacity = Math.max(this.batchSize, RECORDS_POSITION + recordSizeMax(record));
    const batch = new ProducerBatch(ps.topic, ps.partition, capacity, this.compression, call.transactional, now);
    ps.queue.push(batch);
    this.active.add(ps);
    this.incomplete.add(batch);
    this.bufferedBytes += capacity;
    if (call.transactional && !this.txnPartitions.has(ps.key) && !this.txnPendingAdds.has(ps)) {
      this.txnPendingAdds.add(ps);
      if (this.addsRunning === null) this.addsRunning = this.addPendingPartitions().finally(() => (this.addsRunning = null));
    }
    if (!this.tryAppend(batch, record, timestamp, call, index)) throw new Error(`a record does not fit a batch sized for it (${capacity} bytes)`);
    if (this.lingerMs === 0) this.kickSoon();
    else this.armTimer(now + this.lingerMs);
  }

  /** A batch that cannot take the next record: ready to send. */
  private closeFull(batch: ProducerBatch): void {
    batch.close();
    this.kickSoon();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Sending

  private kickSoon(): void {
    if (this.senderScheduled) return;
    this.senderScheduled = true;
    // setImmediate, not a microtask: records appended in this turn of the event loop join the batches first.
    setImmediate(() => this.runSender());
  }

  private armTimer(atMs: number): void {
    if (this.timer !== null && this.timerAtMs <= atMs) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAtMs = Infinity;
        this.runSender();
      },
      Math.max(0, atMs - Date.now()),
    );
  }

  private runSender(): void {
    this.senderScheduled = false;
    if (this.fatal !== null) return;
    const now = Date.now();
    while (this.inFlight < this.maxInFlight) {
      const batches = this.drain(now);
      if (batches === null) break;
      this.sendRequest(batches);
    }
    // The next linger expiry or retry backoff among what is left.
    let next = Infinity;
    for (const ps of this.active) {
      const head = ps.head();
      if (head === undefined || !this.drainable(ps, head)) continue;
      const at = head.drained ? head.retryAtMs : head.closed ? now : head.createdMs + this.lingerMs;
      if (at < next) next = at;
    }
    if (next !== Infinity && this.inFlight < this.maxInFlight) this.armTimer(next);
  }

  private drainable(ps: PartitionState, head: ProducerBatch): boolean {
    // Retries go one at a time, before anything newer, as Kafka's sender does: a batch whose answer was lost must
    // be re-sent while the broker still remembers it (its last 5 batches per producer and partition).
    if ((ps.recovering || ps.retries.length > 0 || ps.retriesInFlight > 0) && ps.inFlight > 0) return false;
    if (head.transactional && !this.txnPartitions.has(ps.key)) return false;
    return !this.idempotent || ps.inFlight < IDEMPOTENT_IN_FLIGHT_MAX;
  }

  /** One batch per partition once any partition is ready (full, lingered, retry due, or a flush), or null. */
  private drain(now: number): ProducerBatch[] | null {
    const everything = this.flushing > 0 || this.closing !== null || this.memoryWaiters.length > 0;
    let ready = false;
    for (const ps of this.active) {
      const head = ps.head();
      if (head === undefined || !this.drainable(ps, head)) continue;
      if (head.drained ? head.retryAtMs <= now : everything || head.closed || now - head.createdMs >= this.lingerMs) {
        ready = true;
        break;
      }
    }
    if (!ready) return null;
    const out: ProducerBatch[] = [];
    let bytes = 0;
    for (const ps of this.active) {
      let head = ps.head();
      if (head === undefined || !this.drainable(ps, head) || (head.drained && head.retryAtMs > now)) continue;
      if (ps.recovering) this.endRecovery(ps);
      head = ps.head()!;
      if (out.length > 0 && bytes + head.sizeBytes > this.maxRequestSize) continue;
      if (head.drained) {
        ps.retries.shift();
        ps.retriesInFlight++;
      } else {
        ps.queue.shift();
      }
      if (ps.queue.length === 0 && ps.retries.length === 0) this.active.delete(ps);
      head.close();
      if (this.idempotent && head.baseSequence < 0) {
        head.baseSequence = ps.nextSequence;
        ps.nextSequence = (ps.nextSequence + head.recordCount) % SEQUENCE_MODULUS;
      }
      head.drained = true;
      head.attempts++;
      ps.inFlight++;
      bytes += head.sizeBytes;
      out.push(head);
    }
    return out.length > 0 ? out : null;
  }

  /** Every request of the partition came back: close the gaps left by batches lost for good, then resume. */
  private endRecovery(ps: PartitionState): void {
    ps.recovering = false;
    if (ps.lost.length === 0) return;
    for (const b of ps.retries) {
      let shift = 0;
      for (const l of ps.lost) if (l.id < b.id) shift += l.recordCount;
      b.baseSequence = (b.baseSequence - shift + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;
    }
    let total = 0;
    for (const l of ps.lost) total += l.recordCount;
    ps.nextSequence = (ps.nextSequence - total + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;
    ps.lost.length = 0;
  }

  private sendRequest(batches: ProducerBatch[]): void {
    this.inFlight++;
    const byTopic = new Map<string, Array<{ index: number; records: Buffer }>>();
    for (const b of batches) {
      let list = byTopic.get(b.topic);
      if (list === undefined) byTopic.set(b.topic, (list = []));
      list.push({ index: b.partition, records: b.seal(this.producerId, this.producerEpoch) });
    }
    const body = {
      transactionalId: this.transactionalId,
      acks: this.acks,
      timeoutMs: this.requestTimeoutMs,
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    };
    const done = () => {
      this.inFlight--;
      this.kickSoon();
    };
    if (this.acks === 0) {
      this.transport.requestNoResponse(ApiKey.Produce, PRODUCE_VERSION, body).then(
        () => {
          for (const b of batches) {
            this.landed(b);
            this.completeBatch(b, -1);
          }
          done();
        },
        (err: Error) => {
          this.requestFailed(batches, err);
          done();
        },
      );
      return;
    }
    this.transport.request(ApiKey.Produce, PRODUCE_VERSION, body).then(
      (res) => {
        const now = Date.now();
        for (const b of batches) {
          const ps = this.landed(b);
          const answer = res.responses.find((t) => t.name === b.topic)?.partitionResponses.find((p) => p.index === b.partition);
          const code = answer?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
          if (code === ErrorCode.NONE) this.completeBatch(b, Number(answer!.baseOffset));
          else this.batchFailed(ps, b, code, answer?.errorMessage ?? null, now);
        }
        done();
      },
      (err: Error) => {
        this.requestFailed(batches, err);
        done();
      },
    );
  }

  private partitionOf(b: ProducerBatch): PartitionState {
    return this.topics.get(b.topic)!.partitions[b.partition];
  }

  /** A sent batch's request came back (answered or not). */
  private landed(b: ProducerBatch): PartitionState {
    const ps = this.partitionOf(b);
    ps.inFlight--;
    if (b.attempts > 1) ps.retriesInFlight--;
    return ps;
  }

  /** The request got no answer: a closed transport ends the producer; anything else is retried as a network error. */
  private requestFailed(batches: ProducerBatch[], err: Error): void {
    const now = Date.now();
    for (const b of batches) this.landed(b);
    if (err instanceof StrataError && err.code === 'ERR_CLOSED') {
      this.setFatal(err);
      return;
    }
    for (const b of batches) this.batchFailed(this.partitionOf(b), b, ErrorCode.NETWORK_EXCEPTION, err.message, now);
  }

  private batchFailed(ps: PartitionState, b: ProducerBatch, code: number, message: string | null, now: number): void {
    if (b.completed) return;
    if (FENCING_CODES.has(code)) {
      b.fail(new KafkaError(code, `${b.topic}-${b.partition}: ${message ?? 'fenced'}`));
      this.release(b);
      this.setFatal(code);
      return;
    }
    // A later batch refused for the gap an earlier failed batch left: retried once that one is settled.
    const retriable = errorCodeInfo(code)?.retriable === true || (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && ps.recovering);
    const backoff = this.backoffMs(b.attempts);
    ps.recovering = true;
    if (retriable && b.attempts <= this.retries && now + backoff - b.createdMs < this.deliveryTimeoutMs) {
      b.retryAtMs = now + backoff;
      let at = ps.retries.length;
      while (at > 0 && ps.retries[at - 1].id > b.id) at--;
      ps.retries.splice(at, 0, b);
      this.active.add(ps);
      return;
    }
    if (this.idempotent) ps.lost.push(b);
    const err = new KafkaError(code, `${b.topic}-${b.partition}: ${message ?? errorCodeInfo(code)?.description ?? 'produce failed'}${retriable ? ` (after ${b.attempts} attempts)` : ''}`);
    if (b.transactional) this.txnError ??= err;
    b.fail(err);
    this.release(b);
  }

  private completeBatch(b: ProducerBatch, offset: number): void {
    b.acknowledge(offset);
    this.release(b);
  }

  private release(b: ProducerBatch): void {
    if (!this.incomplete.delete(b)) return;
    this.bufferedBytes -= b.capacity;
    if (this.bufferedBytes < this.bufferMemory) for (const w of this.memoryWaiters.splice(0)) w();
  }

  /** The producer cannot go on: every pending record fails, every later call throws. */
  private setFatal(reason: number | Error): void {
    if (this.fatal !== null) return;
    this.fatal = typeof reason === 'number' ? new KafkaError('PRODUCER_FENCED', `the producer is fenced (${errorCodeInfo(reason)?.name ?? reason}): a newer instance took its id`) : reason;
    for (const call of this.appendQueue.splice(0)) call.fail(this.fatal);
    for (const b of [...this.incomplete]) {
      b.fail(this.fatal);
      this.release(b);
    }
    for (const ps of this.active) {
      ps.queue.length = 0;
      ps.retries.length = 0;
    }
    this.active.clear();
    for (const w of this.memoryWaiters.splice(0)) w();
  }

  /** Sends every batch now (linger ignored) and resolves once the records appended before the call are acknowledged or failed. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      await this.appendsIdle();
      this.kickSoon();
      await Promise.all([...this.incomplete].map((b) => b.whenDone()));
    } finally {
      this.flushing--;
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Transactions

  private async addPendingPartitions(): Promise<void> {
    await Promise.resolve(); // the partitions of this turn's appends go in one request
    while (this.txnPendingAdds.size > 0 && this.fatal === null) {
      const partitions = [...this.txnPendingAdds];
      this.txnPendingAdds.clear();
      const byTopic = new Map<string, number[]>();
      for (const ps of partitions) {
        let list = byTopic.get(ps.topic);
        if (list === undefined) byTopic.set(ps.topic, (list = []));
        list.push(ps.partition);
      }
      try {
        await this.retrying(async () => {
          const res = await this.transport.request(ApiKey.AddPartitionsToTxn, 3, {
            transactionalId: this.transactionalId!,
            producerId: this.producerId,
            producerEpoch: this.producerEpoch,
            topics: [...byTopic].map(([name, list]) => ({ name, partitions: list })),
          });
          const codes = res.results.flatMap((t) => t.results.map((r) => r.errorCode));
          return { errorCode: codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE, value: undefined };
        });
        for (const ps of partitions) this.txnPartitions.add(ps.key);
        this.kickSoon();
      } catch (err) {
        this.txnError ??= err as Error;
        for (const ps of partitions) this.dropUnsent(ps, err as Error);
      }
    }
  }

  /** Fails the partition's batches never sent (Kafka's abortUndrainedBatches). */
  private dropUnsent(ps: PartitionState, err: Error): void {
    for (const b of ps.queue.splice(0)) {
      b.fail(err);
      this.release(b);
    }
    if (ps.retries.length === 0) this.active.delete(ps);
  }

  beginTransaction(): Promise<void> {
    if (this.transactionalId === null) throw new StrataError('ERR_INVALID_ARG', 'transactions need a transactionalId');
    if (this.fatal !== null) throw this.fatal;
    if (this.txnState !== 'none') throw new StrataError('ERR_INVALID_ARG', 'a transaction is already open');
    this.txnState = 'open';
    this.txnPartitions.clear();
    this.txnOffsetsAdded = false;
    this.txnError = null;
    return Promise.resolve();
  }

  /** Commits a consumer group's offsets (the next offset to read, per partition) with the open transaction. */
  async sendOffsets(groupId: string, offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<void> {
    if (this.fatal !== null) throw this.fatal;
    if (this.txnState !== 'open') throw new StrataError('ERR_INVALID_ARG', 'sendOffsets needs an open transaction');
    if (!this.txnOffsetsAdded) {
      await this.retrying(async () => {
        const res = await this.transport.request(ApiKey.AddOffsetsToTxn, 3, {
          transactionalId: this.transactionalId!,
          producerId: this.producerId,
          producerEpoch: this.producerEpoch,
          groupId,
        });
        return { errorCode: res.errorCode, value: undefined };
      });
      this.txnOffsetsAdded = true;
    }
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string }>>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: '' });
    }
    await this.retrying(async () => {
      const res = await this.transport.request(ApiKey.TxnOffsetCommit, 3, {
        transactionalId: this.transactionalId!,
        groupId,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      });
      const codes = res.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
      return { errorCode: codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE, value: undefined };
    });
  }

  /** Flushes the transaction's batches, then commits it; throws (leaving it open, to abort) if one of them failed. */
  commit(): Promise<void> {
    return this.endTransaction(true);
  }

  /** Drops the batches not yet sent, waits for those sent, then aborts the transaction. */
  abort(): Promise<void> {
    return this.endTransaction(false);
  }

  private async endTransaction(committed: boolean): Promise<void> {
    if (this.fatal !== null) throw this.fatal;
    if (this.txnState !== 'open') throw new StrataError('ERR_INVALID_ARG', 'no transaction is open');
    this.txnState = 'ending';
    try {
      if (committed) {
        await this.flush();
      } else {
        const aborted = new KafkaError('INVALID_TXN_STATE', 'the transaction was aborted before this batch was sent');
        for (const call of this.appendQueue.splice(0)) call.fail(aborted);
        this.txnPendingAdds.clear();
        for (const ps of [...this.active]) this.dropUnsent(ps, aborted);
        this.flushing++;
        try {
          this.kickSoon();
          await Promise.all([...this.incomplete].map((b) => b.whenDone()));
        } finally {
          this.flushing--;
        }
      }
      if (this.addsRunning !== null) await this.addsRunning;
      if (this.fatal !== null) throw this.fatal;
      if (committed && this.txnError !== null) throw this.txnError;
      if (this.txnPartitions.size > 0 || this.txnOffsetsAdded) {
        await this.retrying(async () => {
          const res = await this.transport.request(ApiKey.EndTxn, 3, {
            transactionalId: this.transactionalId!,
            producerId: this.producerId,
            producerEpoch: this.producerEpoch,
            committed,
          });
          return { errorCode: res.errorCode, value: undefined };
        });
      }
    } catch (err) {
      this.txnState = 'open';
      throw err;
    }
    this.txnState = 'none';
    this.txnPartitions.clear();
    this.txnOffsetsAdded = false;
    this.txnError = null;
  }

  /** Sends what is pending (unless the producer is dead), then closes the transport. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.fatal === null && this.incomplete.size + this.appendQueue.length > 0) await this.flush();
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.transport.close();
    })();
    return this.closing;
  }
}
