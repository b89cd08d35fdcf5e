/**
 * A coordinator's durable state: records appended to partition 0 of an internal topic (`__consumer_offsets`,
 * formats in offsets-topic-records.ts; `__transaction_state`), replayed at start. Every write is one record batch
 * (magic 2, uncompressed; no producer id, except a transactional offset commit's batch, which carries its
 * producer's id and epoch), appended before the write is acknowledged; with a single replica, appended is acknowledged, and
 * the bytes are in the page cache, so they survive a kill -9 of the broker.
 *
 * Kafka keeps the topic small by log compaction. Strata compacts by rewriting: when more records were appended
 * since the last rewrite than the state holds (and at least `rewriteRecordsMin`), the coordinator hands over its
 * whole live state, which is appended as a fresh snapshot at the start of a new segment, and every older segment
 * is deleted (log start offset moved). Any suffix of the log that starts at or before a snapshot replays to the
 * same state, so a crash anywhere in a rewrite loses nothing. The log must not be subject to time or size
 * retention (retention.ms and retention.bytes -1), or live offsets could be deleted.
 *
 * Who may call: the GroupCoordinator, from the JS thread.
 */
import { Log } from '../storage/log';
import { decodeRecordBatch, encodeRecordBatch, RECORDS_POSITION } from '../protocol/records/record-batch';
import { RecordBatchIterator } from '../protocol/records/record-batch-iterator';
import { ControlRecordType, decodeEndTransactionMarker } from '../protocol/records/control-record';

/** The producer a transactional offset commit is written for (TxnOffsetCommit). */
export interface TxnProducer {
  producerId: number;
  producerEpoch: number;
}

export interface OffsetsTopicRecord {
  key: Buffer;
  /** null: a tombstone. */
  value: Buffer | null;
}

/** Bytes read from the log per step while replaying. */
const REPLAY_READ_BYTES = 1024 * 1024;
/** Per-record framing beyond key and value bytes, at most (length, attributes, deltas, lengths, header count). */
const RECORD_OVERHEAD_BYTES_MAX = 32;

export class OffsetsTopicStore {
  /** Records appended (or replayed) since the last rewrite: what a rewrite would reclaim, at most. */
  recordsSinceRewrite = 0;
  /** Batches the last replay could not decode and skipped. */
  skippedBatches = 0;

  constructor(
    private readonly log: Log,
    private readonly now: () => number,
    private readonly onAppend: () => void = () => {},
  ) {}

  /** Largest batch the log accepts (max.message.bytes). */
  get batchBytesMax(): number {
    return this.log.logConfig.maxMessageBytes;
  }

  /**
   * Appends the records as one batch. Throws what Log.append throws (StorageError: MESSAGE_TOO_LARGE for a batch
   * beyond max.message.bytes, ENOSPC, ...): then nothing was written.
   */
  append(records: readonly OffsetsTopicRecord[], txn?: TxnProducer): void {
    if (records.length === 0) return;
    const timestamp = this.now();
    const input = { records: records.map((r) => ({ key: r.key, value: r.value, timestamp })) };
    if (txn === undefined) {
      this.log.append(encodeRecordBatch(input));
    } else {
      // A transactional batch of the producer (Kafka writes it so): the LSO of this log and the replay after a
      // restart know it belongs to the producer's transaction until its marker.
      const batch = encodeRecordBatch({ ...input, producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: -1, transactional: true });
      this.log.append(batch, { origin: 'coordinator' });
    }
    this.recordsSinceRewrite += records.length;
    this.onAppend();
  }

  /**
   * Calls `visit` for every record from the log start to its end, in order, with the producer id of its
   * transaction (-1 outside one), and `onMarker` for every transaction marker; returns how many records there were.
   */
  replay(
    visit: (key: Buffer, value: Buffer | null, txnProducerId: number, txnProducerEpoch: number) => void,
    onMarker: (producerId: number, commit: boolean) => void = () => {},
  ): number {
    this.skippedBatches = 0;
    let count = 0;
    let offset = this.log.logStartOffset;
    while (offset < this.log.logEndOffset) {
      const read = this.log.read(offset, REPLAY_READ_BYTES);
      if (read.records.length === 0) break;
      for (const chunk of read.records) {
        for (const header of new RecordBatchIterator(chunk)) {
          offset = Number(header.baseOffset) + header.lastOffsetDelta + 1;
          let batch: ReturnType<typeof decodeRecordBatch>;
          try {
            batch = decodeRecordBatch(chunk, header.position);
          } catch {
            // A batch whose records do not decode (it passed the log's CRC, so it was written so): skipped, not
            // fatal, so the coordinator still loads.
            this.skippedBatches++;
            continue;
          }
          if (header.control) {
            try {
              const marker = decodeEndTransactionMarker(batch.records[0] ?? { key: null, value: null });
              onMarker(Number(header.producerId), marker.type === ControlRecordType.Commit);
            } catch {
              // not a transaction marker: nothing to apply
            }
            continue;
          }
          const txnProducerId = header.transactional ? Number(header.producerId) : -1;
          for (const record of batch.records) {
            if (record.key === null) continue;
            visit(record.key, record.value, txnProducerId, header.producerEpoch);
            count++;
          }
        }
      }
    }
    this.recordsSinceRewrite = count;
    return count;
  }

  /**
   * Replaces the log by `live` (the whole current state) and the `pending` records of open transactions:
   * appended from the start of a new segment, in batches within max.message.bytes, then every older segment goes.
   */
  rewrite(live: Iterable<OffsetsTopicRecord>, pending: ReadonlyArray<{ txn: TxnProducer; records: OffsetsTopicRecord[] }> = []): void {
    this.log.roll();
    const start = this.log.logEndOffset;
    const budget = Math.max(1, this.batchBytesMax - RECORDS_POSITION);
    let batch: OffsetsTopicRecord[] = [];
    let batchBytes = 0;
    for (const record of live) {
      const size = record.key.length + (record.value?.length ?? 0) + RECORD_OVERHEAD_BYTES_MAX;
      if (batch.length > 0 && batchBytes + size > budget) {
        this.append(batch);
        batch = [];
        batchBytes = 0;
      }
      batch.push(record);
      batchBytes += size;
    }
    this.append(batch);
    // Open transactions' records again, in their producers' transactional batches, before the old segments go: the
    // markers still to come resolve them, and a crash in between replays them from the new segment.
    for (const p of pending) this.append(p.records, p.txn);
    this.log.deleteRecordsBefore(start);
    this.recordsSinceRewrite = 0;
  }
}
