/**
 * LatencyRecorder: a log-linear histogram of latencies (HdrHistogram's layout, 2 significant digits), so recording
 * costs an index computation and an add, whatever the number of samples, and percentiles are read from the counts.
 *
 * Values are kept in whole microseconds. Below 256 µs every microsecond has its own bucket (exact); above, each
 * power of two [2^m, 2^(m+1)) is cut into 128 buckets of equal width, so a bucket is at most 1/128 (0.8%) of its
 * values wide. A percentile is the highest value of the bucket holding the sample of that rank (nearest rank, as
 * sorted-array percentiles: the ceil(p/100 × count)-th smallest), capped by the exact maximum: at most 0.8% (plus
 * the 1 µs rounding) above the exact figure, never below it. min, max and the mean are exact (to the microsecond).
 * Values from 0 to 2^31 µs (~35 min) are told apart; larger ones count in the top bucket (max stays exact).
 */

/** A percentile summary in milliseconds. */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** One bar of the histogram: `count` samples in [lowMs, highMs). */
export interface HistogramBucket {
  lowMs: number;
  highMs: number;
  count: number;
}

/** log2 of the buckets per power of two (128). */
const SUB_BITS = 7;
const SUB_COUNT = 1 << SUB_BITS;
/** Values below this have a bucket each. */
const LINEAR_LIMIT = SUB_COUNT * 2;
/** The largest value told apart: 2^31 - 1 µs. */
const VALUE_MAX_US = 2 ** 31 - 1;
/** Buckets: 256 exact ones, then 128 per power of two from 2^8 to 2^30. */
const BUCKET_COUNT = LINEAR_LIMIT + (30 - SUB_BITS) * SUB_COUNT;

function bucketIndex(us: number): number {
  if (us < LINEAR_LIMIT) return us;
  const shift = 31 - Math.clz32(us) - SUB_BITS;
  return LINEAR_LIMIT + (shift - 1) * SUB_COUNT + ((us >>> shift) - SUB_COUNT);
}

/** The lowest value of a bucket and its width, in µs. */
function bucketRange(index: number): { low: number; width: number } {
  if (index < LINEAR_LIMIT) return { low: index, width: 1 };
  const shift = ((index - LINEAR_LIMIT) >> SUB_BITS) + 1;
  const sub = ((index - LINEAR_LIMIT) & (SUB_COUNT - 1)) + SUB_COUNT;
  return { low: sub * 2 ** shift, width: 2 ** shift };
}

export class LatencyRecorder {
  /** Float64: counts past 2^32 stay exact (up to 2^53). */
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private total = 0;
  private sumUs = 0;
  private minUs = Infinity;
  private maxUs = -Infinity;

  /** The number of samples recorded. */
  get count(): number {
    return this.total;
  }

  /** Records `count` samples of `latencyMs` (negative values, a clock step, count as 0). */
  record(latencyMs: number, count = 1): void {
    if (!(count > 0)) return;
    let us = Math.round(latencyMs * 1000);
    if (!(us > 0)) us = 0;
    const index = bucketIndex(us > VALUE_MAX_US ? VALUE_MAX_US : us);
    this.counts[index] += count;
    this.total += count;
    this.sumUs += us * count;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Adds another recorder's samples (per-producer recorders into one). */
  merge(other: LatencyRecorder): void {
    for (let i = 0; i < BUCKET_COUNT; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
    this.sumUs += other.sumUs;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sumUs = 0;
    this.minUs = Infinity;
    this.maxUs = -Infinity;
  }

  /** The p-th percentile (0 < p <= 100) in ms, nearest rank; NaN without samples. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    if (p <= 0) return this.minUs / 1000;
    const rank = Math.max(1, Math.ceil((Math.min(p, 100) / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        // The last bucket holds the maximum (also past VALUE_MAX_US, where the bucket is clamped).
        if (seen >= this.total) return this.maxUs / 1000;
        const { low, width } = bucketRange(i);
        return Math.max(this.minUs, Math.min(this.maxUs, low + width - 1)) / 1000;
      }
    }
    return this.maxUs / 1000;
  }

  summary(): LatencySummary {
    const empty = this.total === 0;
    return {
      count: this.total,
      minMs: empty ? 0 : this.minUs / 1000,
      meanMs: empty ? 0 : this.sumUs / this.total / 1000,
      p50Ms: empty ? 0 : this.percentile(50),
      p99Ms: empty ? 0 : this.percentile(99),
      p999Ms: empty ? 0 : this.percentile(99.9),
      maxMs: empty ? 0 : this.maxUs / 1000,
    };
  }

  /**
   * The samples in log-spaced bars, `perDecade` per factor of 10 (bounds 10^(k/perDecade) µs, rounded to whole µs;
   * values below 1 µs in [0, 1)), from the first to the last non-empty bar, empty ones between included. The
   * counts add up to `count`. A fine bucket straddling a bound is counted in the bar holding its lowest value.
   */
  buckets(perDecade = 10): HistogramBucket[] {
    if (this.total === 0) return [];
    const bars = new Map<number, number>();
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const c = this.counts[i];
      if (c === 0) continue;
      const { low } = bucketRange(i);
      const k = low === 0 ? -1 : this.barOf(low, perDecade);
      bars.set(k, (bars.get(k) ?? 0) + c);
      if (k < first) first = k;
      if (k > last) last = k;
    }
    const bound = (k: number) => (k < 0 ? 0 : Math.round(10 ** (k / perDecade)));
    const out: HistogramBucket[] = [];
    for (let k = first; k <= last; k++) {
      const low = bound(k);
      const high = bound(k + 1);
      if (high <= low && k >= 0) continue; // below 10 µs the rounded bounds of neighbouring bars may coincide
      out.push({ lowMs: low / 1000, highMs: high / 1000, count: bars.get(k) ?? 0 });
    }
    return out;
  }

  /** The bar k with round(10^(k/d)) <= us < round(10^((k+1)/d)): never one whose rounded bounds coincide. */
  private barOf(us: number, perDecade: number): number {
    let k = Math.floor(Math.log10(us) * perDecade);
    while (k > 0 && Math.round(10 ** (k / perDecade)) > us) k--;
    while (Math.round(10 ** ((k + 1) / perDecade)) <= us) k++;
    return k;
  }
}
