/**
 * renderHtml: one self-contained HTML page for one result or several (systems or settings side by side): the
 * summary table, the configuration, throughput over time and the latency histogram as inline SVG drawn here (no
 * script, no stylesheet or font from the network), and the results themselves as JSON in a
 * <script type="application/json" id="strata-bench-results"> element for tools.
 */
import type { BenchResult } from './bench-result';
import { describeRun, formatInt, formatMb, formatMs, formatSeconds } from './text-report';

const WIDTH = 760;
const HEIGHT = 300;
const MARGIN = { left: 78, right: 20, top: 34, bottom: 46 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round axis steps: 1, 2 or 5 times a power of ten, about `count` of them up to `max`. */
function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < max) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

function tickLabel(v: number): string {
  if (v >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (v >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
}

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  const plotBottom = HEIGHT - MARGIN.bottom;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${escapeHtml(title)}</text>`,
    body,
    `<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="12" fill="#444">${escapeHtml(xLabel)}</text>`,
    `<text x="14" y="${(MARGIN.top + plotBottom) / 2}" text-anchor="middle" font-size="12" fill="#444" transform="rotate(-90 14 ${(MARGIN.top + plotBottom) / 2})">${escapeHtml(yLabel)}</text>`,
    '</svg>',
  ].join('\n');
}

function legend(series: ReadonlyArray<{ name: string; color: string }>): string {
  if (series.length < 2) return '';
  return series
    .map((s, i) => {
      const y = MARGIN.top + 6 + i * 16;
      const x = WIDTH - MARGIN.right - 200;
      return `<rect x="${x}" y="${y - 8}" width="12" height="10" fill="${s.color}"/><text x="${x + 18}" y="${y + 1}" font-size="11" fill="#555">${escapeHtml(s.name)}</text>`;
    })
    .join('\n');
}

/** Lines over a linear x (seconds) and y (msgs/s) from 0. */
export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly Series[]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxX = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const maxY = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const xTicks = niceTicks(maxX, 8);
  const yTicks = niceTicks(maxY, 5);
  const xMax = xTicks[xTicks.length - 1];
  const yMax = yTicks[yTicks.length - 1];
  const px = (x: number) => MARGIN.left + (x / xMax) * plotW;
  const py = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  for (const t of yTicks) parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e8e8e8"/><text x="${MARGIN.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${tickLabel(t)}</text>`);
  for (const t of xTicks) parts.push(`<text x="${px(t).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11" fill="#555">${tickLabel(t)}</text>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#888"/><line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#888"/>`);
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = [[0, s.points[0][1]] as [number, number], ...s.points].map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"><title>${escapeHtml(s.name)}</title></polyline>`);
  }
  parts.push(legend(series));
  return frame(title, xLabel, yLabel, parts.join('\n'));
}

/** Each result's latency buckets as bars over a log-scale x (ms), height the share of samples; percentile marks for one result. */
export function histogramSvg(results: readonly BenchResult[]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const withData = results.map((r, i) => ({ r, color: COLORS[i % COLORS.length] })).filter(({ r }) => r.histogram.length > 0);
  const floorMs = 0.0005;
  const lows = withData.flatMap(({ r }) => r.histogram.map((b) => Math.max(floorMs, b.lowMs)));
  const highs = withData.flatMap(({ r }) => r.histogram.map((b) => b.highMs));
  const lo = Math.floor(Math.log10(lows.length > 0 ? Math.min(...lows) : 0.1));
  const hi = Math.ceil(Math.log10(highs.length > 0 ? Math.max(...highs) : 10));
  const span = Math.max(1, hi - lo);
  const shares = withData.flatMap(({ r }) => {
    const total = r.histogram.reduce((s, b) => s + b.count, 0);
    return r.histogram.map((b) => (total > 0 ? (b.count / total) * 100 : 0));
  });
  const yTicks = niceTicks(Math.max(1, ...shares), 5);
  const yMax = yTicks[yTicks.length - 1];
  const px = (ms: number) => MARGIN.left + ((Math.log10(Math.max(floorMs, ms)) - lo) / span) * plotW;
  const py = (share: number) => MARGIN.top + plotH - (share / yMax) * plotH;
  const parts: string[] = [];
  for (const t of yTicks) parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e8e8e8"/><text x="${MARGIN.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${tickLabel(t)}%</text>`);
  for (let d = lo; d <= lo + span; d++) {
    const ms = 10 ** d;
    if (d < lo + span) {
      for (const m of [2, 5]) parts.push(`<text x="${px(m * ms).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="10" fill="#999">${Number((m * ms).toPrecision(1))}</text>`);
    }
    parts.push(`<line x1="${px(ms).toFixed(1)}" x2="${px(ms).toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#e8e8e8"/><text x="${px(ms).toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11" fill="#555">${Number(ms.toPrecision(1))}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#888"/><line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#888"/>`);
  for (const { r, color } of withData) {
    const total = r.histogram.reduce((s, b) => s + b.count, 0);
    for (const b of r.histogram) {
      if (b.count === 0) continue;
      const x = px(b.lowMs);
      const w = Math.max(1, px(b.highMs) - x - 0.5);
      const y = py((b.count / total) * 100);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(MARGIN.top + plotH - y).toFixed(1)}" fill="${color}" fill-opacity="${withData.length > 1 ? 0.45 : 0.8}"><title>${escapeHtml(`${r.system}: ${formatMs(b.lowMs)}–${formatMs(b.highMs)} ms: ${formatInt(b.count)} samples`)}</title></rect>`,
      );
    }
  }
  if (withData.length === 1 && withData[0].r.latency !== null) {
    const l = withData[0].r.latency;
    const marks: Array<[string, number]> = [
      ['p50', l.p50Ms],
      ['p99', l.p99Ms],
      ['p99.9', l.p999Ms],
      ['max', l.maxMs],
    ];
    marks.forEach(([name, ms], i) => {
      const x = px(ms).toFixed(1);
      // Labels near the right edge go to the left of their line.
      const left = px(ms) > MARGIN.left + plotW - 110;
      parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333" stroke-dasharray="4 3"/><text x="${x}" y="${MARGIN.top + 10 + i * 12}" font-size="11" fill="#333" text-anchor="${left ? 'end' : 'start'}">${left ? '' : '&#160;'}${name} ${formatMs(ms)}${left ? '&#160;' : ''}</text>`);
    });
  }
  parts.push(legend(withData.map(({ r, color }) => ({ name: label(r), color }))));
  return frame('Latency histogram', 'latency (ms, log scale)', 'share of samples', parts.join('\n'));
}

function label(r: BenchResult): string {
  return `${r.system} ${r.mode}`;
}

function table(header: string[], rows: string[][], numericFrom = 1): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= numericFrom ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`;
}

function summaryTable(results: readonly BenchResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    const l = r.latency;
    const lat = l !== null && l.count > 0 ? [formatMs(l.p50Ms), formatMs(l.p99Ms), formatMs(l.p999Ms), formatMs(l.maxMs)] : ['', '', '', ''];
    for (const [side, t] of [['produce', r.produce], ['consume', r.consume]] as const) {
      if (t === null) continue;
      const showLatency = (r.mode === 'produce' && side === 'produce') || (r.mode === 'e2e' && side === 'consume');
      rows.push([label(r), side, formatInt(t.messages), formatSeconds(t.seconds), formatInt(t.messagesPerSec), formatMb(t.mbPerSec), ...(showLatency ? lat : ['', '', '', ''])]);
    }
  }
  return table(['run', 'side', 'messages', 'seconds', 'msgs/s', 'MB/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'], rows, 2);
}

function configTable(results: readonly BenchResult[]): string {
  const keys: Array<[string, (r: BenchResult) => string]> = [
    ['system', (r) => r.system],
    ['target', (r) => r.target ?? ''],
    ['mode', (r) => r.mode],
    ['started', (r) => r.startedAt],
    ['topic', (r) => r.config.topic],
    ['partitions', (r) => String(r.config.partitions)],
    ['message size (B)', (r) => String(r.config.messageSize)],
    ['messages', (r) => (r.config.messages === null ? '' : formatInt(r.config.messages))],
    ['duration (ms)', (r) => (r.config.durationMs === null ? '' : String(r.config.durationMs))],
    ['producers', (r) => String(r.config.producers)],
    ['consumers', (r) => String(r.config.consumers)],
    ['acks', (r) => String(r.config.acks)],
    ['batch.size', (r) => String(r.config.batchSize)],
    ['linger.ms', (r) => String(r.config.lingerMs)],
    ['compression', (r) => r.config.compression],
    ['sends in flight x records', (r) => `${r.config.sendsInFlight} x ${r.config.recordsPerSend}`],
    ['warm-up (ms)', (r) => String(r.config.warmupMs)],
    ['warm-up messages', (r) => formatInt(r.totals.warmupMessages)],
    ['prefilled messages', (r) => formatInt(r.totals.prefilledMessages)],
    ['missing messages', (r) => formatInt(r.totals.missingMessages)],
    ['series interval (ms)', (r) => String(r.series.intervalMs)],
    ['node', (r) => r.environment.node],
    ['machine', (r) => `${r.environment.cpus} x ${r.environment.cpuModel}, ${r.environment.platform}`],
  ];
  const header = ['setting', ...results.map((r, i) => (results.length > 1 ? `${i + 1}: ${label(r)}` : 'value'))];
  return table(header, keys.map(([k, f]) => [k, ...results.map(f)]), 99);
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
p.run { margin: 2px 0; color: #555; font-family: ui-monospace, monospace; font-size: 12.5px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
svg { display: block; margin: 8px 0; background: #fff; border: 1px solid #e4e4e4; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
`;

/** The report page for one result or several. */
export function renderHtml(input: BenchResult | readonly BenchResult[]): string {
  const results: readonly BenchResult[] = Array.isArray(input) ? input : [input as BenchResult];
  const lines: Series[] = [];
  results.forEach((r) => {
    const sides = [
      ['produce', r.series.produce],
      ['consume', r.series.consume],
    ] as const;
    sides.forEach(([side, samples]) => {
      if (samples.length === 0) return;
      lines.push({
        name: results.length > 1 ? `${r.system}${r.mode === side ? '' : ` ${r.mode}`} ${side}` : side,
        color: COLORS[lines.length % COLORS.length],
        points: samples.map((s) => [s.tMs / 1000, s.messagesPerSec]),
      });
    });
  });
  const interval = [...new Set(results.map((r) => r.series.intervalMs))].join('/');
  const title = results.length === 1 ? `strata bench ${results[0].mode}: ${results[0].system}` : `strata bench: ${results.map(label).join(' vs ')}`;
  const json = JSON.stringify(results).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${results.flatMap((r) => describeRun(r).map((l) => `<p class="run">${escapeHtml(l)}</p>`)).join('\n')}
<h2>Summary</h2>
${summaryTable(results)}
<h2>Throughput over time</h2>
${lineChartSvg(`Throughput (msgs/s per ${interval} ms interval)`, 'time since the measurement started (s)', 'messages per second', lines)}
<h2>Latency</h2>
${results.some((r) => r.histogram.length > 0) ? histogramSvg(results) : '<p>No latency measured (consume measures throughput only).</p>'}
<h2>Configuration</h2>
${configTable(results)}
<script type="application/json" id="strata-bench-results">${json}</script>
</body>
</html>
`;
}
