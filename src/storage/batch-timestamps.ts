/**
 * Record-level timestamp search inside one record batch v2, for ListOffsets by timestamp: Kafka answers with the
 * first record (not batch) whose timestamp is >= the target. Walks the records' varint headers in place; only a
 * compressed batch is decompressed (once). Per record it reads the length, timestampDelta and offsetDelta and
 * skips the rest, allocating nothing.
 */
import { CompressionType, decompress } from '../protocol/records/compression';
import { readVarint, readVarlong, VarintResult } from '../protocol/records/varint';
import { StorageError } from '../errors/storage-error';

import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_TIMESTAMP_TYPE_MASK,
  ATTRIBUTES_POSITION,
  BASE_TIMESTAMP_POSITION,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_POSITION,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_POSITION,
  RECORD_COUNT_POSITION,
} from '../protocol/records/record-batch';

export function batchRecordTimestampAtOrAfter(batch: Buffer, target: number): { offset: number; timestamp: number } | null {
  const baseOffset = Number(batch.readBigInt64BE(0));
  const end = LOG_OVERHEAD + batch.readInt32BE(BATCH_LENGTH_POSITION);
  const attributes = batch.readInt16BE(ATTRIBUTES_POSITION);
  const maxTimestamp = Number(batch.readBigInt64BE(MAX_TIMESTAMP_POSITION));
  if (maxTimestamp < target) return null;
  if (attributes & ATTRIBUTE_TIMESTAMP_TYPE_MASK) {
    // Every record carries the broker's append time, stored once as the batch's max timestamp.
    return { offset: baseOffset, timestamp: maxTimestamp };
  }
  const baseTimestamp = Number(batch.readBigInt64BE(BASE_TIMESTAMP_POSITION));
  const count = batch.readInt32BE(RECORD_COUNT_POSITION);
  const codec = (attributes & ATTRIBUTE_COMPRESSION_MASK) as CompressionType;
  const body = batch.subarray(BATCH_HEADER_SIZE, end);
  const records = codec === CompressionType.None ? body : decompress(codec, body);
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
