import t, { Test } from 'tap';
import fc from 'fast-check';
import { KafkaProtocolError, Reader, sizeOfUnsignedVarint, sizeOfVarint, sizeOfVarlong, Writer } from '../../src/protocol';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const reader = (s: string): Reader => new Reader(hex(s));

function rejects(t: Test, fn: () => unknown, code: string, pattern?: RegExp): void {
  try {
    fn();
    t.fail('did not throw');
  } catch (error) {
    t.ok(error instanceof KafkaProtocolError, `KafkaProtocolError (${String(error)})`);
    t.equal((error as KafkaProtocolError).code, code);
    if (pattern !== undefined) t.match((error as Error).message, pattern);
  }
}

function written(size: number, write: (w: Writer) => void): string {
  const writer = new Writer(size);
  write(writer);
  return Buffer.concat(writer.finish()).toString('hex');
}

t.test('fixed-size integers, big-endian', async (t) => {
  const r = reader('ff 8000 ffff 80000000 ffffffff 8000000000000000 01 00 3ff8000000000000');
  t.equal(r.readInt8(), -1);
  t.equal(r.readInt16(), -32768);
  t.equal(r.readUint16(), 65535);
  t.equal(r.readInt32(), -2147483648);
  t.equal(r.readUint32(), 4294967295);
  t.equal(r.readInt64(), -(2n ** 63n));
  t.equal(r.readBoolean(), true);
  t.equal(r.readBoolean(), false);
  t.equal(r.readFloat64(), 1.5);
  t.equal(r.remaining, 0);
  rejects(t, () => r.readInt8(), 'CORRUPT_MESSAGE', /INT8 needs 1 bytes, 0 remain/);
  t.equal(
    written(23, (w) => {
      w.writeInt8(-1);
      w.writeInt16(-32768);
      w.writeUint16(65535);
      w.writeInt32(-2147483648);
      w.writeUint32(4294967295);
      w.writeInt64(-(2n ** 63n));
      w.writeBoolean(true);
      w.writeBoolean(false);
    }),
    'ff8000ffff80000000ffffffff80000000000000000100',
  );
});

t.test('INT64 from a number writes the same bytes as from a bigint', async (t) => {
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => {
      return written(8, (w) => w.writeInt64(n)) === written(8, (w) => w.writeInt64(BigInt(n)));
    }),
  );
  t.equal(written(8, (w) => w.writeInt64(-1)), 'ffffffffffffffff');
  t.equal(written(8, (w) => w.writeInt64(2 ** 53 - 1)), '001fffffffffffff');
});

t.test('UUID: 16 bytes as 8-4-4-4-12 hex', async (t) => {
  const r = reader('00112233445566778899aabbccddeeff');
  t.equal(r.readUuid(), '00112233-4455-6677-8899-aabbccddeeff');
  t.equal(written(16, (w) => w.writeUuid('00112233-4455-6677-8899-AABBCCDDEEFF')), '00112233445566778899aabbccddeeff');
});

t.test('UNSIGNED_VARINT: vectors, bounds, overlong encodings', async (t) => {
  const vectors: Array<[number, string]> = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2 ** 31 - 1, 'ffffffff07'],
    [2 ** 32 - 1, 'ffffffff0f'],
  ];
  for (const [value, bytes] of vectors) {
    t.equal(reader(bytes).readUnsignedVarint(), value, `read ${value}`);
    t.equal(written(bytes.length / 2, (w) => w.writeUnsignedVarint(value)), bytes, `write ${value}`);
    t.equal(sizeOfUnsignedVarint(value), bytes.length / 2, `size ${value}`);
  }
  rejects(t, () => reader('ffffffff10').readUnsignedVarint(), 'CORRUPT_MESSAGE', /longer than 32 bits/);
  rejects(t, () => reader('8080808080').readUnsignedVarint(), 'CORRUPT_MESSAGE');
  rejects(t, () => reader('8080').readUnsignedVarint(), 'CORRUPT_MESSAGE', /past the end/);
});

t.test('VARINT and VARLONG: zigzag vectors and property round trips', async (t) => {
  const varints: Array<[number, string]> = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [63, '7e'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [value, bytes] of varints) {
    t.equal(reader(bytes).readVarint(), value, `varint ${value}`);
    t.equal(written(bytes.length / 2, (w) => w.writeVarint(value)), bytes);
    t.equal(sizeOfVarint(value), bytes.length / 2);
  }
  t.equal(reader('ffffffffffffffffff01').readVarlong(), -(2n ** 63n));
  t.equal(reader('feffffffffffffffff01').readVarlong(), 2n ** 63n - 1n);
  rejects(t, () => reader('ffffffffffffffffff02').readVarlong(), 'CORRUPT_MESSAGE');
  fc.assert(
    fc.property(fc.integer(), (n) => {
      const writer = new Writer(sizeOfVarint(n));
      writer.writeVarint(n);
      return new Reader(writer.finish()[0]).readVarint() === n;
    }),
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
      const writer = new Writer(sizeOfVarlong(n));
      writer.writeVarlong(n);
      return new Reader(writer.finish()[0]).readVarlong() === n;
    }),
  );
});

t.test('strings: INT16 or compact lengths, null only where nullable, never past the frame', async (t) => {
  t.equal(reader('0003 666f6f').readString(false, false), 'foo');
  t.equal(reader('ffff').readString(false, true), null);
  t.equal(reader('0000').readString(false, false), '');
  t.equal(reader('04 666f6f').readString(true, false), 'foo');
  t.equal(reader('00').readString(true, true), null);
  t.equal(reader('0004 c3a9e298').readString(false, false), 'é\ufffd', 'invalid UTF-8 decodes, replaced');
  rejects(t, () => reader('ffff').readString(false, false), 'CORRUPT_MESSAGE', /string length -1 is invalid/);
  rejects(t, () => reader('fffe').readString(false, true), 'CORRUPT_MESSAGE', /-2/);
  rejects(t, () => reader('00').readString(true, false), 'CORRUPT_MESSAGE');
  rejects(t, () => reader('7fff 6162').readString(false, false), 'CORRUPT_MESSAGE', /needs 32767 bytes, 2 remain/);
  rejects(t, () => reader('ffffffff0f 61').readString(true, false), 'CORRUPT_MESSAGE', /remain/);
});

t.test('bytes: INT32 or compact lengths, returned as views of the frame', async (t) => {
  const frame = hex('00000003 010203 04 0a0b0c ffffffff');
  const r = new Reader(frame);
  const bytes = r.readBytes(false, false) as Buffer;
  t.equal(bytes.toString('hex'), '010203');
  t.equal(bytes.buffer, frame.buffer, 'same memory');
  frame[4] = 0x99;
  t.equal(bytes[0], 0x99, 'a view, not a copy');
  t.equal((r.readBytes(true, false) as Buffer).toString('hex'), '0a0b0c');
  t.equal(r.readBytes(false, true), null);
  rejects(t, () => reader('7fffffff 00').readBytes(false, false), 'CORRUPT_MESSAGE', /needs 2147483647 bytes/);
  rejects(t, () => reader('fffffffe').readBytes(false, true), 'CORRUPT_MESSAGE');
});

t.test('array counts are checked against the bytes left before anything is allocated', async (t) => {
  t.equal(reader('00000002 00000000 00000000').readArrayCount(false, false, 4, 'a'), 2);
  t.equal(reader('ffffffff').readArrayCount(false, true, 4, 'a'), -1);
  t.equal(reader('00').readArrayCount(true, true, 4, 'a'), -1);
  rejects(t, () => reader('ffffffff').readArrayCount(false, false, 4, 'a'), 'CORRUPT_MESSAGE', /-1 is invalid/);
  rejects(t, () => reader('7fffffff' + '00'.repeat(16)).readArrayCount(false, false, 1, 'topics'), 'CORRUPT_MESSAGE', /topics: 2147483647 elements/);
  rejects(t, () => reader('ffffffff0f' + '00'.repeat(16)).readArrayCount(true, false, 1, 'a'), 'CORRUPT_MESSAGE');
  rejects(t, () => reader('00000005 0000000000000000').readArrayCount(false, false, 2, 'a'), 'CORRUPT_MESSAGE');
});

t.test('tag buffers are skipped whole; bounds and the error code of the reader', async (t) => {
  const r = reader('02 00 02 aaaa 07 01 bb 55');
  r.skipTaggedFields();
  t.equal(r.readInt8(), 0x55);
  rejects(t, () => reader('01 00 05 aa').skipTaggedFields(), 'CORRUPT_MESSAGE', /tagged field needs 5 bytes/);
  const requestReader = new Reader(hex('00'), 0, 1, 'INVALID_REQUEST');
  rejects(t, () => requestReader.readInt32(), 'INVALID_REQUEST');
  rejects(t, () => new Reader(hex('00'), 2), 'CORRUPT_MESSAGE', /outside a buffer/);
  const bounded = new Reader(hex('0001020304'), 1, 3);
  t.equal(bounded.readInt16(), 0x0102);
  rejects(t, () => bounded.readInt8(), 'CORRUPT_MESSAGE', /at byte 3/); // the end bound holds inside a larger buffer
});

t.test('Writer: external buffers are queued between head slices, never copied', async (t) => {
  const a = Buffer.from('AAAA');
  const b = Buffer.from('BB');
  const writer = new Writer(6);
  writer.writeInt16(1);
  writer.appendExternal([a, Buffer.alloc(0), b]);
  writer.writeInt16(2);
  writer.appendExternal(a);
  writer.writeInt16(3);
  const chunks = writer.finish();
  t.equal(chunks.length, 6);
  t.equal(chunks[1], a, 'the caller Buffer itself');
  t.equal(chunks[2], b);
  t.equal(chunks[4], a);
  t.equal(Buffer.concat(chunks).toString('hex'), '0001' + a.toString('hex') + b.toString('hex') + '0002' + a.toString('hex') + '0003');
  const single = new Writer(2);
  single.writeInt16(7);
  const out = single.finish();
  t.equal(out.length, 1);
  t.equal(out[0], single.buf, 'one head Buffer when nothing external');
  t.throws(() => new Writer(3).finish(), /wrote 0 bytes into a head of 3/);
});
