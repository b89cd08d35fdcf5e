import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager, CLEAN_SHUTDOWN_MARKER, RECOVERY_POINT_CHECKPOINT, parsePartitionDirName } from '../../src/storage/log-manager';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from '../../src/storage/offset-checkpoint';
import { rawBatch } from '../helpers/batches';

const small = { segmentBytes: 16384, indexIntervalBytes: 512, segmentIndexBytes: 4096 };

function fill(m: LogManager, topic: string, partition: number, n: number): void {
  const log = m.getOrCreateLog(topic, partition);
  for (let i = 0; i < n; i++) log.append(rawBatch({ recordCount: 1 + (i % 4), payloadBytes: 200 }));
}

t.test('logs persist across a clean close; reopen scans nothing', async (t) => {
  const dir = t.testdir();
  let m = LogManager.open({ dir, defaults: small });
  t.notOk(m.loadReport.cleanShutdown, 'a fresh directory is not a clean shutdown');
  fill(m, 'orders', 0, 100);
  fill(m, 'orders', 1, 50);
  fill(m, 'audit.log_v2', 0, 10);
  const ends = m.all().map((p) => [p.topic, p.partition, p.log.logEndOffset]);
  m.close();
  t.ok(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_MARKER)), 'clean-shutdown marker written');
  const rp = readOffsetCheckpoint(path.join(dir, RECOVERY_POINT_CHECKPOINT));
  t.equal(rp.get('orders-0'), ends.find((e) => e[0] === 'orders' && e[1] === 0)![2]);
  m = LogManager.open({ dir, defaults: small });
  t.ok(m.loadReport.cleanShutdown);
  t.equal(m.loadReport.logs, 3);
  t.equal(m.loadReport.segmentsScanned, 0);
  t.notOk(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_MARKER)), 'marker removed once open');
  t.same(
    m.all().map((p) => [p.topic, p.partition, p.log.logEndOffset]).sort(),
    ends.sort(),
  );
  t.throws(() => m.createLog('orders', 0), { code: 'ERR_LOG_EXISTS' });
  m.close();
});

t.test('without the marker, logs past their recovery point are scanned', async (t) => {
  const dir = t.testdir();
  const m = LogManager.open({ dir, defaults: small });
  fill(m, 'a', 0, 100);
  await m.flushAll();
  fill(m, 'a', 0, 100); // not flushed, not checkpointed
  // Abandon without close (as a crash would), then open again.
  const again = LogManager.open({ dir, defaults: small });
  t.notOk(again.loadReport.cleanShutdown);
  t.ok(again.loadReport.segmentsScanned >= 1);
  t.equal(again.getLog('a', 0)!.logEndOffset, m.getLog('a', 0)!.logEndOffset, 'page-cache data survives a process crash');
  again.close();
});

t.test('delete, retention, names', async (t) => {
  const dir = t.testdir();
  const m = LogManager.open({ dir, defaults: { ...small, retentionBytes: 20_000 } });
  fill(m, 't', 0, 300);
  const r = m.applyRetention();
  t.ok(r.deletedSegments > 0 && m.getLog('t', 0)!.size < 20_000 + small.segmentBytes);
  m.deleteLog('t', 0);
  t.equal(m.getLog('t', 0), undefined);
  t.same(fs.readdirSync(dir).filter((n) => n.startsWith('t-')), [], 'partition directory gone');
  t.throws(() => m.deleteLog('t', 0), { code: 'ERR_UNKNOWN_LOG' });
  t.throws(() => m.createLog('bad/name', 0), { code: 'ERR_INVALID_TOPIC' });
  t.throws(() => m.createLog('', 0), { code: 'ERR_INVALID_TOPIC' });
  t.throws(() => m.createLog('x'.repeat(250), 0), { code: 'ERR_INVALID_TOPIC' });
  t.throws(() => m.createLog('ok', -1), { code: 'ERR_INVALID_ARG' });
  t.same(parsePartitionDirName('my-topic-12'), ['my-topic', 12]);
  t.equal(parsePartitionDirName('no_partition'), null);
  // a delete interrupted by a crash is finished at open
  fs.mkdirSync(path.join(dir, 'old-0.abc-delete'));
  m.close();
  const again = LogManager.open({ dir, defaults: small });
  t.notOk(fs.existsSync(path.join(dir, 'old-0.abc-delete')));
  again.close();
});

t.test('checkpoint files round trip and refuse garbage', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'cp');
  writeOffsetCheckpoint(file, [['a', 0, 5], ['b-c', 3, 1234567890123]]);
  t.equal(fs.readFileSync(file, 'utf8'), '0\n2\na 0 5\nb-c 3 1234567890123\n', "Kafka's format");
  t.same([...readOffsetCheckpoint(file)], [['a-0', 5], ['b-c-3', 1234567890123]]);
  t.same([...readOffsetCheckpoint(path.join(dir, 'missing'))], []);
  fs.writeFileSync(file, '0\n3\na 0 5\n');
  t.throws(() => readOffsetCheckpoint(file), { code: 'CORRUPT_MESSAGE' });
  fs.writeFileSync(file, '7\n0\n');
  t.throws(() => readOffsetCheckpoint(file), { code: 'CORRUPT_MESSAGE' });
});

t.test('the scheduler applies retention, flush.ms and checkpoints in the background', async (t) => {
  const dir = t.testdir();
  const m = LogManager.open({ dir, defaults: { ...small, retentionBytes: 20_000, flushMs: 10 } });
  fill(m, 's', 0, 300);
  const log = m.getLog('s', 0)!;
  t.equal(log.recoveryPoint, 0);
  const segmentsBefore = log.segmentCount;
  m.startScheduler({ retentionCheckIntervalMs: 20, flushSchedulerIntervalMs: 20, checkpointIntervalMs: 20 });
  await new Promise((r) => setTimeout(r, 300));
  t.ok(log.segmentCount < segmentsBefore, 'retention ran');
  t.equal(log.recoveryPoint, log.logEndOffset, 'flush.ms flushed');
  t.equal(readOffsetCheckpoint(path.join(dir, RECOVERY_POINT_CHECKPOINT)).get('s-0'), log.logEndOffset, 'checkpointed');
  m.close();
});
