/**
 * `strata bench produce|consume|e2e` (the built CLI) against a broker in this process: the records land in the
 * topic exactly, the JSON's counts match them, e2e latencies are sane, the HTML report holds charts and the JSON's
 * figures, progress goes to stderr unless --quiet; exit codes 1 (refused), 2 (usage), 3 (unreachable).
 */
import t, { Test } from 'tap';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import type { BenchResult } from '../../src/bench/bench-result';
import { formatInt, formatMb, formatMs } from '../../src/bench/text-report';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'strata.js');

// Asynchronous: the broker answering the CLI runs in this process.
function strata(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function ordered(t: Test, r: BenchResult): void {
  const l = r.latency!;
  t.ok(l.minMs >= 0, `min ${l.minMs} >= 0`);
  t.ok(l.p50Ms <= l.p99Ms && l.p99Ms <= l.p999Ms && l.p999Ms <= l.maxMs, `p50 ${l.p50Ms} <= p99 ${l.p99Ms} <= p99.9 ${l.p999Ms} <= max ${l.maxMs}`);
  t.equal(r.histogram.reduce((s, b) => s + b.count, 0), l.count, 'the histogram holds every sample');
}

t.test('strata bench', async (t) => {
  const dir = t.testdir();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-bench-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const server = `127.0.0.1:${broker.port}`;
  const logEnds = (topic: string) => Array.from({ length: broker.topics.get(topic)?.partitions ?? 0 }, (_, p) => broker.partitionLog(topic, p)!.logEndOffset);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  t.test('produce: exactly the records asked, counted in the JSON, reported in HTML', async (t) => {
    const jsonOut = path.join(dir, 'produce.json');
    const htmlOut = path.join(dir, 'produce.html');
    const r = await strata(['bench', 'produce', '--bootstrap-server', server, '--topic', 'bp', '--partitions', '3', '--messages', '20000', '--json', '--quiet', '--json-out', jsonOut, '--html-out', htmlOut]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stderr, '', '--quiet: nothing on stderr');
    const result = JSON.parse(r.stdout) as BenchResult;
    t.same(JSON.parse(fs.readFileSync(jsonOut, 'utf8')), result, '--json-out holds what --json printed');
    const ends = logEnds('bp');
    t.equal(ends.length, 3, 'created with --partitions 3');
    t.equal(sum(ends), 20000, `the topic holds exactly 20000 records (${ends.join('+')})`);
    t.ok(ends.every((e) => e > 0), 'spread over the partitions');
    t.match(result, { mode: 'produce', config: { topic: 'bp', partitions: 3, messages: 20000, messageSize: 100 }, consume: null, latencyKind: 'ack' });
    t.equal(result.totals.messages, 20000);
    t.equal(result.produce!.messages, 20000);
    t.equal(result.totals.bytes, 20000 * 100);
    t.equal(result.latency!.count, 20000, 'a latency per record');
    t.equal(sum(result.series.produce.map((s) => s.messages)), 20000, 'the series adds up to the total');
    t.ok(result.produce!.messagesPerSec > 0 && Math.abs(result.produce!.messagesPerSec - 20000 / result.produce!.seconds) < 1e-6);
    ordered(t, result);

    const html = fs.readFileSync(htmlOut, 'utf8');
    t.match(html, /^<!doctype html>/);
    t.ok((html.match(/<svg /g) ?? []).length >= 2, 'two charts, inline SVG');
    t.notMatch(html, /(src|href)=["']?https?:/, 'nothing loaded from the network');
    for (const figure of [formatInt(20000), formatInt(result.produce!.messagesPerSec), formatMb(result.produce!.mbPerSec), formatMs(result.latency!.p50Ms), formatMs(result.latency!.p99Ms), formatMs(result.latency!.p999Ms), formatMs(result.latency!.maxMs)]) {
      t.ok(html.includes(`>${figure}<`), `the HTML shows ${figure}`);
    }
    const embedded = /<script type="application\/json" id="strata-bench-results">(.*?)<\/script>/s.exec(html);
    t.same(JSON.parse(embedded![1]), [result], 'the result is embedded as JSON');
  });

  t.test('consume: reads them all; fills the topic when it holds fewer', async (t) => {
    const r = await strata(['bench', 'consume', '--bootstrap-server', server, '--topic', 'bp', '--messages', '20000', '--consumers', '2', '--json', '--quiet']);
    t.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as BenchResult;
    t.match(result, { mode: 'consume', produce: null, latency: null, totals: { messages: 20000, bytes: 2_000_000, prefilledMessages: 0, missingMessages: 0 } });
    t.equal(result.consume!.messages, 20000);
    t.equal(sum(result.series.consume.map((s) => s.messages)), 20000);
    const more = await strata(['bench', 'consume', '--bootstrap-server', server, '--topic', 'bp', '--messages', '25000', '--json', '--quiet']);
    t.equal(more.code, 0, more.stderr);
    const filled = JSON.parse(more.stdout) as BenchResult;
    t.equal(filled.totals.prefilledMessages, 5000, 'produced the 5000 missing first');
    t.equal(filled.consume!.messages, 25000);
    t.equal(sum(logEnds('bp')), 25000);
  });

  t.test('e2e: every message consumed, latencies non-negative and ordered; the table', async (t) => {
    const r = await strata(['bench', 'e2e', '--bootstrap-server', server, '--topic', 'be', '--partitions', '2', '--messages', '20000', '--producers', '2', '--consumers', '2', '--json', '--quiet']);
    t.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as BenchResult;
    t.equal(sum(logEnds('be')), 20000);
    t.match(result, { mode: 'e2e', latencyKind: 'end-to-end', config: { producers: 2, consumers: 2, partitions: 2 }, totals: { missingMessages: 0 } });
    t.equal(result.produce!.messages, 20000);
    t.equal(result.consume!.messages, 20000);
    t.equal(result.latency!.count, 20000);
    ordered(t, result);

    const table = await strata(['bench', 'e2e', '--bootstrap-server', server, '--messages', '2000', '--quiet']);
    t.equal(table.code, 0, table.stderr);
    t.match(table.stdout, /SIDE\s+MESSAGES\s+SECONDS\s+MSGS\/S\s+MB\/S/);
    t.match(table.stdout, /produce\s+2,000\s/);
    t.match(table.stdout, /consume\s+2,000\s/);
    t.match(table.stdout, /LATENCY \(end-to-end, ms\)\s+P50\s+P99\s+P99\.9\s+MAX/);
    t.match(table.stdout, /topic strata-bench-e2e-\S+ \(\d+ partitions?\)/, 'a fresh topic by default');
  });

  t.test('a timed run: 100 ms series, progress lines on stderr', async (t) => {
    const r = await strata(['bench', 'produce', '--bootstrap-server', server, '--duration', '1.6', '--message-size', '10', '--json']);
    t.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as BenchResult;
    t.equal(result.config.durationMs, 1600);
    t.equal(result.series.intervalMs, 100);
    t.ok(result.series.produce.length >= 14, `${result.series.produce.length} intervals`);
    t.equal(sum(logEnds(result.config.topic)), result.produce!.messages, 'acknowledged = stored');
    t.match(r.stderr, /^produce measure \d+\.\d \/ 1\.6 s {2}produced [\d,]+ \([\d,]+ msgs\/s\)$/m, 'a progress line per second (not a terminal)');
  });

  t.test('exit codes', async (t) => {
    for (const args of [[], ['nonsense', '--bootstrap-server', server], ['produce'], ['produce', '--bootstrap-server', server, '--frobnicate'], ['produce', '--bootstrap-server', server, '--acks', '2'], ['produce', '--bootstrap-server', server, '--messages', '10', '--duration', '1'], ['e2e', '--bootstrap-server', server, '--message-size', '4']]) {
      const r = await strata(['bench', ...args]);
      t.equal(r.code, 2, `usage error: ${args.join(' ') || '(nothing)'}`);
      t.match(r.stderr, /strata bench: /);
    }
    const refused = await strata(['bench', 'produce', '--bootstrap-server', server, '--topic', 'nope', '--partitions', '0', '--messages', '10']);
    t.equal(refused.code, 1, 'the broker refused: exit 1');
    t.match(refused.stderr, /INVALID_PARTITIONS/);
    const unreachable = await strata(['bench', 'produce', '--bootstrap-server', '127.0.0.1:1', '--messages', '10']);
    t.equal(unreachable.code, 3, 'a broker that cannot be reached exits 3');
    t.match(unreachable.stderr, /ECONNREFUSED/);
  });

  t.test('strata help lists bench', async (t) => {
    const r = await strata(['help']);
    t.match(r.stdout, /^ {2}bench produce\|consume\|e2e --bootstrap-server host:port/m);
  });
});
