/**
 * Record-level timestamp search inside one record batch v2, for ListOffsets by timestamp: Kafka answers with the
 * first record (not batch) whose timestamp is >= the target. Walks the records' varint headers in place; only a
 * compressed batch is decompressed (once). Per record it reads the length, timestampDelta and offsetDelta and
 * skips the rest, allocating nothing.
 */
import { CompressionType, decompress } from '../protocol/records/compression';
import { readVarint, readVarlong, VarintResult } from '../protocol/records/varint';
import { StorageError } from '../errors/storage-error';

const ATTRIBUTES = 21;
const BASE_TIMESTAMP = 27;
const MAX_TIMESTAMP = 35;
const RECORD_COUNT = 57;
const HEADER_BYTES = 61;
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

export function batchRecordTimestampAtOrAfter(batch: Buffer, target: number): { offset: number; timestamp: number } | null {
  const baseOffset = Number(batch.readBigInt64BE(0));
  const end = 12 + batch.readInt32BE(8);
  const attributes = batch.readInt16BE(ATTRIBUTES);
  const maxTimestamp = Number(batch.readBigInt64BE(MAX_TIMESTAMP));
  if (maxTimestamp < target) return null;
  if (attributes & TIMESTAMP_TYPE_LOG_APPEND) {
    // Every record carries the broker's append time, stored once as the batch's max timestamp.
    return { offset: baseOffset, timestamp: maxTimestamp };
  }
  const baseTimestamp = Number(batch.readBigInt64BE(BASE_TIMESTAMP));
  const count = batch.readInt32BE(RECORD_COUNT);
  const codec = (attributes & 0x07) as CompressionType;
  const records = codec === CompressionType.None ? batch.subarray(HEADER_BYTES, end) : decompress(codec, batch.subarray(HEADER_BYTES, end));
  const cursor = new VarintResult();
  let position = 0;
  for (let i = 0; i < count && position < records.length; i++) {
    readVarint(records, position, records.length, cursor);
    const length = cursor.value;
    const next = cursor.next + length;
    if (length < 0 || next > records.length) throw new StorageError('record length overruns its batch', { code: 'CORRUPT_MESSAGE' });
    readVarlong(records, cursor.next + 1, next, cursor); // +1: the attributes byte
    const timestamp = baseTimestamp + cursor.value;
    readVarint(records, cursor.next, next, cursor);
    if (timestamp >= target) return { offset: baseOffset + cursor.value, timestamp };
    position = next;
  }
  return null;
}
