/**
 * Log: one partition, as a directory `<topic>-<partition>/` of segments (see log-segment.ts and
 * native/segment.h for the files). Appends go to the last (active) segment; reads return Buffers that view the
 * segments' mappings directly.
 *
 * Invariants:
 *  - segments are sorted by base offset, never overlap, and the last one is the only one open for appends;
 *  - logStartOffset <= highWatermark <= logEndOffset (the active segment's next offset);
 *  - every byte in a segment is a whole batch that passed validation (magic, lengths, CRC-32C) on append or,
 *    after an unclean stop, on recovery; offsets increase strictly across the log;
 *  - recoveryPoint <= logEndOffset: everything below it is known flushed to disk.
 * Offsets are JS numbers: exact up to Number.MAX_SAFE_INTEGER (2^53 - 1), i.e. ~28 years at 10M messages/s.
 *
 * Who may call: the owner (LogManager, the broker's partition) from the JS thread. Appends are synchronous;
 * flush() runs fdatasync on the libuv pool and may overlap appends.
 *
 * Durability for acknowledgements (group commit): whenDurable(offset) resolves once the batch holding `offset` is
 * on disk. One data sync (fdatasync of the .log files past the durable offset) runs at a time; every waiter that
 * arrives while it runs is served by the next one, which covers everything appended by then. Under load many
 * requests share each fdatasync. durableOffset = everything below it is on disk (the recovery point, or what
 * a data sync covered); indexes are not synced for this, as recovery rebuilds them from the data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LOG_CONFIG, LogConfig } from '../config/log-config';
import { StorageError, StorageErrorCode } from '../errors/storage-error';
import * as binding from '../native/binding';
import {
  INDEX_SUFFIX,
  LOG_SUFFIX,
  LogSegment,
  parseSegmentFileName,
  segmentFileName,
  TIME_INDEX_SUFFIX,
} from './log-segment';
import { batchRecordTimestampAtOrAfter } from './batch-timestamps';
import { deleteSnapshot, listSnapshots, ProducerBatchHeader, ProducerState, snapshotFileName } from './producer-state';
import { AbortedTxn, TxnIndex } from './txn-index';
import { readInt64 } from './int64';
import { decodeRecordBatch } from '../protocol/records/record-batch';
import { ControlRecordType, decodeEndTransactionMarker, encodeControlBatch } from '../protocol/records/control-record';

import * as layout from '../protocol/records/record-batch';

// Batch header layout, copied into module constants: the append loop reads them per batch, and a module
// namespace property (an accessor under some loaders) costs more than the read it locates.
const ATTRIBUTE_COMPRESSION_MASK = layout.ATTRIBUTE_COMPRESSION_MASK;
const ATTRIBUTE_CONTROL_MASK = layout.ATTRIBUTE_CONTROL_MASK;
const ATTRIBUTES = layout.ATTRIBUTES_POSITION;
const BASE_OFFSET = layout.BASE_OFFSET_POSITION;
const BATCH_HEADER_SIZE = layout.BATCH_HEADER_SIZE;
const BATCH_LENGTH = layout.BATCH_LENGTH_POSITION;
const CRC = layout.CRC_POSITION;
const LAST_OFFSET_DELTA = layout.LAST_OFFSET_DELTA_POSITION;
const LOG_OVERHEAD = layout.LOG_OVERHEAD;
const MAGIC = layout.MAGIC_POSITION;
const MAX_TIMESTAMP = layout.MAX_TIMESTAMP_POSITION;
const PARTITION_LEADER_EPOCH = layout.PARTITION_LEADER_EPOCH_POSITION;
const RECORD_BATCH_MAGIC = layout.RECORD_BATCH_MAGIC;
const RECORD_COUNT = layout.RECORD_COUNT_POSITION;
const PRODUCER_ID = layout.PRODUCER_ID_POSITION;
const PRODUCER_EPOCH = layout.PRODUCER_EPOCH_POSITION;
const BASE_SEQUENCE = layout.BASE_SEQUENCE_POSITION;
const ATTRIBUTE_TRANSACTIONAL_MASK = layout.ATTRIBUTE_TRANSACTIONAL_MASK;
const crc32c = binding.crc32c;

const MAX_RELATIVE_OFFSET = 2 ** 31 - 1;
const TWO_32 = 2 ** 32;
/** Bytes read per step when producer state is rebuilt from the log. */
const REPLAY_READ_BYTES = 8 * 1024 * 1024;

// The producer batch of the append in progress: one object reused by every append (no allocation per batch).
const appendProducer: ProducerBatchHeader = { producerId: -1, epoch: -1, firstSeq: -1, offsetDelta: 0, isTransactional: false };

export interface LogOpenOptions {
  config?: Partial<LogConfig>;
  /** Offset below which data is known flushed (from the recovery-point checkpoint). */
  recoveryPoint?: number;
  /** The previous stop was clean (the clean-shutdown marker was present): no recovery scan at all. */
  cleanShutdown?: boolean;
  /** From the log-start-offset checkpoint. */
  logStartOffset?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface AppendOptions {
  /** Written into each batch's partitionLeaderEpoch (outside the CRC). Default: left as sent. */
  leaderEpoch?: number;
  /** false for batches that already carry their final offsets (replication, tools): they must follow the end. */
  assignOffsets?: boolean;
  /** Refuse control batches (transaction markers) with INVALID_RECORD: clients may not write them. */
  rejectControlBatches?: boolean;
  /**
   * Who writes: 'client' (default) batches are checked against the producer state (retries, sequences, epochs);
   * 'coordinator' batches (a group coordinator's transactional offset commits) only open the producer's
   * transaction, as Kafka's AppendOrigin.COORDINATOR.
   */
  origin?: 'client' | 'coordinator';
}

export interface AppendInfo {
  /** For a retried idempotent batch already in the log (nothing written): the original batch's offsets. */
  duplicate: boolean;
  firstOffset: number;
  lastOffset: number;
  batchCount: number;
  recordCount: number;
  maxTimestamp: number;
  /** Byte size of the append. */
  size: number;
}

/** What scan() found in a record set: its offsets if appended, and whether a producer batch is among its batches. */
interface ScannedRecords {
  firstOffset: number;
  lastOffset: number;
  batchCount: number;
  recordCount: number;
  maxTimestamp: number;
  producerBatch: boolean;
}

export interface ReadOptions {
  /** Exclusive upper bound on batch offsets returned (e.g. the high watermark or last stable offset). */
  maxOffset?: number;
  /** Return the first batch even when it is larger than maxBytes (Kafka's KIP-74 rule). Default true. */
  minOneBatch?: boolean;
}

export interface LogReadResult {
  /** Whole batches, in order, each a zero-copy view of a segment mapping. */
  records: Buffer[];
  size: number;
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
}

export interface RecoveryInfo {
  /** Segments scanned batch by batch (CRC included) because the stop was unclean. */
  segmentsScanned: number;
  /** Bytes cut at the first bad byte (torn or corrupt batches). */
  truncatedBytes: number;
  /** Preallocated zeros cut after the last batch (a crash came before the file was trimmed): not corruption. */
  zeroTailBytes: number;
  /** Segments dropped because they followed a truncated one. */
  segmentsDropped: number;
  indexesRebuilt: number;
  /** Offset of the producer-state snapshot loaded (-1: none), and batches replayed after it. */
  producerSnapshotOffset: number;
  producerBatchesReplayed: number;
}

/** The COMMIT / ABORT marker of a control batch; null for other control records (Kafka skips those too). */
function readMarker(buf: Buffer, position: number): { aborted: boolean; coordinatorEpoch: number } | null {
  const batch = decodeRecordBatch(buf.subarray(position, position + LOG_OVERHEAD + buf.readInt32BE(position + BATCH_LENGTH)));
  const record = batch.records[0];
  if (record === undefined) return null;
  try {
    const marker = decodeEndTransactionMarker(record);
    return { aborted: marker.type === ControlRecordType.Abort, coordinatorEpoch: marker.coordinatorEpoch };
  } catch {
    return null;
  }
}

interface DurableWaiter {
  offset: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

const RESOLVED = Promise.resolve();

function fail(code: StorageErrorCode, message: string, path?: string): never {
  throw new StorageError(message, path === undefined ? { code } : { code, path });
}

export class Log {
  readonly dir: string;
  private config: LogConfig;
  private readonly now: () => number;
  private segments: LogSegment[];
  private _logStartOffset: number;
  private _highWatermark: number;
  private _recoveryPoint: number;
  private unflushedMessages = 0;
  private truncations = 0;
  private lastFlushMs: number;
  /** Offsets below this are on disk by a data sync (see whenDurable); with the recovery point, durableOffset. */
  private syncedOffset = 0;
  private dataSyncRunning = false;
  private durableWaiters: DurableWaiter[] = [];
  /** Data syncs (fdatasync rounds of whenDurable) started since open. */
  dataSyncs = 0;
  /** Writes into segment files: one per append(), one per appendMany() pass (its record sets in one pwritev). */
  segmentWrites = 0;
  /** Offsets below this were known on disk when the log was opened (for syncedOffsetOnDisk). */
  private readonly durableAtOpen: number;
  private closed = false;
  readonly recovery: RecoveryInfo;
  /** Idempotent and transactional producers' last batches (see producer-state.ts). */
  readonly producerState = new ProducerState();
  /** Aborted transactions, for read_committed fetches. */
  readonly txnIndex: TxnIndex;

  private constructor(dir: string, config: LogConfig, now: () => number, segments: LogSegment[], logStartOffset: number, recoveryPoint: number, recovery: RecoveryInfo) {
    this.dir = dir;
    this.config = config;
    this.now = now;
    this.segments = segments;
    this._logStartOffset = logStartOffset;
    this._highWatermark = this.logEndOffset;
    this._recoveryPoint = recoveryPoint;
    this.recovery = recovery;
    this.txnIndex = new TxnIndex(dir);
    this.lastFlushMs = now();
    this.durableAtOpen = recoveryPoint;
  }

  /**
   * Opens (creating if needed) the partition directory. After a clean stop segments are trusted as written;
   * otherwise every segment reaching past the recovery point is checked batch by batch and cut at the first bad
   * byte, later segments are dropped, and indexes are rebuilt.
   */
  static open(dir: string, options: LogOpenOptions = {}): Log {
    const config: LogConfig = { ...DEFAULT_LOG_CONFIG, ...options.config };
    const now = options.now ?? Date.now;
    fs.mkdirSync(dir, { recursive: true });
    const bases = fs
      .readdirSync(dir)
      .map((name) => parseSegmentFileName(name))
      .filter((b): b is number => b !== null)
      .sort((a, b) => a - b);
    const recoveryPoint = options.recoveryPoint ?? 0;
    const recovery: RecoveryInfo = {
      segmentsScanned: 0,
      truncatedBytes: 0,
      zeroTailBytes: 0,
      segmentsDropped: 0,
      indexesRebuilt: 0,
      producerSnapshotOffset: -1,
      producerBatchesReplayed: 0,
    };
    const segments: LogSegment[] = [];
    const nowMs = now();
    try {
      for (let i = 0; i < bases.length; i++) {
        const base = bases[i];
        const last = i === bases.length - 1;
        const end = last ? Infinity : bases[i + 1];
        const mode = options.cleanShutdown || end <= recoveryPoint ? 'clean' : 'recover';
        const seg = LogSegment.open(dir, base, config, mode, last, nowMs);
        const info = seg.native.info().recovery;
        if (mode === 'recover') recovery.segmentsScanned++;
        if (info.indexRebuilt && mode === 'clean') recovery.indexesRebuilt++;
        recovery.truncatedBytes += info.truncatedBytes;
        recovery.zeroTailBytes += info.zeroTailBytes;
        segments.push(seg);
        if (info.truncatedBytes > 0 && !last) {
          // Kafka's rule: nothing after the first bad byte is kept, so later segments go.
          for (const later of bases.slice(i + 1)) {
            for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
              fs.rmSync(path.join(dir, segmentFileName(later, suffix)), { force: true });
            }
            recovery.segmentsDropped++;
          }
          seg.unseal(config.segmentBytes, config.segmentIndexBytes);
          break;
        }
      }
      if (segments.length === 0) {
        const start = options.logStartOffset ?? 0;
        segments.push(LogSegment.open(dir, start, config, 'create', true, nowMs));
      }
    } catch (err) {
      for (const s of segments) s.native.close();
      throw err;
    }
    const logEnd = segments[segments.length - 1].nextOffset;
    const logStart = Math.min(Math.max(options.logStartOffset ?? 0, segments[0].baseOffset), logEnd);
    let rp = Math.min(recoveryPoint, logEnd);
    if (recovery.segmentsScanned > 0) {
      // What recovery kept is valid; make it durable so the next crash need not scan it again.
      for (const s of segments) if (s.nextOffset > rp) s.native.flushSync();
      rp = logEnd;
    } else if (options.cleanShutdown) {
      rp = logEnd;
    }
    const log = new Log(dir, config, now, segments, logStart, rp, recovery);
    try {
      log.txnIndex.load(log.segmentBaseOffsets());
      // After an unclean stop only what lies below the recovery point is known durable, index files included.
      log.loadProducerState(options.cleanShutdown ? Infinity : recoveryPoint);
      log.txnIndex.flushSync(log.segmentBaseOffsets()); // what replay rebuilt is durable before the log is used
    } catch (err) {
      for (const s of segments) s.native.close();
      throw err;
    }
    return log;
  }

  /**
   * Rebuilds producer state and the aborted-transaction index: the newest readable snapshot at or below
   * `snapshotMax` (newer ones beyond the log end are stale after a truncation; damaged ones are deleted), then
   * every producer batch and marker after it, replayed from the log; the index entries from that offset on are
   * regenerated from the replay.
   */
  private loadProducerState(snapshotMax: number): void {
    const end = this.logEndOffset;
    const oldest = this.segments[0].baseOffset;
    const state = this.producerState;
    state.clear();
    let from = oldest;
    let loaded = false;
    const snapshots = listSnapshots(this.dir);
    for (let i = snapshots.length - 1; i >= 0; i--) {
      const offset = snapshots[i];
      if (offset > end || offset < oldest) {
        deleteSnapshot(this.dir, offset);
        continue;
      }
      if (loaded || offset > snapshotMax) continue; // older snapshots stay, one per segment, for a later truncation
      const file = path.join(this.dir, snapshotFileName(offset));
      try {
        state.loadSnapshot(fs.readFileSync(file), file);
        from = offset;
        loaded = true;
        this.recovery.producerSnapshotOffset = offset;
      } catch (err) {
        if ((err as StorageError).code !== 'CORRUPT_MESSAGE') throw err;
        state.clear();
        deleteSnapshot(this.dir, offset);
      }
    }
    const aborted: AbortedTxn[] = [];
    this.recovery.producerBatchesReplayed += this.replayProducerBatches(Math.max(from, this._logStartOffset), end, aborted);
    this.txnIndex.replaceFrom(from, aborted, this.segmentBaseOffsets());
    state.truncateHead(this._logStartOffset);
  }

  /**
   * Applies the producer batches and transaction markers holding offsets in [from, end) to the producer state,
   * collecting the transactions they abort; returns how many batches.
   */
  private replayProducerBatches(from: number, end: number, aborted: AbortedTxn[]): number {
    let replayed = 0;
    let offset = from;
    while (offset < end) {
      const result = this.read(offset, REPLAY_READ_BYTES, { maxOffset: end });
      if (result.records.length === 0) break;
      for (const view of result.records) {
        for (let p = 0; p < view.length; p += LOG_OVERHEAD + view.readInt32BE(p + BATCH_LENGTH)) {
          const base = readInt64(view, p + BASE_OFFSET);
          const last = base + view.readInt32BE(p + LAST_OFFSET_DELTA);
          offset = last + 1;
          if (last < from) continue;
          const ts = view.readInt32BE(p + MAX_TIMESTAMP) * TWO_32 + view.readUInt32BE(p + MAX_TIMESTAMP + 4);
          if (this.readProducerHeader(view, p)) {
            this.producerState.update(appendProducer, base, last, ts);
            replayed++;
          } else if (view.readInt16BE(p + ATTRIBUTES) & ATTRIBUTE_CONTROL_MASK && view.readInt32BE(p + PRODUCER_ID) >= 0) {
            const marker = readMarker(view, p);
            if (marker === null) continue;
            const done = this.producerState.completeTxn(readInt64(view, p + PRODUCER_ID), view.readInt16BE(p + PRODUCER_EPOCH), marker.coordinatorEpoch, base, marker.aborted, ts);
            if (done?.aborted) aborted.push({ producerId: done.producerId, firstOffset: done.firstOffset, lastOffset: done.lastOffset, lastStableOffset: done.lastStableOffset });
            replayed++;
          }
        }
      }
    }
    return replayed;
  }

  /**
   * Reads a batch's producer fields into `appendProducer`; false for batches without a producer id and for
   * control batches (markers are the transaction coordinator's, not a producer's sequence).
   */
  private readProducerHeader(buf: Buffer, position: number): boolean {
    const hi = buf.readInt32BE(position + PRODUCER_ID);
    if (hi < 0) return false;
    const attributes = buf.readInt16BE(position + ATTRIBUTES);
    if (attributes & ATTRIBUTE_CONTROL_MASK) return false;
    appendProducer.producerId = readInt64(buf, position + PRODUCER_ID);
    appendProducer.epoch = buf.readInt16BE(position + PRODUCER_EPOCH);
    appendProducer.firstSeq = buf.readInt32BE(position + BASE_SEQUENCE);
    appendProducer.offsetDelta = buf.readInt32BE(position + LAST_OFFSET_DELTA);
    appendProducer.isTransactional = (attributes & ATTRIBUTE_TRANSACTIONAL_MASK) !== 0;
    return true;
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this.active.nextOffset;
  }
  /** Offset up to which consumers may read. Single replica: advanced to the log end by every append. */
  get highWatermark(): number {
    return this._highWatermark;
  }
  /**
   * Offset below which every transaction is decided: read_committed consumers read up to here. The first offset
   * of the oldest open transaction, or the high watermark when none is open.
   */
  get lastStableOffset(): number {
    const unstable = this.producerState.firstUnstableOffset();
    // An open transaction whose start was deleted (retention, DeleteRecords) holds the LSO at the log start, as
    // Kafka clamps it: never an offset a consumer cannot fetch.
    return unstable >= 0 && unstable < this._highWatermark ? Math.max(unstable, this._logStartOffset) : this._highWatermark;
  }
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }
  get size(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  get logConfig(): Readonly<LogConfig> {
    return this.config;
  }
  /** Base offsets of the segments, oldest first (for tools and tests). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  private ensureOpen(): void {
    if (this.closed) fail('ERR_LOG_CLOSED', `log ${this.dir} is closed`);
  }

  /** Takes effect for the next roll and append; the active segment keeps its mapped size. */
  updateConfig(config: Partial<LogConfig>): void {
    this.config = { ...this.config, ...config };
  }

  /**
   * Appends one or more record batches (v2) given as one Buffer, e.g. a Produce request's records field. Each
   * batch's header and CRC are checked first; if any fails nothing is written. Offsets are assigned by patching
   * baseOffset in the caller's buffer (it sits outside the CRC), then the bytes are copied once, into the
   * mapped segment. Records are never decoded.
   */
  append(records: Buffer, options: AppendOptions = {}): AppendInfo {
    this.ensureOpen();
    return this.appendScanned(records, this.scan(records, options, this.logEndOffset), options);
  }

  /** append() after scan(): the producer-state checks, the write, the producer-state update. */
  private appendScanned(records: Buffer, scanned: ScannedRecords, options: AppendOptions): AppendInfo {
    const assign = options.assignOffsets !== false;
    if (scanned.producerBatch && assign && options.origin !== 'coordinator') {
      // Kafka's rule for a client's idempotent or transactional writes: one batch per partition per request, so
      // a retry is recognised (or refused) whole.
      if (scanned.batchCount !== 1) fail('INVALID_RECORD', 'a producer batch (producer id set) must be the only batch of its partition in a request');
      const original = this.producerState.check(appendProducer);
      if (original !== null) {
        return { duplicate: true, firstOffset: original.firstOffset, lastOffset: original.lastOffset, batchCount: 1, recordCount: scanned.recordCount, maxTimestamp: original.timestamp, size: 0 };
      }
    }
    this.writeScanned([records], [scanned], options);
    if (scanned.producerBatch) {
      if (scanned.batchCount === 1) this.producerState.update(appendProducer, scanned.firstOffset, scanned.lastOffset, scanned.maxTimestamp);
      else this.replayProducerBatchesOf(records);
    }
    return { duplicate: false, firstOffset: scanned.firstOffset, lastOffset: scanned.lastOffset, batchCount: scanned.batchCount, recordCount: scanned.recordCount, maxTimestamp: scanned.maxTimestamp, size: records.length };
  }

  /**
   * Appends the record sets of several Produce requests that arrived together, in their order, as append() would
   * one after the other, but in one pass: each is validated alone (one that fails gets its typed error in its
   * slot and nothing of it is written), and the valid ones are written with one pwritev and indexed. Record sets
   * of idempotent or transactional producers go through append() one at a time, in order (their producer state
   * must see the batches before them). Offsets are always assigned. If the write fails, every record set of that
   * write gets the error (none of them is visible).
   */
  appendMany(recordSets: readonly Buffer[], options: Omit<AppendOptions, 'assignOffsets' | 'origin'> = {}): Array<AppendInfo | Error> {
    this.ensureOpen();
    const results: Array<AppendInfo | Error> = new Array(recordSets.length);
    let slots: number[] = [];
    let group: Buffer[] = [];
    let scans: ScannedRecords[] = [];
    let groupBytes = 0;
    let next = this.logEndOffset;
    const writeGroup = () => {
      if (group.length > 0) {
        try {
          this.writeScanned(group, scans, options);
          for (let k = 0; k < group.length; k++) {
            const sc = scans[k];
            results[slots[k]] = { duplicate: false, firstOffset: sc.firstOffset, lastOffset: sc.lastOffset, batchCount: sc.batchCount, recordCount: sc.recordCount, maxTimestamp: sc.maxTimestamp, size: group[k].length };
          }
        } catch (err) {
          for (const i of slots) results[i] = err as Error;
        }
      }
      slots = [];
      group = [];
      scans = [];
      groupBytes = 0;
      next = this.logEndOffset;
    };
    /** Offsets of a scanned set moved to start at `next` (after a pass ended, or failed, before it). */
    const startAtNext = (sc: ScannedRecords) => {
      const shift = next - sc.firstOffset;
      sc.firstOffset += shift;
      sc.lastOffset += shift;
    };
    for (let i = 0; i < recordSets.length; i++) {
      const records = recordSets[i];
      let scanned: ScannedRecords;
      try {
        scanned = this.scan(records, options, next);
      } catch (err) {
        results[i] = err as Error;
        continue;
      }
      if (scanned.producerBatch) {
        writeGroup();
        startAtNext(scanned);
        try {
          results[i] = this.appendScanned(records, scanned, options);
        } catch (err) {
          results[i] = err as Error;
        }
        next = this.logEndOffset;
        continue;
      }
      // A pass never rolls in its middle: a record set that would roll the segment (as its own append would) ends
      // the pass before it and is written alone, rolling; the next pass fills the new segment. So segments and
      // their indexes come out as append() one after another makes them.
      if (group.length > 0 && this.rollDue(groupBytes + records.length, scanned.lastOffset, scanned.maxTimestamp)) {
        writeGroup();
        startAtNext(scanned);
      }
      slots.push(i);
      group.push(records);
      scans.push(scanned);
      groupBytes += records.length;
      next = scanned.lastOffset + 1;
      if (group.length === 1 && this.rollDue(records.length, scanned.lastOffset, scanned.maxTimestamp)) writeGroup();
    }
    writeGroup();
    return results;
  }

  /**
   * Validates a record set (header, length, magic, CRC-32C, codec, offset claims) without writing anything and
   * computes its offsets if it were appended at `next`. For producer batches, the last one's producer fields are
   * left in `appendProducer`.
   */
  private scan(records: Buffer, options: AppendOptions, next: number): ScannedRecords {
    const len = records.length;
    if (len === 0) fail('CORRUPT_MESSAGE', 'empty record set');
    const assign = options.assignOffsets !== false;
    const rejectControl = options.rejectControlBatches === true;
    let firstOffset = next;
    let batchCount = 0;
    let recordCount = 0;
    let maxTimestamp = -1;
    let producerBatch = false;
    let position = 0;
    while (position < len) {
      if (len - position < BATCH_HEADER_SIZE) fail('CORRUPT_MESSAGE', `truncated batch header at byte ${position}`);
      const batchLength = records.readInt32BE(position + BATCH_LENGTH);
      const size = LOG_OVERHEAD + batchLength;
      if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) fail('CORRUPT_MESSAGE', `batch length ${batchLength} too small`);
      if (size > this.config.maxMessageBytes) {
        fail('MESSAGE_TOO_LARGE', `batch of ${size} bytes exceeds max.message.bytes ${this.config.maxMessageBytes}`);
      }
      if (size > len - position) fail('CORRUPT_MESSAGE', `batch length ${batchLength} overruns the record set`);
      if (records[position + MAGIC] !== RECORD_BATCH_MAGIC) fail('CORRUPT_MESSAGE', `unsupported magic ${records[position + MAGIC]}`);
      const crc = records.readUInt32BE(position + CRC);
      if (crc32c(records, position + ATTRIBUTES, position + size) !== crc) fail('CORRUPT_MESSAGE', 'CRC-32C mismatch');
      const attributes = records.readInt16BE(position + ATTRIBUTES);
      if ((attributes & ATTRIBUTE_COMPRESSION_MASK) > 4) fail('CORRUPT_MESSAGE', 'unknown compression codec');
      if (rejectControl && attributes & ATTRIBUTE_CONTROL_MASK) fail('INVALID_RECORD', 'control batches are written by the broker only');
      const lastOffsetDelta = records.readInt32BE(position + LAST_OFFSET_DELTA);
      const count = records.readInt32BE(position + RECORD_COUNT);
      if (lastOffsetDelta < 0 || count < 1 || count > lastOffsetDelta + 1) {
        fail('INVALID_RECORD', `batch claims ${count} records over ${lastOffsetDelta + 1} offsets`);
      }
      if (!assign) {
        const base = readInt64(records, position + BASE_OFFSET);
        if (base < next) fail('INVALID_RECORD', `batch offset ${base} is below the log end ${next}`);
        if (position === 0) firstOffset = base;
        next = base;
      }
      next += lastOffsetDelta + 1;
      if (next > Number.MAX_SAFE_INTEGER) fail('INVALID_RECORD', 'offset beyond 2^53');
      const ts = records.readInt32BE(position + MAX_TIMESTAMP) * TWO_32 + records.readUInt32BE(position + MAX_TIMESTAMP + 4);
      if (ts > maxTimestamp) maxTimestamp = ts;
      if (records.readInt32BE(position + PRODUCER_ID) >= 0) producerBatch = this.readProducerHeader(records, position) || producerBatch;
      batchCount++;
      recordCount += count;
      position += size;
    }
    return { firstOffset, lastOffset: next - 1, batchCount, recordCount, maxTimestamp, producerBatch };
  }

  /**
   * Writes scanned record sets, back to back from the log end (one pwritev when there are several), rolling first
   * when the size or time rules say so; then moves the high watermark. Nothing is visible if the write fails.
   */
  private writeScanned(pieces: Buffer[], scans: ScannedRecords[], options: AppendOptions): void {
    const assign = options.assignOffsets !== false;
    let len = 0;
    let maxTimestamp = -1;
    let recordCount = 0;
    for (let k = 0; k < pieces.length; k++) {
      const sc = scans[k];
      if (assign || options.leaderEpoch !== undefined) this.patchHeaders(pieces[k], sc.firstOffset, assign, options.leaderEpoch);
      len += pieces[k].length;
      if (sc.maxTimestamp > maxTimestamp) maxTimestamp = sc.maxTimestamp;
      recordCount += sc.recordCount;
    }
    const firstOffset = scans[0].firstOffset;
    const lastOffset = scans[scans.length - 1].lastOffset;
    this.maybeRoll(len, firstOffset, lastOffset, maxTimestamp);
    try {
      this.writeToActive(pieces, lastOffset);
    } catch (err) {
      if ((err as StorageError).code !== 'ERR_SEGMENT_FULL') throw err;
      // The segment refused what our size and time rules allowed (its index is full): roll, try once more.
      this.roll(firstOffset, len);
      this.writeToActive(pieces, lastOffset);
    }
    this._highWatermark = lastOffset + 1;
    this.unflushedMessages += recordCount;
    if (this.unflushedMessages >= this.config.flushMessages) this.flushInBackground();
  }

  private writeToActive(pieces: Buffer[], lastOffset: number): void {
    this.segmentWrites++;
    if (pieces.length === 1) this.active.append(pieces[0], lastOffset);
    else this.active.appendPieces(pieces, lastOffset);
  }

  /**
   * Writes a transaction marker (a COMMIT or ABORT control batch) for a producer, as the transaction coordinator
   * does on every partition of a transaction, and closes the producer's open transaction here. Returns the
   * marker's offset. PRODUCER_FENCED for an older producer epoch, TRANSACTION_COORDINATOR_FENCED for an older
   * coordinator epoch; nothing is written then.
   */
  appendMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number, commit: boolean, timestamp = this.now()): number {
    this.ensureOpen();
    this.producerState.checkMarker(producerId, producerEpoch, coordinatorEpoch);
    const batch = encodeControlBatch({
      type: commit ? ControlRecordType.Commit : ControlRecordType.Abort,
      coordinatorEpoch,
      producerId,
      producerEpoch,
      timestamp,
    });
    const info = this.append(batch);
    const done = this.producerState.completeTxn(producerId, producerEpoch, coordinatorEpoch, info.firstOffset, !commit, timestamp);
    if (done?.aborted) {
      this.txnIndex.append(this.active.baseOffset, {
        producerId,
        firstOffset: done.firstOffset,
        lastOffset: done.lastOffset,
        lastStableOffset: done.lastStableOffset,
      });
    }
    return info.firstOffset;
  }

  /** The aborted transactions a read_committed fetch of [fetchOffset, upperBoundOffset) must tell the client. */
  abortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.txnIndex.size === 0 ? [] : this.txnIndex.collect(fetchOffset, upperBoundOffset);
  }

  /** Producer state for a multi-batch append that carried its own offsets (replication, tools). */
  private replayProducerBatchesOf(records: Buffer): void {
    for (let p = 0; p < records.length; p += LOG_OVERHEAD + records.readInt32BE(p + BATCH_LENGTH)) {
      if (!this.readProducerHeader(records, p)) continue;
      const base = readInt64(records, p + BASE_OFFSET);
      const ts = records.readInt32BE(p + MAX_TIMESTAMP) * TWO_32 + records.readUInt32BE(p + MAX_TIMESTAMP + 4);
      this.producerState.update(appendProducer, base, base + appendProducer.offsetDelta, ts);
    }
  }

  private patchHeaders(records: Buffer, firstOffset: number, assign: boolean, leaderEpoch: number | undefined): void {
    let offset = firstOffset;
    for (let position = 0; position < records.length; ) {
      if (assign) {
        // hi/lo words: no BigInt allocation per batch
        records.writeInt32BE(Math.floor(offset / TWO_32), position + BASE_OFFSET);
        records.writeUInt32BE(offset >>> 0, position + BASE_OFFSET + 4);
        offset += records.readInt32BE(position + LAST_OFFSET_DELTA) + 1;
      }
      if (leaderEpoch !== undefined) records.writeInt32BE(leaderEpoch, position + PARTITION_LEADER_EPOCH);
      position += LOG_OVERHEAD + records.readInt32BE(position + BATCH_LENGTH);
    }
  }

  private maybeRoll(size: number, firstOffset: number, lastOffset: number, maxTimestamp: number): void {
    if (!this.rollDue(size, lastOffset, maxTimestamp)) return;
    const seg = this.active;
    if (seg.size === 0) {
      // An empty active segment can only be too small (a batch beyond segment.bytes): replace it with a big one.
      seg.native.delete();
      this.segments.pop();
      this.segments.push(LogSegment.open(this.dir, firstOffset, this.config, 'create', true, this.now(), size));
      return;
    }
    this.roll(firstOffset, size);
  }

  /** Whether appending `size` bytes ending at `lastOffset` needs a new active segment (size, offset range, time). */
  private rollDue(size: number, lastOffset: number, maxTimestamp: number): boolean {
    const seg = this.active;
    if (seg.size === 0) return size > seg.capacity;
    return (
      seg.size + size > Math.min(this.config.segmentBytes, seg.capacity) ||
      lastOffset - seg.baseOffset > MAX_RELATIVE_OFFSET ||
      seg.msSinceRollBase(maxTimestamp, this.now) >= this.config.segmentMs
    );
  }

  /** Seals the active segment and starts a new one at `baseOffset` (default: the log end). */
  roll(baseOffset = this.logEndOffset, minCapacity = 0): void {
    this.ensureOpen();
    const old = this.active;
    if (old.size === 0 && old.baseOffset === baseOffset) return;
    old.seal();
    this.segments.push(LogSegment.open(this.dir, baseOffset, this.config, 'create', true, this.now(), minCapacity));
    // As Kafka does at every roll. After a clean stop the close-time snapshot serves; after a crash only a
    // snapshot at or below the recovery point is trusted (what lies above it may not have reached the disk). Not
    // fsynced here itself; the flush below covers it only if it reaches the disk first, and a torn snapshot fails
    // its CRC so an older one, or the log itself, serves instead.
    this.trySnapshot(baseOffset, false);
    // Kafka flushes the rolled segment in the background: the recovery point then follows the rolls, so a crash
    // scans (and replays producer state over) at most what was written since the last roll whose flush finished
    // and the last checkpoint, never everything since the last start. The flush keeps its own reference to the
    // files: a later delete or close of the segment does not cut it short.
    this.flushInBackground();
  }

  /**
   * Reads whole batches starting at the one holding `fetchOffset`, up to maxBytes (at least one batch unless
   * minOneBatch is false), never past maxOffset (default: the high watermark). The Buffers view the mapped
   * segments: no record byte is copied; they stay valid even if the segment is later deleted.
   */
  read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): LogReadResult {
    this.ensureOpen();
    const result: LogReadResult = {
      records: [],
      size: 0,
      logStartOffset: this._logStartOffset,
      highWatermark: this._highWatermark,
      logEndOffset: this.logEndOffset,
    };
    if (!Number.isSafeInteger(fetchOffset) || fetchOffset < this._logStartOffset || fetchOffset > this.logEndOffset) {
      fail('OFFSET_OUT_OF_RANGE', `offset ${fetchOffset} is outside [${this._logStartOffset}, ${this.logEndOffset}]`);
    }
    const maxOffset = Math.min(options.maxOffset ?? this._highWatermark, this.logEndOffset);
    let minOne = options.minOneBatch !== false;
    let remaining = maxBytes;
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length && fetchOffset < maxOffset; i++) {
      const segment = this.segments[i];
      const seg = segment.native;
      const start = segment.findOffsetPosition(fetchOffset);
      const end = maxOffset >= segment.nextOffset ? segment.size : segment.findOffsetPosition(maxOffset);
      if (start >= end) continue;
      const length = seg.readLength(start, Math.min(remaining, end - start), minOne);
      if (length === 0) break;
      const view = segment.view(start, length);
      result.records.push(view);
      result.size += view.length;
      remaining -= view.length;
      minOne = false;
      if (remaining <= 0 || start + view.length < end) break;
    }
    return result;
  }

  /** Index of the segment that holds `offset` (the last one whose base offset is <= offset). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * ListOffsets by timestamp: the earliest offset whose record timestamp is >= `timestamp`, with that record's
   * timestamp; null when no record is that new.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    this.ensureOpen();
    for (const seg of this.segments) {
      if (seg.maxTimestamp < timestamp || seg.size === 0) continue;
      let position = seg.native.findTimestampPosition(timestamp);
      while (position < seg.size) {
        const batch = seg.native.read(position, 1, true)!;
        const found = batchRecordTimestampAtOrAfter(batch, timestamp);
        if (found !== null) {
          if (found.offset < this._logStartOffset) return { offset: this._logStartOffset, timestamp: found.timestamp };
          return found;
        }
        position += batch.length;
      }
    }
    return null;
  }

  /** Flushes everything appended so far to disk and advances the recovery point. */
  async flush(): Promise<void> {
    this.ensureOpen();
    const target = this.logEndOffset;
    const epoch = this.truncations;
    const pending: Promise<void>[] = [];
    for (const seg of this.segments) {
      if (seg.nextOffset > this._recoveryPoint && !seg.native.closed) pending.push(seg.native.flush().then(() => {}));
    }
    pending.push(this.txnIndex.flush(this.segmentBaseOffsets()));
    this.unflushedMessages = 0;
    this.lastFlushMs = this.now();
    await Promise.all(pending);
    // A truncation during the flush may have replaced offsets below target with unflushed ones.
    if (epoch === this.truncations && target > this._recoveryPoint) this._recoveryPoint = Math.min(target, this.logEndOffset);
  }

  flushSync(): void {
    this.ensureOpen();
    const target = this.logEndOffset;
    for (const seg of this.segments) if (seg.nextOffset > this._recoveryPoint) seg.native.flushSync();
    this.txnIndex.flushSync(this.segmentBaseOffsets());
    this.unflushedMessages = 0;
    this.lastFlushMs = this.now();
    this._recoveryPoint = target;
  }

  private flushInBackground(): void {
    this.flush().catch(() => {
      // A failed background flush leaves the recovery point where it was: the data is rescanned after a crash.
    });
  }

  /** Flushes if flush.ms has passed since the last flush (called by the LogManager's scheduler). */
  flushIfDue(nowMs: number = this.now()): Promise<void> | null {
    if (this.closed || this.logEndOffset <= this._recoveryPoint || nowMs - this.lastFlushMs < this.config.flushMs) {
      return null;
    }
    return this.flush();
  }

  /** Acknowledgements waiting for a data sync (whenDurable callers not yet settled). */
  get durableWaiterCount(): number {
    return this.durableWaiters.length;
  }

  /** Everything below this offset is on disk: flushed (the recovery point) or covered by a data sync. */
  get durableOffset(): number {
    return Math.min(Math.max(this._recoveryPoint, this.syncedOffset), this.logEndOffset);
  }

  /**
   * Resolves once `offset` (typically a batch's last offset) is on disk; rejects with the StorageError of a failed
   * fdatasync, or ERR_LOG_CLOSED / OFFSET_OUT_OF_RANGE when the log closes or the offset is truncated away first.
   * Waiters arriving while a data sync runs share the next one (group commit).
   */
  whenDurable(offset: number): Promise<void> {
    if (offset < this.durableOffset) return RESOLVED;
    if (this.closed) return Promise.reject(new StorageError('log is closed', { code: 'ERR_LOG_CLOSED', path: this.dir }));
    if (offset >= this.logEndOffset) return Promise.reject(new StorageError(`offset ${offset} is not in the log`, { code: 'OFFSET_OUT_OF_RANGE', path: this.dir }));
    return new Promise<void>((resolve, reject) => {
      this.durableWaiters.push({ offset, resolve, reject });
      if (!this.dataSyncRunning) this.startDataSync();
    });
  }

  private startDataSync(): void {
    this.dataSyncRunning = true;
    this.dataSyncs++;
    const target = this.logEndOffset;
    const epoch = this.truncations;
    const from = this.durableOffset;
    const pending: Promise<number>[] = [];
    try {
      for (const seg of this.segments) if (seg.nextOffset > from && !seg.native.closed) pending.push(seg.native.flush(true));
    } catch (err) {
      pending.push(Promise.reject(err));
    }
    Promise.all(pending).then(
      () => {
        if (epoch === this.truncations && target > this.syncedOffset) this.syncedOffset = target;
        this.settleDurableWaiters(null, target);
      },
      (err: Error) => this.settleDurableWaiters(err, target),
    );
  }

  /** After a data sync up to `target`: resolves (or, when it failed, rejects) the waiters it covered. */
  private settleDurableWaiters(err: Error | null, target: number): void {
    this.dataSyncRunning = false;
    const durable = this.durableOffset;
    const left: DurableWaiter[] = [];
    for (const w of this.durableWaiters) {
      if (w.offset < durable) w.resolve();
      else if (err !== null && w.offset < target) w.reject(err);
      else left.push(w);
    }
    this.durableWaiters = left;
    if (left.length === 0) return;
    if (this.closed) this.rejectDurableWaiters(() => true, new StorageError('log is closed', { code: 'ERR_LOG_CLOSED', path: this.dir }));
    else this.startDataSync();
  }

  private rejectDurableWaiters(which: (w: DurableWaiter) => boolean, err: Error): void {
    const left: DurableWaiter[] = [];
    for (const w of this.durableWaiters) {
      if (which(w)) w.reject(err);
      else left.push(w);
    }
    this.durableWaiters = left;
  }

  /**
   * The offset below which the addon itself has seen data on disk: segments whose .log its fdatasyncs covered
   * (syncedSize), after what was known flushed at open. Independent of the bookkeeping above, for checks.
   */
  syncedOffsetOnDisk(): number {
    let durable = Math.min(this.durableAtOpen, this.logEndOffset);
    for (const seg of this.segments) {
      const n = seg.native;
      if (seg.nextOffset <= durable) continue;
      if (n.closed) break;
      const synced = n.syncedSize;
      if (synced >= n.size) {
        durable = seg.nextOffset;
        continue;
      }
      // The first offset whose batch ends past `synced`: binary search over offsets (batches are contiguous).
      let lo = Math.max(durable, seg.baseOffset);
      let hi = seg.nextOffset;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        const position = n.findOffsetPosition(mid);
        if (position + n.readLength(position, 1, true) > synced) hi = mid;
        else lo = mid + 1;
      }
      durable = lo;
      break;
    }
    return durable;
  }

  /** Removes every batch holding an offset >= `offset` (a batch straddling it goes whole). */
  truncateTo(offset: number): void {
    this.ensureOpen();
    if (offset >= this.logEndOffset) return;
    if (offset < 0) fail('OFFSET_OUT_OF_RANGE', `cannot truncate to ${offset}`);
    this.truncations++;
    while (this.segments.length > 1 && this.active.baseOffset > offset) {
      this.active.native.delete();
      this.segments.pop();
    }
    const seg = this.active;
    if (seg.baseOffset > offset) {
      seg.native.delete();
      this.segments.pop();
      this.segments.push(LogSegment.open(this.dir, offset, this.config, 'create', true, this.now()));
      this._logStartOffset = offset;
    } else {
      seg.truncateTo(offset, this.config.segmentBytes, this.config.segmentIndexBytes);
    }
    const end = this.logEndOffset;
    this._highWatermark = Math.min(this._highWatermark, end);
    this._recoveryPoint = Math.min(this._recoveryPoint, end);
    this.syncedOffset = Math.min(this.syncedOffset, end);
    this._logStartOffset = Math.min(this._logStartOffset, end);
    this.rejectDurableWaiters((w) => w.offset >= end, new StorageError(`truncated to ${end} before it was on disk`, { code: 'OFFSET_OUT_OF_RANGE', path: this.dir }));
    // The truncated batches' producer state must go too: back to the newest snapshot at or below the new end.
    this.txnIndex.load(this.segmentBaseOffsets()); // drops the files of the segments just deleted
    this.loadProducerState(offset);
  }

  /**
   * DeleteRecords: moves the log start offset up to `offset` (at most the high watermark) and deletes the
   * segments entirely below it. Returns the new log start offset.
   */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen();
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this._highWatermark) {
      fail('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [0, ${this._highWatermark}]`);
    }
    if (offset > this._logStartOffset) this._logStartOffset = offset;
    this.deleteSegmentsWhile((seg, next) => next !== undefined && next.baseOffset <= this._logStartOffset);
    this.producerState.truncateHead(this._logStartOffset);
    return this._logStartOffset;
  }

  /** Deletes whole segments past retention.ms or beyond retention.bytes (never data above the high watermark). */
  applyRetention(nowMs: number = this.now()): RetentionResult {
    this.ensureOpen();
    const result: RetentionResult = { deletedSegments: 0, deletedBytes: 0 };
    const count = (r: RetentionResult) => {
      result.deletedSegments += r.deletedSegments;
      result.deletedBytes += r.deletedBytes;
    };
    const { retentionMs, retentionBytes } = this.config;
    if (retentionMs >= 0) {
      count(this.deleteSegmentsWhile((seg) => seg.size > 0 && nowMs - seg.retentionTimestampMs > retentionMs));
    }
    if (retentionBytes >= 0) {
      let excess = this.size - retentionBytes;
      count(
        this.deleteSegmentsWhile((seg) => {
          if (excess - seg.size < 0) return false;
          excess -= seg.size;
          return true;
        }),
      );
    }
    count(this.deleteSegmentsWhile((seg, next) => next !== undefined && next.baseOffset <= this._logStartOffset));
    return result;
  }

  /** Deletes the oldest segments while `predicate` holds; the log always keeps an active segment. */
  private deleteSegmentsWhile(predicate: (seg: LogSegment, next: LogSegment | undefined) => boolean): RetentionResult {
    const result: RetentionResult = { deletedSegments: 0, deletedBytes: 0 };
    let n = 0;
    while (n < this.segments.length) {
      const seg = this.segments[n];
      const next = this.segments[n + 1];
      if (next === undefined && seg.size === 0) break; // an empty active segment is where the log goes on
      // Only data every consumer may already have read (below the high watermark) can go.
      const upper = next ? next.baseOffset : seg.nextOffset;
      if (upper > this._highWatermark || !predicate(seg, next)) break;
      n++;
    }
    if (n === 0) return result;
    if (n === this.segments.length) this.roll();
    const deleted = this.segments.splice(0, n);
    for (const seg of deleted) {
      result.deletedSegments++;
      result.deletedBytes += seg.size;
      seg.native.delete();
    }
    this._logStartOffset = Math.max(this._logStartOffset, this.segments[0].baseOffset);
    this.txnIndex.dropBefore(this.segments[0].baseOffset, deleted.map((seg) => seg.baseOffset));
    for (const offset of listSnapshots(this.dir)) if (offset < this.segments[0].baseOffset) deleteSnapshot(this.dir, offset);
    this.producerState.truncateHead(this._logStartOffset);
    return result;
  }

  /**
   * Snapshots are an optimisation of recovery, so writing one is best effort: without it (a full disk, a
   * directory removed under us) the next open replays from an older snapshot or the log start, only slower.
   */
  private trySnapshot(offset: number, durable: boolean): boolean {
    try {
      this.producerState.writeSnapshot(this.dir, offset, durable);
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets producers idle for producer.id.expiration.ms (called by the LogManager's scheduler). */
  removeExpiredProducers(expirationMs: number, nowMs: number = this.now()): number {
    if (this.closed) return 0;
    return this.producerState.removeExpired(nowMs, expirationMs);
  }

  /** Flushes, trims and closes every segment: a later open needs no recovery scan. */
  close(): void {
    if (this.closed) return;
    try {
      this.flushSync();
      this.trySnapshot(this.logEndOffset, true); // the next open replays nothing
    } finally {
      this.closed = true;
      for (const seg of this.segments) seg.close();
      // Everything was flushed above unless that failed: the waiters learn which.
      this.settleDurableWaiters(null, this.logEndOffset);
    }
  }

  /** Deletes every segment and the directory. Views handed out earlier stay readable. */
  delete(): void {
    if (!this.closed) {
      for (const seg of this.segments) seg.native.delete();
      this.closed = true;
      this.rejectDurableWaiters(() => true, new StorageError('log deleted', { code: 'ERR_LOG_CLOSED', path: this.dir }));
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
