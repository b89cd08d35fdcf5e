/**
 * A result as text for a terminal: the run's description, a throughput table per side, the latency percentiles;
 * and the one-line progress shown while a run goes. The number formats here are the HTML report's too.
 */
import type { BenchResult, PhaseTotals } from './bench-result';
import type { Progress } from './workload';

/** An integer with thousands separators: 1,234,567 (locale-independent). */
export function formatInt(n: number): string {
  const s = Math.round(n).toString();
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Milliseconds with 3 decimals (microseconds). */
export function formatMs(ms: number): string {
  return ms.toFixed(3);
}

/** MB/s with one decimal. */
export function formatMb(mbPerSec: number): string {
  return mbPerSec.toFixed(1);
}

export function formatSeconds(seconds: number): string {
  return seconds.toFixed(3);
}

function columns(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

const plural = (n: number, word: string) => `${formatInt(n)} ${word}${n === 1 ? '' : 's'}`;

/** What ran, in one or two lines. */
export function describeRun(r: BenchResult): string[] {
  const c = r.config;
  const amount = c.messages !== null ? `${formatInt(c.messages)} x ${c.messageSize} B` : `${(c.durationMs! / 1000).toFixed(1)} s of ${c.messageSize} B messages`;
  const where = `${r.system}${r.target !== null ? ` at ${r.target}` : ''}`;
  const clients = [r.mode !== 'consume' ? plural(c.producers, 'producer') : null, r.mode !== 'produce' ? plural(c.consumers, 'consumer') : null].filter((x) => x !== null).join(', ');
  const settings = r.mode === 'consume' ? '' : `, acks=${c.acks}, batch.size ${c.batchSize}, linger.ms ${c.lingerMs}, compression ${c.compression}, ${c.sendsInFlight} x ${c.recordsPerSend}-record sends in flight per producer`;
  return [`${r.mode}: ${amount}, topic ${c.topic} (${plural(c.partitions, 'partition')}), ${where}`, `  ${clients}${settings}${c.warmupMs > 0 ? `, warm-up ${c.warmupMs} ms` : ''}`];
}

/** The summary table shown at the end of a run. */
export function summaryLines(r: BenchResult): string[] {
  const row = (name: string, t: PhaseTotals) => [name, formatInt(t.messages), formatSeconds(t.seconds), formatInt(t.messagesPerSec), formatMb(t.mbPerSec)];
  const rows: string[][] = [];
  if (r.produce !== null) rows.push(row('produce', r.produce));
  if (r.consume !== null) rows.push(row('consume', r.consume));
  const out = [...describeRun(r), '', ...columns(['SIDE', 'MESSAGES', 'SECONDS', 'MSGS/S', 'MB/S'], rows)];
  if (r.latency !== null && r.latency.count > 0) {
    const l = r.latency;
    out.push('', ...columns([`LATENCY (${r.latencyKind}, ms)`, 'P50', 'P99', 'P99.9', 'MAX', 'MEAN'], [[formatInt(l.count) + ' samples', formatMs(l.p50Ms), formatMs(l.p99Ms), formatMs(l.p999Ms), formatMs(l.maxMs), formatMs(l.meanMs)]]));
  }
  const notes: string[] = [];
  if (r.totals.warmupMessages > 0) notes.push(`${formatInt(r.totals.warmupMessages)} warm-up messages not counted`);
  if (r.totals.prefilledMessages > 0) notes.push(`${formatInt(r.totals.prefilledMessages)} messages produced first to fill the topic`);
  if (r.totals.missingMessages > 0) notes.push(`${formatInt(r.totals.missingMessages)} messages never arrived`);
  if (notes.length > 0) out.push('', ...notes);
  return out;
}

/** The progress line: phase, time, counts and the last second's rates. */
export function progressLine(p: Progress): string {
  const time = `${(p.elapsedMs / 1000).toFixed(1)}${p.durationMs !== null && p.phase !== 'prefill' ? ` / ${(p.durationMs / 1000).toFixed(1)}` : ''} s`;
  const goal = p.messages !== null ? ` / ${formatInt(p.messages)}` : '';
  const parts = [`${p.mode} ${p.phase} ${time}`];
  if (p.mode !== 'consume' || p.phase === 'prefill') parts.push(`produced ${formatInt(p.produced)}${p.mode === 'produce' ? goal : ''} (${formatInt(p.produceRate)} msgs/s)`);
  if (p.mode !== 'produce' && p.phase !== 'prefill') parts.push(`consumed ${formatInt(p.consumed)}${goal} (${formatInt(p.consumeRate)} msgs/s)`);
  return parts.join('  ');
}
