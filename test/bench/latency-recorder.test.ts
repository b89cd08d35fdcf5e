/**
 * LatencyRecorder against figures computed independently: nearest-rank percentiles of the sorted samples (rounded
 * to the microsecond, as the recorder keeps them), exact min/max/mean, histogram bars that add up.
 */
import t, { Test } from 'tap';
import { LatencyRecorder } from '../../src/bench/latency-recorder';

/** Deterministic uniform [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ceil(p/100 * n)-th smallest. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

const RELATIVE_ERROR_MAX = 1 / 128;

function checkAgainstSorted(t: Test, name: string, valuesMs: number[]): void {
  const r = new LatencyRecorder();
  for (const v of valuesMs) r.record(v);
  const us = valuesMs.map((v) => Math.max(0, Math.round(v * 1000))).sort((a, b) => a - b);
  for (const p of [1, 10, 50, 90, 99, 99.9, 99.99, 100]) {
    const exact = nearestRank(us, p) / 1000;
    const got = r.percentile(p);
    // Never below the exact figure, at most one bucket (1/128 of the value, or 1 µs) above it.
    t.ok(got >= exact && got <= exact * (1 + RELATIVE_ERROR_MAX) + 0.001, `${name}: p${p} ${got} vs exact ${exact}`);
  }
  const s = r.summary();
  t.equal(s.count, valuesMs.length, `${name}: count`);
  t.equal(s.minMs, us[0] / 1000, `${name}: min exact`);
  t.equal(s.maxMs, us[us.length - 1] / 1000, `${name}: max exact`);
  t.ok(Math.abs(s.meanMs - us.reduce((a, b) => a + b, 0) / us.length / 1000) < 1e-9, `${name}: mean exact`);
  t.ok(s.minMs <= s.p50Ms && s.p50Ms <= s.p99Ms && s.p99Ms <= s.p999Ms && s.p999Ms <= s.maxMs, `${name}: ordered`);
  const bars = r.buckets();
  t.equal(bars.reduce((a, b) => a + b.count, 0), valuesMs.length, `${name}: the bars hold every sample`);
  t.ok(bars.every((b, i) => b.lowMs < b.highMs && (i === 0 || b.lowMs === bars[i - 1].highMs)), `${name}: bars are contiguous and increasing`);
  t.ok(bars[0].count > 0 && bars[bars.length - 1].count > 0, `${name}: the first and last bars are not empty`);
  // Each bar holds what the sorted samples put in [low, high).
  for (const b of bars) {
    const inside = us.filter((v) => v >= Math.round(b.lowMs * 1000) && v < Math.round(b.highMs * 1000)).length;
    // A fine bucket straddling a bar's bound is counted whole in the lower bar: allow that bucket's share.
    t.ok(Math.abs(inside - b.count) <= Math.max(2, valuesMs.length * 0.02), `${name}: bar [${b.lowMs}, ${b.highMs}) ${b.count} vs ${inside}`);
  }
}

t.test('percentiles match sorted-array percentiles on random data', async (t) => {
  const u = rng(42);
  // Log-normal around 2 ms: spans µs to tens of ms, the shape of real latencies.
  const lognormal = Array.from({ length: 50_000 }, () => Math.exp(Math.log(2) + 1.2 * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())));
  checkAgainstSorted(t, 'lognormal', lognormal);
  checkAgainstSorted(t, 'uniform 0-300 µs (exact buckets)', Array.from({ length: 20_000 }, () => u() * 0.3));
  checkAgainstSorted(t, 'uniform 0-10 s', Array.from({ length: 20_000 }, () => u() * 10_000));
  checkAgainstSorted(t, 'few samples', [5, 1, 3]);
  const exact = new LatencyRecorder();
  for (let us = 0; us < 256; us++) exact.record(us / 1000);
  t.equal(exact.percentile(50), 0.127, 'below 256 µs percentiles are exact');
  t.equal(exact.percentile(100), 0.255);
});

t.test('record(v, n) is n records of v; merge adds recorders', async (t) => {
  const a = new LatencyRecorder();
  const b = new LatencyRecorder();
  const u = rng(7);
  const values = Array.from({ length: 2000 }, () => u() * 50);
  for (const v of values) {
    a.record(v, 3);
    for (let i = 0; i < 3; i++) b.record(v);
  }
  t.same(a.summary(), b.summary(), 'counted samples');
  t.same(a.buckets(), b.buckets());
  const c = new LatencyRecorder();
  const d = new LatencyRecorder();
  values.slice(0, 1000).forEach((v) => c.record(v));
  values.slice(1000).forEach((v) => d.record(v));
  c.merge(d);
  const whole = new LatencyRecorder();
  values.forEach((v) => whole.record(v));
  t.same(c.summary(), whole.summary(), 'merged = recorded together');
  t.equal(c.count, 2000);
});

t.test('edges: empty, negative, huge, reset', async (t) => {
  const r = new LatencyRecorder();
  t.ok(Number.isNaN(r.percentile(50)), 'no samples: NaN');
  t.same(r.summary(), { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
  t.same(r.buckets(), []);
  r.record(-3);
  t.equal(r.percentile(100), 0, 'a negative latency (clock step) counts as 0');
  r.record(5 * 3600 * 1000);
  t.equal(r.summary().maxMs, 5 * 3600 * 1000, 'max stays exact past the top bucket');
  t.equal(r.percentile(100), 5 * 3600 * 1000);
  t.equal(r.buckets().reduce((s, b) => s + b.count, 0), 2);
  r.record(1, 0);
  t.equal(r.count, 2, 'a count of 0 records nothing');
  r.reset();
  t.equal(r.count, 0);
});
