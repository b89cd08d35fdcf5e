import t, { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { native } from '../../src/native/binding';
import { StorageError } from '../../src/errors/storage-error';

// Published vectors: the "check" value of CRC-32C, and RFC 3720 (iSCSI) appendix B.4.
const vectors: Array<[string, Buffer, number]> = [
  ['123456789', Buffer.from('123456789'), 0xe3069283],
  ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
  ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['32 ascending bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['32 descending bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  ['empty', Buffer.alloc(0), 0],
];

for (const impl of ['crc32c', 'crc32cPortable', 'crc32cHardware'] as const) {
  t.test(`${impl} matches published vectors`, async (t) => {
    for (const [name, bytes, expected] of vectors) t.equal(native[impl](bytes), expected, name);
  });
}

// The paths behind one export each: crc32c dispatches to the fastest the CPU has (on x86 with AVX2 + VPCLMULQDQ:
// carry-less folding, from 1 KiB folding alongside three crc32 streams), crc32cHardware is the SSE4.2 three-stream
// crc32 path, crc32cPortable slicing-by-8, the reference. On CPUs without the instructions some coincide.
const paths = ['crc32c', 'crc32cHardware'] as const;

// Deterministic randomness (xorshift32), data included, so a failure names a case that reproduces.
let seed = 0x2545f491;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
const randomInt = (n: number): number => Math.floor(random() * n);
const randomUint32 = (): number => randomInt(2 ** 32);
function randomData(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = randomInt(256);
  return b;
}

// Compares every path with the portable one; reports the first few mismatches instead of thousands of asserts.
function agree(t: Test, data: Buffer, cases: Array<[start: number, end: number, init: number]>): void {
  const mismatches: string[] = [];
  for (const [start, end, init] of cases) {
    const expected = native.crc32cPortable(data, start, end, init);
    for (const path of paths) {
      const got = native[path](data, start, end, init);
      if (got !== expected) mismatches.push(`${path} len=${end - start} start=${start} init=${init}: ${got} != ${expected}`);
    }
  }
  t.same(mismatches.slice(0, 10), [], `${cases.length} cases agree`);
}

t.test('every path agrees with portable on every length to 2 KiB, random alignment and initial CRC', async (t) => {
  // Past kHybridMin (1 KiB) by more than one 272-byte round: every remainder of the folding loops and every tail.
  const data = randomData(2048 + 64);
  const cases: Array<[number, number, number]> = [];
  for (let len = 0; len <= 2048; len++) {
    for (const start of [0, 1 + randomInt(63)]) cases.push([start, start + len, randomUint32()]);
  }
  agree(t, data, cases);
});

t.test('every path agrees with portable around the long paths\' thresholds', async (t) => {
  // The three-stream crc32 path's 3 * 4096-byte blocks; the folding path's chunks of 128 * 129 folded + 3 * 48 * 128
  // stream bytes = 34944 (kMaxRounds = 128 rounds), one and two of them, and a chunk plus the 128-byte and 1 KiB
  // thresholds of what remains.
  const chunk = 128 * 129 + 3 * 48 * 128;
  const data = randomData(3 * chunk + 4096);
  const cases: Array<[number, number, number]> = [];
  for (const base of [3 * 4096, 2 * 3 * 4096, chunk, 2 * chunk, chunk + 128, chunk + 1024, 2 * chunk + 1024]) {
    for (let len = base - 300; len <= base + 300; len++) {
      const start = randomInt(64);
      cases.push([start, start + len, randomUint32()]);
    }
  }
  agree(t, data, cases);
});

t.test('every path agrees with portable on random lengths to 1 MiB', async (t) => {
  const data = randomData(1024 * 1024 + 64);
  const cases: Array<[number, number, number]> = [];
  for (let i = 0; i < 300; i++) {
    const start = randomInt(64);
    cases.push([start, start + randomInt(1024 * 1024 + 1), randomUint32()]);
  }
  agree(t, data, cases);
});

t.test('every path continues a chain of random pieces to the one-pass value', async (t) => {
  const data = randomData(300_000);
  const whole = native.crc32cPortable(data);
  for (const path of paths) {
    for (let trial = 0; trial < 20; trial++) {
      let crc = 0;
      let at = 0;
      const pieces: number[] = [];
      while (at < data.length) {
        // Mostly short pieces, some long ones, so chains cross the paths' thresholds.
        const len = Math.min(data.length - at, random() < 0.7 ? randomInt(2048) : randomInt(100_000));
        crc = native[path](data, at, at + len, crc);
        pieces.push(len);
        at += len;
      }
      if (crc !== whole) t.fail(`${path}: chain of ${pieces.join(',')} gives ${crc}, one pass ${whole}`);
    }
  }
  t.pass('chains agree');
});

t.test('chaining with init equals one pass', async (t) => {
  const data = randomBytes(50_000);
  const whole = native.crc32c(data);
  const first = native.crc32c(data, 0, 12_345);
  t.equal(native.crc32c(data, 12_345, data.length, first), whole);
});

t.test('bad arguments throw StorageError, never crash', async (t) => {
  const b = Buffer.alloc(10);
  t.throws(() => native.crc32c(b, 5, 11), StorageError);
  t.throws(() => native.crc32c(b, 6, 5), { code: 'ERR_INVALID_ARG' });
  t.throws(() => native.crc32c(b, -1, 5), { code: 'ERR_INVALID_ARG' });
  t.throws(() => native.crc32c('nope' as unknown as Buffer), { code: 'ERR_INVALID_ARG' });
  t.throws(() => native.crc32c(new Uint16Array(4) as unknown as Buffer), { code: 'ERR_INVALID_ARG' });
});
