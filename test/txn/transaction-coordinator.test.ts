/**
 * The transaction coordinator over real partition logs and a real __transaction_state log: epochs and fencing,
 * commit and abort markers with the LSO they release, timeouts, and a restart that finishes a decided transaction
 * whose markers were cut short (a marker write failing with ENOSPC, injected on one real log).
 */
import t from 'tap';
import { Log } from '../../src/storage/log';
import { StorageError } from '../../src/errors/storage-error';
import { silentLogger } from '../../src/observability/logger';
import { ProducerIdManager } from '../../src/txn/producer-id-manager';
import { TransactionCoordinator, TransactionCoordinatorOptions } from '../../src/txn/transaction-coordinator';
import { rawBatch } from '../helpers/batches';

const TRANSACTIONAL = 0x10;

function setup(dir: string, clock: { now: number }, extra: Partial<TransactionCoordinatorOptions> = {}) {
  const logs = new Map<string, Log>();
  const get = (topic: string, partition: number) => {
    const key = `${topic}-${partition}`;
    let log = logs.get(key);
    if (!log) logs.set(key, (log = Log.open(`${dir}/${key}`)));
    return log;
  };
  const offsetsMarkers: Array<[number, boolean]> = [];
  const make = () =>
    new TransactionCoordinator({
      stateLog: () => get('__transaction_state', 0),
      producerIds: ProducerIdManager.open(dir),
      partitionLog: get,
      offsetsPartition: { topic: '__consumer_offsets', partition: 0 },
      onOffsetsMarker: (pid, commit) => offsetsMarkers.push([pid, commit]),
      onAppend: () => {},
      logger: silentLogger,
      now: () => clock.now,
      ...extra,
    });
  return { get, make, offsetsMarkers, logs };
}

const send = (log: Log, pid: number, epoch: number, seq: number) =>
  log.append(rawBatch({ producerId: pid, producerEpoch: epoch, baseSequence: seq, recordCount: 2, attributes: TRANSACTIONAL }));

t.test('commit and abort write markers to every partition and release the LSO', async (t) => {
  const clock = { now: 1_000 };
  const { get, make, offsetsMarkers } = setup(t.testdir(), clock);
  const tc = make();
  tc.load();
  const init = tc.initProducerId('app', 60_000);
  t.match(init, { error: 'NONE', producerEpoch: 0 });
  const pid = init.producerId;
  t.match(tc.addPartitions('app', pid, 0, [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }], () => true), [{ error: 'NONE' }, { error: 'NONE' }]);
  t.equal(tc.addOffsets('app', pid, 0), 'NONE');
  t.equal(tc.checkTxnOffsetCommit('app', pid, 0), 'NONE');
  send(get('a', 0), pid, 0, 0);
  send(get('b', 1), pid, 0, 0);
  t.equal(get('a', 0).lastStableOffset, 0, 'open: nothing stable');
  t.equal(tc.describe('app')!.state, 'Ongoing');
  t.equal(tc.endTxn('app', pid, 0, true), 'NONE');
  t.equal(tc.describe('app')!.state, 'CompleteCommit');
  for (const log of [get('a', 0), get('b', 1), get('__consumer_offsets', 0)]) t.equal(log.lastStableOffset, log.highWatermark, 'marker written');
  t.same(offsetsMarkers, [[pid, true]], 'the group coordinator is told');
  t.equal(tc.endTxn('app', pid, 0, true), 'NONE', 'a retried EndTxn is answered again');
  t.equal(tc.endTxn('app', pid, 0, false), 'INVALID_TXN_STATE', 'but not with the other outcome');

  tc.addPartitions('app', pid, 0, [{ topic: 'a', partition: 0 }], () => true);
  send(get('a', 0), pid, 0, 2);
  t.equal(tc.endTxn('app', pid, 0, false), 'NONE');
  t.same(get('a', 0).txnIndex.all().map((e) => e.producerId), [pid], 'the abort is indexed');
  t.same(tc.addPartitions('app', pid, 0, [{ topic: 'nope', partition: 0 }, { topic: 'a', partition: 0 }], (topic) => topic !== 'nope').map((r) => r.error), ['UNKNOWN_TOPIC_OR_PARTITION', 'OPERATION_NOT_ATTEMPTED']);
  t.equal(tc.initProducerId('app', 10_000_000).error, 'INVALID_TRANSACTION_TIMEOUT');
});

t.test('a new incarnation fences the old one: its open transaction is aborted under the bumped epoch', async (t) => {
  const clock = { now: 1_000 };
  const { get, make } = setup(t.testdir(), clock);
  const tc = make();
  tc.load();
  const first = tc.initProducerId('zombie', 60_000);
  tc.addPartitions('zombie', first.producerId, 0, [{ topic: 'a', partition: 0 }], () => true);
  send(get('a', 0), first.producerId, 0, 0);
  const second = tc.initProducerId('zombie', 60_000);
  t.match(second, { error: 'NONE', producerId: first.producerId, producerEpoch: 1 });
  t.equal(get('a', 0).lastStableOffset, get('a', 0).highWatermark, 'the open transaction was aborted');
  t.equal(get('a', 0).txnIndex.size, 1);
  t.throws(() => send(get('a', 0), first.producerId, 0, 2), { code: 'INVALID_PRODUCER_EPOCH' }, 'the zombie cannot write');
  t.equal(tc.endTxn('zombie', first.producerId, 0, true), 'PRODUCER_FENCED');
  t.match(tc.addPartitions('zombie', first.producerId, 0, [{ topic: 'a', partition: 0 }], () => true), [{ error: 'PRODUCER_FENCED' }]);
  t.equal(tc.checkTxnOffsetCommit('zombie', first.producerId, 0), 'INVALID_PRODUCER_EPOCH');
  tc.addPartitions('zombie', first.producerId, 1, [{ topic: 'a', partition: 0 }], () => true);
  t.ok(send(get('a', 0), first.producerId, 1, 0), 'the new incarnation writes from sequence 0');
  t.equal(tc.endTxn('zombie', first.producerId, 1, true), 'NONE');
  // KIP-360: naming a stale producer id/epoch is fenced; the current one bumps.
  t.equal(tc.initProducerId('zombie', 60_000, first.producerId, 0).error, 'PRODUCER_FENCED');
  t.match(tc.initProducerId('zombie', 60_000, first.producerId, 1), { error: 'NONE', producerEpoch: 2 });
});

t.test('transactions past their timeout are aborted and their producer fenced', async (t) => {
  const clock = { now: 1_000 };
  const { get, make } = setup(t.testdir(), clock);
  const tc = make();
  tc.load();
  const p = tc.initProducerId('slow', 5_000);
  tc.addPartitions('slow', p.producerId, 0, [{ topic: 'a', partition: 0 }], () => true);
  send(get('a', 0), p.producerId, 0, 0);
  clock.now += 4_000;
  t.equal(tc.abortTimedOut(), 0, 'within its timeout');
  clock.now += 2_000;
  t.equal(tc.abortTimedOut(), 1);
  t.match(tc.describe('slow'), { state: 'CompleteAbort', producerEpoch: 1 });
  t.equal(get('a', 0).lastStableOffset, get('a', 0).highWatermark);
  t.equal(tc.endTxn('slow', p.producerId, 0, true), 'PRODUCER_FENCED', 'the late commit is refused');
});

t.test('a decided transaction whose markers were cut short is completed at the next start', async (t) => {
  const dir = t.testdir();
  const clock = { now: 1_000 };
  const env = setup(dir, clock);
  const tc = env.make();
  tc.load();
  const p = tc.initProducerId('crashy', 60_000);
  tc.addPartitions('crashy', p.producerId, 0, [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 0 }], () => true);
  send(env.get('a', 0), p.producerId, 0, 0);
  send(env.get('b', 0), p.producerId, 0, 0);
  // The disk fills up as the marker for b is written (injected on the real log, once).
  const b = env.get('b', 0);
  const real = b.appendMarker.bind(b);
  b.appendMarker = () => {
    b.appendMarker = real;
    throw new StorageError('no space left on device', { code: 'ENOSPC' });
  };
  t.equal(tc.endTxn('crashy', p.producerId, 0, true), 'NONE', 'the commit is decided once PrepareCommit is durable');
  t.equal(tc.describe('crashy')!.state, 'PrepareCommit');
  t.equal(env.get('a', 0).lastStableOffset, env.get('a', 0).highWatermark, 'a got its marker');
  t.ok(b.lastStableOffset < b.highWatermark, 'b did not');
  t.match(tc.addPartitions('crashy', p.producerId, 0, [{ topic: 'a', partition: 0 }], () => true), [{ error: 'CONCURRENT_TRANSACTIONS' }], 'the client waits');
  // That call completed it already; a restart would too. Check the restart path on a fresh decided transaction.
  t.equal(tc.describe('crashy')!.state, 'CompleteCommit');
  t.equal(b.lastStableOffset, b.highWatermark);

  tc.addPartitions('crashy', p.producerId, 0, [{ topic: 'b', partition: 0 }], () => true);
  send(b, p.producerId, 0, 2);
  b.appendMarker = () => {
    b.appendMarker = real;
    throw new StorageError('no space left on device', { code: 'ENOSPC' });
  };
  t.equal(tc.endTxn('crashy', p.producerId, 0, false), 'NONE');
  tc.close();
  const restarted = env.make();
  restarted.load();
  t.equal(restarted.describe('crashy')!.state, 'CompleteAbort', 'finished at load');
  t.equal(b.lastStableOffset, b.highWatermark);
  t.equal(b.txnIndex.size, 1, 'as an abort');
  const again = restarted.initProducerId('crashy', 60_000);
  t.match(again, { error: 'NONE', producerId: p.producerId, producerEpoch: 1 }, 'state survived the restart');
});

t.test('idle transactional ids expire (tombstoned, gone after a restart too); open ones never do', async (t) => {
  const clock = { now: 1_000 };
  const env = setup(t.testdir(), clock, { config: { transactionalIdExpirationMs: 10_000 } });
  const tc = env.make();
  tc.load();
  const idle = tc.initProducerId('idle', 60_000);
  const busy = tc.initProducerId('busy', 60_000);
  tc.addPartitions('busy', busy.producerId, 0, [{ topic: 'a', partition: 0 }], () => true);
  clock.now += 9_000;
  t.equal(tc.removeExpired(), 0, 'not idle long enough');
  clock.now += 1_000;
  t.equal(tc.removeExpired(), 1);
  t.equal(tc.describe('idle'), undefined);
  t.equal(tc.describe('busy')!.state, 'Ongoing', 'an open transaction is not expired (its timeout aborts it instead)');
  tc.close();
  const again = env.make();
  again.load();
  t.equal(again.describe('idle'), undefined, 'the tombstone holds after a restart');
  const fresh = again.initProducerId('idle', 60_000);
  t.not(fresh.producerId, idle.producerId, 'a returning id gets a new producer id');
});

t.test('fencing at epoch exhaustion closes the open transaction of the same producer id', async (t) => {
  const clock = { now: 1_000 };
  const { get, make } = setup(t.testdir(), clock);
  const tc = make();
  tc.load();
  let r = tc.initProducerId('old', 60_000);
  const first = r.producerId;
  while (r.producerEpoch < 32766) r = tc.initProducerId('old', 60_000);
  t.match(r, { producerId: first, producerEpoch: 32766 });
  tc.addPartitions('old', first, 32766, [{ topic: 'a', partition: 0 }], () => true);
  send(get('a', 0), first, 32766, 0);
  const fenced = tc.initProducerId('old', 60_000);
  t.equal(get('a', 0).lastStableOffset, get('a', 0).highWatermark, 'the markers closed the transaction of the old id');
  t.equal(get('a', 0).txnIndex.size, 1);
  t.match(fenced, { error: 'NONE', producerId: first, producerEpoch: 32767 }, 'fenced at the last epoch of the same id');
  const rotated = tc.initProducerId('old', 60_000);
  t.not(rotated.producerId, first, 'the id rotates at the next InitProducerId, with no transaction open');
  t.equal(rotated.producerEpoch, 0);
});
