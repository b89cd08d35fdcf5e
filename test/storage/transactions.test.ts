import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Log } from '../../src/storage/log';
import { rawBatch } from '../helpers/batches';

const TRANSACTIONAL = 0x10;
const small = { segmentBytes: 4096, indexIntervalBytes: 512, segmentIndexBytes: 4096 };

// Timestamps of now, as the markers the log writes carry: older ones would make each marker roll a segment
// (segment.ms counts from a segment's first batch timestamp).
function txnBatch(producerId: number, epoch: number, seq: number, recordCount = 2): Buffer {
  return rawBatch({ producerId, producerEpoch: epoch, baseSequence: seq, recordCount, payloadBytes: 150, attributes: TRANSACTIONAL, baseTimestamp: Date.now() });
}
const plain = () => rawBatch({ recordCount: 1, payloadBytes: 150, baseTimestamp: Date.now() });
const txnIndexFiles = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.txnindex')).sort();

t.test('the LSO stops at the oldest open transaction; markers close them; aborts are indexed', async (t) => {
  const log = Log.open(t.testdir());
  log.append(plain()); // 0
  t.equal(log.lastStableOffset, 1, 'no transaction: the high watermark');
  log.append(txnBatch(1, 0, 0)); // 1-2
  log.append(plain()); // 3
  log.append(txnBatch(2, 0, 0)); // 4-5
  log.append(txnBatch(1, 0, 2)); // 6-7
  t.equal(log.lastStableOffset, 1, 'stops at producer 1');
  t.equal(log.highWatermark, 8);
  t.same(log.read(0, 1 << 20, { maxOffset: log.lastStableOffset }).records.length, 1, 'read_committed sees only the stable part');
  t.throws(() => log.append(rawBatch({ producerId: 1, producerEpoch: 0, baseSequence: 4 })), { code: 'INVALID_TXN_STATE' }, 'no plain batch inside a transaction');
  const commit = log.appendMarker(1, 0, 0, true);
  t.equal(commit, 8);
  t.equal(log.lastStableOffset, 4, 'now stops at producer 2');
  const abort = log.appendMarker(2, 0, 0, false);
  t.equal(abort, 9);
  t.equal(log.lastStableOffset, 10, 'everything decided');
  t.same(log.txnIndex.all(), [{ producerId: 2, firstOffset: 4, lastOffset: 9, lastStableOffset: 10 }], 'the abort is indexed');
  t.same(log.abortedTransactions(0, 10), log.txnIndex.all());
  t.same(log.abortedTransactions(10, 20), [], 'nothing ends after 10');
  t.same(log.abortedTransactions(0, 4), [], 'nothing began before 4');
  t.equal(log.appendMarker(1, 0, 0, true), 10, 'a repeated marker is written and harmless');
  t.equal(log.lastStableOffset, 11);
  t.equal(log.txnIndex.size, 1);
  log.close();
});

t.test('stale producer and coordinator epochs are fenced', async (t) => {
  const log = Log.open(t.testdir());
  log.append(txnBatch(5, 3, 0));
  const end = log.logEndOffset;
  t.throws(() => log.appendMarker(5, 2, 0, true), { code: 'PRODUCER_FENCED' });
  log.appendMarker(5, 3, 7, false);
  log.append(txnBatch(5, 3, 2));
  t.throws(() => log.appendMarker(5, 3, 6, true), { code: 'TRANSACTION_COORDINATOR_FENCED' });
  t.equal(log.logEndOffset, end + 1 + 2, 'only the valid marker and batch were written');
  t.throws(() => log.append(txnBatch(5, 2, 0)), { code: 'INVALID_PRODUCER_EPOCH' }, 'a zombie with the old epoch');
  log.appendMarker(5, 4, 7, false); // the coordinator bumps the epoch when it aborts on timeout
  t.throws(() => log.append(txnBatch(5, 3, 4)), { code: 'INVALID_PRODUCER_EPOCH' }, 'fenced after the bump');
  t.equal(log.lastStableOffset, log.highWatermark);
  log.close();
});

t.test('open transactions and aborts survive clean and unclean restarts, and a lost .txnindex is rebuilt', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  const seq = new Map<number, number>();
  const next = (pid: number) => {
    const s = seq.get(pid) ?? 0;
    seq.set(pid, s + 2);
    return s;
  };
  // Producers 1..3 in rotating transactions over many segments; every third one aborted.
  let n = 0;
  for (let round = 0; round < 12; round++) {
    for (const pid of [1, 2, 3]) {
      log.append(txnBatch(pid, 0, next(pid)));
      log.append(txnBatch(pid, 0, next(pid)));
    }
    for (const pid of [1, 2, 3]) log.appendMarker(pid, 0, 0, n++ % 3 !== 0);
  }
  log.append(txnBatch(2, 0, next(2))); // left open
  const lso = log.lastStableOffset;
  const aborted = [...log.txnIndex.all()];
  t.ok(aborted.length === 12 && log.segmentCount > 3, `${aborted.length} aborts over ${log.segmentCount} segments`);
  t.ok(lso < log.highWatermark);
  log.flushSync();
  const rp = log.recoveryPoint;

  // Unclean: no close. Replayed from the newest snapshot below the recovery point.
  const crashed = Log.open(dir, { config: small, recoveryPoint: rp });
  t.equal(crashed.lastStableOffset, lso, 'the open transaction is still open');
  t.same(crashed.txnIndex.all(), aborted, 'aborts intact');
  t.throws(() => crashed.append(rawBatch({ producerId: 2, producerEpoch: 0, baseSequence: next(2) })), { code: 'INVALID_TXN_STATE' });

  // Every .txnindex deleted, nothing trusted (recovery point 0): all rebuilt from the log.
  for (const f of txnIndexFiles(dir)) fs.rmSync(path.join(dir, f));
  const rebuilt = Log.open(dir, { config: small, recoveryPoint: 0 });
  t.same(rebuilt.txnIndex.all(), aborted, 'rebuilt from the markers');
  t.ok(txnIndexFiles(dir).length > 1, 'and written back');
  rebuilt.close();

  const clean = Log.open(dir, { config: small, cleanShutdown: true });
  t.equal(clean.recovery.producerBatchesReplayed, 0);
  t.equal(clean.lastStableOffset, lso);
  t.same(clean.txnIndex.all(), aborted);
  clean.appendMarker(2, 0, 0, true);
  t.equal(clean.lastStableOffset, clean.highWatermark);

  // Truncating below the last abort reopens its transaction and drops its index entry.
  const last = aborted[aborted.length - 1];
  clean.truncateTo(last.lastOffset);
  t.equal(clean.txnIndex.size, aborted.length - 1);
  t.equal(clean.lastStableOffset, Math.min(...[1, 2, 3].map((pid) => clean.producerState.entry(pid)!.currentTxnFirstOffset).filter((o) => o >= 0)));

  // Retention drops the entries (and files) of deleted segments.
  clean.deleteRecordsBefore(clean.lastStableOffset);
  t.ok(clean.txnIndex.all().every((e) => e.lastOffset >= clean.segmentBaseOffsets()[0]));
  t.ok(txnIndexFiles(dir).every((f) => Number(f.slice(0, 20)) >= clean.segmentBaseOffsets()[0]));
  clean.close();
});

t.test('the LSO never falls below the log start; after a fencing marker the producer restarts at sequence 0', async (t) => {
  const log = Log.open(t.testdir());
  log.append(txnBatch(1, 0, 0)); // 0-1, left open
  log.append(plain()); // 2
  log.append(plain()); // 3
  t.equal(log.lastStableOffset, 0);
  log.deleteRecordsBefore(3);
  t.equal(log.lastStableOffset, 3, 'clamped to the log start: a fetchable offset');
  log.appendMarker(1, 1, 0, false); // the coordinator fenced producer 1 (epoch 0 -> 1) and aborted
  t.throws(() => log.append(txnBatch(1, 1, 5)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }, 'the new epoch must start at 0');
  t.ok(log.append(txnBatch(1, 1, 0)), 'at 0 it may');
  log.close();
});

t.test('an abort whose .txnindex write fails is still served, and written at the next flush', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir);
  log.append(txnBatch(4, 0, 0));
  // A directory where the index file goes: the append to it fails as a full disk would.
  const indexFile = path.join(dir, '00000000000000000000.txnindex');
  fs.mkdirSync(indexFile);
  log.appendMarker(4, 0, 0, false);
  t.same(log.abortedTransactions(0, 10).map((a) => a.producerId), [4], 'the abort is known from memory');
  fs.rmdirSync(indexFile);
  log.flushSync();
  t.ok(fs.existsSync(indexFile) && fs.statSync(indexFile).size === 34, 'rewritten from memory at the flush');
  log.close();
  const again = Log.open(dir, { cleanShutdown: true });
  t.same(again.abortedTransactions(0, 10).map((a) => a.producerId), [4], 'and there after a clean restart');
  again.close();
});

t.test('a torn .txnindex tail is dropped and the file realigned', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir);
  log.append(txnBatch(6, 0, 0));
  log.appendMarker(6, 0, 0, false);
  log.close();
  const indexFile = path.join(dir, '00000000000000000000.txnindex');
  fs.appendFileSync(indexFile, Buffer.alloc(10, 0)); // a torn entry
  const again = Log.open(dir, { cleanShutdown: true });
  t.equal(again.txnIndex.size, 1);
  again.append(txnBatch(6, 0, 2));
  again.appendMarker(6, 0, 0, false);
  again.flushSync();
  t.equal(fs.statSync(indexFile).size, 68, 'two whole entries, the torn bytes gone');
  again.close();
  const third = Log.open(dir, { cleanShutdown: true });
  t.equal(third.txnIndex.size, 2, 'both read back');
  third.close();
});
