/**
 * Crash safety with real processes: a writer appends and flushes in a child process which is killed with SIGKILL
 * at random moments, many times; after each kill the log is reopened (recovery) and checked: every batch whose
 * flush had resolved is there, every batch served is intact (CRC, offsets, content), and appends go on from the
 * recovered end.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { LogManager } from '../../src/storage/log-manager';
import { crc32c } from '../../src/native/binding';
import { expectedShape } from './fixtures/crash-shape';

const ROOT = path.join(__dirname, '..', '..');
const WRITER = path.join(__dirname, 'fixtures', 'crash-writer.ts');
const CYCLES = 12;

interface CycleResult {
  flushed: number;
  started: number;
}

function runWriterAndKill(dir: string, killAfterMs: number): Promise<CycleResult> {
  return new Promise((resolve, reject) => {
    // --import tsx: the runner injects its own ESM hooks into children, so only tsx's ESM loader works there.
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: ROOT,
    });
    let flushed = -1;
    let started = -1;
    let buffer = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const [word, value] = buffer.slice(0, nl).split(' ');
        buffer = buffer.slice(nl + 1);
        if (word === 'flushed') flushed = Number(value);
        if (word === 'ready') {
          started = Number(value);
          timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: code ${code} signal ${signal}`));
      else resolve({ flushed, started });
    });
  });
}

t.test(`SIGKILL at random moments, ${CYCLES} times: flushed data survives, nothing torn is served`, async (t) => {
  const dir = t.testdir();
  let previousEnd = 0;
  let totalKills = 0;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const { flushed, started } = await runWriterAndKill(dir, 30 + Math.floor(Math.random() * 250));
    totalKills++;
    t.equal(started, previousEnd, `cycle ${cycle}: writer resumed at the recovered end`);
    const m = LogManager.open({ dir, defaults: { segmentBytes: 64 * 1024, indexIntervalBytes: 1024, segmentIndexBytes: 8192 } });
    t.notOk(m.loadReport.cleanShutdown, 'a killed process leaves no clean marker');
    const log = m.getLog('crash', 0)!;
    const end = log.logEndOffset;
    if (end < flushed) t.fail(`cycle ${cycle}: log end ${end} is below the flushed offset ${flushed}`);
    // Walk everything: contiguous offsets, valid CRC, expected content.
    let expected = 0;
    let problems = 0;
    for (let offset = 0; offset < end; ) {
      const { records } = log.read(offset, 1 << 20);
      for (const buf of records) {
        for (let p = 0; p < buf.length; ) {
          const size = 12 + buf.readInt32BE(p + 8);
          const base = Number(buf.readBigInt64BE(p));
          const shape = expectedShape(base);
          const ok =
            base === expected &&
            crc32c(buf, p + 21, p + size) === buf.readUInt32BE(p + 17) &&
            buf.readInt32BE(p + 57) === shape.records &&
            size === 61 + shape.payloadBytes &&
            buf[p + size - 1] === shape.fill;
          if (!ok) problems++;
          expected = base + shape.records;
          p += size;
        }
      }
      offset = expected;
    }
    if (problems) t.fail(`cycle ${cycle}: ${problems} bad batches served`);
    t.equal(expected, end, `cycle ${cycle}: ${end} offsets, all intact (flushed ${flushed}, scanned ${m.loadReport.segmentsScanned} segments)`);
    previousEnd = end;
    m.close(); // the writer reopens after a clean close this time; the next kill makes it unclean again
  }
  t.equal(totalKills, CYCLES);
  t.ok(previousEnd > 0, 'data was written');
});
