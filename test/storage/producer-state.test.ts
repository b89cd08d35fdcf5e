import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Log } from '../../src/storage/log';
import { lastSequenceOf, listSnapshots, ProducerState } from '../../src/storage/producer-state';
import { rawBatch } from '../helpers/batches';

const small = { segmentBytes: 4096, indexIntervalBytes: 512, segmentIndexBytes: 4096 };

function idem(producerId: number, epoch: number, baseSequence: number, recordCount = 3, maxTimestamp = 1_000): Buffer {
  return rawBatch({ producerId, producerEpoch: epoch, baseSequence, recordCount, payloadBytes: 200, maxTimestamp });
}

t.test('a retried batch is answered with its original offsets and written once', async (t) => {
  const log = Log.open(t.testdir());
  const first = idem(7, 0, 0);
  t.match(log.append(first), { duplicate: false, firstOffset: 0, lastOffset: 2 });
  t.match(log.append(idem(7, 0, 3)), { duplicate: false, firstOffset: 3, lastOffset: 5 });
  const end = log.logEndOffset;
  const retry = log.append(Buffer.from(first));
  t.match(retry, { duplicate: true, firstOffset: 0, lastOffset: 2, size: 0 });
  t.equal(log.logEndOffset, end, 'nothing written for the retry');
  t.match(log.append(idem(7, 0, 3)), { duplicate: true, firstOffset: 3 }, 'the latest batch too');
  t.match(log.append(idem(7, 0, 6)), { duplicate: false, firstOffset: 6 });
  log.close();
});

t.test('sequence gaps, overlaps and fenced epochs are refused and write nothing', async (t) => {
  const log = Log.open(t.testdir());
  log.append(idem(1, 2, 0));
  const end = log.logEndOffset;
  t.throws(() => log.append(idem(1, 2, 4)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }, 'a gap');
  t.throws(() => log.append(idem(1, 2, 1)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }, 'an overlap that is no retry');
  t.throws(() => log.append(idem(1, 1, 3)), { code: 'INVALID_PRODUCER_EPOCH' }, 'an older epoch');
  t.throws(() => log.append(idem(1, 3, 5)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }, 'a new epoch not at 0');
  t.equal(log.logEndOffset, end);
  t.match(log.append(idem(1, 3, 0)), { duplicate: false }, 'a new epoch at 0');
  t.throws(() => log.append(idem(1, 2, 3)), { code: 'INVALID_PRODUCER_EPOCH' }, 'the old epoch is now fenced');
  t.match(log.append(idem(99, 0, 42)), { duplicate: false }, 'an unknown producer is accepted at any sequence (KIP-360)');
  t.match(log.append(rawBatch({ recordCount: 2 })), { duplicate: false }, 'plain batches are not checked');
  t.throws(() => log.append(Buffer.concat([idem(1, 3, 3), idem(1, 3, 6)])), { code: 'INVALID_RECORD' }, 'one producer batch per append');
  log.close();
});

t.test('only the last five batches are recognised as retries', async (t) => {
  const log = Log.open(t.testdir());
  const sent: Buffer[] = [];
  for (let i = 0; i < 7; i++) {
    const b = idem(5, 0, i * 3);
    sent.push(b);
    log.append(b);
  }
  for (let i = 2; i < 7; i++) t.match(log.append(Buffer.from(sent[i])), { duplicate: true, firstOffset: i * 3 }, `batch ${i}`);
  t.throws(() => log.append(Buffer.from(sent[1])), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }, 'batch 1 is too old');
  log.close();
});

t.test('sequences wrap from 2^31-1 to 0', async (t) => {
  t.equal(lastSequenceOf(2 ** 31 - 2, 3), 1);
  t.equal(lastSequenceOf(10, 3), 13);
  const log = Log.open(t.testdir());
  log.append(idem(3, 0, 2 ** 31 - 3, 3)); // sequences 2^31-3 .. 2^31-1
  t.match(log.append(idem(3, 0, 0, 2)), { duplicate: false }, 'continues at 0');
  log.close();
});

t.test('snapshots at roll and close; reopen after a clean close replays nothing', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  let last: Buffer = Buffer.alloc(0);
  for (let i = 0; i < 40; i++) {
    last = idem(11, 0, i * 3);
    log.append(last);
    log.append(idem(12, 1, i * 3));
  }
  t.ok(log.segmentCount > 3);
  t.same(listSnapshots(dir), log.segmentBaseOffsets().slice(1), 'one snapshot per roll, at the new segment base');
  const end = log.logEndOffset;
  log.close();
  t.ok(listSnapshots(dir).includes(end), 'a snapshot at the log end on close');
  const again = Log.open(dir, { config: small, cleanShutdown: true });
  t.equal(again.recovery.producerSnapshotOffset, end);
  t.equal(again.recovery.producerBatchesReplayed, 0);
  t.match(again.append(Buffer.from(last)), { duplicate: true, firstOffset: end - 6 }, 'the last batch is still a retry');
  t.match(again.append(idem(12, 1, 120)), { duplicate: false });
  t.throws(() => again.append(idem(12, 0, 0)), { code: 'INVALID_PRODUCER_EPOCH' }, 'epochs survive the restart');
  again.close();
});

t.test('after an unclean stop the state is rebuilt from the newest snapshot plus the batches after it', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  const sent: Buffer[] = [];
  for (let i = 0; i < 30; i++) {
    const b = idem(21, 0, i * 3);
    sent.push(b);
    log.append(b);
  }
  log.flushSync();
  const expected = new ProducerState();
  // Ground truth: the state built by replaying the whole log.
  for (let i = 0; i < 30; i++) expected.update({ producerId: 21, epoch: 0, firstSeq: i * 3, offsetDelta: 2, isTransactional: false }, i * 3, i * 3 + 2, 1_000);
  // No close: no snapshot at the end, no clean marker. A second open of the same files sees what a crash leaves.
  // Below the recovery point nothing needs replaying: a full replay from the start gives the same state.
  const fromStart = Log.open(dir, { config: small, recoveryPoint: 0 });
  t.equal(fromStart.recovery.producerSnapshotOffset, -1, 'no snapshot is trusted above the recovery point');
  t.equal(fromStart.recovery.producerBatchesReplayed, 30);
  t.same(fromStart.producerState.entry(21)!.batches, expected.entry(21)!.batches);
  const reopened = Log.open(dir, { config: small, recoveryPoint: log.recoveryPoint });
  t.ok(reopened.recovery.producerSnapshotOffset > 0, `loaded snapshot ${reopened.recovery.producerSnapshotOffset}`);
  t.ok(reopened.recovery.producerBatchesReplayed > 0 && reopened.recovery.producerBatchesReplayed < 30, `replayed ${reopened.recovery.producerBatchesReplayed}`);
  t.same(reopened.producerState.entry(21)!.batches.at(-1), expected.entry(21)!.batches.at(-1));
  for (let i = 25; i < 30; i++) t.match(reopened.append(Buffer.from(sent[i])), { duplicate: true, firstOffset: i * 3 }, `retry of ${i}`);
  t.match(reopened.append(idem(21, 0, 90)), { duplicate: false, firstOffset: 90 });
  reopened.close();
  // `log` is left as a crashed process leaves its files: never closed.
});

t.test('a damaged snapshot is deleted and the log replayed instead', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  for (let i = 0; i < 30; i++) log.append(idem(31, 0, i * 3));
  const end = log.logEndOffset;
  log.close();
  const file = path.join(dir, `${String(end).padStart(20, '0')}.snapshot`);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 3] ^= 0xff;
  fs.writeFileSync(file, bytes);
  const again = Log.open(dir, { config: small, cleanShutdown: true });
  t.notOk(fs.existsSync(file), 'the damaged snapshot is gone');
  t.ok(again.recovery.producerSnapshotOffset < end);
  t.equal(again.producerState.entry(31)!.batches.at(-1)!.lastSeq, 89);
  t.match(again.append(idem(31, 0, 87)), { duplicate: true, firstOffset: 87 });
  again.close();
});

t.test('truncation rewinds producer state; expiry and log-start moves forget producers', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small, now: () => 10_000 });
  for (let i = 0; i < 30; i++) log.append(idem(41, 0, i * 3, 3, 5_000));
  log.truncateTo(45); // keeps sequences 0..44
  t.equal(log.producerState.entry(41)!.batches.at(-1)!.lastSeq, 44);
  t.throws(() => log.append(idem(41, 0, 60)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
  t.match(log.append(idem(41, 0, 45, 3, 5_000)), { duplicate: false, firstOffset: 45 }, 'the truncated batch is written again');
  t.equal(log.removeExpiredProducers(6_000, 10_000), 0, 'not idle long enough');
  t.equal(log.removeExpiredProducers(5_000, 10_000), 1);
  t.match(log.append(idem(41, 0, 1000)), { duplicate: false }, 'forgotten: any sequence');
  log.append(idem(42, 0, 0));
  log.deleteRecordsBefore(log.logEndOffset);
  t.equal(log.producerState.size, 0, 'producers whose data is gone are forgotten');
  log.close();
});
