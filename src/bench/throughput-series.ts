/**
 * ThroughputSeries: messages and bytes counted as they complete (add() is two additions), sampled by the caller's
 * clock into intervals for the throughput-over-time chart and the progress line.
 *
 * The runner samples every SAMPLE_INTERVAL_MS (100 ms) from the start of the measurement; `samples(intervalMs)`
 * merges those raw intervals into coarser ones (1 s for runs of 10 s or more, see seriesIntervalMs), each rate
 * computed over the interval's real length (the last one is usually shorter).
 */

/** The raw sampling period of the runners. */
export const SAMPLE_INTERVAL_MS = 100;
/** Runs shorter than this keep 100 ms intervals in the result; longer ones get 1 s. */
export const SHORT_RUN_MS = 10_000;

/** One interval: what completed in (tMs - durationMs, tMs], counted from the start of the measurement. */
export interface IntervalSample {
  tMs: number;
  durationMs: number;
  messages: number;
  bytes: number;
  messagesPerSec: number;
  mbPerSec: number;
}

/** The series' resolution for a run of this length: 100 ms for short runs, 1 s otherwise. */
export function seriesIntervalMs(runMs: number): number {
  return runMs < SHORT_RUN_MS ? SAMPLE_INTERVAL_MS : 1000;
}

function sampleOf(tMs: number, durationMs: number, messages: number, bytes: number): IntervalSample {
  const seconds = durationMs / 1000;
  return {
    tMs,
    durationMs,
    messages,
    bytes,
    messagesPerSec: seconds > 0 ? messages / seconds : 0,
    mbPerSec: seconds > 0 ? bytes / 1e6 / seconds : 0,
  };
}

export class ThroughputSeries {
  /** Cumulative counts (read by the sampler; written by add()). */
  messages = 0;
  bytes = 0;
  private originMs = NaN;
  private lastMs = NaN;
  private lastMessages = 0;
  private lastBytes = 0;
  private readonly raw: IntervalSample[] = [];

  add(messages: number, bytes: number): void {
    this.messages += messages;
    this.bytes += bytes;
  }

  /** Where tMs = 0 is (the measurement's start, in the caller's clock); counts so far are not in any interval. */
  start(nowMs: number): void {
    this.originMs = nowMs;
    this.lastMs = nowMs;
    this.lastMessages = this.messages;
    this.lastBytes = this.bytes;
    this.raw.length = 0;
  }

  get started(): boolean {
    return !Number.isNaN(this.originMs);
  }

  /** Closes the interval ending now (nothing before start(), or for an empty instant). */
  sample(nowMs: number): void {
    if (!this.started || nowMs <= this.lastMs) return;
    this.raw.push(sampleOf(nowMs - this.originMs, nowMs - this.lastMs, this.messages - this.lastMessages, this.bytes - this.lastBytes));
    this.lastMs = nowMs;
    this.lastMessages = this.messages;
    this.lastBytes = this.bytes;
  }

  /** Messages per second over the raw intervals of the last `windowMs` (for the progress line). */
  recentRate(windowMs = 1000): { messagesPerSec: number; mbPerSec: number } {
    let ms = 0;
    let messages = 0;
    let bytes = 0;
    for (let i = this.raw.length - 1; i >= 0 && ms < windowMs; i--) {
      ms += this.raw[i].durationMs;
      messages += this.raw[i].messages;
      bytes += this.raw[i].bytes;
    }
    return ms > 0 ? { messagesPerSec: (messages * 1000) / ms, mbPerSec: (bytes / 1e6) * (1000 / ms) } : { messagesPerSec: 0, mbPerSec: 0 };
  }

  /**
   * The raw intervals merged into windows of `intervalMs` (a multiple of the sampling period; a raw interval belongs
   * to the window its end falls in, give or take half a period of timer jitter), each rate over its real length.
   */
  samples(intervalMs = SAMPLE_INTERVAL_MS): IntervalSample[] {
    const out: IntervalSample[] = [];
    let window = -1;
    let start = 0;
    let end = 0;
    let messages = 0;
    let bytes = 0;
    for (const s of this.raw) {
      const w = Math.floor(Math.max(0, s.tMs - SAMPLE_INTERVAL_MS / 2) / intervalMs);
      if (w !== window && window >= 0) {
        out.push(sampleOf(end, end - start, messages, bytes));
        start = end;
        messages = 0;
        bytes = 0;
      }
      window = w;
      messages += s.messages;
      bytes += s.bytes;
      end = s.tMs;
    }
    if (window >= 0) out.push(sampleOf(end, end - start, messages, bytes));
    return out;
  }
}
