import t, { Test } from 'tap';
import fc from 'fast-check';
import { StorageError } from '../../../src/errors/storage-error';
import {
  readUnsignedVarint,
  readVarint,
  readVarlong,
  readVarlongBigInt,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  sizeOfVarlongBigInt,
  VarintResult,
  VarlongBigIntResult,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
  writeVarlongBigInt,
} from '../../../src/protocol/records/varint';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function encodeVarint(value: number): Buffer {
  const buf = Buffer.alloc(8, 0xee);
  return buf.subarray(0, writeVarint(buf, 0, value));
}

function encodeVarlong(value: number): Buffer {
  const buf = Buffer.alloc(12, 0xee);
  return buf.subarray(0, writeVarlong(buf, 0, value));
}

function encodeVarlongBigInt(value: bigint): Buffer {
  const buf = Buffer.alloc(12, 0xee);
  return buf.subarray(0, writeVarlongBigInt(buf, 0, value));
}

function rejects(t: Test, fn: () => unknown, code: string, name: string): void {
  try {
    fn();
    t.fail(`${name}: did not throw`);
  } catch (error) {
    t.ok(error instanceof StorageError, `${name}: StorageError`);
    t.equal((error as StorageError).code, code, `${name}: ${code}`);
  }
}

// Zigzag by hand: 0→0, -1→1, 1→2, 63→126, -64→127, 64→128; then base-128 little-endian groups.
const varintVectors: Array<[number, string]> = [
  [0, '00'],
  [-1, '01'],
  [1, '02'],
  [63, '7e'],
  [-64, '7f'],
  [64, '8001'],
  [-65, '8101'],
  [8191, 'fe7f'],
  [-8192, 'ff7f'],
  [8192, '808001'],
  [2 ** 31 - 1, 'feffffff0f'],
  [-(2 ** 31), 'ffffffff0f'],
];

t.test('varint boundary values encode to the zigzag bytes and back', async (t) => {
  const result = new VarintResult();
  for (const [value, expected] of varintVectors) {
    const bytes = encodeVarint(value);
    t.equal(bytes.toString('hex'), expected, `encode ${value}`);
    t.equal(sizeOfVarint(value), bytes.length, `size ${value}`);
    // Read from a non-zero position with trailing bytes, as inside a record.
    const framed = Buffer.concat([hex('aa'), bytes, hex('bbcc')]);
    readVarint(framed, 1, framed.length, result);
    t.equal(result.value, value, `decode ${value}`);
    t.equal(result.next, 1 + bytes.length, `next after ${value}`);
  }
});

t.test('varlong boundary values, number and bigint forms agree', async (t) => {
  const values = [
    0, -1, 1, 63, -64, 64, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 30, -(2 ** 30), 2 ** 30 - 1,
    -(2 ** 30) - 1, 2 ** 35 + 17, 1_700_000_000_000, -1_700_000_000_000, 2 ** 52, -(2 ** 52),
    Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER,
  ];
  const result = new VarintResult();
  const big = new VarlongBigIntResult();
  for (const value of values) {
    const bytes = encodeVarlong(value);
    t.same(bytes, encodeVarlongBigInt(BigInt(value)), `number and bigint bytes for ${value}`);
    t.equal(sizeOfVarlong(value), bytes.length, `size ${value}`);
    t.equal(sizeOfVarlongBigInt(BigInt(value)), bytes.length, `bigint size ${value}`);
    readVarlong(bytes, 0, bytes.length, result);
    t.equal(result.value, value, `decode ${value}`);
    t.equal(result.next, bytes.length);
    readVarlongBigInt(bytes, 0, bytes.length, big);
    t.equal(big.value, BigInt(value), `bigint decode ${value}`);
  }
  // Hand-computed: zigzag(2^31) = 2^32 → 5 groups; int64 extremes need all 10 bytes.
  t.equal(encodeVarlong(2 ** 31).toString('hex'), '8080808010');
  t.equal(encodeVarlong(-(2 ** 31) - 1).toString('hex'), '8180808010');
  t.equal(encodeVarlongBigInt(2n ** 63n - 1n).toString('hex'), 'feffffffffffffffff01');
  t.equal(encodeVarlongBigInt(-(2n ** 63n)).toString('hex'), 'ffffffffffffffffff01');
  readVarlongBigInt(hex('feffffffffffffffff01'), 0, 10, big);
  t.equal(big.value, 2n ** 63n - 1n);
  readVarlongBigInt(hex('ffffffffffffffffff01'), 0, 10, big);
  t.equal(big.value, -(2n ** 63n));
});

t.test('number varlong refuses values outside the safe integers', async (t) => {
  const result = new VarintResult();
  for (const value of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
    const bytes = encodeVarlongBigInt(value);
    rejects(t, () => readVarlong(bytes, 0, bytes.length, result), 'CORRUPT_MESSAGE', `read ${value}`);
  }
  t.throws(() => writeVarlong(Buffer.alloc(10), 0, 2 ** 53));
  t.throws(() => writeVarint(Buffer.alloc(10), 0, 2 ** 31));
  t.throws(() => writeVarint(Buffer.alloc(10), 0, 1.5));
});

t.test('unsigned varint', async (t) => {
  const result = new VarintResult();
  const vectors: Array<[number, string]> = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2 ** 32 - 1, 'ffffffff0f'],
  ];
  for (const [value, expected] of vectors) {
    const buf = Buffer.alloc(8);
    const end = writeUnsignedVarint(buf, 0, value);
    t.equal(buf.subarray(0, end).toString('hex'), expected, `encode ${value}`);
    t.equal(sizeOfUnsignedVarint(value), end);
    readUnsignedVarint(buf, 0, end, result);
    t.equal(result.value, value, `decode ${value}`);
  }
  t.throws(() => writeUnsignedVarint(Buffer.alloc(8), 0, -1));
});

t.test('truncated and overlong encodings throw CORRUPT_MESSAGE', async (t) => {
  const result = new VarintResult();
  const big = new VarlongBigIntResult();
  rejects(t, () => readVarint(hex(''), 0, 0, result), 'CORRUPT_MESSAGE', 'empty varint');
  rejects(t, () => readVarint(hex('80'), 0, 1, result), 'CORRUPT_MESSAGE', 'cut varint');
  rejects(t, () => readVarint(hex('ffffffff'), 0, 4, result), 'CORRUPT_MESSAGE', 'cut 5-byte varint');
  rejects(t, () => readVarint(hex('ffffffff1f'), 0, 5, result), 'CORRUPT_MESSAGE', 'varint over 32 bits');
  rejects(t, () => readVarint(hex('ffffffffff01'), 0, 6, result), 'CORRUPT_MESSAGE', '6-byte varint');
  rejects(t, () => readUnsignedVarint(hex('ffffffff10'), 0, 5, result), 'CORRUPT_MESSAGE', 'unsigned over 32 bits');
  rejects(t, () => readVarlong(hex('8080'), 0, 2, result), 'CORRUPT_MESSAGE', 'cut varlong');
  rejects(t, () => readVarlong(hex('80808080808080'), 0, 7, result), 'CORRUPT_MESSAGE', 'cut long varlong');
  rejects(t, () => readVarlong(hex('ffffffffffffffffff03'), 0, 10, result), 'CORRUPT_MESSAGE', 'varlong over 64 bits');
  rejects(t, () => readVarlongBigInt(hex('ffffffffffffffffff03'), 0, 10, big), 'CORRUPT_MESSAGE', 'bigint over 64');
  rejects(t, () => readVarlongBigInt(hex('ffffffffffffffffffff01'), 0, 11, big), 'CORRUPT_MESSAGE', '11 bytes');
  // `end` bounds the read even when the buffer goes on.
  rejects(t, () => readVarint(hex('8001'), 0, 1, result), 'CORRUPT_MESSAGE', 'end inside varint');
  rejects(t, () => readVarlong(hex('808001'), 0, 2, result), 'CORRUPT_MESSAGE', 'end inside varlong');
});

t.test('property: round trips and agreement with the bigint codec', async (t) => {
  const result = new VarintResult();
  const big = new VarlongBigIntResult();
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
      const bytes = encodeVarint(value);
      readVarint(bytes, 0, bytes.length, result);
      return result.value === value && result.next === bytes.length && sizeOfVarint(value) === bytes.length &&
        bytes.equals(encodeVarlongBigInt(BigInt(value)));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.maxSafeInteger(), (value) => {
      const bytes = encodeVarlong(value);
      readVarlong(bytes, 0, bytes.length, result);
      return result.value === value && sizeOfVarlong(value) === bytes.length &&
        bytes.equals(encodeVarlongBigInt(BigInt(value)));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
      const bytes = encodeVarlongBigInt(value);
      readVarlongBigInt(bytes, 0, bytes.length, big);
      return big.value === value && sizeOfVarlongBigInt(value) === bytes.length;
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
      for (const read of [
        () => readVarint(bytes, 0, bytes.length, result),
        () => readVarlong(bytes, 0, bytes.length, result),
        () => readUnsignedVarint(bytes, 0, bytes.length, result),
        () => readVarlongBigInt(bytes, 0, bytes.length, big),
      ]) {
        try {
          read();
        } catch (error) {
          if (!(error instanceof StorageError)) return false;
        }
      }
      return true;
    }),
    { numRuns: 3000 },
  );
  t.pass('properties hold');
});
