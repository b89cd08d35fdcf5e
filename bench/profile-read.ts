/**
 * Where Log.read's time goes (not part of bench:storage): fetches a 512 MiB log in 1 MiB requests and reports
 * µs per fetch with the garbage collections it caused (count, time), next to the same fetches served as
 * `subarray` slices of one view per segment (what a fetch would cost without one external Buffer per read).
 *
 *   node --expose-gc -r tsx/cjs bench/profile-read.ts [valueBytes] [batchBytes] [fetches]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { Log } from '../src/storage/log';
import { buildBatch } from './helpers/batch-fixture';

const MIB = 1024 * 1024;
const valueBytes = Number(process.argv[2] ?? 100);
const batchBytes = Number(process.argv[3] ?? 16384);
const fetches = Number(process.argv[4] ?? 20000);
const segmentBytes = Number(process.env.SEGMENT_BYTES ?? 256 * MIB);
const fx = buildBatch(valueBytes, batchBytes, 1_700_000_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-prof-'));

interface GcTally {
  major: number;
  minor: number;
  ms: number;
}
const tally: GcTally = { major: 0, minor: 0, ms: 0 };
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) tally.major++;
    else tally.minor++;
    tally.ms += e.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });

function run(label: string, bytesPerFetch: number, fn: (i: number) => number): Promise<void> {
  globalThis.gc?.();
  return new Promise((resolve) => {
    // GC entries reach the observer asynchronously: let the forced gc's arrive before counting, and the loop's after
    setTimeout(() => {
      tally.major = tally.minor = tally.ms = 0;
      let sink = 0;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < fetches; i++) sink += fn(i);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      setTimeout(() => {
        console.log(
          `${label.padEnd(52)} ${((s / fetches) * 1e6).toFixed(2).padStart(7)} µs/fetch ${((bytesPerFetch * fetches) / s / 1e6).toFixed(0).padStart(7)} MB/s` +
            `   GCs: ${tally.major} major + ${tally.minor} minor, ${tally.ms.toFixed(0)} ms (${((tally.ms / 1e3 / s) * 100).toFixed(0)}% of the time)` +
            (sink === 0.5 ? '!' : ''),
        );
        resolve();
      }, 100);
    }, 100);
  });
}

async function main(): Promise<void> {
  const log = Log.open(path.join(dir, 'log'), { config: { segmentBytes } });
  let written = 0;
  while (written < 512 * MIB) {
    log.append(fx.batch);
    written += fx.batch.length;
  }
  const offsets: number[] = [];
  const slices: Array<[segment: number, start: number, end: number]> = [];
  const segmentViews: Buffer[] = [];
  let segIndex = -1;
  let segStart = 0;
  let position = 0;
  const bases = log.segmentBaseOffsets();
  for (let o = 0; o < log.logEndOffset; ) {
    const r = log.read(o, MIB);
    offsets.push(o);
    let next = o;
    for (const v of r.records) {
      for (let p = 0; p < v.length; ) {
        next = v.readInt32BE(p) * 2 ** 32 + v.readUInt32BE(p + 4) + v.readInt32BE(p + 23) + 1;
        p += 12 + v.readInt32BE(p + 8);
      }
    }
    let s = 0;
    while (s + 1 < bases.length && bases[s + 1] <= o) s++;
    if (s !== segIndex) {
      segIndex = s;
      segStart = position;
    }
    slices.push([s, position - segStart, position - segStart + r.size]);
    position += r.size;
    o = next;
  }
  // One view per segment, taken once: every fetch below is a subarray of it.
  for (let s = 0; s < bases.length; s++) {
    const r = log.read(bases[s], segmentBytes, { maxOffset: s + 1 < bases.length ? bases[s + 1] : undefined });
    segmentViews.push(r.records[0]);
  }
  const perFetch = written / offsets.length;
  console.log(`${fx.recordCount} x ${valueBytes} B records, batch ${fx.batch.length} B, ${offsets.length} fetches of ~${perFetch.toFixed(0)} B per pass, ${bases.length} segments`);
  const n = offsets.length;
  for (let round = 0; round < 2; round++) {
    await run('Log.read (one external Buffer per fetch)', perFetch, (i) => log.read(offsets[i % n], MIB).size);
    await run('subarray of a per-segment view (emulated fix)', perFetch, (i) => {
      const [s, a, b] = slices[i % n];
      return segmentViews[s].subarray(a, b).length;
    });
    await run('fs.readSync 1 MiB (baseline, for scale)', perFetch, (() => {
      const fd = fs.openSync(path.join(dir, 'log', '00000000000000000000.log'), 'r');
      const buf = Buffer.alloc(MIB);
      const first = slices.filter((x) => x[0] === 0);
      return (i: number) => {
        const [, a, b] = first[i % first.length];
        return fs.readSync(fd, buf, 0, b - a, a);
      };
    })());
  }
  observer.disconnect();
  log.delete();
}

main().finally(() => fs.rmSync(dir, { recursive: true, force: true }));
