/**
 * Embedded producer: idempotent and transactional writes through a Transport (in-process or over the wire).
 *
 *   const producer = await Producer.create({ transport, transactionalId: 'app' });
 *   await producer.beginTransaction();
 *   await producer.send('out', [{ key: 'k', value: 'v' }]);
 *   await producer.sendOffsets('group', [{ topic: 'in', partition: 0, offset: 42 }]);
 *   await producer.commit();
 *
 * Each send() writes one record batch per partition it touches in one Produce request (acks=-1 by default) and
 * resolves with each record's offset. Idempotence: a producer id and epoch from InitProducerId and a sequence per
 * partition, advanced only when the broker acknowledged a batch, so retries (retriable errors, up to `retries`
 * times with `retryBackoffMs`) are deduplicated by the broker. Transactions: partitions join the open transaction
 * (AddPartitionsToTxn) before the first batch is sent to them; sendOffsets commits a consumer group's offsets in
 * it (AddOffsetsToTxn + TxnOffsetCommit); commit/abort end it (EndTxn). Partitioning as Kafka's default: an
 * explicit partition, else murmur2 of the key, else one partition per send() call, round-robin across calls.
 *
 * Batching by size and linger (batch.size, linger.ms) and compression belong to the issue on batching; this
 * producer sends what each send() call is given. One broker: every request goes to the transport's broker (a
 * single Strata node is leader and coordinator of everything).
 */
import { KafkaError } from '../errors/kafka-error';
import { StrataError } from '../errors/strata-error';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode, errorCodeInfo, KafkaErrorName } from '../protocol/error-codes';
import { encodeRecordBatch } from '../protocol/records/record-batch';
import { partitionForKey } from './murmur2';
import type { Transport } from './transport';

export interface ProducerOptions {
  transport: Transport;
  /** Deduplicated retries (InitProducerId, sequences). Implied by transactionalId. */
  idempotent?: boolean;
  transactionalId?: string;
  /** transaction.timeout.ms: the coordinator aborts a transaction open longer. Default 60 s. */
  transactionTimeoutMs?: number;
  /** -1 (all, the default and required for idempotence), 1. */
  acks?: -1 | 1;
  /** Retries of a retriable error per request. Default 5. */
  retries?: number;
  retryBackoffMs?: number;
}

export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Array<{ key: string; value: Buffer | string | null }>;
  partition?: number;
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}

const PRODUCE_VERSION = 9;
const METADATA_VERSION = 9;
const INT32_MAX = 2 ** 31 - 1;

function fail(error: KafkaErrorName | number, message?: string): never {
  throw new KafkaError(error, message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Producer {
  private producerId = -1n;
  private producerEpoch = -1;
  private readonly sequences = new Map<string, number>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly roundRobin = new Map<string, number>();
  private inTransaction = false;
  private readonly txnPartitions = new Set<string>();
  private txnOffsetsAdded = false;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly acks: -1 | 1;

  private constructor(private readonly options: ProducerOptions) {
    this.retries = options.retries ?? 5;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.acks = options.acks ?? -1;
    if (this.idempotent && this.acks !== -1) throw new StrataError('ERR_INVALID_ARG', 'idempotence needs acks=-1');
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
      const res = await this.options.transport.request(ApiKey.InitProducerId, 4, {
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.options.transactionTimeoutMs ?? 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      return { errorCode: res.errorCode, value: res };
    });
    this.producerId = r.producerId;
    this.producerEpoch = r.producerEpoch;
    this.sequences.clear();
  }

  /** Runs `call` again while it answers a retriable error code (or a coordinator still loading), with backoff. */
  private async retrying<T>(call: () => Promise<{ errorCode: number; value: T }>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { errorCode, value } = await call();
      if (errorCode === ErrorCode.NONE) return value;
      const retriable = errorCodeInfo(errorCode)?.retriable === true || errorCode === ErrorCode.CONCURRENT_TRANSACTIONS;
      if (!retriable || attempt >= this.retries) fail(errorCode);
      await sleep(this.retryBackoffMs * Math.min(2 ** attempt, 16));
    }
  }

  private async partitionCount(topic: string): Promise<number> {
    let n = this.partitionCounts.get(topic);
    if (n !== undefined) return n;
    const res = await this.options.transport.request(ApiKey.Metadata, METADATA_VERSION, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    const t = res.topics.find((x) => x.name === topic);
    if (!t || t.errorCode !== ErrorCode.NONE) fail(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}: no metadata`);
    n = t.partitions.length;
    this.partitionCounts.set(topic, n);
    return n;
  }

  private async choosePartitions(topic: string, records: readonly ProducerRecord[]): Promise<number[]> {
    const count = await this.partitionCount(topic);
    // One partition for every unkeyed record of this call (sticky), the next one for the next call.
    const sticky = (this.roundRobin.get(topic) ?? 0) % count;
    this.roundRobin.set(topic, sticky + 1);
    return records.map((r) => {
      if (r.partition !== undefined) {
        if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= count) fail('UNKNOWN_TOPIC_OR_PARTITION', `${topic} has no partition ${r.partition}`);
        return r.partition;
      }
      if (r.key !== undefined && r.key !== null) return partitionForKey(typeof r.key === 'string' ? Buffer.from(r.key) : r.key, count);
      return sticky;
    });
  }

  /** Writes records to a topic; resolves once every batch is acknowledged, with each record's offset. */
  async send(topic: string, records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    if (this.transactionalId !== null && !this.inTransaction) throw new StrataError('ERR_INVALID_ARG', 'a transactional producer sends inside beginTransaction() .. commit()/abort()');
    const partitions = await this.choosePartitions(topic, records);
    const byPartition = new Map<number, number[]>();
    partitions.forEach((p, i) => {
      let list = byPartition.get(p);
      if (list === undefined) byPartition.set(p, (list = []));
      list.push(i);
    });
    if (this.inTransaction) await this.addPartitions(topic, [...byPartition.keys()]);
    const now = Date.now();
    const batches = [...byPartition].map(([partition, indexes]) => {
      const key = `${topic}-${partition}`;
      const baseSequence = this.idempotent ? (this.sequences.get(key) ?? 0) : -1;
      const records2 = indexes.map((i) => {
        const r = records[i];
        return { key: r.key ?? null, value: r.value, headers: r.headers ?? [], timestamp: r.timestamp ?? now };
      });
      const batch = encodeRecordBatch({
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        baseSequence,
        transactional: this.inTransaction,
        records: records2,
      });
      return { partition, indexes, batch, key, count: indexes.length, baseSequence };
    });
    const out: RecordMetadata[] = new Array(records.length);
    let pending = batches;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const res = await this.options.transport.request(ApiKey.Produce, PRODUCE_VERSION, {
        transactionalId: this.transactionalId,
        acks: this.acks,
        timeoutMs: 30_000,
        topicData: [{ name: topic, partitionData: pending.map((b) => ({ index: b.partition, records: b.batch })) }],
      });
      const answers = new Map(res.responses.flatMap((t) => t.partitionResponses).map((p) => [p.index, p]));
      const retry: typeof pending = [];
      for (const b of pending) {
        const a = answers.get(b.partition);
        const code = a?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        if (code === ErrorCode.NONE) {
          const base = Number(a!.baseOffset);
          b.indexes.forEach((recordIndex, i) => (out[recordIndex] = { topic, partition: b.partition, offset: base + i }));
          if (this.idempotent) this.sequences.set(b.key, (b.baseSequence + b.count) % (INT32_MAX + 1));
          continue;
        }
        if (errorCodeInfo(code)?.retriable !== true || attempt >= this.retries) fail(code, `${topic}-${b.partition}: ${a?.errorMessage ?? 'produce failed'}`);
        retry.push(b);
      }
      pending = retry;
      if (pending.length > 0) await sleep(this.retryBackoffMs * Math.min(2 ** attempt, 16));
    }
    return out;
  }

  private async addPartitions(topic: string, partitions: number[]): Promise<void> {
    const fresh = partitions.filter((p) => !this.txnPartitions.has(`${topic}-${p}`));
    if (fresh.length === 0) return;
    await this.retrying(async () => {
      const res = await this.options.transport.request(ApiKey.AddPartitionsToTxn, 3, {
        transactionalId: this.transactionalId!,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        topics: [{ name: topic, partitions: fresh }],
      });
      const codes = res.results.flatMap((t) => t.results.map((r) => r.errorCode));
      return { errorCode: codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE, value: undefined };
    });
    for (const p of fresh) this.txnPartitions.add(`${topic}-${p}`);
  }

  beginTransaction(): Promise<void> {
    if (this.transactionalId === null) throw new StrataError('ERR_INVALID_ARG', 'transactions need a transactionalId');
    if (this.inTransaction) throw new StrataError('ERR_INVALID_ARG', 'a transaction is already open');
    this.inTransaction = true;
    this.txnPartitions.clear();
    this.txnOffsetsAdded = false;
    return Promise.resolve();
  }

  /** Commits a consumer group's offsets (the next offset to read, per partition) with the open transaction. */
  async sendOffsets(groupId: string, offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<void> {
    if (!this.inTransaction) throw new StrataError('ERR_INVALID_ARG', 'sendOffsets needs an open transaction');
    if (!this.txnOffsetsAdded) {
      await this.retrying(async () => {
        const res = await this.options.transport.request(ApiKey.AddOffsetsToTxn, 3, {
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
      const res = await this.options.transport.request(ApiKey.TxnOffsetCommit, 3, {
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

  commit(): Promise<void> {
    return this.endTransaction(true);
  }

  abort(): Promise<void> {
    return this.endTransaction(false);
  }

  private async endTransaction(committed: boolean): Promise<void> {
    if (!this.inTransaction) throw new StrataError('ERR_INVALID_ARG', 'no transaction is open');
    if (this.txnPartitions.size > 0 || this.txnOffsetsAdded) {
      await this.retrying(async () => {
        const res = await this.options.transport.request(ApiKey.EndTxn, 3, {
          transactionalId: this.transactionalId!,
          producerId: this.producerId,
          producerEpoch: this.producerEpoch,
          committed,
        });
        return { errorCode: res.errorCode, value: undefined };
      });
    }
    this.inTransaction = false;
    this.txnPartitions.clear();
    this.txnOffsetsAdded = false;
  }

  close(): void {
    this.options.transport.close();
  }
}
