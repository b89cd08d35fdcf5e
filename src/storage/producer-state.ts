/**
 * ProducerState: per partition, what each idempotent or transactional producer last wrote, for duplicate
 * detection and sequence checks (Kafka's ProducerStateManager, KIP-98 and KIP-360).
 *
 * For each producer id: its epoch and the metadata (first/last sequence, first/last offset, max timestamp) of its
 * last RETAINED_BATCHES batches. A batch from a client is checked before anything is written:
 *  - same epoch and sequence range as one of those batches: a retry of a batch already written. It is not
 *    written again; the append answers with the original offsets;
 *  - an older epoch: INVALID_PRODUCER_EPOCH (the producer was fenced by a newer one);
 *  - a newer epoch must start at sequence 0 (unless the producer is unknown here); the same epoch must continue
 *    at last sequence + 1 (wrapping at 2^31 - 1 to 0): otherwise OUT_OF_ORDER_SEQUENCE_NUMBER.
 * A producer this partition does not know (never seen, or expired, or its data deleted) is accepted at any
 * sequence, as Kafka does since 2.5 (KIP-360): Produce no longer answers UNKNOWN_PRODUCER_ID.
 *
 * Transactions (KIP-98): a producer's first transactional batch opens its transaction on this partition at that
 * batch's offset; a COMMIT or ABORT marker from the transaction coordinator closes it. The first offset of the
 * oldest open transaction bounds the last stable offset (LSO): read_committed consumers read only below it. A
 * marker with an older producer epoch is PRODUCER_FENCED, from an older coordinator epoch
 * TRANSACTION_COORDINATOR_FENCED; a plain batch from a producer with an open transaction is INVALID_TXN_STATE.
 *
 * Snapshot file (`<20-digit offset>.snapshot`, Kafka's layout, big-endian), the state as of that offset (every
 * batch below it applied, none at or above):
 *   version i16 (1), crc u32 (CRC-32C of everything after it), count i32, then per producer:
 *   producerId i64, epoch i16, lastSequence i32, lastOffset i64, offsetDelta i32, timestamp i64,
 *   coordinatorEpoch i32, currentTxnFirstOffset i64.
 * Only the last batch of each producer is kept in a snapshot (as in Kafka); batches after the snapshot are
 * replayed from the log when it is loaded.
 *
 * Who may call: the owning Log, from the JS thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError, StorageErrorCode } from '../errors/storage-error';
import * as binding from '../native/binding';
import { writeFileAtomically } from './atomic-file';
import { parseSegmentFileName, segmentFileName } from './log-segment';
import { readInt64, writeInt64 } from './int64';

/** Batches remembered per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const RETAINED_BATCHES = 5;
export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_VERSION = 1;
const SNAPSHOT_HEADER_BYTES = 2 + 4 + 4;
const SNAPSHOT_ENTRY_BYTES = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
const INT32_MAX = 2 ** 31 - 1;

export interface ProducerBatch {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** Oldest first, at most RETAINED_BATCHES. */
  batches: ProducerBatch[];
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction, -1 when none. */
  currentTxnFirstOffset: number;
  /** Max timestamp of the producer's last batch: what expiry measures from. */
  lastTimestamp: number;
}

/** A transaction closed by a marker: its data spans [firstOffset, lastOffset], lastOffset being the marker's. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  aborted: boolean;
  /** The LSO once this transaction is closed: what the aborted-transaction index records. */
  lastStableOffset: number;
}

/** The header fields of one producer batch, as the Log reads them. */
export interface ProducerBatchHeader {
  producerId: number;
  epoch: number;
  firstSeq: number;
  /** lastOffsetDelta of the batch: lastSeq = firstSeq + delta (wrapping). */
  offsetDelta: number;
  isTransactional: boolean;
}

/** lastSeq of a batch: sequences wrap from 2^31 - 1 to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
export function lastSequenceOf(firstSeq: number, offsetDelta: number): number {
  return firstSeq > INT32_MAX - offsetDelta ? offsetDelta - (INT32_MAX - firstSeq) - 1 : firstSeq + offsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

function fail(code: StorageErrorCode, message: string): never {
  throw new StorageError(message, { code });
}

export function snapshotFileName(offset: number): string {
  return segmentFileName(offset, SNAPSHOT_SUFFIX);
}

export class ProducerState {
  readonly producers = new Map<number, ProducerEntry>();
  /** Producers with an open transaction on this partition -> its first offset. */
  private readonly ongoing = new Map<number, number>();

  get size(): number {
    return this.producers.size;
  }

  entry(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  /**
   * Checks a client's batch against the producer's state. Returns the original batch when this one is a retry
   * of a batch already written (same epoch, same sequence range), null when it may be appended; throws
   * INVALID_PRODUCER_EPOCH or OUT_OF_ORDER_SEQUENCE_NUMBER otherwise. Changes nothing.
   */
  check(h: ProducerBatchHeader): ProducerBatch | null {
    const entry = this.producers.get(h.producerId);
    if (entry === undefined) return null;
    const lastSeq = lastSequenceOf(h.firstSeq, h.offsetDelta);
    if (h.epoch === entry.epoch) {
      for (const b of entry.batches) if (b.firstSeq === h.firstSeq && b.lastSeq === lastSeq) return b;
    }
    if (h.epoch < entry.epoch) {
      fail('INVALID_PRODUCER_EPOCH', `producer ${h.producerId}: epoch ${h.epoch} is older than the current epoch ${entry.epoch}`);
    }
    if (!h.isTransactional && entry.currentTxnFirstOffset >= 0) {
      fail('INVALID_TXN_STATE', `producer ${h.producerId} wrote a non-transactional batch inside its open transaction`);
    }
    if (h.epoch !== entry.epoch) {
      if (h.firstSeq !== 0) {
        fail('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${h.producerId}: a new epoch ${h.epoch} must start at sequence 0, not ${h.firstSeq}`);
      }
    } else {
      // Same epoch: continue the last batch; with none retained (the epoch came from a marker) start at 0.
      const last = entry.batches.length > 0 ? entry.batches[entry.batches.length - 1].lastSeq : -1;
      if (!inSequence(last, h.firstSeq)) {
        fail('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${h.producerId}: sequence ${h.firstSeq} does not follow ${last}`);
      }
    }
    return null;
  }

  /** Records a batch written at [firstOffset, lastOffset] (from a client, a replica, or replayed on load). */
  update(h: ProducerBatchHeader, firstOffset: number, lastOffset: number, timestamp: number): void {
    let entry = this.producers.get(h.producerId);
    if (entry === undefined) {
      entry = { producerId: h.producerId, epoch: h.epoch, batches: [], coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestamp: timestamp };
      this.producers.set(h.producerId, entry);
    } else if (h.epoch !== entry.epoch) {
      // A new epoch starts a new sequence space: the old batches can no longer be retried.
      entry.epoch = h.epoch;
      entry.batches.length = 0;
    }
    entry.lastTimestamp = timestamp;
    if (h.isTransactional && entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = firstOffset;
      this.ongoing.set(h.producerId, firstOffset);
    }
    // Without a sequence (a coordinator's write for the producer) there is nothing to deduplicate against.
    if (h.firstSeq < 0) return;
    let batch: ProducerBatch;
    if (entry.batches.length === RETAINED_BATCHES) {
      // Reuse the oldest slot: no allocation per batch once a producer is warm.
      batch = entry.batches.shift()!;
    } else {
      batch = { firstSeq: 0, lastSeq: 0, firstOffset: 0, lastOffset: 0, timestamp: 0 };
    }
    batch.firstSeq = h.firstSeq;
    batch.lastSeq = lastSequenceOf(h.firstSeq, h.offsetDelta);
    batch.firstOffset = firstOffset;
    batch.lastOffset = lastOffset;
    batch.timestamp = timestamp;
    entry.batches.push(batch);
  }

  /** Checks a COMMIT / ABORT marker from the coordinator; throws PRODUCER_FENCED or TRANSACTION_COORDINATOR_FENCED. */
  checkMarker(producerId: number, epoch: number, coordinatorEpoch: number): void {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return;
    if (epoch < entry.epoch) fail('PRODUCER_FENCED', `marker for producer ${producerId} has epoch ${epoch}, older than ${entry.epoch}`);
    if (coordinatorEpoch < entry.coordinatorEpoch) {
      fail('TRANSACTION_COORDINATOR_FENCED', `marker for producer ${producerId} from coordinator epoch ${coordinatorEpoch} < ${entry.coordinatorEpoch}`);
    }
  }

  /**
   * Applies a marker written at markerOffset: closes the producer's open transaction, if any, and returns it
   * (null when the producer had none here, e.g. a marker written again after a coordinator restart).
   */
  completeTxn(producerId: number, epoch: number, coordinatorEpoch: number, markerOffset: number, aborted: boolean, timestamp: number): CompletedTxn | null {
    let entry = this.producers.get(producerId);
    if (entry === undefined) {
      entry = { producerId, epoch, batches: [], coordinatorEpoch, currentTxnFirstOffset: -1, lastTimestamp: timestamp };
      this.producers.set(producerId, entry);
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.batches.length = 0;
    }
    entry.coordinatorEpoch = coordinatorEpoch;
    entry.lastTimestamp = timestamp;
    const firstOffset = entry.currentTxnFirstOffset;
    if (firstOffset < 0) return null;
    entry.currentTxnFirstOffset = -1;
    this.ongoing.delete(producerId);
    const unstable = this.firstUnstableOffset();
    return { producerId, firstOffset, lastOffset: markerOffset, aborted, lastStableOffset: unstable >= 0 ? unstable : markerOffset + 1 };
  }

  /** First offset of the oldest open transaction, -1 when none is open. */
  firstUnstableOffset(): number {
    let min = -1;
    for (const offset of this.ongoing.values()) if (min < 0 || offset < min) min = offset;
    return min;
  }

  /** Open transactions (producer id -> first offset), for operators. */
  openTransactions(): ReadonlyMap<number, number> {
    return this.ongoing;
  }

  /** Drops producers idle for expirationMs with no open transaction (producer.id.expiration.ms). */
  removeExpired(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (entry.currentTxnFirstOffset < 0 && nowMs - entry.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Drops producers whose last batch lies below the log start (their data is gone), as Kafka does. */
  truncateHead(logStartOffset: number): void {
    for (const [id, entry] of this.producers) {
      const last = entry.batches[entry.batches.length - 1];
      if (last !== undefined && last.lastOffset < logStartOffset && entry.currentTxnFirstOffset < 0) this.producers.delete(id);
    }
  }

  clear(): void {
    this.producers.clear();
    this.ongoing.clear();
  }

  /** The snapshot bytes of the current state. */
  encodeSnapshot(): Buffer {
    const entries = [...this.producers.values()];
    const buf = Buffer.alloc(SNAPSHOT_HEADER_BYTES + entries.length * SNAPSHOT_ENTRY_BYTES);
    buf.writeInt16BE(SNAPSHOT_VERSION, 0);
    buf.writeInt32BE(entries.length, 6);
    let p = SNAPSHOT_HEADER_BYTES;
    for (const e of entries) {
      // A producer known only from a marker has no batch: lastSequence -1 (Kafka's NO_SEQUENCE) says so.
      const last = e.batches[e.batches.length - 1];
      writeInt64(buf, p, e.producerId);
      buf.writeInt16BE(e.epoch, p + 8);
      buf.writeInt32BE(last ? last.lastSeq : -1, p + 10);
      writeInt64(buf, p + 14, last ? last.lastOffset : -1);
      buf.writeInt32BE(last ? last.lastOffset - last.firstOffset : 0, p + 22);
      writeInt64(buf, p + 26, last ? last.timestamp : e.lastTimestamp);
      buf.writeInt32BE(e.coordinatorEpoch, p + 34);
      writeInt64(buf, p + 38, e.currentTxnFirstOffset);
      p += SNAPSHOT_ENTRY_BYTES;
    }
    buf.writeUInt32BE(binding.crc32c(buf, 6, buf.length), 2);
    return buf;
  }

  /** Replaces the state with a snapshot's; throws CORRUPT_MESSAGE on a bad version, size or CRC. */
  loadSnapshot(buf: Buffer, file: string): void {
    if (buf.length < SNAPSHOT_HEADER_BYTES || buf.readInt16BE(0) !== SNAPSHOT_VERSION) fail('CORRUPT_MESSAGE', `${file}: not a version 1 producer snapshot`);
    if (binding.crc32c(buf, 6, buf.length) !== buf.readUInt32BE(2)) fail('CORRUPT_MESSAGE', `${file}: producer snapshot CRC mismatch`);
    const count = buf.readInt32BE(6);
    if (count < 0 || buf.length !== SNAPSHOT_HEADER_BYTES + count * SNAPSHOT_ENTRY_BYTES) fail('CORRUPT_MESSAGE', `${file}: producer snapshot size mismatch`);
    this.clear();
    let p = SNAPSHOT_HEADER_BYTES;
    for (let i = 0; i < count; i++, p += SNAPSHOT_ENTRY_BYTES) {
      const producerId = readInt64(buf, p);
      const lastSeq = buf.readInt32BE(p + 10);
      const lastOffset = readInt64(buf, p + 14);
      const offsetDelta = buf.readInt32BE(p + 22);
      const timestamp = readInt64(buf, p + 26);
      const firstSeq = lastSeq - offsetDelta < 0 ? lastSeq - offsetDelta + INT32_MAX + 1 : lastSeq - offsetDelta;
      const currentTxnFirstOffset = readInt64(buf, p + 38);
      this.producers.set(producerId, {
        producerId,
        epoch: buf.readInt16BE(p + 8),
        batches: lastSeq < 0 ? [] : [{ firstSeq, lastSeq, firstOffset: lastOffset - offsetDelta, lastOffset, timestamp }],
        coordinatorEpoch: buf.readInt32BE(p + 34),
        currentTxnFirstOffset,
        lastTimestamp: timestamp,
      });
      if (currentTxnFirstOffset >= 0) this.ongoing.set(producerId, currentTxnFirstOffset);
    }
  }

  /** Writes `<offset>.snapshot` in dir (temp file, rename); `durable` adds the fsyncs of file and directory. */
  writeSnapshot(dir: string, offset: number, durable: boolean): void {
    writeFileAtomically(path.join(dir, snapshotFileName(offset)), this.encodeSnapshot(), { durable });
  }

}

/** Offsets of the snapshot files in dir, ascending. */
export function listSnapshots(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((name) => parseSegmentFileName(name, SNAPSHOT_SUFFIX))
    .filter((o): o is number => o !== null)
    .sort((a, b) => a - b);
}

export function deleteSnapshot(dir: string, offset: number): void {
  fs.rmSync(path.join(dir, snapshotFileName(offset)), { force: true });
}
