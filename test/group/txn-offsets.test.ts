/**
 * Transactional offset commits in the group coordinator: pending until the producer's marker, applied on COMMIT,
 * dropped on ABORT, replayed as pending or applied after a restart, UNSTABLE_OFFSET_COMMIT for require_stable
 * fetches meanwhile, and carried over by a log rewrite that happens while they are pending.
 */
import t from 'tap';
import { openHarness } from './fixtures/group-harness';

const commit = (producerId: number, offset: number, groupId = 'g') => ({
  groupId,
  generationId: -1,
  memberId: '',
  groupInstanceId: null,
  retentionTimeMs: -1,
  offsets: [{ topic: 'in', partition: 0, offset: BigInt(offset), leaderEpoch: -1, metadata: '', commitTimestampMs: -1 }],
  producerId,
  producerEpoch: 3,
});
const fetched = (h: ReturnType<typeof openHarness>, stable = false) => h.coordinator.fetchOffsets('g', [{ topic: 'in', partition: 0 }], stable).offsets[0];

t.test('pending until the marker; commit applies, abort drops; both survive a restart', async (t) => {
  let h = openHarness(t.testdir());
  t.same(h.coordinator.commitTxnOffsets(commit(7, 10)).map((e) => e.error), ['NONE']);
  t.equal(fetched(h).offset, -1n, 'not visible before the commit');
  t.equal(fetched(h, true).error, 'UNSTABLE_OFFSET_COMMIT', 'require_stable is told to wait');
  h.log.appendMarker(7, 3, 0, true);
  h.coordinator.completeTxnOffsets(7, true);
  t.equal(fetched(h).offset, 10n);
  h.coordinator.commitTxnOffsets(commit(7, 20));
  h.log.appendMarker(7, 3, 0, false);
  h.coordinator.completeTxnOffsets(7, false);
  t.equal(fetched(h).offset, 10n, 'an abort leaves the committed offset');
  h.coordinator.commitTxnOffsets(commit(8, 30));
  h = h.restart();
  t.equal(fetched(h).offset, 10n, 'after a restart: the commit applied, the abort not, the open one pending');
  t.equal(fetched(h, true).error, 'UNSTABLE_OFFSET_COMMIT');
  h.log.appendMarker(8, 3, 0, true);
  h.coordinator.completeTxnOffsets(8, true);
  t.equal(fetched(h).offset, 30n, 'the replayed pending commit resolves with its marker');
  h.close();
});

t.test('a rewrite of the offsets log while a transaction is open keeps its pending offsets', async (t) => {
  let h = openHarness(t.testdir(), { config: { offsetsLogRewriteRecordsMin: 50 } });
  h.coordinator.commitTxnOffsets(commit(9, 77));
  const startBefore = h.log.logStartOffset;
  // Plain commits of another group until a rewrite happens.
  for (let i = 0; i < 200; i++) {
    h.coordinator.commitOffsets({ groupId: 'other', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, offsets: [{ topic: 'x', partition: 0, offset: BigInt(i), leaderEpoch: -1, metadata: '', commitTimestampMs: -1 }] });
  }
  t.ok(h.log.logStartOffset > startBefore, `rewritten (log start ${startBefore} -> ${h.log.logStartOffset})`);
  h = h.restart();
  t.equal(fetched(h, true).error, 'UNSTABLE_OFFSET_COMMIT', 'still pending after the rewrite and a restart');
  h.log.appendMarker(9, 3, 0, true);
  h.coordinator.completeTxnOffsets(9, true);
  t.equal(fetched(h).offset, 77n, 'and applied by its marker');
  h = h.restart();
  t.equal(fetched(h).offset, 77n, 'durably');
  h.close();
});

t.test('a plain commit made after a transactional one wins when the transaction commits, also after a restart', async (t) => {
  let h = openHarness(t.testdir());
  h.coordinator.commitTxnOffsets(commit(5, 40));
  h.coordinator.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, offsets: [{ topic: 'in', partition: 0, offset: 50n, leaderEpoch: -1, metadata: '', commitTimestampMs: -1 }] });
  h.log.appendMarker(5, 3, 0, true);
  h.coordinator.completeTxnOffsets(5, true);
  t.equal(fetched(h).offset, 50n, 'the later plain commit stands (Kafka compares the records log offsets)');
  h = h.restart();
  t.equal(fetched(h).offset, 50n, 'replayed the same way');
  h.coordinator.commitTxnOffsets(commit(6, 60));
  h.log.appendMarker(6, 3, 0, true);
  h.coordinator.completeTxnOffsets(6, true);
  t.equal(fetched(h).offset, 60n, 'a transactional commit after the plain one applies');
  h.close();
});
