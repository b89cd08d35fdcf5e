/**
 * Walks a buffer of concatenated record batches (magic 2, see record-batch.ts): a Fetch response's records,
 * a segment read, a Produce request's records. Yields each complete batch's header; the caller decides
 * whether to verify (verifyRecordBatch) or decode (decodeRecordBatch at `header.position`).
 *
 * A trailing partial batch ends the walk without an error: brokers cut fetch responses at maxBytes in the
 * middle of a batch, and Kafka's clients skip that tail the same way. `partial` then tells the caller, and
 * `position` is where the partial batch starts. A batchLength below the header's own size is never a
 * partial batch, so it throws StorageError CORRUPT_MESSAGE, as Kafka's ByteBufferLogInputStream does.
 */
import assert from 'node:assert';
import { StorageError } from '../../errors/storage-error';
import { BATCH_LENGTH_MIN, BATCH_LENGTH_POSITION, LOG_OVERHEAD, readBatchHeader, RecordBatchHeader } from './record-batch';

export class RecordBatchIterator implements IterableIterator<RecordBatchHeader> {
  private readonly bytes: Buffer;
  private readonly end: number;
  private cursor: number;

  /** Walks `buf` from `position` to `end` (default: its length). */
  constructor(buf: Uint8Array, position = 0, end = buf.length) {
    assert(Number.isInteger(position) && Number.isInteger(end) && 0 <= position && position <= end && end <= buf.length);
    this.bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.cursor = position;
    this.end = end;
  }

  /** Position of the first byte not yet yielded: after the walk, where a partial batch (if any) starts. */
  get position(): number {
    return this.cursor;
  }

  /** Bytes after the last complete batch. Meaningful once the walk has ended. */
  get partialBytes(): number {
    return this.end - this.cursor;
  }

  get partial(): boolean {
    return this.cursor < this.end;
  }

  next(): IteratorResult<RecordBatchHeader> {
    const remaining = this.end - this.cursor;
    if (remaining < LOG_OVERHEAD) return { done: true, value: undefined };
    const batchLength = this.bytes.readInt32BE(this.cursor + BATCH_LENGTH_POSITION);
    if (batchLength < BATCH_LENGTH_MIN) {
      throw new StorageError(
        `record batch at position ${this.cursor} has batchLength ${batchLength} < ${BATCH_LENGTH_MIN}`,
        { code: 'CORRUPT_MESSAGE' },
      );
    }
    if (LOG_OVERHEAD + batchLength > remaining) return { done: true, value: undefined };
    const header = readBatchHeader(this.bytes, this.cursor);
    this.cursor += header.size;
    return { done: false, value: header };
  }

  [Symbol.iterator](): RecordBatchIterator {
    return this;
  }
}
