// Start-up progress of LogManager.open as log lines (recoveryProgressLogger), on real logs in a temp directory:
// an unclean reopen of several logs, one with a torn tail, and a clean reopen.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager, encodeRecordBatch } from '../../src/storage';
import type { LoadProgress } from '../../src/storage';
import { recoveryProgressLogger } from '../../src/observability/recovery-progress';
import type { Logger } from '../../src/observability/logger';

type Line = { level: string; msg: string } & Record<string, unknown>;

function capture(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push({ level, msg, ...fields });
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, lines };
}

function fill(dir: string, partitions: number, batches: number): void {
  const logs = LogManager.open({ dir });
  for (let p = 0; p < partitions; p++) {
    const log = logs.createLog('ev', p);
    for (let i = 0; i < batches; i++) log.append(encodeRecordBatch({ records: [{ value: Buffer.from(`m${p}-${i}`) }] }));
  }
  logs.close();
}

t.test('an unclean reopen: announced, one progress line per log at interval 0, the truncation, then the total', async (t) => {
  const dir = t.testdir();
  fill(dir, 4, 3);
  // Unclean: no clean-shutdown marker, and no recovery points, so every segment is scanned.
  fs.rmSync(path.join(dir, '.kafka_cleanshutdown'));
  fs.rmSync(path.join(dir, 'recovery-point-offset-checkpoint'));
  const garbage = Buffer.from('a torn write, not a batch');
  fs.appendFileSync(path.join(dir, 'ev-2', '00000000000000000000.log'), garbage);

  const { logger, lines } = capture();
  const events: LoadProgress[] = [];
  const onLine = recoveryProgressLogger(logger, { intervalMs: 0 });
  const logs = LogManager.open({ dir, onProgress: (p) => (events.push(p), onLine(p)) });

  t.same(events.map((e) => e.loaded), [1, 2, 3, 4], 'one event per log, counted');
  t.ok(events.every((e) => e.total === 4 && !e.cleanShutdown));
  t.same(lines.map((l) => l.msg).filter((m) => m !== 'recovery truncated a log'), ['recovering logs after an unclean shutdown', 'loading logs', 'loading logs', 'loading logs', 'logs loaded']);
  t.match(lines[0], { level: 'warn', logs: 4 });
  const progress = lines.filter((l) => l.msg === 'loading logs');
  t.same(progress.map((l) => [l.loaded, l.total, l.percent]), [[1, 4, 25], [2, 4, 50], [3, 4, 75]]);
  const cut = lines.filter((l) => l.msg === 'recovery truncated a log');
  t.equal(cut.length, 1, 'only the damaged log');
  t.match(cut[0], { level: 'warn', topic: 'ev', partition: 2, truncatedBytes: garbage.length, atOffset: 3, segmentsDropped: 0 });
  t.match(lines[lines.length - 1], { level: 'info', msg: 'logs loaded', logs: 4, segmentsScanned: 4, truncatedBytes: garbage.length, cleanShutdown: false });
  t.equal(logs.getLog('ev', 2)!.logEndOffset, 3, 'the torn tail is gone, the batches before it kept');
  logs.close();
});

t.test('a clean reopen that is quick writes only the total', async (t) => {
  const dir = t.testdir();
  fill(dir, 3, 2);
  const { logger, lines } = capture();
  const logs = LogManager.open({ dir, onProgress: recoveryProgressLogger(logger) });
  logs.close();
  t.same(lines.map((l) => l.msg), ['logs loaded']);
  t.match(lines[0], { logs: 3, segmentsScanned: 0, truncatedBytes: 0, cleanShutdown: true });
});

t.test('progress lines are spaced by the interval', async (t) => {
  const { logger, lines } = capture();
  const onLine = recoveryProgressLogger(logger, { intervalMs: 1000 });
  const recovery = { segmentsScanned: 1, truncatedBytes: 0, zeroTailBytes: 0, segmentsDropped: 0, indexesRebuilt: 0, producerSnapshotOffset: -1, producerBatchesReplayed: 0 };
  const at = [0, 400, 1000, 1500, 2100, 2200];
  at.forEach((elapsedMs, i) =>
    onLine({ topic: 't', partition: i, loaded: i + 1, total: at.length, cleanShutdown: true, segmentsScanned: i + 1, truncatedBytes: 0, elapsedMs, recovery, logEndOffset: 0 }),
  );
  t.same(lines.map((l) => [l.msg, l.elapsedMs]), [['loading logs', 1000], ['loading logs', 2100], ['logs loaded', 2200]]);
});
