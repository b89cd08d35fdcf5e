/**
 * The one loader of the native addon (build/Release/strata_native.node) and its types. Everything else imports
 * from here. The addon is handed StorageError at load so its failures are real StorageError instances.
 */
import * as path from 'node:path';
import { StorageError } from '../errors/storage-error';

export type SegmentOpenMode = 'create' | 'clean' | 'recover';

export interface NativeSegmentOptions {
  logPath: string;
  indexPath: string;
  timeIndexPath: string;
  /** Offset of the segment's first batch; also its file name. Bound: Number.MAX_SAFE_INTEGER. */
  baseOffset: number;
  /** Virtual size of the log mapping: the most this segment can hold. 0 for a read-only (sealed) segment. */
  logCapacity: number;
  /** segment.index.bytes: mapped size of .index and .timeindex. */
  indexCapacity: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
  mode: SegmentOpenMode;
}

export interface NativeSegmentInfo {
  indexEntries: number;
  timeIndexEntries: number;
  offsetOfMaxTimestamp: number;
  sealed: boolean;
  /** truncatedBytes: non-zero bytes cut (corruption); zeroTailBytes: preallocated zeros cut (not corruption). */
  recovery: { validBytes: number; truncatedBytes: number; zeroTailBytes: number; indexRebuilt: boolean };
}

export type LookupStateField =
  | 'generation'
  | 'closed'
  | 'sealed'
  | 'size'
  | 'nextOffset'
  | 'baseOffset'
  | 'maxTimestamp'
  | 'indexEntries'
  | 'timeIndexEntries';

export interface NativeSegment {
  /** Copies whole batches (baseOffset already assigned) at the end; returns their position. */
  append(batches: Uint8Array): number;
  /** The batches of several buffers appended back to back (one pwritev); the position of the first. */
  appendPieces(pieces: Uint8Array[]): number;
  /** Whole batches from `position` within maxBytes, as a Buffer of its own viewing the mapping; null at the end. */
  read(position: number, maxBytes: number, minOneBatch: boolean): Buffer | null;
  /** Byte length of the whole batches `read` would return. */
  readLength(position: number, maxBytes: number, minOneBatch: boolean): number;
  /**
   * ArrayBuffer viewing the log mapping from chunkIndex * VIEW_CHUNK_BYTES to at least `minEnd` (absolute), shared
   * by every read in that chunk while any view of it lives; slice it with Buffer.from(ab, offset, length).
   */
  chunkBuffer(chunkIndex: number, minEnd: number): ArrayBuffer;
  /**
   * ArrayBuffer viewing the .index mapping (8-byte entries: relative offset u32 BE, position u32 BE) from byte 0,
   * at least to `minEnd` (at most indexEntries * 8), for lookups in TypeScript. The same one is returned while it
   * reaches minEnd; drop it when lookupState()'s generation changes (truncation, seal, unseal, close).
   */
  indexBuffer(minEnd: number): ArrayBuffer;
  /** The same over the .timeindex mapping (12-byte entries: timestamp i64 BE, relative offset u32 BE). */
  timeIndexBuffer(minEnd: number): ArrayBuffer;
  /**
   * The segment state a lookup over those views needs (slots: Segment.LOOKUP_STATE), kept current by the addon
   * after every call that changes it, so reading it costs no call. Always the same Float64Array.
   */
  lookupState(): Float64Array;
  findOffsetPosition(offset: number): number;
  findTimestampPosition(timestamp: number): number;
  indexFloor(offset: number): [offset: number, position: number] | null;
  timeIndexFloor(timestamp: number): [timestamp: number, offset: number] | null;
  truncateTo(offset: number): number;
  seal(): void;
  /** Makes a sealed segment appendable again, mapped at logCapacity (after a truncation made it the last). */
  unseal(logCapacity: number, indexCapacity: number): void;
  /**
   * fdatasync on the libuv pool: the .log, .index and .timeindex, or with dataOnly the .log alone (what an
   * acknowledgement needs; recovery rebuilds indexes from the data). Resolves with syncedSize.
   */
  flush(dataOnly?: boolean): Promise<number>;
  flushSync(): void;
  close(): void;
  delete(): void;
  info(): NativeSegmentInfo;
  readonly size: number;
  readonly baseOffset: number;
  readonly nextOffset: number;
  readonly maxTimestamp: number;
  readonly firstBatchTimestamp: number;
  readonly indexSlotsLeft: number;
  readonly capacity: number;
  readonly closed: boolean;
  /** No appends until unseal(); chunkBuffer then has one chunk, 0, over the whole file. */
  readonly sealed: boolean;
  readonly liveViews: number;
  /**
   * Bytes of the .log known on disk: the data size when the last completed fdatasync was queued (0 after open,
   * lowered by a truncation below it; a flush that overlapped a truncation below its size notes nothing).
   */
  readonly syncedSize: number;
}

export interface NativeBinding {
  setErrorClass(ctor: typeof StorageError): void;
  crc32c(bytes: Uint8Array, start?: number, end?: number, init?: number): number;
  crc32cPortable(bytes: Uint8Array, start?: number, end?: number, init?: number): number;
  crc32cHardware(bytes: Uint8Array, start?: number, end?: number, init?: number): number;
  readonly crc32cHardwareAvailable: boolean;
  Segment: {
    new (options: NativeSegmentOptions): NativeSegment;
    /** Chunk size of the shared read ArrayBuffers. */
    readonly VIEW_CHUNK_BYTES: number;
    /** How far past its chunk an ArrayBuffer reaches, so reads up to this size starting in the chunk fit. */
    readonly VIEW_CHUNK_OVERLAP_BYTES: number;
    /** Slot of each field in lookupState(). generation: +1 whenever views handed out should be dropped. */
    readonly LOOKUP_STATE: Readonly<Record<LookupStateField, number>>;
  };
}

// Same relative path from src/native (tests, tsx) and dist/native (compiled).
const addonPath = path.join(__dirname, '..', '..', 'build', 'Release', 'strata_native.node');

function load(): NativeBinding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binding = require(addonPath) as NativeBinding;
  binding.setErrorClass(StorageError);
  return binding;
}

export const native: NativeBinding = load();
export const { crc32c } = native;
