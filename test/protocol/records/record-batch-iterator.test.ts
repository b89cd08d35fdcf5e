import t from 'tap';
import { StorageError } from '../../../src/errors/storage-error';
import { CompressionType } from '../../../src/protocol/records/compression';
import { BATCH_LENGTH_POSITION, decodeRecordBatch, encodeRecordBatch } from '../../../src/protocol/records/record-batch';
import { RecordBatchIterator } from '../../../src/protocol/records/record-batch-iterator';

const batches = [
  encodeRecordBatch({ baseOffset: 0n, records: [{ value: 'a' }, { value: 'b' }] }),
  encodeRecordBatch({ baseOffset: 2n, compression: CompressionType.Gzip, records: [{ key: 'k', value: 'c' }] }),
  encodeRecordBatch({ baseOffset: 3n, compression: CompressionType.Zstd, records: [{ value: 'd' }, { value: 'e' }] }),
];
const joined = Buffer.concat(batches);
const starts = [0, batches[0]!.length, batches[0]!.length + batches[1]!.length];

t.test('walks concatenated batches of mixed codecs', async (t) => {
  const iterator = new RecordBatchIterator(joined);
  const headers = [...iterator];
  t.same(headers.map((header) => header.baseOffset), [0n, 2n, 3n]);
  t.same(headers.map((header) => header.position), starts);
  t.same(headers.map((header) => header.size), batches.map((batch) => batch.length));
  t.equal(iterator.partial, false);
  t.equal(iterator.position, joined.length);
  const values = headers.flatMap((header) =>
    decodeRecordBatch(joined, header.position).records.map((record) => record.value!.toString()),
  );
  t.same(values, ['a', 'b', 'c', 'd', 'e']);
});

t.test('a partial trailing batch ends the walk quietly, at every cut', async (t) => {
  let wrong = 0;
  for (let cut = 0; cut <= joined.length; cut++) {
    const iterator = new RecordBatchIterator(joined.subarray(0, cut));
    const positions = [...iterator].map((header) => header.position);
    const complete = starts.filter((start, index) => start + batches[index]!.length <= cut);
    const stop = complete.length === 0 ? 0 : starts[complete.length - 1]! + batches[complete.length - 1]!.length;
    if (
      positions.join() !== complete.join() ||
      iterator.position !== stop ||
      iterator.partialBytes !== cut - stop ||
      iterator.partial !== cut > stop
    ) {
      wrong++;
    }
  }
  t.equal(wrong, 0, `${joined.length + 1} cuts`);
});

t.test('honours position and end; empty input', async (t) => {
  t.same([...new RecordBatchIterator(joined, starts[1], starts[2])].map((header) => header.baseOffset), [2n]);
  t.same([...new RecordBatchIterator(Buffer.alloc(0))], []);
  t.same([...new RecordBatchIterator(new Uint8Array(joined))].length, 3, 'plain Uint8Array');
});

t.test('an impossible batchLength is corruption, not a partial batch', async (t) => {
  const broken = Buffer.from(joined);
  broken.writeInt32BE(10, starts[1]! + BATCH_LENGTH_POSITION);
  const iterator = new RecordBatchIterator(broken);
  t.equal(iterator.next().done, false);
  try {
    iterator.next();
    t.fail('did not throw');
  } catch (error) {
    t.ok(error instanceof StorageError);
    t.equal((error as StorageError).code, 'CORRUPT_MESSAGE');
  }
  const badMagic = Buffer.from(joined);
  badMagic[16] = 1;
  t.throws(() => [...new RecordBatchIterator(badMagic)], { code: 'CORRUPT_MESSAGE' });
});
