/**
 * A rate over sliding windows, as Kafka's metrics measure quotas (Rate over a SampledStat): `samples` windows of
 * `windowMs` (quota.window.num, quota.window.size.seconds); values older than all windows are forgotten. The rate
 * divides the windows' total by their elapsed time, counted as at least samples - 1 full windows, so a first burst
 * is not measured over a few milliseconds (Kafka's Rate.windowSize).
 *
 * Who may call: one owner, from the JS thread; `now` in milliseconds, never decreasing.
 */
export class SampledRate {
  private readonly starts: Float64Array;
  private readonly values: Float64Array;
  private current = 0;

  constructor(
    readonly samples: number,
    readonly windowMs: number,
    now: number,
  ) {
    this.starts = new Float64Array(samples).fill(now);
    this.values = new Float64Array(samples);
  }

  record(value: number, now: number): void {
    if (now - this.starts[this.current] >= this.windowMs) {
      this.current = (this.current + 1) % this.samples;
      this.starts[this.current] = now;
      this.values[this.current] = 0;
    }
    this.values[this.current] += value;
  }

  private purgeObsolete(now: number): void {
    const horizon = this.samples * this.windowMs;
    for (let i = 0; i < this.samples; i++) {
      if (now - this.starts[i] >= horizon) {
        this.starts[i] = now;
        this.values[i] = 0;
      }
    }
  }

  /** Elapsed time the rate divides by (ms): from the oldest window, at least samples - 1 full windows. */
  windowSizeMs(now: number): number {
    this.purgeObsolete(now);
    let oldest = now;
    for (let i = 0; i < this.samples; i++) if (this.starts[i] < oldest) oldest = this.starts[i];
    let elapsed = now - oldest;
    const full = Math.floor(elapsed / this.windowMs);
    if (full < this.samples - 1) elapsed += (this.samples - 1 - full) * this.windowMs;
    return elapsed;
  }

  /** Units per second. */
  rate(now: number): number {
    const elapsed = this.windowSizeMs(now);
    let total = 0;
    for (let i = 0; i < this.samples; i++) total += this.values[i];
    return (total * 1000) / elapsed;
  }
}
