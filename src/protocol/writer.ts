/**
 * Writes Kafka wire primitives into one exactly-sized Buffer, sized beforehand by the caller (the codec computes
 * every message's size in a first pass). Opaque record data is not copied: `appendExternal` closes the current
 * slice of the head buffer and queues the caller's Buffers after it, so `finish()` returns the frame as a list of
 * Buffers for a vectored socket write: [head slice, records..., head slice, records..., head slice].
 *
 * Writers do not validate: the codec's sizing pass has checked every value's type and range.
 * Encodings: see reader.ts.
 */
import assert from 'node:assert';

export function sizeOfUnsignedVarint(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
}

export function sizeOfVarlong(value: bigint): number {
  let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  let size = 1;
  while (raw >= 0x80n) {
    raw >>= 7n;
    size++;
  }
  return size;
}

const TWO_POW_32 = 2 ** 32;

export class Writer {
  readonly buf: Buffer;
  position = 0;
  private readonly chunks: Buffer[] = [];
  private sliceStart = 0;

  /** `size`: the exact number of bytes that will be written into the head buffer. */
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  writeBoolean(value: boolean): void {
    this.buf[this.position++] = value ? 1 : 0;
  }

  writeInt8(value: number): void {
    this.buf.writeInt8(value, this.position);
    this.position += 1;
  }

  writeInt16(value: number): void {
    this.buf.writeInt16BE(value, this.position);
    this.position += 2;
  }

  writeUint16(value: number): void {
    this.buf.writeUInt16BE(value, this.position);
    this.position += 2;
  }

  writeInt32(value: number): void {
    this.buf.writeInt32BE(value, this.position);
    this.position += 4;
  }

  writeUint32(value: number): void {
    this.buf.writeUInt32BE(value, this.position);
    this.position += 4;
  }

  /** INT64 from a bigint, or from a safe-integer number without allocating a BigInt. */
  writeInt64(value: bigint | number): void {
    if (typeof value === 'bigint') {
      this.buf.writeBigInt64BE(value, this.position);
    } else {
      const high = Math.floor(value / TWO_POW_32);
      this.buf.writeInt32BE(high, this.position);
      this.buf.writeUInt32BE(value - high * TWO_POW_32, this.position + 4);
    }
    this.position += 8;
  }

  writeFloat64(value: number): void {
    this.buf.writeDoubleBE(value, this.position);
    this.position += 8;
  }

  /** UUID from its 8-4-4-4-12 hex form (validated by the caller). */
  writeUuid(value: string): void {
    const written = this.buf.write(value.replace(/-/g, ''), this.position, 16, 'hex');
    assert(written === 16, `invalid UUID ${value}`);
    this.position += 16;
  }

  writeUnsignedVarint(value: number): void {
    const buf = this.buf;
    let rest = value;
    while (rest >= 0x80) {
      buf[this.position++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    buf[this.position++] = rest;
  }

  writeVarint(value: number): void {
    this.writeUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  writeVarlong(value: bigint): void {
    let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    while (raw >= 0x80n) {
      this.buf[this.position++] = Number(raw & 0x7fn) | 0x80;
      raw >>= 7n;
    }
    this.buf[this.position++] = Number(raw);
  }

  /** The length prefix of a (COMPACT_)(NULLABLE_)STRING/BYTES or ARRAY: -1 (or compact 0) for null. */
  writeLength(length: number, compact: boolean, wide: boolean): void {
    if (compact) this.writeUnsignedVarint(length + 1);
    else if (wide) this.writeInt32(length);
    else this.writeInt16(length);
  }

  /** The UTF-8 bytes of `value`, whose byte length the caller measured as `byteLength`. */
  writeUtf8(value: string, byteLength: number): void {
    if (byteLength === 0) return;
    const written = this.buf.write(value, this.position, byteLength, 'utf8');
    assert(written === byteLength, 'string byte length changed between sizing and writing');
    this.position += byteLength;
  }

  /** Copies `bytes` into the head buffer. */
  writeRaw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.position);
    this.position += bytes.length;
  }

  /** Queues `data` (one Buffer or a list) to follow what was written so far, without copying it. */
  appendExternal(data: Uint8Array | readonly Uint8Array[]): void {
    if (data instanceof Uint8Array) {
      this.appendOne(data);
    } else {
      for (const part of data) this.appendOne(part);
    }
  }

  private appendOne(part: Uint8Array): void {
    if (part.length === 0) return;
    if (this.position > this.sliceStart) this.chunks.push(this.buf.subarray(this.sliceStart, this.position));
    this.sliceStart = this.position;
    this.chunks.push(Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  }

  /** The written frame: the head buffer's slices with the external Buffers between them. */
  finish(): Buffer[] {
    assert(this.position === this.buf.length, `wrote ${this.position} bytes into a head of ${this.buf.length}`);
    if (this.sliceStart === 0 && this.chunks.length === 0) return [this.buf];
    if (this.position > this.sliceStart) this.chunks.push(this.buf.subarray(this.sliceStart, this.position));
    return this.chunks;
  }
}
