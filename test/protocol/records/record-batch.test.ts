import t, { Test } from 'tap';
import fc from 'fast-check';
import { crc32c } from '../../../src/native/binding';
import { StorageError } from '../../../src/errors/storage-error';
import { CompressionType } from '../../../src/protocol/records/compression';
import {
  ATTRIBUTES_POSITION,
  BASE_OFFSET_POSITION,
  BASE_SEQUENCE_POSITION,
  BASE_TIMESTAMP_POSITION,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_POSITION,
  computeBatchCrc,
  CRC_POSITION,
  decodeRecordBatch,
  encodeRecordBatch,
  KafkaRecordInput,
  LAST_OFFSET_DELTA_POSITION,
  LOG_OVERHEAD,
  MAGIC_POSITION,
  MAX_TIMESTAMP_POSITION,
  PARTITION_LEADER_EPOCH_POSITION,
  PRODUCER_EPOCH_POSITION,
  PRODUCER_ID_POSITION,
  readBatchHeader,
  RECORD_COUNT_POSITION,
  RECORDS_POSITION,
  RecordBatchInput,
  TimestampType,
  verifyRecordBatch,
} from '../../../src/protocol/records/record-batch';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const codecs = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

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

/** Rewrites the CRC after a deliberate edit, so the edit reaches the checks behind the CRC. */
function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_POSITION, batch.length), CRC_POSITION);
  return batch;
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures derived by hand from the spec (kafkajs is not installed here to cross-check against). The CRC-32C
// fields were computed with the native crc32c, itself checked against published vectors (below and in
// test/native); everything else is laid out byte by byte:
//
// records (20 bytes):
//   record 0: length 12 → zigzag 24 = 18 | attributes 00 | timestampDelta 0 → 00 | offsetDelta 0 → 00 |
//             key length 1 → 02, 'k' 6b | value length 2 → 04, 'v1' 76 31 | 1 header → 02 |
//             header key length 1 → 02, 'h' 68 | header value null (-1) → 01
//   record 1: length 6 → 0c | attributes 00 | timestampDelta 5 → 0a | offsetDelta 1 → 02 | key null → 01 |
//             value length 0 → 00 | 0 headers → 00
// header: baseOffset 5, batchLength 49 + section, partitionLeaderEpoch 7, magic 2, CRC, attributes = codec,
//   lastOffsetDelta 1, baseTimestamp 1700000000000 = 0x18bcfe56800, maxTimestamp 1700000000005,
//   producerId 1000 = 0x3e8, producerEpoch 2, baseSequence 10, recordCount 2.
// ---------------------------------------------------------------------------------------------------------
const RECORDS = '18 00 00 00 02 6b 04 76 31 02 02 68 01   0c 00 0a 02 01 00 00';

function handBatch(batchLength: string, crc: string, attributes: string, section: string): Buffer {
  return hex(`
    00 00 00 00 00 00 00 05   ${batchLength}   00 00 00 07   02   ${crc}   ${attributes}   00 00 00 01
    00 00 01 8b cf e5 68 00   00 00 01 8b cf e5 68 05   00 00 00 00 00 00 03 e8   00 02   00 00 00 0a
    00 00 00 02   ${section}`);
}

const fixtures: Array<[string, Buffer]> = [
  ['uncompressed', handBatch('00 00 00 45', 'b7 b4 45 20', '00 00', RECORDS)],
  // Raw snappy: uncompressed length 20 → 14, one literal of 20 bytes: tag (20 - 1) << 2 = 4c.
  ['snappy raw', handBatch('00 00 00 47', '06 d2 26 04', '00 02', `14 4c ${RECORDS}`)],
  // xerial: 82 'SNAPPY' 00, version 1, compatible 1, one block of 22 bytes holding the raw block above.
  [
    'snappy xerial',
    handBatch(
      '00 00 00 5b',
      '79 a4 3e 95',
      '00 02',
      `82 53 4e 41 50 50 59 00  00 00 00 01  00 00 00 01  00 00 00 16  14 4c ${RECORDS}`,
    ),
  ],
  // LZ4 frame: magic, FLG 60 (version 1, independent blocks), BD 40 (64 KiB), HC 82, one stored block of 20
  // bytes (size | 0x80000000, little-endian), end mark.
  ['lz4', handBatch('00 00 00 54', '4f 3a 9a 66', '00 03', `04 22 4d 18 60 40 82  14 00 00 80  ${RECORDS}  00 00 00 00`)],
  // zstd frame: magic, FHD 20 (single segment, 1-byte content size) 14, last raw block of 20: (20 << 3) | 1.
  ['zstd', handBatch('00 00 00 4e', '27 96 17 28', '00 04', `28 b5 2f fd 20 14  a1 00 00  ${RECORDS}`)],
];

t.test('CRC-32C anchor: the published check value', async (t) => {
  t.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

t.test('hand-derived fixtures decode, for every codec framing', async (t) => {
  for (const [name, bytes] of fixtures) {
    const batch = decodeRecordBatch(bytes);
    t.match(
      batch,
      {
        position: 0,
        size: bytes.length,
        baseOffset: 5n,
        batchLength: bytes.length - 12,
        partitionLeaderEpoch: 7,
        magic: 2,
        lastOffsetDelta: 1,
        baseTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_005,
        producerId: 1000n,
        producerEpoch: 2,
        baseSequence: 10,
        recordCount: 2,
        timestampType: TimestampType.CreateTime,
        transactional: false,
        control: false,
        hasDeleteHorizonMs: false,
      },
      `${name} header`,
    );
    t.equal(batch.records.length, 2);
    const [first, second] = batch.records;
    t.match(first, { offset: 5n, offsetDelta: 0, timestamp: 1_700_000_000_000, timestampDelta: 0 }, `${name} record 0`);
    t.equal(first!.key!.toString(), 'k');
    t.equal(first!.value!.toString(), 'v1');
    t.same(first!.headers, [{ key: 'h', value: null }]);
    t.match(second, { offset: 6n, offsetDelta: 1, timestamp: 1_700_000_000_005, key: null, headers: [] }, `${name} record 1`);
    t.equal(second!.value!.length, 0, 'empty, not null, value');
  }
});

const fixtureInput: RecordBatchInput = {
  baseOffset: 5n,
  partitionLeaderEpoch: 7,
  producerId: 1000n,
  producerEpoch: 2,
  baseSequence: 10,
  records: [
    { key: 'k', value: 'v1', timestamp: 1_700_000_000_000, headers: [{ key: 'h', value: null }] },
    { key: null, value: Buffer.alloc(0), timestamp: 1_700_000_000_005 },
  ],
};

t.test('the encoder reproduces the hand-derived uncompressed fixture byte for byte', async (t) => {
  t.equal(encodeRecordBatch(fixtureInput).toString('hex'), fixtures[0]![1].toString('hex'));
});

t.test('exported header positions match the layout', async (t) => {
  const batch = fixtures[0]![1];
  t.equal(batch.readBigInt64BE(BASE_OFFSET_POSITION), 5n);
  t.equal(batch.readInt32BE(BATCH_LENGTH_POSITION), batch.length - LOG_OVERHEAD);
  t.equal(batch.readInt32BE(PARTITION_LEADER_EPOCH_POSITION), 7);
  t.equal(batch.readInt8(MAGIC_POSITION), 2);
  t.equal(batch.readUInt32BE(CRC_POSITION), 0xb7b44520);
  t.equal(batch.readInt16BE(ATTRIBUTES_POSITION), 0);
  t.equal(batch.readInt32BE(LAST_OFFSET_DELTA_POSITION), 1);
  t.equal(batch.readBigInt64BE(BASE_TIMESTAMP_POSITION), 1_700_000_000_000n);
  t.equal(batch.readBigInt64BE(MAX_TIMESTAMP_POSITION), 1_700_000_000_005n);
  t.equal(batch.readBigInt64BE(PRODUCER_ID_POSITION), 1000n);
  t.equal(batch.readInt16BE(PRODUCER_EPOCH_POSITION), 2);
  t.equal(batch.readInt32BE(BASE_SEQUENCE_POSITION), 10);
  t.equal(batch.readInt32BE(RECORD_COUNT_POSITION), 2);
  t.equal(RECORDS_POSITION, BATCH_HEADER_SIZE);
  t.equal(computeBatchCrc(batch, 0, batch.length - LOG_OVERHEAD), 0xb7b44520);
});

function manyRecords(count: number): KafkaRecordInput[] {
  const records: KafkaRecordInput[] = [];
  for (let index = 0; index < count; index++) {
    records.push({
      key: index % 5 === 0 ? null : Buffer.from(`key-${index}`),
      value: index % 7 === 0 ? null : Buffer.from(`value ${index} `.repeat(1 + (index % 11))),
      timestamp: 1_700_000_000_000 + ((index * 37) % 1000) - 500,
      headers:
        index % 3 === 0
          ? []
          : [
              { key: 'trace-id', value: Buffer.from(`t${index}`) },
              { key: 'ключ-🔑', value: index % 2 ? null : Buffer.alloc(0) },
            ],
    });
  }
  return records;
}

t.test('round trip of every compression type with many records', async (t) => {
  const records = manyRecords(500);
  for (const compression of codecs) {
    const bytes = encodeRecordBatch({ baseOffset: 1000n, compression, records });
    const batch = decodeRecordBatch(bytes);
    const name = CompressionType[compression];
    t.equal(batch.compression, compression, `${name} attributes`);
    t.equal(batch.recordCount, 500);
    t.equal(batch.lastOffsetDelta, 499);
    t.equal(batch.size, bytes.length);
    t.equal(batch.baseTimestamp, records[0]!.timestamp, `${name} baseTimestamp is the first record's`);
    t.equal(batch.maxTimestamp, Math.max(...records.map((record) => record.timestamp!)), `${name} maxTimestamp`);
    let mismatches = 0;
    batch.records.forEach((record, index) => {
      const input = records[index]!;
      const same =
        record.offset === 1000n + BigInt(index) &&
        record.offsetDelta === index &&
        record.timestamp === input.timestamp &&
        (input.key === null ? record.key === null : record.key!.equals(input.key as Buffer)) &&
        (input.value === null ? record.value === null : record.value!.equals(input.value as Buffer)) &&
        record.headers.length === input.headers!.length &&
        record.headers.every(
          (header, headerIndex) =>
            header.key === input.headers![headerIndex]!.key &&
            (input.headers![headerIndex]!.value === null
              ? header.value === null
              : header.value!.equals(input.headers![headerIndex]!.value as Buffer)),
        );
      if (!same) mismatches++;
    });
    t.equal(mismatches, 0, `${name}: every record matches`);
    if (compression !== CompressionType.None) {
      t.ok(bytes.length < encodeRecordBatch({ baseOffset: 1000n, records }).length, `${name} compresses`);
    }
  }
});

t.test('header fields and attribute bits round trip', async (t) => {
  const bytes = encodeRecordBatch({
    baseOffset: 2n ** 60n,
    partitionLeaderEpoch: 2 ** 31 - 1,
    compression: CompressionType.Zstd,
    timestampType: TimestampType.LogAppendTime,
    transactional: true,
    producerId: 2n ** 62n + 3n,
    producerEpoch: 32767,
    baseSequence: 2 ** 31 - 1,
    maxTimestamp: 1_800_000_000_000,
    records: [
      { value: 'a', timestamp: 1_700_000_000_000, offsetDelta: 0 },
      { value: 'b', timestamp: 1_600_000_000_000, offsetDelta: 3 },
    ],
  });
  const batch = decodeRecordBatch(bytes);
  t.match(batch, {
    baseOffset: 2n ** 60n,
    partitionLeaderEpoch: 2 ** 31 - 1,
    compression: CompressionType.Zstd,
    attributes: 4 | 0x08 | 0x10,
    timestampType: TimestampType.LogAppendTime,
    transactional: true,
    control: false,
    producerId: 2n ** 62n + 3n,
    producerEpoch: 32767,
    baseSequence: 2 ** 31 - 1,
    lastOffsetDelta: 3,
    baseTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_800_000_000_000,
  });
  // LogAppendTime: every record reads the batch's maxTimestamp, as Kafka's clients do.
  t.same(batch.records.map((record) => record.timestamp), [1_800_000_000_000, 1_800_000_000_000]);
  t.same(batch.records.map((record) => record.timestampDelta), [0, -100_000_000_000]);
  t.same(batch.records.map((record) => record.offset), [2n ** 60n, 2n ** 60n + 3n], 'explicit offset deltas');

  const horizon = decodeRecordBatch(
    encodeRecordBatch({ deleteHorizonMs: 1_750_000_000_000, records: [{ value: 'x', timestamp: 1_700_000_000_000 }] }),
  );
  t.equal(horizon.hasDeleteHorizonMs, true);
  t.equal(horizon.attributes & 0x40, 0x40);
  t.equal(horizon.baseTimestamp, 1_750_000_000_000, 'the horizon is stored as baseTimestamp');
  t.equal(horizon.records[0]!.timestamp, 1_700_000_000_000);

  const defaults = decodeRecordBatch(encodeRecordBatch({ records: [{ value: 'x', timestamp: 5 }] }));
  t.match(defaults, {
    baseOffset: 0n,
    partitionLeaderEpoch: -1,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    attributes: 0,
  });

  const empty = decodeRecordBatch(encodeRecordBatch({ records: [] }));
  t.match(empty, { recordCount: 0, lastOffsetDelta: 0, baseTimestamp: -1, maxTimestamp: -1, records: [] });
  const compacted = decodeRecordBatch(encodeRecordBatch({ records: [], lastOffsetDelta: 9, compression: CompressionType.Gzip }));
  t.match(compacted, { recordCount: 0, lastOffsetDelta: 9, records: [] });
});

t.test('programmer errors in the input fail assertions', async (t) => {
  t.throws(() => encodeRecordBatch({ records: [{ offsetDelta: 1 }, { offsetDelta: 1 }] }), /offsetDelta/);
  t.throws(() => encodeRecordBatch({ records: [{ offsetDelta: -1 }] }), /offsetDelta/);
  t.throws(() => encodeRecordBatch({ producerEpoch: 40000, records: [] }), /producerEpoch/);
  t.throws(() => encodeRecordBatch({ records: [{ timestamp: 1.5 }] }), /timestamp/);
  t.throws(() => encodeRecordBatch({ records: [{ offsetDelta: 4 }], lastOffsetDelta: 2 }), /lastOffsetDelta/);
});

t.test('baseOffset and leader epoch sit outside the CRC: patched in place, the batch still verifies', async (t) => {
  const bytes = encodeRecordBatch({ compression: CompressionType.Lz4, records: manyRecords(20) });
  bytes.writeBigInt64BE(123_456_789n, BASE_OFFSET_POSITION);
  bytes.writeInt32BE(42, PARTITION_LEADER_EPOCH_POSITION);
  const batch = decodeRecordBatch(bytes);
  t.equal(batch.baseOffset, 123_456_789n);
  t.equal(batch.partitionLeaderEpoch, 42);
  t.equal(batch.records[19]!.offset, 123_456_789n + 19n);
});

t.test('CRC mismatch is rejected', async (t) => {
  for (const compression of codecs) {
    const bytes = encodeRecordBatch({ compression, records: manyRecords(10) });
    for (const position of [ATTRIBUTES_POSITION, RECORD_COUNT_POSITION + 3, RECORDS_POSITION, bytes.length - 1]) {
      const broken = Buffer.from(bytes);
      broken[position]! ^= 0x01;
      rejects(t, () => decodeRecordBatch(broken), 'CORRUPT_MESSAGE', `${CompressionType[compression]} bit flip at ${position}`);
      rejects(t, () => verifyRecordBatch(broken), 'CORRUPT_MESSAGE', `verify at ${position}`);
    }
    const wrongCrc = Buffer.from(bytes);
    wrongCrc.writeUInt32BE((wrongCrc.readUInt32BE(CRC_POSITION) + 1) >>> 0, CRC_POSITION);
    try {
      decodeRecordBatch(wrongCrc);
      t.fail('stored CRC off by one accepted');
    } catch (error) {
      t.match((error as Error).message, /CRC/);
    }
  }
});

t.test('wrong magic is rejected', async (t) => {
  for (const magic of [0, 1, 3, -1]) {
    const bytes = fixCrc(Buffer.from(fixtures[0]![1]));
    bytes.writeInt8(magic, MAGIC_POSITION);
    rejects(t, () => decodeRecordBatch(bytes), 'CORRUPT_MESSAGE', `magic ${magic}`);
    rejects(t, () => readBatchHeader(bytes), 'CORRUPT_MESSAGE', `header magic ${magic}`);
  }
});

t.test('every truncation of a batch is CORRUPT_MESSAGE', async (t) => {
  for (const compression of codecs) {
    const bytes = encodeRecordBatch({ compression, records: manyRecords(8) });
    let wrong = 0;
    for (let cut = 0; cut < bytes.length; cut++) {
      try {
        decodeRecordBatch(bytes.subarray(0, cut));
        wrong++;
      } catch (error) {
        if (!(error instanceof StorageError) || error.code !== 'CORRUPT_MESSAGE') wrong++;
      }
    }
    t.equal(wrong, 0, `${CompressionType[compression]}: all ${bytes.length} prefixes rejected`);
  }
});

t.test('framing and record errors behind a valid CRC', async (t) => {
  const base = fixtures[0]![1];
  const edit = (fn: (bytes: Buffer) => void, fix = true): Buffer => {
    const bytes = Buffer.from(base);
    fn(bytes);
    return fix ? fixCrc(bytes) : bytes;
  };
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt32BE(48, BATCH_LENGTH_POSITION))), 'CORRUPT_MESSAGE', 'batchLength below header');
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt32BE(-5, BATCH_LENGTH_POSITION))), 'CORRUPT_MESSAGE', 'negative batchLength');
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt32BE(2 ** 31 - 1, BATCH_LENGTH_POSITION))), 'CORRUPT_MESSAGE', 'batchLength past the end');
  for (const codec of [5, 6, 7]) {
    rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt16BE(codec, ATTRIBUTES_POSITION))), 'UNSUPPORTED_COMPRESSION_TYPE', `codec ${codec}`);
  }
  // A compressed flag over uncompressed records: the codec refuses the bytes.
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt16BE(1, ATTRIBUTES_POSITION))), 'CORRUPT_MESSAGE', 'gzip flag, raw records');
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt32BE(3, RECORD_COUNT_POSITION))), 'INVALID_RECORD', 'count above records');
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt32BE(1, RECORD_COUNT_POSITION))), 'INVALID_RECORD', 'count below records');
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt32BE(-1, RECORD_COUNT_POSITION))), 'INVALID_RECORD', 'negative count');
  rejects(t, () => decodeRecordBatch(edit((b) => b.writeInt32BE(2 ** 31 - 1, RECORD_COUNT_POSITION))), 'INVALID_RECORD', 'huge count');
  // Record 0 starts at 61: length 61, attributes 62, timestampDelta 63, offsetDelta 64, key length 65, key 66,
  // value length 67, value 68-69, header count 70, header key length 71.
  rejects(t, () => decodeRecordBatch(edit((b) => (b[61] = 0x7e))), 'INVALID_RECORD', 'record length past the end');
  rejects(t, () => decodeRecordBatch(edit((b) => (b[61] = 0x16))), 'INVALID_RECORD', 'record length short of its fields');
  rejects(t, () => decodeRecordBatch(edit((b) => (b[61] = 0x01))), 'INVALID_RECORD', 'negative record length');
  rejects(t, () => decodeRecordBatch(edit((b) => (b[65] = 0x7e))), 'INVALID_RECORD', 'key length past the record');
  rejects(t, () => decodeRecordBatch(edit((b) => (b[65] = 0x03))), 'INVALID_RECORD', 'key length -2');
  rejects(t, () => decodeRecordBatch(edit((b) => (b[70] = 0x7e))), 'INVALID_RECORD', 'header count past the record');
  rejects(t, () => decodeRecordBatch(edit((b) => (b[71] = 0x01))), 'INVALID_RECORD', 'null header key');
  rejects(t, () => decodeRecordBatch(edit((b) => (b[63] = 0x80))), 'INVALID_RECORD', 'varint running into the next field');
  // Timestamps beyond the safe integers are refused rather than rounded.
  rejects(t, () => readBatchHeader(edit((b) => b.writeBigInt64BE(2n ** 60n, BASE_TIMESTAMP_POSITION))), 'CORRUPT_MESSAGE', 'huge timestamp');
  rejects(t, () => readBatchHeader(base.subarray(0, 60)), 'CORRUPT_MESSAGE', 'header cut');
});

t.test('decode bounds the decompressed size', async (t) => {
  const bytes = encodeRecordBatch({
    compression: CompressionType.Zstd,
    records: [{ value: Buffer.alloc(2 * 1024 * 1024) }],
  });
  rejects(t, () => decodeRecordBatch(bytes, 0, { decompressedBytesMax: 1024 * 1024 }), 'MESSAGE_TOO_LARGE', 'bounded');
  t.equal(decodeRecordBatch(bytes).records[0]!.value!.length, 2 * 1024 * 1024, 'default bound is larger');
});

t.test('readBatchHeader needs only the header; verifyRecordBatch and decode work at a position', async (t) => {
  const bytes = encodeRecordBatch({ baseOffset: 77n, compression: CompressionType.Snappy, records: manyRecords(30) });
  const header = readBatchHeader(bytes.subarray(0, BATCH_HEADER_SIZE));
  t.match(header, { baseOffset: 77n, recordCount: 30, size: bytes.length, compression: CompressionType.Snappy });
  const padded = Buffer.concat([Buffer.alloc(13, 0xaa), bytes, Buffer.alloc(5, 0xbb)]);
  t.match(verifyRecordBatch(padded, 13), { position: 13, baseOffset: 77n });
  t.equal(decodeRecordBatch(new Uint8Array(padded), 13).records.length, 30, 'plain Uint8Array input');
});

t.test('property: random batches round trip', async (t) => {
  const bytesArb = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null });
  const recordArb = fc.record({
    key: bytesArb,
    value: bytesArb,
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
    headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: bytesArb }), { maxLength: 3 }),
  });
  fc.assert(
    fc.property(
      fc.constantFrom(...codecs),
      fc.array(recordArb, { maxLength: 30 }),
      fc.bigInt({ min: 0n, max: 2n ** 62n }),
      (compression, records, baseOffset) => {
        const batch = decodeRecordBatch(encodeRecordBatch({ compression, baseOffset, records }));
        return (
          batch.records.length === records.length &&
          batch.records.every((record, index) => {
            const input = records[index]!;
            const same = (a: Buffer | null, b: Uint8Array | null): boolean =>
              a === null ? b === null : b !== null && a.equals(b);
            return (
              record.timestamp === input.timestamp &&
              record.offset === baseOffset + BigInt(index) &&
              same(record.key, input.key) &&
              same(record.value, input.value) &&
              record.headers.length === input.headers.length &&
              record.headers.every(
                (header, headerIndex) =>
                  header.key === Buffer.from(input.headers[headerIndex]!.key).toString() &&
                  same(header.value, input.headers[headerIndex]!.value),
              )
            );
          })
        );
      },
    ),
    { numRuns: 300 },
  );
  t.pass('round trips');
});

t.test('property: mutated batches decode or throw StorageError, never anything else', async (t) => {
  const seeds = codecs.map((compression) => encodeRecordBatch({ compression, records: manyRecords(6) }));
  seeds.push(...fixtures.map(([, bytes]) => bytes));
  let decoded = 0;
  let rejected = 0;
  fc.assert(
    fc.property(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      fc.nat(),
      (seed, edits, recomputeCrc, cut) => {
        const bytes = Buffer.from(seeds[seed]!);
        for (const [where, value] of edits) bytes[where % bytes.length] = value;
        if (recomputeCrc) fixCrc(bytes);
        const input = cut % 4 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
        try {
          decodeRecordBatch(input, 0, { decompressedBytesMax: 1 << 20 });
          decoded++;
        } catch (error) {
          if (!(error instanceof StorageError)) throw error;
          rejected++;
        }
        return true;
      },
    ),
    { numRuns: 5000 },
  );
  t.ok(rejected > 0 && decoded > 0, `both outcomes seen (decoded ${decoded}, rejected ${rejected})`);
});
