import t, { Test } from 'tap';
import { StorageError } from '../../../src/errors/storage-error';
import {
  ControlRecordType,
  decodeControlRecordKey,
  decodeEndTransactionMarker,
  encodeControlBatch,
  encodeControlRecordKey,
  encodeEndTransactionMarkerValue,
} from '../../../src/protocol/records/control-record';
import { decodeRecordBatch } from '../../../src/protocol/records/record-batch';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function rejectsInvalid(t: Test, fn: () => unknown, name: string): void {
  try {
    fn();
    t.fail(`${name}: did not throw`);
  } catch (error) {
    t.ok(error instanceof StorageError, `${name}: StorageError`);
    t.equal((error as StorageError).code, 'INVALID_RECORD', `${name}: INVALID_RECORD`);
  }
}

t.test('key and value bytes', async (t) => {
  t.equal(encodeControlRecordKey(ControlRecordType.Abort).toString('hex'), '00000000');
  t.equal(encodeControlRecordKey(ControlRecordType.Commit).toString('hex'), '00000001');
  t.equal(encodeEndTransactionMarkerValue(5).toString('hex'), '000000000005');
  t.equal(encodeEndTransactionMarkerValue(-1).toString('hex'), '0000ffffffff');
});

t.test('control batch round trip, COMMIT and ABORT', async (t) => {
  for (const type of [ControlRecordType.Commit, ControlRecordType.Abort] as const) {
    const bytes = encodeControlBatch({
      type,
      coordinatorEpoch: 17,
      producerId: 4242n,
      producerEpoch: 3,
      baseOffset: 100n,
      partitionLeaderEpoch: 9,
      timestamp: 1_700_000_000_000,
    });
    const batch = decodeRecordBatch(bytes);
    t.match(batch, {
      baseOffset: 100n,
      partitionLeaderEpoch: 9,
      attributes: 0x30,
      transactional: true,
      control: true,
      producerId: 4242n,
      producerEpoch: 3,
      baseSequence: -1,
      recordCount: 1,
      lastOffsetDelta: 0,
      baseTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_000,
    });
    const record = batch.records[0]!;
    t.equal(record.offset, 100n);
    t.same(decodeControlRecordKey(record.key), { version: 0, type });
    t.same(decodeEndTransactionMarker(record), { type, version: 0, coordinatorEpoch: 17 });
  }
});

t.test('newer versions with extra bytes still read; malformed markers do not', async (t) => {
  t.same(decodeEndTransactionMarker({ key: hex('0001 0001 ffff'), value: hex('0003 00000007 aabbcc') }), {
    type: ControlRecordType.Commit,
    version: 3,
    coordinatorEpoch: 7,
  });
  t.same(decodeControlRecordKey(hex('0000 0002')), { version: 0, type: ControlRecordType.LeaderChange });
  t.same(decodeControlRecordKey(hex('0000 0063')), { version: 0, type: 99 }, 'unknown types are kept');
  rejectsInvalid(t, () => decodeControlRecordKey(null), 'null key');
  rejectsInvalid(t, () => decodeControlRecordKey(hex('000000')), 'short key');
  rejectsInvalid(t, () => decodeControlRecordKey(hex('ffff 0001')), 'negative key version');
  rejectsInvalid(t, () => decodeEndTransactionMarker({ key: hex('0000 0002'), value: hex('0000 00000001') }), 'leader change');
  rejectsInvalid(t, () => decodeEndTransactionMarker({ key: hex('0000 0001'), value: null }), 'null value');
  rejectsInvalid(t, () => decodeEndTransactionMarker({ key: hex('0000 0001'), value: hex('0000 000000') }), 'short value');
  rejectsInvalid(t, () => decodeEndTransactionMarker({ key: hex('0000 0000'), value: hex('8000 00000001') }), 'negative value version');
});
