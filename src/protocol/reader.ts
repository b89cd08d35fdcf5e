/**
 * A bounds-checked cursor over one frame of Kafka wire bytes.
 *
 * Every read first checks that its bytes lie within [position, end); a length prefix is checked against the bytes
 * that remain before anything is sliced or allocated, so a frame that claims a 2 GiB string or a 2^31-element array
 * fails at once with a KafkaProtocolError instead of allocating. Byte fields (`bytes`, `records`) are returned as
 * subarrays of the frame: no copy, and they keep the frame's memory alive as long as they are referenced.
 *
 * Encodings (the protocol guide's "Protocol Primitive Types"):
 * - INT8/16/32/64, UINT16/32, FLOAT64: big-endian, fixed size. BOOLEAN: one byte, non-zero is true.
 * - UUID: 16 bytes, returned as the canonical lower-case 8-4-4-4-12 hex string.
 * - UNSIGNED_VARINT: 7 bits a byte, least significant group first, at most 5 bytes (uint32).
 *   VARINT / VARLONG: zigzag-encoded int32 / int64 over the same scheme (at most 5 / 10 bytes).
 * - STRING: INT16 length N >= 0, then N bytes of UTF-8; NULLABLE_STRING: N = -1 is null.
 *   COMPACT_(NULLABLE_)STRING: UNSIGNED_VARINT N + 1, 0 is null.
 * - BYTES: INT32 length, then the bytes; NULLABLE_BYTES: -1 is null; COMPACT_(NULLABLE_)BYTES: UNSIGNED_VARINT N + 1.
 * - ARRAY: INT32 count (-1 null where nullable); COMPACT_ARRAY: UNSIGNED_VARINT count + 1 (0 null).
 * - TAG_BUFFER: UNSIGNED_VARINT count, then per field UNSIGNED_VARINT tag, UNSIGNED_VARINT size, size bytes.
 */
import { KafkaProtocolError, ProtocolErrorCode } from './protocol-error';

const INT16_MAX = 0x7fff;

export class Reader {
  readonly buf: Buffer;
  position: number;
  /** Reads never pass this position; tagged fields narrow it temporarily to their declared size. */
  end: number;
  /** The code of the errors this reader throws: INVALID_REQUEST for requests, CORRUPT_MESSAGE otherwise. */
  readonly errorCode: ProtocolErrorCode;

  constructor(buf: Buffer, start = 0, end = buf.length, errorCode: ProtocolErrorCode = 'CORRUPT_MESSAGE') {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
      throw new KafkaProtocolError(errorCode, `frame bounds [${start}, ${end}) outside a buffer of ${buf.length}`);
    }
    this.buf = buf;
    this.position = start;
    this.end = end;
    this.errorCode = errorCode;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  fail(message: string): never {
    throw new KafkaProtocolError(this.errorCode, `${message} (at byte ${this.position})`);
  }

  /** Throws unless `size` more bytes remain. */
  need(size: number, what: string): void {
    if (this.end - this.position < size) {
      this.fail(`${what} needs ${size} bytes, ${this.end - this.position} remain`);
    }
  }

  skip(size: number, what = 'skipped bytes'): void {
    this.need(size, what);
    this.position += size;
  }

  readBoolean(): boolean {
    this.need(1, 'BOOLEAN');
    return this.buf[this.position++] !== 0;
  }

  readInt8(): number {
    this.need(1, 'INT8');
    const value = this.buf.readInt8(this.position);
    this.position += 1;
    return value;
  }

  readInt16(): number {
    this.need(2, 'INT16');
    const value = this.buf.readInt16BE(this.position);
    this.position += 2;
    return value;
  }

  readUint16(): number {
    this.need(2, 'UINT16');
    const value = this.buf.readUInt16BE(this.position);
    this.position += 2;
    return value;
  }

  readInt32(): number {
    this.need(4, 'INT32');
    const value = this.buf.readInt32BE(this.position);
    this.position += 4;
    return value;
  }

  readUint32(): number {
    this.need(4, 'UINT32');
    const value = this.buf.readUInt32BE(this.position);
    this.position += 4;
    return value;
  }

  readInt64(): bigint {
    this.need(8, 'INT64');
    const value = this.buf.readBigInt64BE(this.position);
    this.position += 8;
    return value;
  }

  readFloat64(): number {
    this.need(8, 'FLOAT64');
    const value = this.buf.readDoubleBE(this.position);
    this.position += 8;
    return value;
  }

  readUuid(): string {
    this.need(16, 'UUID');
    const hex = this.buf.toString('hex', this.position, this.position + 16);
    this.position += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** UNSIGNED_VARINT: a uint32 in 1 to 5 bytes; a 5th byte may carry only the top 4 bits. */
  readUnsignedVarint(): number {
    const buf = this.buf;
    const end = this.end;
    let position = this.position;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (position >= end) this.fail('UNSIGNED_VARINT runs past the end of the frame');
      const byte = buf[position++];
      if (i === 4 && byte > 0x0f) this.fail('UNSIGNED_VARINT is longer than 32 bits');
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        this.position = position;
        return value;
      }
      shift += 7;
    }
    return this.fail('UNSIGNED_VARINT is longer than 5 bytes');
  }

  /** VARINT: a zigzag-encoded int32. */
  readVarint(): number {
    const raw = this.readUnsignedVarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** VARLONG: a zigzag-encoded int64 in 1 to 10 bytes. */
  readVarlong(): bigint {
    const buf = this.buf;
    let raw = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.end) this.fail('VARLONG runs past the end of the frame');
      const byte = buf[this.position++];
      if (i === 9 && byte > 0x01) this.fail('VARLONG is longer than 64 bits');
      raw |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return (raw >> 1n) ^ -(raw & 1n);
      shift += 7n;
    }
    return this.fail('VARLONG is longer than 10 bytes');
  }

  /** STRING / NULLABLE_STRING (INT16 length) or, when `compact`, COMPACT_(NULLABLE_)STRING. */
  readString(compact: boolean, nullable: boolean): string | null {
    let length: number;
    if (compact) {
      length = this.readUnsignedVarint() - 1;
    } else {
      length = this.readInt16();
    }
    if (length < 0) {
      if (length === -1 && nullable) return null;
      this.fail(`${nullable ? 'nullable ' : ''}string length ${length} is invalid`);
    }
    if (!compact && length > INT16_MAX) this.fail(`string length ${length} exceeds INT16`);
    this.need(length, 'string');
    const start = this.position;
    this.position += length;
    return this.buf.toString('utf8', start, start + length);
  }

  /**
   * BYTES / NULLABLE_BYTES (INT32 length) or COMPACT_(NULLABLE_)BYTES: a subarray of the frame, never a copy.
   */
  readBytes(compact: boolean, nullable: boolean): Buffer | null {
    let length: number;
    if (compact) {
      length = this.readUnsignedVarint() - 1;
    } else {
      length = this.readInt32();
    }
    if (length < 0) {
      if (length === -1 && nullable) return null;
      this.fail(`${nullable ? 'nullable ' : ''}bytes length ${length} is invalid`);
    }
    this.need(length, 'bytes');
    const start = this.position;
    this.position += length;
    return this.buf.subarray(start, start + length);
  }

  /**
   * An array's element count, checked against the bytes that remain: `elementSizeMin` (>= 1) is the least an
   * element can take, so `count * elementSizeMin > remaining` fails before a single element is decoded.
   * Returns -1 for a null array (only when `nullable`).
   */
  readArrayCount(compact: boolean, nullable: boolean, elementSizeMin: number, what: string): number {
    let count: number;
    if (compact) {
      count = this.readUnsignedVarint() - 1;
    } else {
      count = this.readInt32();
    }
    if (count < 0) {
      if (count === -1 && nullable) return -1;
      this.fail(`${what}: array length ${count} is invalid`);
    }
    if (count * elementSizeMin > this.end - this.position) {
      this.fail(
        `${what}: ${count} elements of at least ${elementSizeMin} bytes do not fit in the ${this.end - this.position} bytes left`,
      );
    }
    return count;
  }

  /** Skips a whole TAG_BUFFER (every field unknown to the caller). */
  skipTaggedFields(): void {
    const count = this.readUnsignedVarint();
    for (let i = 0; i < count; i++) {
      this.readUnsignedVarint();
      const size = this.readUnsignedVarint();
      this.skip(size, 'tagged field');
    }
  }
}
