/**
 * One partition's record batch as the embedded producer builds it (Kafka's ProducerBatch and MemoryRecordsBuilder
 * in one): send() encodes each record straight into the batch's buffer (record batch v2, see
 * protocol/records/record-batch.ts), so a record's bytes are copied once, from the caller's Buffer or string into
 * the batch, and never again by the client (a compressed batch is compressed once, when it closes).
 *
 * Life of a batch: open (records appended, at most `capacity` bytes: batch.size, or one larger record alone) →
 * closed (header written, records compressed; no more appends) → sealed for each send (producer id, epoch and base
 * sequence written, CRC-32C computed; a retry re-seals only if its sequence moved) → completed once: acknowledged
 * (each record's offset handed to its send() call) or failed.
 *
 * `batch.size` bounds the uncompressed records here; Kafka's producer estimates the compression ratio and may pack
 * more records into a compressed batch. Which send() call each record belongs to is kept as runs (call, first index
 * in the call, count): one entry per call and batch, not per record.
 */
import assert from 'node:assert';
import { crc32c } from '../native/binding';
import { CompressionType, compress } from '../protocol/records/compression';
import {
  ATTRIBUTE_TRANSACTIONAL_MASK,
  ATTRIBUTES_POSITION,
  BASE_OFFSET_POSITION,
  BASE_SEQUENCE_POSITION,
  BASE_TIMESTAMP_POSITION,
  BATCH_LENGTH_POSITION,
  CRC_POSITION,
  CRC_START_POSITION,
  LAST_OFFSET_DELTA_POSITION,
  LOG_OVERHEAD,
  MAGIC_POSITION,
  MAX_TIMESTAMP_POSITION,
  NO_PARTITION_LEADER_EPOCH,
  PARTITION_LEADER_EPOCH_POSITION,
  PRODUCER_EPOCH_POSITION,
  PRODUCER_ID_POSITION,
  RECORD_BATCH_MAGIC,
  RECORD_COUNT_POSITION,
  RECORDS_POSITION,
} from '../protocol/records/record-batch';
import { sizeOfVarint, sizeOfVarlong, VARINT_SIZE_MAX, VARLONG_SIZE_MAX, writeVarint, writeVarlong } from '../protocol/records/varint';

export type Bytes = Uint8Array | string;

export interface ProducerRecord {
  key?: Bytes | null;
  value: Bytes | null;
  headers?: ReadonlyArray<{ key: string; value: Bytes | null }>;
  /** An explicit partition; else the key's murmur2 hash; else the sticky partition. */
  partition?: number;
  /** CreateTime in milliseconds; default: when send() was called. */
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** The record's offset; -1 with acks=0 (nothing comes back), as Kafka's producer reports it. */
  offset: number;
}

/** One send() call: its records' results, filled in as their batches are acknowledged. */
export class SendCall {
  readonly out: RecordMetadata[];
  remaining: number;
  settled = false;
  /** Sent inside a transaction: its batches are transactional. */
  transactional = false;
  readonly promise: Promise<RecordMetadata[]>;
  private resolveFn!: (value: RecordMetadata[]) => void;
  private rejectFn!: (err: Error) => void;

  constructor(
    readonly topic: string,
    readonly records: readonly ProducerRecord[],
  ) {
    this.out = new Array<RecordMetadata>(records.length);
    this.remaining = records.length;
    this.promise = new Promise<RecordMetadata[]>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  acknowledge(partition: number, start: number, count: number, firstOffset: number): void {
    if (this.settled) return;
    for (let i = 0; i < count; i++) this.out[start + i] = { topic: this.topic, partition, offset: firstOffset < 0 ? -1 : firstOffset + i };
    this.remaining -= count;
    if (this.remaining === 0) {
      this.settled = true;
      this.resolveFn(this.out);
    }
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(err);
  }
}

function byteLength(data: Bytes | null | undefined): number {
  if (data === null || data === undefined) return -1;
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

function sizeOfBytes(length: number): number {
  return length < 0 ? 1 : sizeOfVarint(length) + length;
}

/** An upper bound of a record's encoded size in a batch (varint fields at their longest). */
export function recordSizeMax(record: ProducerRecord): number {
  let size = VARINT_SIZE_MAX + 1 + VARLONG_SIZE_MAX + VARINT_SIZE_MAX + sizeOfBytes(byteLength(record.key)) + sizeOfBytes(byteLength(record.value));
  const headers = record.headers;
  size += VARINT_SIZE_MAX;
  if (headers !== undefined) for (const h of headers) size += sizeOfBytes(Buffer.byteLength(h.key, 'utf8')) + sizeOfBytes(byteLength(h.value));
  return size;
}

/** Quick bound without scanning strings (a UTF-16 unit is at most 3 UTF-8 bytes): exact sizes only when near a limit. */
export function recordSizeBound(record: ProducerRecord): number {
  const rough = (d: Bytes | null | undefined) => (d === null || d === undefined ? 0 : typeof d === 'string' ? d.length * 3 : d.length);
  let size = 32 + rough(record.key) + rough(record.value);
  if (record.headers !== undefined) for (const h of record.headers) size += 10 + h.key.length * 3 + rough(h.value);
  return size;
}

function writeBytes(buf: Buffer, position: number, data: Bytes | null | undefined, length: number): number {
  position = writeVarint(buf, position, length);
  if (length <= 0) return position;
  if (typeof data === 'string') buf.write(data, position, length, 'utf8');
  else buf.set(data!, position);
  return position + length;
}

let nextBatchId = 0;

export class ProducerBatch {
  /** Creation order across the producer: retries of a partition are re-sent in this order. */
  readonly id = nextBatchId++;
  private readonly buf: Buffer;
  private position = RECORDS_POSITION;
  recordCount = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  /** The encoded batch, once closed. */
  bytes: Buffer | null = null;
  /** -1 until first sent by an idempotent producer; kept on retries (the broker deduplicates by it). */
  baseSequence = -1;
  private sealedSequence = -2;
  private sealedProducerId = -2n;
  private sealedEpoch = -2;
  /** Sends so far. */
  attempts = 0;
  /** Not sent again before this time (retry backoff). */
  retryAtMs = 0;
  drained = false;
  completed = false;
  private readonly runCalls: SendCall[] = [];
  private readonly runStarts: number[] = [];
  private readonly runCounts: number[] = [];
  private doneWaiters: Array<() => void> | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly capacity: number,
    private readonly compression: CompressionType,
    readonly transactional: boolean,
    readonly createdMs: number,
  ) {
    assert(capacity > RECORDS_POSITION, `batch capacity ${capacity}`);
    this.buf = Buffer.allocUnsafe(capacity);
  }

  get closed(): boolean {
    return this.bytes !== null;
  }

  get sizeBytes(): number {
    return this.bytes !== null ? this.bytes.length : this.position;
  }

  /** Encodes the record into the batch; false (nothing written) when it does not fit. */
  tryAppend(record: ProducerRecord, timestamp: number, call: SendCall, index: number): boolean {
    assert(this.bytes === null, 'append to a closed batch');
    if (this.recordCount === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    }
    const timestampDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.recordCount;
    const keyLength = byteLength(record.key);
    const valueLength = byteLength(record.value);
    const headers = record.headers;
    const headerCount = headers === undefined ? 0 : headers.length;
    let bodySize = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(keyLength) + sizeOfBytes(valueLength) + sizeOfVarint(headerCount);
    for (let h = 0; h < headerCount; h++) bodySize += sizeOfBytes(Buffer.byteLength(headers![h].key, 'utf8')) + sizeOfBytes(byteLength(headers![h].value));
    let position = this.position;
    if (position + sizeOfVarint(bodySize) + bodySize > this.capacity) return false;
    const buf = this.buf;
    position = writeVarint(buf, position, bodySize);
    buf[position++] = 0;
    position = writeVarlong(buf, position, timestampDelta);
    position = writeVarint(buf, position, offsetDelta);
    position = writeBytes(buf, position, record.key, keyLength);
    position = writeBytes(buf, position, record.value, valueLength);
    position = writeVarint(buf, position, headerCount);
    for (let h = 0; h < headerCount; h++) {
      const header = headers![h];
      position = writeBytes(buf, position, header.key, Buffer.byteLength(header.key, 'utf8'));
      position = writeBytes(buf, position, header.value, byteLength(header.value));
    }
    this.position = position;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.recordCount++;
    const last = this.runCalls.length - 1;
    if (last >= 0 && this.runCalls[last] === call && this.runStarts[last] + this.runCounts[last] === index) {
      this.runCounts[last]++;
    } else {
      this.runCalls.push(call);
      this.runStarts.push(index);
      this.runCounts.push(1);
    }
    return true;
  }

  /** Whether another record of `size` encoded bytes at most could still go in. */
  hasRoomFor(size: number): boolean {
    return this.bytes === null && this.position + size <= this.capacity;
  }

  /** Ends appends: writes the header (all but producer fields, sequence and CRC) and compresses the records. */
  close(): void {
    if (this.bytes !== null) return;
    assert(this.recordCount > 0, 'closing an empty batch');
    let batch: Buffer;
    if (this.compression === CompressionType.None) {
      batch = this.buf.subarray(0, this.position);
    } else {
      const compressed = compress(this.compression, this.buf.subarray(RECORDS_POSITION, this.position));
      batch = Buffer.allocUnsafe(RECORDS_POSITION + compressed.length);
      compressed.copy(batch, RECORDS_POSITION);
    }
    batch.writeBigInt64BE(0n, BASE_OFFSET_POSITION);
    batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_POSITION);
    batch.writeInt32BE(NO_PARTITION_LEADER_EPOCH, PARTITION_LEADER_EPOCH_POSITION);
    batch.writeInt8(RECORD_BATCH_MAGIC, MAGIC_POSITION);
    batch.writeInt16BE(this.compression | (this.transactional ? ATTRIBUTE_TRANSACTIONAL_MASK : 0), ATTRIBUTES_POSITION);
    batch.writeInt32BE(this.recordCount - 1, LAST_OFFSET_DELTA_POSITION);
    writeTimestamp(batch, BASE_TIMESTAMP_POSITION, this.baseTimestamp);
    writeTimestamp(batch, MAX_TIMESTAMP_POSITION, this.maxTimestamp);
    batch.writeInt32BE(this.recordCount, RECORD_COUNT_POSITION);
    this.bytes = batch;
  }

  /** The bytes to send, with these producer fields and the CRC over them. */
  seal(producerId: bigint, producerEpoch: number): Buffer {
    this.close();
    const batch = this.bytes!;
    if (this.sealedSequence !== this.baseSequence || this.sealedProducerId !== producerId || this.sealedEpoch !== producerEpoch) {
      batch.writeBigInt64BE(producerId, PRODUCER_ID_POSITION);
      batch.writeInt16BE(producerEpoch, PRODUCER_EPOCH_POSITION);
      batch.writeInt32BE(this.baseSequence, BASE_SEQUENCE_POSITION);
      batch.writeUInt32BE(crc32c(batch, CRC_START_POSITION, batch.length), CRC_POSITION);
      this.sealedSequence = this.baseSequence;
      this.sealedProducerId = producerId;
      this.sealedEpoch = producerEpoch;
    }
    return batch;
  }

  /** Hands each record its offset (firstOffset -1: unknown, acks=0). */
  acknowledge(firstOffset: number): void {
    if (this.completed) return;
    let delta = 0;
    for (let r = 0; r < this.runCalls.length; r++) {
      this.runCalls[r].acknowledge(this.partition, this.runStarts[r], this.runCounts[r], firstOffset < 0 ? -1 : firstOffset + delta);
      delta += this.runCounts[r];
    }
    this.complete();
  }

  fail(err: Error): void {
    if (this.completed) return;
    for (const call of this.runCalls) call.fail(err);
    this.complete();
  }

  private complete(): void {
    this.completed = true;
    const waiters = this.doneWaiters;
    this.doneWaiters = null;
    if (waiters !== null) for (const w of waiters) w();
  }

  /** Resolves once acknowledged or failed (never rejects). */
  whenDone(): Promise<void> {
    if (this.completed) return Promise.resolve();
    return new Promise((resolve) => (this.doneWaiters ??= []).push(resolve));
  }
}

const TWO_POW_32 = 2 ** 32;

function writeTimestamp(buf: Buffer, position: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, position);
  buf.writeUInt32BE(value - high * TWO_POW_32, position + 4);
}
