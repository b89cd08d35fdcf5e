/**
 * Kafka variable-length integers, as used by record batch v2 records and by flexible API versions.
 *
 * - varint: a signed int32, zigzag-encoded ((n << 1) ^ (n >> 31)), then written 7 bits at a time, least
 *   significant group first, high bit set on every byte but the last. 1 to 5 bytes.
 * - varlong: the same for a signed int64, 1 to 10 bytes. As a `number` it is bounded to the safe integers
 *   (|n| <= 2^53 - 1): enough for timestamps and timestamp deltas in milliseconds. The `...BigInt` variants
 *   cover the full int64 range.
 * - unsigned varint: a uint32 without zigzag (compact lengths and tagged fields of flexible versions).
 *   1 to 5 bytes.
 *
 * Writers take (buf, position, value) and return the position after the value. Readers take
 * (buf, position, end, result) and fill a caller-owned VarintResult, so a decode loop reuses one object
 * instead of allocating per value. A read that would pass `end`, or an encoding longer than the type allows,
 * throws StorageError CORRUPT_MESSAGE: readers face bytes from the network and the disk.
 */
import assert from 'node:assert';
import { StorageError } from '../../errors/storage-error';

/** Where a read left off: the decoded value and the position of the byte after it. Reuse one per loop. */
export class VarintResult {
  value = 0;
  next = 0;
}

/** Same as VarintResult for the full-range varlong. */
export class VarlongBigIntResult {
  value = 0n;
  next = 0;
}

export const VARINT_SIZE_MAX = 5;
export const VARLONG_SIZE_MAX = 10;

const TWO_POW_28 = 2 ** 28;
const TWO_POW_27 = 2 ** 27;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MASK = 2n ** 64n - 1n;

function truncated(kind: string, position: number): StorageError {
  return new StorageError(`${kind} runs past the end of its bytes at position ${position}`, {
    code: 'CORRUPT_MESSAGE',
  });
}

function tooLong(kind: string, position: number): StorageError {
  return new StorageError(`${kind} at position ${position} is longer than its type allows`, {
    code: 'CORRUPT_MESSAGE',
  });
}

function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function sizeOfUint32(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

function writeUint32(buf: Uint8Array, position: number, value: number): number {
  let rest = value;
  while (rest >= 0x80) {
    buf[position++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buf[position++] = rest;
  return position;
}

// Shared by readVarint and readUnsignedVarint: at most 5 bytes, and the 5th may carry only the top 4 bits,
// so every accepted encoding denotes exactly one uint32.
function readUint32(buf: Uint8Array, position: number, end: number, kind: string, result: VarintResult): void {
  const start = position;
  const limit = Math.min(end, buf.length);
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (position >= limit) throw truncated(kind, position);
    const byte = buf[position++]!;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      result.value = value;
      result.next = position;
      return;
    }
  }
  if (position >= limit) throw truncated(kind, position);
  const byte = buf[position++]!;
  if (byte > 0x0f) throw tooLong(kind, start);
  // `+` rather than `|`: bit 31 would turn the result negative.
  result.value = value + byte * TWO_POW_28;
  result.next = position;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUint32(zigzag32(value));
}

/** Writes a zigzag varint; `value` must be an int32. */
export function writeVarint(buf: Uint8Array, position: number, value: number): number {
  assert(Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff, `varint out of range: ${value}`);
  return writeUint32(buf, position, zigzag32(value));
}

export function readVarint(buf: Uint8Array, position: number, end: number, result: VarintResult): VarintResult {
  readUint32(buf, position, end, 'varint', result);
  const zigzag = result.value;
  result.value = (zigzag >>> 1) ^ -(zigzag & 1);
  return result;
}

export function sizeOfUnsignedVarint(value: number): number {
  return sizeOfUint32(value);
}

/** Writes an unsigned varint; `value` must be a uint32. */
export function writeUnsignedVarint(buf: Uint8Array, position: number, value: number): number {
  assert(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, `unsigned varint out of range: ${value}`);
  return writeUint32(buf, position, value);
}

export function readUnsignedVarint(
  buf: Uint8Array,
  position: number,
  end: number,
  result: VarintResult,
): VarintResult {
  readUint32(buf, position, end, 'unsigned varint', result);
  return result;
}

// A number varlong is handled as sign + magnitude: zigzag(n) = 2m + sign with m = n >= 0 ? n : -n - 1, so
// the low byte is ((m mod 64) << 1) | sign and the rest is floor(m / 64), all exact in a double while m is a
// safe integer (2m + 1 itself would not be).

export function sizeOfVarlong(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return sizeOfUint32(zigzag32(value));
  const magnitude = value >= 0 ? value : -value - 1;
  let rest = Math.floor(magnitude / 64);
  let size = 1;
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 128);
  }
  return size;
}

/** Writes a zigzag varlong; `value` must be a safe integer. */
export function writeVarlong(buf: Uint8Array, position: number, value: number): number {
  assert(Number.isSafeInteger(value), `varlong out of the safe integer range: ${value}`);
  if (value >= -0x40000000 && value < 0x40000000) return writeUint32(buf, position, zigzag32(value));
  const negative = value < 0;
  const magnitude = negative ? -value - 1 : value;
  let rest = Math.floor(magnitude / 64);
  // rest > 0 here: |value| >= 2^30.
  buf[position++] = 0x80 | ((magnitude % 64) << 1) | (negative ? 1 : 0);
  while (rest >= 0x80) {
    buf[position++] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  buf[position++] = rest;
  return position;
}

/**
 * Reads a zigzag varlong as a number. A well-formed varlong outside the safe integer range throws
 * CORRUPT_MESSAGE: silently rounding a timestamp would be worse than refusing it.
 */
export function readVarlong(buf: Uint8Array, position: number, end: number, result: VarintResult): VarintResult {
  const start = position;
  const limit = Math.min(end, buf.length);
  // The first 4 bytes (28 bits) fold into `low` with int ops; later groups go to `high` in plain arithmetic.
  let low = 0;
  let shift = 0;
  for (;;) {
    if (position >= limit) throw truncated('varlong', position);
    const byte = buf[position++]!;
    low |= (byte & 0x7f) << shift;
    shift += 7;
    if (byte < 0x80) {
      result.value = (low >>> 1) ^ -(low & 1);
      result.next = position;
      return result;
    }
    if (shift === 28) break;
  }
  let high = 0;
  let scale = 1;
  for (let index = 4; ; index++) {
    if (index === VARLONG_SIZE_MAX) throw tooLong('varlong', start);
    if (position >= limit) throw truncated('varlong', position);
    const byte = buf[position++]!;
    if (index === VARLONG_SIZE_MAX - 1 && byte > 0x01) throw tooLong('varlong', start);
    high += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) break;
  }
  // floor(zigzag / 2) = high * 2^27 + (low >>> 1); exact while below 2^53, and anything larger is rejected.
  const half = high * TWO_POW_27 + (low >>> 1);
  const negative = (low & 1) === 1;
  if (half > Number.MAX_SAFE_INTEGER || (negative && half === Number.MAX_SAFE_INTEGER)) {
    throw new StorageError(`varlong at position ${start} is outside the safe integer range`, {
      code: 'CORRUPT_MESSAGE',
    });
  }
  result.value = negative ? -half - 1 : half;
  result.next = position;
  return result;
}

function zigzag64(value: bigint): bigint {
  return ((value << 1n) ^ (value >> 63n)) & UINT64_MASK;
}

export function sizeOfVarlongBigInt(value: bigint): number {
  let rest = zigzag64(value);
  let size = 1;
  while (rest >= 0x80n) {
    size++;
    rest >>= 7n;
  }
  return size;
}

/** Writes a zigzag varlong; `value` must be an int64. */
export function writeVarlongBigInt(buf: Uint8Array, position: number, value: bigint): number {
  assert(value >= INT64_MIN && value <= INT64_MAX, `varlong out of the int64 range: ${value}`);
  let rest = zigzag64(value);
  while (rest >= 0x80n) {
    buf[position++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  buf[position++] = Number(rest);
  return position;
}

export function readVarlongBigInt(
  buf: Uint8Array,
  position: number,
  end: number,
  result: VarlongBigIntResult,
): VarlongBigIntResult {
  const start = position;
  const limit = Math.min(end, buf.length);
  let zigzag = 0n;
  for (let index = 0; ; index++) {
    if (index === VARLONG_SIZE_MAX) throw tooLong('varlong', start);
    if (position >= limit) throw truncated('varlong', position);
    const byte = buf[position++]!;
    if (index === VARLONG_SIZE_MAX - 1 && byte > 0x01) throw tooLong('varlong', start);
    zigzag |= BigInt(byte & 0x7f) << BigInt(7 * index);
    if (byte < 0x80) break;
  }
  result.value = (zigzag >> 1n) ^ -(zigzag & 1n);
  result.next = position;
  return result;
}
