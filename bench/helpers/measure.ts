/**
 * Runs one benchmark.js benchmark over a case given as plain closures.
 *
 * benchmark.js inlines `setup`/`teardown` *source text* into the timing function it compiles, which breaks
 * closures (and tsx's transpiled helpers). So the case is parked on globalThis under a unique key and the
 * benchmark gets one-line strings that call it: `setup` and `teardown` run once per cycle (outside the timed
 * loop), `op` runs `count` times inside it. The extra property lookup costs nanoseconds against operations of
 * microseconds or more.
 */
import Benchmark from 'benchmark';

export interface BenchCase {
  name: string;
  /** Bytes one op moves (for MB/s). */
  bytesPerOp: number;
  /** Records one op moves (for records/s). */
  recordsPerOp: number;
  /** Once per cycle, untimed (fresh log or file, gc). */
  setup?: () => void;
  op: () => void;
  /** Once per cycle, untimed (delete what the cycle wrote). */
  teardown?: () => void;
  /** Untimed runs before measuring (JIT, page cache and VM first-touch warm-up). */
  warmupOps?: number;
}

export interface BenchResult {
  name: string;
  /** ops/s: the mean over rounds (measureRounds) */
  hz: number;
  /** ops/s of each round, in order */
  roundHz: number[];
  rmePercent: number;
  samples: number;
  cycleOps: number;
  bytesPerOp: number;
  recordsPerOp: number;
  mbPerSec: number;
  recordsPerSec: number;
}

export interface MeasureOptions {
  /** Seconds per cycle at least (benchmark.js grows `count` to reach it). */
  minTime: number;
  /** Seconds of sampling per benchmark (after at least minSamples). */
  maxTime: number;
  minSamples: number;
}

type Hooks = Record<string, BenchCase>;
const GLOBAL_KEY = '__strataBench';

function hooks(): Hooks {
  const g = globalThis as unknown as Record<string, Hooks | undefined>;
  return (g[GLOBAL_KEY] ??= {});
}

let nextId = 0;

export function warmUp(c: BenchCase): void {
  if (!c.warmupOps || c.warmupOps <= 0) return;
  c.setup?.();
  for (let i = 0; i < c.warmupOps; i++) c.op();
  c.teardown?.();
}

/** One benchmark.js run of `c` (no warm-up: see warmUp). */
export function measure(c: BenchCase, options: MeasureOptions): BenchResult {
  const key = `c${nextId++}`;
  hooks()[key] = c;
  const ref = `globalThis.${GLOBAL_KEY}.${key}`;
  const bench = new Benchmark(c.name, {
    fn: `${ref}.op();`,
    setup: `${ref}.setup && ${ref}.setup();`,
    teardown: `${ref}.teardown && ${ref}.teardown();`,
    minTime: options.minTime,
    maxTime: options.maxTime,
    minSamples: options.minSamples,
  });
  bench.run({ async: false });
  delete hooks()[key];
  if (bench.error) throw bench.error;
  return {
    name: c.name,
    hz: bench.hz,
    roundHz: [bench.hz],
    rmePercent: bench.stats.rme,
    samples: bench.stats.sample.length,
    cycleOps: bench.count,
    bytesPerOp: c.bytesPerOp,
    recordsPerOp: c.recordsPerOp,
    mbPerSec: (bench.hz * c.bytesPerOp) / 1e6,
    recordsPerSec: bench.hz * c.recordsPerOp,
  };
}

/**
 * Warms every case up, then measures them in `rounds` rounds, rotating the order each round (A B, B A, ...) so
 * that drift from other load on the machine or memory state falls on all of them alike. Each result is the mean
 * over its rounds; rme is the worst round's.
 */
export function measureRounds(cases: readonly BenchCase[], rounds: number, options: MeasureOptions): BenchResult[] {
  for (const c of cases) warmUp(c);
  const perCase: BenchResult[][] = cases.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (k + round) % cases.length;
      process.stderr.write(`  round ${round + 1}/${rounds}: ${cases[index].name}\n`);
      perCase[index].push(measure(cases[index], options));
    }
  }
  return perCase.map((runs) => {
    const hz = runs.reduce((sum, r) => sum + r.hz, 0) / runs.length;
    const first = runs[0];
    return {
      ...first,
      hz,
      roundHz: runs.map((r) => r.hz),
      rmePercent: Math.max(...runs.map((r) => r.rmePercent)),
      samples: runs.reduce((sum, r) => sum + r.samples, 0),
      mbPerSec: (hz * first.bytesPerOp) / 1e6,
      recordsPerSec: hz * first.recordsPerOp,
    };
  });
}
