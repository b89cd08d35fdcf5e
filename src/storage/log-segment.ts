/**
 * LogSegment: the TypeScript handle of one native segment (native/segment.h holds the on-disk format:
 * `<base>.log`, `<base>.index`, `<base>.timeindex`, base offset as 20 digits).
 *
 * Invariants: only the Log that owns it calls it, from the JS thread. At most one segment per log is active
 * (mapped with `segmentBytes` of capacity); the others are sealed and read-only until a truncation unseals one.
 * Offset lookups run in TypeScript over views of the mapped index and log (mapped-index-lookup.ts: measured
 * faster than the addon's, whose cost is mostly the call); the views are let go before every seal, truncation and
 * close, which may shrink the files under them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, NativeSegment, SegmentOpenMode } from '../native/binding';
import type { LogConfig } from '../config/log-config';
import { MappedIndexLookup } from './mapped-index-lookup';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** Parses `00000000000000001234.log` → 1234; null for anything else. */
export function parseSegmentFileName(name: string, suffix = LOG_SUFFIX): number | null {
  if (!name.endsWith(suffix)) return null;
  const digits = name.slice(0, -suffix.length);
  if (!/^\d{20}$/.test(digits)) return null;
  const base = Number(digits);
  return Number.isSafeInteger(base) ? base : null;
}

const VIEW_CHUNK_BYTES = native.Segment.VIEW_CHUNK_BYTES;
const VIEW_CHUNK_OVERLAP_BYTES = native.Segment.VIEW_CHUNK_OVERLAP_BYTES;

export class LogSegment {
  // Mirrors of the native segment's state, read on every append: a native accessor call costs more than the
  // checks it serves. Refreshed after every native call that changes them.
  size = 0;
  nextOffset = 0;
  capacity = 0;
  sealed = false;
  private firstBatchTimestamp = -1;
  private readonly lookup: MappedIndexLookup;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly native: NativeSegment,
    /** When this segment was created (or, if reopened, its log file's mtime): roll-by-time fallback. */
    readonly createdMs: number,
  ) {
    this.lookup = new MappedIndexLookup(this.native);
    this.refresh();
  }

  private refresh(): void {
    this.size = this.native.size;
    this.nextOffset = this.native.nextOffset;
    this.capacity = this.native.capacity;
    this.sealed = this.native.sealed;
    this.firstBatchTimestamp = this.native.firstBatchTimestamp;
  }

  /** No more appends (the log rolled past it); reads then share one ArrayBuffer over the whole file. */
  seal(): void {
    this.lookup.release();
    try {
      this.native.seal();
    } finally {
      this.refresh();
    }
  }

  /** Appends validated batches whose offsets end at lastOffset. */
  append(records: Buffer, lastOffset: number): void {
    this.native.append(records);
    this.size += records.length;
    this.nextOffset = lastOffset + 1;
    if (this.firstBatchTimestamp < 0) this.firstBatchTimestamp = this.native.firstBatchTimestamp;
  }

  /** Several buffers of whole batches, back to back, in one write; `lastOffset` is the last batch's. */
  appendPieces(pieces: Buffer[], lastOffset: number): void {
    this.native.appendPieces(pieces);
    for (const p of pieces) this.size += p.length;
    this.nextOffset = lastOffset + 1;
    if (this.firstBatchTimestamp < 0) this.firstBatchTimestamp = this.native.firstBatchTimestamp;
  }

  truncateTo(offset: number, segmentBytes: number, indexBytes: number): void {
    this.lookup.release();
    try {
      this.native.truncateTo(offset);
      if (this.native.info().sealed) this.native.unseal(segmentBytes, indexBytes);
    } finally {
      this.refresh();
    }
  }

  unseal(segmentBytes: number, indexBytes: number): void {
    this.lookup.release();
    try {
      this.native.unseal(segmentBytes, indexBytes);
    } finally {
      this.refresh();
    }
  }

  /** Flushes nothing: trims the files and closes (Log.close flushes first). */
  close(): void {
    this.lookup.release();
    this.native.close();
  }

  /** Position of the first batch whose lastOffset >= offset; size when there is none. */
  findOffsetPosition(offset: number): number {
    return this.lookup.findOffsetPosition(offset);
  }

  static open(dir: string, baseOffset: number, config: LogConfig, mode: SegmentOpenMode, active: boolean, nowMs: number, minCapacity = 0): LogSegment {
    const logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    const seg = new native.Segment({
      logPath,
      indexPath: path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX)),
      timeIndexPath: path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)),
      baseOffset,
      logCapacity: active ? Math.max(config.segmentBytes, minCapacity) : 0,
      indexCapacity: config.segmentIndexBytes,
      indexIntervalBytes: config.indexIntervalBytes,
      mode,
    });
    const createdMs = mode === 'create' ? nowMs : fs.statSync(logPath).mtimeMs;
    return new LogSegment(dir, baseOffset, seg, createdMs);
  }

  /**
   * Zero-copy view of [position, position + length) (whole batches). Reads that fit a chunk's shared ArrayBuffer
   * are slices of it: creating one external buffer per read made V8 count every read as new memory pressure and
   * collect garbage every ~85 MB read. Larger reads get a Buffer of their own.
   */
  view(position: number, length: number): Buffer {
    if (this.sealed) return Buffer.from(this.native.chunkBuffer(0, position + length), position, length);
    const chunk = Math.floor(position / VIEW_CHUNK_BYTES);
    const chunkStart = chunk * VIEW_CHUNK_BYTES;
    if (position + length <= chunkStart + VIEW_CHUNK_BYTES + VIEW_CHUNK_OVERLAP_BYTES) {
      return Buffer.from(this.native.chunkBuffer(chunk, position + length), position - chunkStart, length);
    }
    return this.native.read(position, length, true)!;
  }

  get maxTimestamp(): number {
    return this.native.maxTimestamp;
  }
  /**
   * Kafka's segment.ms clock: how far the incoming batch's timestamp is past this segment's first batch; for a
   * segment without batch timestamps, wall time since it was created.
   */
  msSinceRollBase(incomingMaxTimestamp: number, nowMs: () => number): number {
    const first = this.firstBatchTimestamp;
    return first >= 0 ? incomingMaxTimestamp - first : nowMs() - this.createdMs;
  }
  /** Newest timestamp for time retention: the largest batch timestamp, or the file's mtime when none. */
  get retentionTimestampMs(): number {
    const max = this.native.maxTimestamp;
    return max >= 0 ? max : this.createdMs;
  }
}
