/**
 * Minimal record batch v2 builder for storage tests and benchmarks: a correct 61-byte header (lengths, offsets,
 * timestamps, CRC-32C) over an opaque records section. The storage layer never parses records, so their bytes
 * are arbitrary here; record-level encoding is tested with the protocol codec.
 */
import { crc32c } from '../../src/native/binding';

export interface RawBatchOptions {
  baseOffset?: number;
  recordCount?: number;
  baseTimestamp?: number;
  maxTimestamp?: number;
  payloadBytes?: number;
  fill?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  attributes?: number;
}

export const HEADER_BYTES = 61;

export function rawBatch(o: RawBatchOptions = {}): Buffer {
  const recordCount = o.recordCount ?? 1;
  const payload = o.payloadBytes ?? 32;
  const buf = Buffer.alloc(HEADER_BYTES + payload, o.fill ?? 0x61);
  const baseTimestamp = o.baseTimestamp ?? 1_700_000_000_000;
  buf.writeBigInt64BE(BigInt(o.baseOffset ?? 0), 0);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt32BE(0, 12);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(o.attributes ?? 0, 21);
  buf.writeInt32BE(recordCount - 1, 23);
  buf.writeBigInt64BE(BigInt(baseTimestamp), 27);
  buf.writeBigInt64BE(BigInt(o.maxTimestamp ?? baseTimestamp), 35);
  buf.writeBigInt64BE(BigInt(o.producerId ?? -1), 43);
  buf.writeInt16BE(o.producerEpoch ?? -1, 51);
  buf.writeInt32BE(o.baseSequence ?? -1, 53);
  buf.writeInt32BE(recordCount, 57);
  buf.writeUInt32BE(crc32c(buf, 21, buf.length), 17);
  return buf;
}

export function batchBaseOffset(buf: Buffer, position = 0): number {
  return Number(buf.readBigInt64BE(position));
}
