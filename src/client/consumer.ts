/**
 * Embedded consumer: reads assigned partitions through a Transport, at its own pace (poll), with Kafka's
 * isolation levels.
 *
 *   const consumer = Consumer.create({ transport, groupId: 'g', isolationLevel: 'read_committed' });
 *   await consumer.assign([{ topic: 'in', partition: 0 }]);   // from the group's committed offset, else the start
 *   const records = await consumer.poll();
 *   await consumer.commit();                                   // what poll returned is consumed
 *
 * read_committed (the default, as in Kafka's clients) reads up to the last stable offset and drops the records of
 * aborted transactions with the algorithm of Kafka's consumer: the Fetch response lists the aborted transactions
 * (producer id, first offset) overlapping the data; a transactional batch of a producer whose aborted transaction
 * began at or before it is skipped until that producer's ABORT marker. Control batches (markers) are never
 * returned. read_uncommitted returns every data record up to the high watermark.
 *
 * Partitions are assigned by the application (no group membership here); commits are "simple" commits (generation
 * -1), which Kafka accepts for a group without members.
 */
import { KafkaError } from '../errors/kafka-error';
import { StrataError } from '../errors/strata-error';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-codes';
import { decodeRecordBatch, BATCH_LENGTH_POSITION, LOG_OVERHEAD } from '../protocol/records/record-batch';
import { ControlRecordType, decodeControlRecordKey } from '../protocol/records/control-record';
import type { Transport } from './transport';

export type IsolationLevel = 'read_committed' | 'read_uncommitted';

export interface ConsumerOptions {
  transport: Transport;
  /** Needed for committed offsets (assign without an offset, commit, committed). */
  groupId?: string;
  isolationLevel?: IsolationLevel;
  /** fetch.max.wait.ms: how long a poll waits for data. Default 500. */
  maxWaitMs?: number;
  /** max.partition.fetch.bytes. Default 1 MiB. */
  partitionMaxBytes?: number;
}

export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

interface Assigned {
  topic: string;
  partition: number;
  position: number;
}

const FETCH_VERSION = 12;
const EARLIEST = -2n;

export class Consumer {
  private readonly assigned: Assigned[] = [];
  private readonly isolationLevel: IsolationLevel;

  private constructor(private readonly options: ConsumerOptions) {
    this.isolationLevel = options.isolationLevel ?? 'read_committed';
  }

  static create(options: ConsumerOptions): Consumer {
    return new Consumer(options);
  }

  /** Starts reading these partitions at `offset`, or the group's committed offset, or the log start. */
  async assign(partitions: ReadonlyArray<{ topic: string; partition: number; offset?: number }>): Promise<void> {
    this.assigned.length = 0;
    for (const p of partitions) {
      let position = p.offset;
      if (position === undefined && this.options.groupId !== undefined) position = (await this.committed(p.topic, p.partition)) ?? undefined;
      if (position === undefined) position = await this.earliest(p.topic, p.partition);
      this.assigned.push({ topic: p.topic, partition: p.partition, position });
    }
  }

  position(topic: string, partition: number): number | undefined {
    return this.assigned.find((a) => a.topic === topic && a.partition === partition)?.position;
  }

  seek(topic: string, partition: number, offset: number): void {
    const a = this.assigned.find((x) => x.topic === topic && x.partition === partition);
    if (a === undefined) throw new StrataError('ERR_INVALID_ARG', `${topic}-${partition} is not assigned`);
    a.position = offset;
  }

  private async earliest(topic: string, partition: number): Promise<number> {
    const res = await this.options.transport.request(ApiKey.ListOffsets, 4, {
      replicaId: -1,
      isolationLevel: this.isolationLevel === 'read_committed' ? 1 : 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: EARLIEST }] }],
    });
    const p = res.topics[0]?.partitions[0];
    if (!p || p.errorCode !== ErrorCode.NONE) throw new KafkaError(p?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partition}: no offsets`);
    return Number(p.offset);
  }

  /** The group's committed offset of a partition, null when none. */
  async committed(topic: string, partition: number): Promise<number | null> {
    const groupId = this.requireGroup();
    const res = await this.options.transport.request(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: topic, partitionIndexes: [partition] }], requireStable: true });
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode);
    const p = res.topics[0]?.partitions[0];
    if (p && p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `${topic}-${partition}: committed offset`);
    return p && p.committedOffset >= 0n ? Number(p.committedOffset) : null;
  }

  /** Commits the current positions (everything poll returned counts as consumed). */
  async commit(): Promise<void> {
    const groupId = this.requireGroup();
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string }>>();
    for (const a of this.assigned) {
      let list = byTopic.get(a.topic);
      if (list === undefined) byTopic.set(a.topic, (list = []));
      list.push({ partitionIndex: a.partition, committedOffset: BigInt(a.position), committedLeaderEpoch: -1, committedMetadata: '' });
    }
    const res = await this.options.transport.request(ApiKey.OffsetCommit, 8, {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    });
    for (const t of res.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `${t.name}-${p.partitionIndex}: commit`);
  }

  private requireGroup(): string {
    if (this.options.groupId === undefined) throw new StrataError('ERR_INVALID_ARG', 'committed offsets need a groupId');
    return this.options.groupId;
  }

  /** Fetches from every assigned partition (waiting up to maxWaitMs for data) and returns the new records. */
  async poll(): Promise<ConsumerRecord[]> {
    if (this.assigned.length === 0) return [];
    const byTopic = new Map<string, Assigned[]>();
    for (const a of this.assigned) {
      let list = byTopic.get(a.topic);
      if (list === undefined) byTopic.set(a.topic, (list = []));
      list.push(a);
    }
    const partitionMaxBytes = this.options.partitionMaxBytes ?? 1 << 20;
    const res = await this.options.transport.request(ApiKey.Fetch, FETCH_VERSION, {
      replicaId: -1,
      maxWaitMs: this.options.maxWaitMs ?? 500,
      minBytes: 1,
      maxBytes: 50 * 1024 * 1024,
      isolationLevel: this.isolationLevel === 'read_committed' ? 1 : 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, list]) => ({
        topic,
        partitions: list.map((a) => ({ partition: a.partition, currentLeaderEpoch: -1, fetchOffset: BigInt(a.position), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    });
    const out: ConsumerRecord[] = [];
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, 'fetch');
    for (const t of res.responses) {
      for (const p of t.partitions) {
        const a = this.assigned.find((x) => x.topic === t.topic && x.partition === p.partitionIndex);
        if (a === undefined) continue;
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          a.position = await this.earliest(a.topic, a.partition); // auto.offset.reset=earliest
          continue;
        }
        if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `${t.topic}-${p.partitionIndex}: fetch`);
        const records = p.records as Buffer | null;
        if (records === null || records.length === 0) continue;
        this.readBatches(a, records, p.abortedTransactions ?? [], out);
      }
    }
    return out;
  }

  /** Kafka's consumer-side filtering of one partition's fetched batches (Fetcher.CompletedFetch). */
  private readBatches(a: Assigned, records: Buffer, abortedList: ReadonlyArray<{ producerId: bigint; firstOffset: bigint }>, out: ConsumerRecord[]): void {
    const committedOnly = this.isolationLevel === 'read_committed';
    const aborted = [...abortedList].sort((x, y) => (x.firstOffset < y.firstOffset ? -1 : x.firstOffset > y.firstOffset ? 1 : 0));
    const abortedProducers = new Set<bigint>();
    for (let p = 0; p + LOG_OVERHEAD <= records.length; ) {
      const size = LOG_OVERHEAD + records.readInt32BE(p + BATCH_LENGTH_POSITION);
      if (p + size > records.length) break; // a partial batch at the end of the response
      const batch = decodeRecordBatch(records, p);
      p += size;
      const lastOffset = Number(batch.baseOffset) + batch.lastOffsetDelta;
      if (lastOffset < a.position) continue;
      const next = lastOffset + 1;
      if (committedOnly && batch.producerId >= 0n) {
        while (aborted.length > 0 && Number(aborted[0].firstOffset) <= lastOffset) abortedProducers.add(aborted.shift()!.producerId);
        if (batch.control) {
          const key = batch.records[0]?.key ?? null;
          if (key !== null && decodeControlRecordKey(key).type === ControlRecordType.Abort) abortedProducers.delete(batch.producerId);
          a.position = next;
          continue;
        }
        if (batch.transactional && abortedProducers.has(batch.producerId)) {
          a.position = next;
          continue;
        }
      }
      if (batch.control) {
        a.position = next;
        continue;
      }
      for (const r of batch.records) {
        const offset = Number(r.offset);
        if (offset < a.position) continue;
        out.push({
          topic: a.topic,
          partition: a.partition,
          offset,
          timestamp: r.timestamp,
          // Views of the response bytes, which belong to this poll alone: no copy.
          key: r.key,
          value: r.value,
          headers: r.headers,
        });
      }
      a.position = next;
    }
  }

  close(): void {
    this.options.transport.close();
  }
}
