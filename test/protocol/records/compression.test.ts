import t, { Test } from 'tap';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';
import * as zstd from 'zstd-napi';
import * as zstdBinding from 'zstd-napi/binding';
import { StorageError } from '../../../src/errors/storage-error';
import {
  compress,
  CompressionType,
  decompress,
  SNAPPY_XERIAL_BLOCK_BYTES,
} from '../../../src/protocol/records/compression';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const codecs = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const all = [CompressionType.None, ...codecs];

function rejects(t: Test, fn: () => unknown, code: string, name: string): void {
  try {
    fn();
    t.fail(`${name}: did not throw`);
  } catch (error) {
    if (!(error instanceof StorageError)) {
      t.fail(`${name}: threw ${String(error)} instead of a StorageError`);
      return;
    }
    t.equal(error.code, code, `${name}: ${code}`);
  }
}

// Compressible but not trivial: repeated text with a counter.
function text(size: number): Buffer {
  const parts: string[] = [];
  let length = 0;
  for (let index = 0; length < size; index++) {
    const line = `record ${index} value-${index % 97} ${'x'.repeat(index % 13)}\n`;
    parts.push(line);
    length += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

t.test('every codec round trips empty, small, random and large inputs', async (t) => {
  const inputs = [Buffer.alloc(0), Buffer.from('a'), text(1000), randomBytes(100_000), text(3 * 1024 * 1024)];
  for (const type of all) {
    for (const input of inputs) {
      const output = decompress(type, compress(type, input));
      t.ok(output.equals(input), `${CompressionType[type]} ${input.length} bytes`);
    }
  }
});

t.test('accepts a Uint8Array that is not a Buffer', async (t) => {
  const input = new Uint8Array(text(5000));
  for (const type of all) {
    t.same(Buffer.from(decompress(type, new Uint8Array(compress(type, input)))), Buffer.from(input));
  }
});

t.test('snappy is written xerial-framed, in 32 KiB blocks', async (t) => {
  const input = text(SNAPPY_XERIAL_BLOCK_BYTES * 2 + 100);
  const framed = compress(CompressionType.Snappy, input);
  t.equal(framed.subarray(0, 16).toString('hex'), '82534e41505059000000000100000001', 'xerial header, version 1/1');
  // Walk the blocks by hand: three, of 32 KiB, 32 KiB and 100 bytes uncompressed.
  const sizes: number[] = [];
  let position = 16;
  while (position < framed.length) {
    const length = framed.readInt32BE(position);
    const block = framed.subarray(position + 4, position + 4 + length);
    sizes.push((snappy.uncompressSync(block) as Buffer).length);
    position += 4 + length;
  }
  t.same(sizes, [SNAPPY_XERIAL_BLOCK_BYTES, SNAPPY_XERIAL_BLOCK_BYTES, 100]);
  t.equal(position, framed.length);
});

t.test('snappy decodes raw (unframed) blocks as librdkafka writes them', async (t) => {
  const input = text(200_000);
  t.ok(decompress(CompressionType.Snappy, snappy.compressSync(input)).equals(input));
  // Hand-made: varint length 5, literal tag (5-1)<<2 = 0x10, the bytes.
  t.equal(decompress(CompressionType.Snappy, hex('05 10 68 65 6c 6c 6f')).toString(), 'hello');
  // The same bytes inside a hand-made xerial frame with two blocks.
  const framed = hex('82534e4150505900 00000001 00000001  00000007 05 10 68 65 6c 6c 6f  00000003 01 00 21');
  t.equal(decompress(CompressionType.Snappy, framed).toString(), 'hello!');
  t.equal(decompress(CompressionType.Snappy, hex('82534e4150505900 00000001 00000001')).length, 0, 'no blocks');
});

t.test('lz4 is the frame format: hand-made frames, checksums, several frames', async (t) => {
  const written = compress(CompressionType.Lz4, text(1000));
  t.equal(written.readUInt32LE(0), 0x184d2204, 'frame magic');
  t.equal(written[4]! & 0x20, 0x20, 'independent blocks, as Kafka requires');
  // Header 60 40 82: version 1, independent blocks, 64 KiB; one stored (uncompressed) block; end mark.
  const stored = hex('04224d18 60 40 82  05000080 68656c6c6f  00000000');
  t.equal(decompress(CompressionType.Lz4, stored).toString(), 'hello');
  t.equal(decompress(CompressionType.Lz4, Buffer.concat([stored, stored])).toString(), 'hellohello');
  const skippable = hex('502a4d18 02000000 abcd');
  t.equal(decompress(CompressionType.Lz4, Buffer.concat([skippable, stored])).toString(), 'hello');
  const checked = lz4.compressFrameSync(text(70_000), { contentChecksum: true, blockChecksums: true });
  t.ok(decompress(CompressionType.Lz4, checked).equals(text(70_000)), 'block and content checksums');
  const bad = Buffer.from(checked);
  bad[bad.length - 1]! ^= 1;
  rejects(t, () => decompress(CompressionType.Lz4, bad), 'CORRUPT_MESSAGE', 'content checksum mismatch');
});

t.test('zstd frames with and without a declared content size', async (t) => {
  const input = text(500_000);
  t.ok(decompress(CompressionType.Zstd, zstd.compress(input)).equals(input), 'content size declared');
  // Fed in two steps, the compressor cannot know the size up front and leaves it out of the header.
  const context = new zstdBinding.CCtx();
  const out = Buffer.alloc(zstdBinding.compressBound(input.length) + 64);
  let written = 0;
  const half = input.length / 2;
  for (const [chunk, directive] of [
    [input.subarray(0, half), zstdBinding.EndDirective.continue],
    [input.subarray(half), zstdBinding.EndDirective.end],
  ] as const) {
    let rest: Buffer = chunk;
    for (;;) {
      const [remaining, produced, consumed] = context.compressStream2(out.subarray(written), rest, directive);
      written += produced;
      rest = rest.subarray(consumed);
      if (rest.length === 0 && (directive === zstdBinding.EndDirective.continue || remaining === 0)) break;
    }
  }
  const unsized = out.subarray(0, written);
  t.equal(zstdBinding.getFrameContentSize(unsized), null, 'no content size in the header');
  t.ok(decompress(CompressionType.Zstd, unsized).equals(input), 'content size unknown');
  // Hand-made: magic, FHD 0x20 (single segment, 1-byte size) 05, raw last block of 5 bytes: (5 << 3) | 1.
  t.equal(decompress(CompressionType.Zstd, hex('28b52ffd 20 05 290000 68656c6c6f')).toString(), 'hello');
  const two = Buffer.concat([zstd.compress(Buffer.from('ab')), zstd.compress(Buffer.from('cd'))]);
  t.equal(decompress(CompressionType.Zstd, two).toString(), 'abcd', 'two frames');
});

t.test('decompression is bounded for every codec', async (t) => {
  const zeros = Buffer.alloc(4 * 1024 * 1024);
  for (const type of all) {
    const packed = compress(type, zeros);
    rejects(t, () => decompress(type, packed, 1024 * 1024), 'MESSAGE_TOO_LARGE', `${CompressionType[type]} over 1 MiB`);
    t.equal(decompress(type, packed, zeros.length).length, zeros.length, `${CompressionType[type]} exactly at bound`);
  }
  // Raw snappy, a declared length far beyond the data: refused before the decoder allocates it.
  rejects(t, () => decompress(CompressionType.Snappy, hex('ffffffff0f 00'), 1 << 20), 'MESSAGE_TOO_LARGE', 'snappy claim');
  // LZ4: 20 blocks of 4 MiB maximum each may expand to 80 MiB > the 64 MiB default.
  const block4m = hex('04224d18 60 70 73');
  const fakeFrame = Buffer.concat([block4m, ...Array.from({ length: 20 }, () => hex('01000000 00')), hex('00000000')]);
  rejects(t, () => decompress(CompressionType.Lz4, fakeFrame), 'MESSAGE_TOO_LARGE', 'lz4 block bound');
  // zstd declaring a huge content size but holding nothing: the declaration does not drive allocation.
  rejects(t, () => decompress(CompressionType.Zstd, hex('28b52ffd a0 ffffffff 290000 68656c6c6f')), 'CORRUPT_MESSAGE', 'zstd lie');
});

t.test('truncated, garbled or trailing input throws CORRUPT_MESSAGE', async (t) => {
  const input = text(100_000);
  // A first byte below 0x80 keeps a raw snappy reading's declared length small: the decoder must reject it.
  const garbage = randomBytes(1000);
  garbage[0] = 0x10;
  for (const type of codecs) {
    const packed = compress(type, input);
    const name = CompressionType[type];
    for (const cut of [0, 1, 5, 17, packed.length >> 1, packed.length - 1]) {
      rejects(t, () => decompress(type, packed.subarray(0, cut)), 'CORRUPT_MESSAGE', `${name} cut at ${cut}`);
    }
    rejects(t, () => decompress(type, garbage), 'CORRUPT_MESSAGE', `${name} random bytes`);
    if (type !== CompressionType.Gzip) {
      // gzip ignores some trailing bytes (as zcat does); the others must not.
      rejects(t, () => decompress(type, Buffer.concat([packed, hex('0102030405')])), 'CORRUPT_MESSAGE', `${name} trailing`);
    }
  }
  rejects(t, () => decompress(CompressionType.Lz4, hex('04224d18 60 40 82 05000080 68656c6c6f')), 'CORRUPT_MESSAGE', 'lz4 without end mark');
  rejects(t, () => decompress(CompressionType.Lz4, hex('04224d18 60 40 00 05000080 68656c6c6f 00000000')), 'CORRUPT_MESSAGE', 'lz4 bad header checksum');
  rejects(t, () => decompress(CompressionType.Lz4, hex('04224d18 60 40 82 01000100 00 00000000')), 'CORRUPT_MESSAGE', 'lz4 block over max');
  rejects(t, () => decompress(CompressionType.Snappy, hex('82534e4150505900 00000001 00000001 00000009 05')), 'CORRUPT_MESSAGE', 'xerial block past end');
  rejects(t, () => decompress(CompressionType.Snappy, hex('82534e4150505900 00000001 00000001 000000')), 'CORRUPT_MESSAGE', 'xerial cut length');
  rejects(t, () => decompress(CompressionType.Snappy, hex('82534e4150505900 00000001 00000001 ffffffff')), 'CORRUPT_MESSAGE', 'xerial negative length');
});

t.test('unknown codec ids throw UNSUPPORTED_COMPRESSION_TYPE', async (t) => {
  for (const id of [5, 6, 7]) {
    rejects(t, () => decompress(id as CompressionType, Buffer.from('x')), 'UNSUPPORTED_COMPRESSION_TYPE', `decompress ${id}`);
    rejects(t, () => compress(id as CompressionType, Buffer.from('x')), 'UNSUPPORTED_COMPRESSION_TYPE', `compress ${id}`);
  }
});

t.test('property: arbitrary bytes never escape as anything but StorageError', async (t) => {
  // Mutations of valid streams reach deeper into each decoder than random bytes do.
  const seeds = new Map(codecs.map((type) => [type, compress(type, text(2000))]));
  fc.assert(
    fc.property(
      fc.constantFrom(...codecs),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(),
      (type, edits, cutSeed) => {
        const bytes = Buffer.from(seeds.get(type)!);
        for (const [where, value] of edits) bytes[where % bytes.length] = value;
        const cut = bytes.subarray(0, bytes.length - (cutSeed % 3 === 0 ? cutSeed % bytes.length : 0));
        try {
          decompress(type, cut, 1 << 20);
        } catch (error) {
          return error instanceof StorageError;
        }
        return true;
      },
    ),
    { numRuns: 3000 },
  );
  t.pass('only StorageError');
});
