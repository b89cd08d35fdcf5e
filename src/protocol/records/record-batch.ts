/**
 * Kafka record batch, magic 2 (KIP-98), the unit of the produce and fetch APIs and of the log segments.
 *
 * Header, 61 bytes, big-endian, at these byte positions:
 *    0 baseOffset i64            8 batchLength i32 (bytes after this field)   12 partitionLeaderEpoch i32
 *   16 magic i8 (2)             17 crc u32 (CRC-32C of bytes [21, end))       21 attributes i16
 *   23 lastOffsetDelta i32      27 baseTimestamp i64                          35 maxTimestamp i64
 *   43 producerId i64           51 producerEpoch i16                          53 baseSequence i32
 *   57 recordCount i32          61 records (one compressed block when attributes bits 0-2 != 0)
 * attributes: bits 0-2 compression (see compression.ts), bit 3 timestamp type (1 = LogAppendTime),
 * bit 4 transactional, bit 5 control, bit 6 hasDeleteHorizonMs (baseTimestamp then holds the delete horizon).
 * baseOffset and partitionLeaderEpoch lie outside the CRC so the broker can assign them in place.
 *
 * Record: length varint (bytes after it), attributes i8 (unused), timestampDelta varlong, offsetDelta varint,
 * keyLength varint (-1 = null) + key, valueLength varint (-1 = null) + value, headerCount varint, then per
 * header keyLength varint + UTF-8 key, valueLength varint (-1 = null) + value.
 *
 * Offsets and producer ids are bigint (int64 on the wire). Timestamps are numbers: int64 milliseconds bounded
 * to the safe integers; a header timestamp outside them is rejected as CORRUPT_MESSAGE.
 *
 * Errors follow Kafka's split, which producers act on: problems with the batch framing (too short, length,
 * magic, CRC, undecodable compressed block) throw StorageError CORRUPT_MESSAGE (retriable for the Java
 * client); records that do not parse inside a batch whose CRC holds throw INVALID_RECORD (not retriable: the
 * producer built them that way).
 */
import assert from 'node:assert';
import { crc32c } from '../../native/binding';
import { StorageError } from '../../errors/storage-error';
import { CompressionType, compress, decompress, DECOMPRESSED_BYTES_MAX_DEFAULT } from './compression';
import { readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, VarintResult, writeVarint, writeVarlong } from './varint';

export const BASE_OFFSET_POSITION = 0;
export const BATCH_LENGTH_POSITION = 8;
export const PARTITION_LEADER_EPOCH_POSITION = 12;
export const MAGIC_POSITION = 16;
export const CRC_POSITION = 17;
export const ATTRIBUTES_POSITION = 21;
export const LAST_OFFSET_DELTA_POSITION = 23;
export const BASE_TIMESTAMP_POSITION = 27;
export const MAX_TIMESTAMP_POSITION = 35;
export const PRODUCER_ID_POSITION = 43;
export const PRODUCER_EPOCH_POSITION = 51;
export const BASE_SEQUENCE_POSITION = 53;
export const RECORD_COUNT_POSITION = 57;
export const RECORDS_POSITION = 61;

/** The CRC covers the batch from here to its end. */
export const CRC_START_POSITION = ATTRIBUTES_POSITION;
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
export const BATCH_LENGTH_MIN = BATCH_HEADER_SIZE - LOG_OVERHEAD;
/** batchLength is an i32. */
export const BATCH_LENGTH_MAX = 0x7fffffff;
export const RECORD_BATCH_MAGIC = 2;

export const ATTRIBUTE_COMPRESSION_MASK = 0x07;
export const ATTRIBUTE_TIMESTAMP_TYPE_MASK = 0x08;
export const ATTRIBUTE_TRANSACTIONAL_MASK = 0x10;
export const ATTRIBUTE_CONTROL_MASK = 0x20;
export const ATTRIBUTE_DELETE_HORIZON_MASK = 0x40;

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1;

/** Smallest encoded record: 1-byte length, attributes, and 1-byte timestampDelta, offsetDelta, keyLength, valueLength, headerCount. */
export const RECORD_SIZE_MIN = 7;
const RECORD_BODY_SIZE_MIN = RECORD_SIZE_MIN - 1;
/** Smallest encoded header: 1-byte keyLength and valueLength. */
const HEADER_SIZE_MIN = 2;

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export interface RecordBatchHeader {
  /** Byte position of the batch in the buffer it was read from. */
  position: number;
  /** Bytes of the whole batch: LOG_OVERHEAD + batchLength. */
  size: number;
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  transactional: boolean;
  control: boolean;
  hasDeleteHorizonMs: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface KafkaRecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record. key, value and header values view the decoded bytes: copy them to keep them past those. */
export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  /** baseTimestamp + timestampDelta, or the batch's maxTimestamp under LogAppendTime (as Kafka reads it). */
  timestamp: number;
  offsetDelta: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaRecordHeader[];
}

export interface RecordBatch extends RecordBatchHeader {
  records: KafkaRecord[];
}

export interface KafkaRecordHeaderInput {
  key: string;
  value?: Uint8Array | string | null;
}

export interface KafkaRecordInput {
  key?: Uint8Array | string | null;
  value?: Uint8Array | string | null;
  headers?: readonly KafkaRecordHeaderInput[];
  /** Milliseconds; defaults to the time of the encode call. */
  timestamp?: number;
  /** Defaults to the record's index. Must increase strictly through the batch. */
  offsetDelta?: number;
}

export interface RecordBatchInput {
  baseOffset?: bigint | number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  timestampType?: TimestampType;
  transactional?: boolean;
  control?: boolean;
  producerId?: bigint | number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the first record's timestamp (NO_TIMESTAMP without records). */
  baseTimestamp?: number;
  /** Defaults to the largest record timestamp (NO_TIMESTAMP without records). */
  maxTimestamp?: number;
  /** Sets hasDeleteHorizonMs; the horizon is stored as baseTimestamp, so it excludes `baseTimestamp`. */
  deleteHorizonMs?: number;
  /** Defaults to the last record's offsetDelta (0 without records). Needed for batches emptied by compaction. */
  lastOffsetDelta?: number;
  records: readonly KafkaRecordInput[];
}

export interface DecodeRecordBatchOptions {
  /** Bound on the decompressed records section; see compression.ts. */
  decompressedBytesMax?: number;
}

function corrupt(message: string): StorageError {
  return new StorageError(message, { code: 'CORRUPT_MESSAGE' });
}

function invalid(message: string): StorageError {
  return new StorageError(message, { code: 'INVALID_RECORD' });
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const TWO_POW_32 = 2 ** 32;

function readTimestamp(buf: Buffer, position: number, field: string): number {
  const value = buf.readInt32BE(position) * TWO_POW_32 + buf.readUInt32BE(position + 4);
  if (!Number.isSafeInteger(value)) throw corrupt(`${field} at position ${position} is outside the safe integer range`);
  return value;
}

function writeTimestamp(buf: Buffer, position: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, position);
  buf.writeUInt32BE(value - high * TWO_POW_32, position + 4);
}

/**
 * Reads the 61-byte header of the batch at `position` without touching its records or checking its CRC, so
 * it works on a header read alone. Checks what the header itself must satisfy: enough bytes for it, magic 2,
 * batchLength >= 49, a known compression type.
 */
export function readBatchHeader(buf: Uint8Array, position = 0): RecordBatchHeader {
  assert(Number.isInteger(position) && position >= 0, `bad position ${position}`);
  const bytes = asBuffer(buf);
  if (bytes.length - position < BATCH_HEADER_SIZE) {
    throw corrupt(`record batch header at position ${position} is truncated: ${bytes.length - position} bytes`);
  }
  const batchLength = bytes.readInt32BE(position + BATCH_LENGTH_POSITION);
  if (batchLength < BATCH_LENGTH_MIN) {
    throw corrupt(`record batch at position ${position} has batchLength ${batchLength} < ${BATCH_LENGTH_MIN}`);
  }
  const magic = bytes.readInt8(position + MAGIC_POSITION);
  if (magic !== RECORD_BATCH_MAGIC) {
    throw corrupt(`record batch at position ${position} has magic ${magic}, only ${RECORD_BATCH_MAGIC} is supported`);
  }
  const attributes = bytes.readInt16BE(position + ATTRIBUTES_POSITION);
  const compression = attributes & ATTRIBUTE_COMPRESSION_MASK;
  if (compression > CompressionType.Zstd) {
    throw new StorageError(`record batch at position ${position} has unknown compression type ${compression}`, {
      code: 'UNSUPPORTED_COMPRESSION_TYPE',
    });
  }
  return {
    position,
    size: LOG_OVERHEAD + batchLength,
    baseOffset: bytes.readBigInt64BE(position + BASE_OFFSET_POSITION),
    batchLength,
    partitionLeaderEpoch: bytes.readInt32BE(position + PARTITION_LEADER_EPOCH_POSITION),
    magic,
    crc: bytes.readUInt32BE(position + CRC_POSITION),
    attributes,
    compression: compression as CompressionType,
    timestampType: attributes & ATTRIBUTE_TIMESTAMP_TYPE_MASK ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    transactional: (attributes & ATTRIBUTE_TRANSACTIONAL_MASK) !== 0,
    control: (attributes & ATTRIBUTE_CONTROL_MASK) !== 0,
    hasDeleteHorizonMs: (attributes & ATTRIBUTE_DELETE_HORIZON_MASK) !== 0,
    lastOffsetDelta: bytes.readInt32BE(position + LAST_OFFSET_DELTA_POSITION),
    baseTimestamp: readTimestamp(bytes, position + BASE_TIMESTAMP_POSITION, 'baseTimestamp'),
    maxTimestamp: readTimestamp(bytes, position + MAX_TIMESTAMP_POSITION, 'maxTimestamp'),
    producerId: bytes.readBigInt64BE(position + PRODUCER_ID_POSITION),
    producerEpoch: bytes.readInt16BE(position + PRODUCER_EPOCH_POSITION),
    baseSequence: bytes.readInt32BE(position + BASE_SEQUENCE_POSITION),
    recordCount: bytes.readInt32BE(position + RECORD_COUNT_POSITION),
  };
}

/** CRC-32C of the batch at `position` as it should be stored, given its header's batchLength. */
export function computeBatchCrc(buf: Uint8Array, position: number, batchLength: number): number {
  return crc32c(buf, position + CRC_START_POSITION, position + LOG_OVERHEAD + batchLength);
}

/**
 * Checks the batch at `position` as the broker must before appending it: readBatchHeader's checks, the whole
 * batch present in `buf`, and its CRC. Does not decompress or parse records.
 */
export function verifyRecordBatch(buf: Uint8Array, position = 0): RecordBatchHeader {
  const header = readBatchHeader(buf, position);
  if (buf.length - position < header.size) {
    throw corrupt(
      `record batch at position ${position} is truncated: batchLength says ${header.size} bytes, ` +
        `${buf.length - position} present`,
    );
  }
  const crc = computeBatchCrc(buf, position, header.batchLength);
  if (crc !== header.crc) {
    throw corrupt(
      `record batch at position ${position} fails its CRC: stored 0x${header.crc.toString(16)}, ` +
        `computed 0x${crc.toString(16)}`,
    );
  }
  return header;
}

// Decoding is synchronous, so one cursor serves every call.
const cursor = new VarintResult();

function readLength(data: Buffer, position: number, end: number, what: string): number {
  readVarint(data, position, end, cursor);
  const length = cursor.value;
  if (length < -1 || length > end - cursor.next) {
    throw invalid(`${what} length ${length} at position ${position} does not fit in the ${end - cursor.next} bytes left`);
  }
  return length;
}

function readRecords(data: Buffer, start: number, end: number, header: RecordBatchHeader): KafkaRecord[] {
  const count = header.recordCount;
  if (count < 0 || count > (end - start) / RECORD_SIZE_MIN) {
    throw invalid(`record count ${count} does not fit in ${end - start} bytes of records`);
  }
  const logAppendTime = header.timestampType === TimestampType.LogAppendTime;
  const records = new Array<KafkaRecord>(count);
  let position = start;
  for (let index = 0; index < count; index++) {
    const recordStart = position;
    readVarint(data, position, end, cursor);
    const bodySize = cursor.value;
    position = cursor.next;
    if (bodySize < RECORD_BODY_SIZE_MIN || bodySize > end - position) {
      throw invalid(`record ${index} at position ${recordStart} has length ${bodySize}, ${end - position} bytes left`);
    }
    const recordEnd = position + bodySize;
    const attributes = (data[position++]! << 24) >> 24;
    readVarlong(data, position, recordEnd, cursor);
    const timestampDelta = cursor.value;
    position = cursor.next;
    readVarint(data, position, recordEnd, cursor);
    const offsetDelta = cursor.value;
    position = cursor.next;

    const keyLength = readLength(data, position, recordEnd, 'key');
    position = cursor.next;
    const key = keyLength < 0 ? null : data.subarray(position, position + keyLength);
    position += Math.max(keyLength, 0);

    const valueLength = readLength(data, position, recordEnd, 'value');
    position = cursor.next;
    const value = valueLength < 0 ? null : data.subarray(position, position + valueLength);
    position += Math.max(valueLength, 0);

    readVarint(data, position, recordEnd, cursor);
    const headerCount = cursor.value;
    position = cursor.next;
    if (headerCount < 0 || headerCount > (recordEnd - position) / HEADER_SIZE_MIN) {
      throw invalid(`record ${index} declares ${headerCount} headers in ${recordEnd - position} bytes`);
    }
    const headers = new Array<KafkaRecordHeader>(headerCount);
    for (let headerIndex = 0; headerIndex < headerCount; headerIndex++) {
      const headerKeyLength = readLength(data, position, recordEnd, 'header key');
      if (headerKeyLength < 0) throw invalid(`record ${index} has a header with a null key`);
      position = cursor.next;
      const headerKey = data.toString('utf8', position, position + headerKeyLength);
      position += headerKeyLength;
      const headerValueLength = readLength(data, position, recordEnd, 'header value');
      position = cursor.next;
      const headerValue = headerValueLength < 0 ? null : data.subarray(position, position + headerValueLength);
      position += Math.max(headerValueLength, 0);
      headers[headerIndex] = { key: headerKey, value: headerValue };
    }
    if (position !== recordEnd) {
      throw invalid(`record ${index} at position ${recordStart} declares ${bodySize} bytes but uses ${position - recordEnd + bodySize}`);
    }
    records[index] = {
      attributes,
      timestampDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      offsetDelta,
      offset: header.baseOffset + BigInt(offsetDelta),
      key,
      value,
      headers,
    };
  }
  if (position !== end) {
    throw invalid(`${end - position} bytes remain after the batch's ${count} records`);
  }
  return records;
}

/**
 * Decodes the batch at `position`: verifyRecordBatch's checks, then decompression (bounded) and every record,
 * which must fill the records section exactly. Trailing bytes in `buf` after the batch are not looked at.
 */
export function decodeRecordBatch(
  buf: Uint8Array,
  position = 0,
  options: DecodeRecordBatchOptions = {},
): RecordBatch {
  const header = verifyRecordBatch(buf, position);
  const bytes = asBuffer(buf);
  const section = bytes.subarray(position + RECORDS_POSITION, position + header.size);
  const data =
    header.compression === CompressionType.None
      ? section
      : decompress(header.compression, section, options.decompressedBytesMax ?? DECOMPRESSED_BYTES_MAX_DEFAULT);
  let records: KafkaRecord[];
  try {
    records = readRecords(data, 0, data.length, header);
  } catch (error) {
    // The varint readers report CORRUPT_MESSAGE; inside a batch whose CRC holds, that is an invalid record.
    if (error instanceof StorageError && error.code === 'CORRUPT_MESSAGE') throw invalid(error.message);
    throw error;
  }
  return { ...header, records };
}

function toBytes(data: Uint8Array | string | null | undefined): Buffer | null {
  if (data === null || data === undefined) return null;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : asBuffer(data);
}

interface PreparedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headerKeys: Buffer[];
  headerValues: (Buffer | null)[];
  timestampDelta: number;
  offsetDelta: number;
  bodySize: number;
}

function sizeOfBytes(data: Buffer | null): number {
  return data === null ? 1 : sizeOfVarint(data.length) + data.length;
}

function writeBytes(buf: Buffer, position: number, data: Buffer | null): number {
  if (data === null) return writeVarint(buf, position, -1);
  position = writeVarint(buf, position, data.length);
  data.copy(buf, position);
  return position + data.length;
}

function isInt(value: number, bits: 16 | 32): boolean {
  const limit = bits === 16 ? 0x8000 : 0x80000000;
  return Number.isInteger(value) && value >= -limit && value < limit;
}

function toInt64(value: bigint | number, field: string): bigint {
  const result = BigInt(value);
  assert(result >= -(2n ** 63n) && result < 2n ** 63n, `${field} out of the int64 range: ${value}`);
  return result;
}

/**
 * Builds a complete batch: batchLength, lastOffsetDelta, maxTimestamp, recordCount and the CRC are computed
 * from the input. Input that no valid batch could hold (offsetDeltas not increasing, an epoch outside i16, ...)
 * fails an assertion: it is the caller's bug, not the peer's.
 */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const records = input.records;
  const compression = input.compression ?? CompressionType.None;
  assert(compression >= CompressionType.None && compression <= CompressionType.Zstd, `bad compression ${compression}`);
  const now = Date.now();
  const timestamps = records.map((record) => record.timestamp ?? now);
  for (const timestamp of timestamps) assert(Number.isSafeInteger(timestamp), `bad timestamp ${timestamp}`);
  assert(
    input.deleteHorizonMs === undefined || input.baseTimestamp === undefined,
    'deleteHorizonMs is stored as baseTimestamp: pass one of them',
  );
  const baseTimestamp = input.deleteHorizonMs ?? input.baseTimestamp ?? timestamps[0] ?? NO_TIMESTAMP;
  const maxTimestamp =
    input.maxTimestamp ?? (timestamps.length === 0 ? NO_TIMESTAMP : timestamps.reduce((a, b) => Math.max(a, b)));
  assert(Number.isSafeInteger(baseTimestamp) && Number.isSafeInteger(maxTimestamp), 'bad batch timestamps');

  const prepared = new Array<PreparedRecord>(records.length);
  let recordsSize = 0;
  let previousOffsetDelta = -1;
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    const offsetDelta = record.offsetDelta ?? index;
    assert(
      isInt(offsetDelta, 32) && offsetDelta > previousOffsetDelta,
      `offsetDelta ${offsetDelta} of record ${index} does not follow ${previousOffsetDelta}`,
    );
    previousOffsetDelta = offsetDelta;
    const timestampDelta = timestamps[index]! - baseTimestamp;
    assert(Number.isSafeInteger(timestampDelta), `timestamp delta of record ${index} out of range`);
    const key = toBytes(record.key);
    const value = toBytes(record.value);
    const headers = record.headers ?? [];
    const headerKeys = new Array<Buffer>(headers.length);
    const headerValues = new Array<Buffer | null>(headers.length);
    let bodySize =
      1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(key) + sizeOfBytes(value);
    bodySize += sizeOfVarint(headers.length);
    for (let headerIndex = 0; headerIndex < headers.length; headerIndex++) {
      const header = headers[headerIndex]!;
      assert(typeof header.key === 'string', `header ${headerIndex} of record ${index} needs a string key`);
      headerKeys[headerIndex] = Buffer.from(header.key, 'utf8');
      headerValues[headerIndex] = toBytes(header.value);
      bodySize += sizeOfBytes(headerKeys[headerIndex]!) + sizeOfBytes(headerValues[headerIndex]!);
    }
    assert(bodySize <= BATCH_LENGTH_MAX, `record ${index} is too large`);
    prepared[index] = { key, value, headerKeys, headerValues, timestampDelta, offsetDelta, bodySize };
    recordsSize += sizeOfVarint(bodySize) + bodySize;
  }
  const lastOffsetDelta = input.lastOffsetDelta ?? (records.length === 0 ? 0 : previousOffsetDelta);
  assert(
    isInt(lastOffsetDelta, 32) && lastOffsetDelta >= previousOffsetDelta,
    `lastOffsetDelta ${lastOffsetDelta} is below the last record's ${previousOffsetDelta}`,
  );

  const uncompressed = Buffer.allocUnsafe(compression === CompressionType.None ? RECORDS_POSITION + recordsSize : recordsSize);
  let position = compression === CompressionType.None ? RECORDS_POSITION : 0;
  for (const record of prepared) {
    position = writeVarint(uncompressed, position, record.bodySize);
    uncompressed[position++] = 0;
    position = writeVarlong(uncompressed, position, record.timestampDelta);
    position = writeVarint(uncompressed, position, record.offsetDelta);
    position = writeBytes(uncompressed, position, record.key);
    position = writeBytes(uncompressed, position, record.value);
    position = writeVarint(uncompressed, position, record.headerKeys.length);
    for (let headerIndex = 0; headerIndex < record.headerKeys.length; headerIndex++) {
      position = writeBytes(uncompressed, position, record.headerKeys[headerIndex]!);
      position = writeBytes(uncompressed, position, record.headerValues[headerIndex]!);
    }
  }
  assert.equal(position, uncompressed.length);

  let batch: Buffer;
  if (compression === CompressionType.None) {
    batch = uncompressed;
  } else {
    const compressed = compress(compression, uncompressed);
    batch = Buffer.allocUnsafe(RECORDS_POSITION + compressed.length);
    compressed.copy(batch, RECORDS_POSITION);
  }
  assert(batch.length - LOG_OVERHEAD <= BATCH_LENGTH_MAX, 'record batch too large');

  const partitionLeaderEpoch = input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH;
  const producerEpoch = input.producerEpoch ?? NO_PRODUCER_EPOCH;
  const baseSequence = input.baseSequence ?? NO_SEQUENCE;
  assert(isInt(partitionLeaderEpoch, 32), `bad partitionLeaderEpoch ${partitionLeaderEpoch}`);
  assert(isInt(producerEpoch, 16), `bad producerEpoch ${producerEpoch}`);
  assert(isInt(baseSequence, 32), `bad baseSequence ${baseSequence}`);
  let attributes: number = compression;
  if (input.timestampType === TimestampType.LogAppendTime) attributes |= ATTRIBUTE_TIMESTAMP_TYPE_MASK;
  if (input.transactional) attributes |= ATTRIBUTE_TRANSACTIONAL_MASK;
  if (input.control) attributes |= ATTRIBUTE_CONTROL_MASK;
  if (input.deleteHorizonMs !== undefined) attributes |= ATTRIBUTE_DELETE_HORIZON_MASK;

  batch.writeBigInt64BE(toInt64(input.baseOffset ?? 0n, 'baseOffset'), BASE_OFFSET_POSITION);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_POSITION);
  batch.writeInt32BE(partitionLeaderEpoch, PARTITION_LEADER_EPOCH_POSITION);
  batch.writeInt8(RECORD_BATCH_MAGIC, MAGIC_POSITION);
  batch.writeInt16BE(attributes, ATTRIBUTES_POSITION);
  batch.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA_POSITION);
  writeTimestamp(batch, BASE_TIMESTAMP_POSITION, baseTimestamp);
  writeTimestamp(batch, MAX_TIMESTAMP_POSITION, maxTimestamp);
  batch.writeBigInt64BE(toInt64(input.producerId ?? NO_PRODUCER_ID, 'producerId'), PRODUCER_ID_POSITION);
  batch.writeInt16BE(producerEpoch, PRODUCER_EPOCH_POSITION);
  batch.writeInt32BE(baseSequence, BASE_SEQUENCE_POSITION);
  batch.writeInt32BE(records.length, RECORD_COUNT_POSITION);
  batch.writeUInt32BE(crc32c(batch, CRC_START_POSITION, batch.length), CRC_POSITION);
  return batch;
}
