/**
 * The result of one benchmark run, as `strata bench --json` prints it and `--json-out` writes it: what ran
 * (config), what came out (totals per side, latency percentiles and histogram), and throughput over time. Other
 * systems' runners (bench/peers.ts) fill the same shape so one report compares them.
 *
 * Units: bytes are the values' bytes (the payload, as Kafka's perf tools count them); MB is 10^6 bytes; latencies
 * in milliseconds; series times in ms from the start of the measurement (after the warm-up).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { HistogramBucket, LatencySummary } from './latency-recorder';
import type { IntervalSample } from './throughput-series';

export const RESULT_SCHEMA = 'strata-bench/1';

export type BenchMode = 'produce' | 'consume' | 'e2e';

/** The run's settings, resolved (defaults filled in). */
export interface BenchConfig {
  topic: string;
  messageSize: number;
  /** Measured messages (warm-up messages come on top), or null for a timed run. */
  messages: number | null;
  durationMs: number | null;
  partitions: number;
  acks: 0 | 1 | -1;
  batchSize: number;
  lingerMs: number;
  compression: string;
  producers: number;
  consumers: number;
  warmupMs: number;
  /** send() calls outstanding per producer, and records per call. */
  sendsInFlight: number;
  recordsPerSend: number;
}

/** What one side (producers or consumers) moved during the measurement. */
export interface PhaseTotals {
  messages: number;
  bytes: number;
  seconds: number;
  messagesPerSec: number;
  mbPerSec: number;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  mode: BenchMode;
  /** What was measured: 'strata', or another system's name in comparisons. */
  system: string;
  /** Where: the bootstrap server (or any description), null when unknown. */
  target: string | null;
  startedAt: string;
  config: BenchConfig;
  /** The headline: the producers' side for produce, the consumers' for consume and e2e. */
  totals: PhaseTotals & {
    /** Sent during the warm-up, not measured. */
    warmupMessages: number;
    /** consume: produced first because the topic held fewer than asked. */
    prefilledMessages: number;
    /** e2e: produced but never consumed before the drain timeout. */
    missingMessages: number;
  };
  produce: PhaseTotals | null;
  consume: PhaseTotals | null;
  /** 'ack': send() to acknowledgement (produce); 'end-to-end': send() to consumed (e2e); null for consume. */
  latencyKind: 'ack' | 'end-to-end' | null;
  latency: LatencySummary | null;
  histogram: HistogramBucket[];
  series: { intervalMs: number; produce: IntervalSample[]; consume: IntervalSample[] };
  environment: { node: string; platform: string; cpus: number; cpuModel: string };
}

export function phaseTotals(messages: number, bytes: number, seconds: number): PhaseTotals {
  return { messages, bytes, seconds, messagesPerSec: seconds > 0 ? messages / seconds : 0, mbPerSec: seconds > 0 ? bytes / 1e6 / seconds : 0 };
}

export function environment(): BenchResult['environment'] {
  const cpus = os.cpus();
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown' };
}

/** The result as JSON text (2-space indented, a final newline). */
export function resultJson(result: BenchResult | readonly BenchResult[]): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Writes the result (or several, as an array) to a file as JSON. */
export function writeJson(file: string, result: BenchResult | readonly BenchResult[]): void {
  fs.writeFileSync(file, resultJson(result));
}
