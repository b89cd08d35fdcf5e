// Log.whenDurable (group commit for durable acknowledgements), durableOffset, the addon's syncedSize, and Kafka's
// flush.messages. Tests of src/storage/log.ts's durability half; the rest of the Log is in log.test.ts.
import t from 'tap';
import { Log } from '../../src/storage/log';
import { rawBatch } from '../helpers/batches';

const small = { segmentBytes: 8192, indexIntervalBytes: 512, segmentIndexBytes: 4096 };

function append(log: Log, per = 2, payload = 200): { firstOffset: number; lastOffset: number } {
  return log.append(rawBatch({ recordCount: per, payloadBytes: payload }));
}

t.test('whenDurable resolves once the batch is fdatasynced; the addon reports the synced bytes', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const a = append(log);
  t.equal(log.durableOffset, 0, 'nothing is on disk yet');
  t.equal(log.syncedOffsetOnDisk(), 0);
  await log.whenDurable(a.lastOffset);
  t.equal(log.durableOffset, a.lastOffset + 1);
  t.equal(log.syncedOffsetOnDisk(), a.lastOffset + 1, 'the addon saw the same on disk');
  t.equal(log.dataSyncs, 1);
  const b = append(log);
  t.equal(log.syncedOffsetOnDisk(), a.lastOffset + 1, 'a later append is not on disk before its own sync');
  await log.whenDurable(b.firstOffset);
  t.equal(log.syncedOffsetOnDisk(), b.lastOffset + 1, 'the whole batch holding the offset');
  await log.whenDurable(a.firstOffset);
  t.equal(log.dataSyncs, 2, 'an offset already on disk costs no sync');
  t.equal(log.recoveryPoint, 0, 'data syncs leave the recovery point (which also covers indexes) to flush()');
  log.close();
});

t.test('waiters that arrive together share one fdatasync; those arriving during a sync share the next', async (t) => {
  const log = Log.open(t.testdir(), { config: { ...small, segmentBytes: 1 << 20 } });
  const waits: Promise<void>[] = [];
  for (let i = 0; i < 100; i++) waits.push(log.whenDurable(append(log).lastOffset));
  t.equal(log.dataSyncs, 1, 'one sync started for 100 waiters');
  // Arrivals while that sync runs: its target was fixed when it started, so they wait for the next one.
  const later: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) later.push(log.whenDurable(append(log).lastOffset));
  t.equal(log.dataSyncs, 1, 'no second sync while the first runs');
  let laterDone = false;
  void Promise.all(later).then(() => (laterDone = true));
  await Promise.all(waits);
  t.notOk(laterDone, 'the later waiters were not covered by the first sync');
  await Promise.all(later);
  t.equal(log.dataSyncs, 2, '150 acknowledgements, 2 fdatasyncs');
  t.equal(log.syncedOffsetOnDisk(), log.logEndOffset);
  log.close();
});

t.test('a sync covers every segment past the durable offset, across rolls', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const first = append(log, 2, 3000);
  for (let i = 0; i < 8; i++) append(log, 2, 3000);
  t.ok(log.segmentCount >= 3, `${log.segmentCount} segments`);
  const last = append(log, 2, 3000);
  await Promise.all([log.whenDurable(first.lastOffset), log.whenDurable(last.lastOffset)]);
  t.equal(log.syncedOffsetOnDisk(), log.logEndOffset, 'every segment is on disk as far as the addon knows');
  log.close();
});

t.test('truncation rejects waiters for removed offsets; close settles the rest', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const a = append(log);
  const b = append(log);
  const waitA = log.whenDurable(a.lastOffset);
  const waitB = log.whenDurable(b.lastOffset);
  log.truncateTo(b.firstOffset);
  await t.rejects(waitB, { code: 'OFFSET_OUT_OF_RANGE' }, 'the batch is gone: it can never be acknowledged');
  await waitA;
  t.ok(log.syncedOffsetOnDisk() >= a.lastOffset + 1);
  // The truncated offsets are reused by a new batch: the sync that ran before the truncation does not count for it.
  const c = append(log);
  t.equal(c.firstOffset, b.firstOffset);
  t.ok(log.durableOffset <= c.firstOffset, 'the new batch at a reused offset is not durable by an older sync');
  const waitC = log.whenDurable(c.lastOffset);
  const d = append(log);
  const waitD = log.whenDurable(d.lastOffset);
  log.close();
  await waitC;
  await waitD;
  t.equal(log.durableOffset, d.lastOffset + 1, 'close flushed everything');
  await t.rejects(log.whenDurable(d.lastOffset + 5), { code: 'ERR_LOG_CLOSED' });
});

t.test('an offset not yet in the log is refused', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  append(log);
  await t.rejects(log.whenDurable(2), { code: 'OFFSET_OUT_OF_RANGE' });
  log.close();
});

t.test('a durable offset survives a reopen as the recovery point', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  const a = append(log);
  await log.whenDurable(a.lastOffset);
  log.close();
  const again = Log.open(dir, { config: small, recoveryPoint: log.recoveryPoint, cleanShutdown: true });
  t.equal(again.durableOffset, a.lastOffset + 1);
  t.equal(again.syncedOffsetOnDisk(), a.lastOffset + 1, 'known on disk from the recovery point at open');
  again.close();
});

t.test('flush.messages: a flush starts once that many messages are unflushed', async (t) => {
  const log = Log.open(t.testdir(), { config: { ...small, flushMessages: 10 } });
  for (let i = 0; i < 4; i++) append(log); // 8 messages
  await new Promise((r) => setTimeout(r, 50));
  t.equal(log.recoveryPoint, 0, 'below the threshold nothing is flushed');
  append(log); // 10 messages
  for (let i = 0; i < 100 && log.recoveryPoint < 10; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(log.recoveryPoint, 10, 'flushed, recovery point advanced');
  t.equal(log.syncedOffsetOnDisk(), 10, 'the .log was fdatasynced');
  log.close();
});
