import t from 'tap';
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

t.test('hardware and portable agree on every length and alignment', async (t) => {
  // Lengths cross the 3-way stream thresholds (3*256 and 3*4096 bytes) and odd alignments.
  const data = randomBytes(3 * 8192 * 2 + 999);
  for (const len of [1, 7, 8, 9, 255, 767, 768, 769, 3 * 4096 - 1, 3 * 4096, 3 * 4096 + 13, 16_277, 3 * 8192 + 13, data.length - 3]) {
    for (const start of [0, 1, 3]) {
      const a = native.crc32cPortable(data, start, start + len);
      const b = native.crc32cHardware(data, start, start + len);
      if (a !== b) t.fail(`mismatch len=${len} start=${start}`);
    }
  }
  t.pass('all agree');
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
