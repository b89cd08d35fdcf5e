/**
 * Storage benchmark: Log.append and zero-copy Log.read against plain-file baselines measured in the same run.
 *
 *   npm run bench:storage                      # the whole matrix, ~2-3 minutes on 2 cores
 *   npm run bench:storage -- --segment-bytes=1073741824
 *   npm run bench:storage -- --only=append     # or --only=read
 *
 * Matrix: record values of 100 B and 1 KiB × record batches of 16 KiB and 1 MiB (as many records as fit, one
 * batch per append, the same Buffer reused: the Log patches its baseOffset in place).
 *  - append: Log.append (header + CRC-32C validation, offset assignment, copy into the mapped segment, offset
 *    index) vs fs.writeSync of the same batch bytes to a plain file opened 'w'. Every cycle starts from an
 *    empty log / file and deletes it afterwards (untimed), so disk use stays bounded; the 8 MiB fallocate steps
 *    and any segment roll within a cycle are timed, as they are part of appending (a cycle is ~0.25 s, so with
 *    the default 256 MiB segments it rolls about once per cycle at most; --segment-bytes to compare).
 *  - read: a log of READ_LOG_BYTES is written once, then fetched from start to end in FETCH_BYTES requests
 *    (Kafka's max.partition.fetch.bytes default), cycling. "views" is what a fetch costs (the Buffers viewing the
 *    mapping, nothing copied); "views+touch" also reads one byte per 4 KiB page of every view; the baseline is
 *    fs.readSync of the same byte ranges from a plain file with the same bytes, into one reused Buffer.
 *
 * Every suite runs in a fresh child process (this file with --suite=...), prints one JSON line, and the parent
 * prints the tables. The VM this was written on is several times slower on the first touch of fresh memory, so
 * each case first runs untimed (~1 GiB of appends, or a full pass of fetches), buffers are allocated once, and
 * every cycle starts with a full gc. Strata and baseline are measured in alternating rounds (A B, B A) and each
 * figure is the mean of its rounds, so load from other processes falls on both. MB = 10^6 bytes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Log } from '../src/storage/log';
import { buildBatch, BatchFixture } from './helpers/batch-fixture';
import { BenchCase, BenchResult, measureRounds, MeasureOptions } from './helpers/measure';
import { formatBytes, formatCount, formatRate, formatRatio, markdownTable } from './helpers/markdown-table';

const KIB = 1024;
const MIB = 1024 * KIB;
const VALUE_SIZES = [100, KIB] as const;
const BATCH_SIZES = [16 * KIB, MIB] as const;
const FETCH_BYTES = MIB;
const READ_LOG_BYTES = 512 * MIB;
const WARMUP_BYTES = 1024 * MIB;
const SEGMENT_BYTES_DEFAULT = 256 * MIB;
const PAGE_BYTES = 4096;
const TIMESTAMP = 1_700_000_000_000;
const RESULT_PREFIX = '@@strata-bench ';

const ROUNDS = 2;
const APPEND_TIMING: MeasureOptions = { minTime: 0.25, maxTime: 1.5, minSamples: 5 };
const READ_TIMING: MeasureOptions = { minTime: 0.1, maxTime: 1, minSamples: 8 };

type SuiteKind = 'append' | 'read';

interface SuiteSpec {
  kind: SuiteKind;
  valueBytes: number;
  batchBytesMax: number;
}

interface SuiteOutput {
  suite: string;
  batchBytes: number;
  recordCount: number;
  builder: BatchFixture['builder'];
  segmentBytes: number;
  results: BenchResult[];
  notes: string[];
}

function suiteId(s: SuiteSpec): string {
  return `${s.kind}:${s.valueBytes}:${s.batchBytesMax}`;
}

function parseSuiteId(id: string): SuiteSpec {
  const [kind, value, batch] = id.split(':');
  if ((kind !== 'append' && kind !== 'read') || !value || !batch) throw new Error(`bad suite ${id}`);
  return { kind, valueBytes: Number(value), batchBytesMax: Number(batch) };
}

function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function fullGc(): void {
  globalThis.gc?.();
}

let sink = 0;

// ---------------------------------------------------------------------------------------------------------------
// Child: one suite.

function appendSuite(spec: SuiteSpec, dir: string, segmentBytes: number): SuiteOutput {
  const fx = buildBatch(spec.valueBytes, spec.batchBytesMax, TIMESTAMP);
  const batch = fx.batch;
  const warmupOps = Math.ceil(WARMUP_BYTES / batch.length);
  const file = path.join(dir, 'baseline.bin');
  const logDir = path.join(dir, 'bench-0');
  let fd = -1;
  let log: Log | null = null;

  const baseline: BenchCase = {
    name: 'baseline fs.writeSync',
    bytesPerOp: batch.length,
    recordsPerOp: fx.recordCount,
    warmupOps,
    setup() {
      fullGc();
      fd = fs.openSync(file, 'w');
    },
    op() {
      fs.writeSync(fd, batch);
    },
    teardown() {
      fs.closeSync(fd);
      fs.unlinkSync(file);
    },
  };
  const strata: BenchCase = {
    name: 'strata Log.append',
    bytesPerOp: batch.length,
    recordsPerOp: fx.recordCount,
    warmupOps,
    setup() {
      fullGc();
      log = Log.open(logDir, { config: { segmentBytes } });
    },
    op() {
      log!.append(batch);
    },
    teardown() {
      log!.delete();
      log = null;
    },
  };

  // Sanity: the Log accepts the batch whole and counts its records as built.
  const check = Log.open(logDir, { config: { segmentBytes } });
  const info = check.append(batch);
  if (info.recordCount !== fx.recordCount || info.size !== batch.length) throw new Error('append sanity check failed');
  check.delete();

  const results = measureRounds([baseline, strata], ROUNDS, APPEND_TIMING);
  return {
    suite: suiteId(spec),
    batchBytes: batch.length,
    recordCount: fx.recordCount,
    builder: fx.builder,
    segmentBytes,
    results,
    notes: [],
  };
}

/** Next fetch offset after whole batches in `views`: the last batch's baseOffset + lastOffsetDelta + 1. */
function nextOffsetAfter(views: Buffer[]): number {
  let next = -1;
  for (const v of views) {
    for (let p = 0; p < v.length; ) {
      const base = v.readInt32BE(p) * 2 ** 32 + v.readUInt32BE(p + 4);
      next = base + v.readInt32BE(p + 23) + 1;
      p += 12 + v.readInt32BE(p + 8);
    }
  }
  return next;
}

function touchPages(views: Buffer[]): number {
  let sum = 0;
  for (let i = 0; i < views.length; i++) {
    const v = views[i];
    for (let p = 0; p < v.length; p += PAGE_BYTES) sum += v[p];
  }
  return sum;
}

function readSuite(spec: SuiteSpec, dir: string, segmentBytes: number): SuiteOutput {
  const fx = buildBatch(spec.valueBytes, spec.batchBytesMax, TIMESTAMP);
  const batch = fx.batch;
  const file = path.join(dir, 'baseline.bin');
  const logDir = path.join(dir, 'bench-0');
  const notes: string[] = [];

  let log = Log.open(logDir, { config: { segmentBytes } });
  const fd = fs.openSync(file, 'w+');
  let written = 0;
  while (written < READ_LOG_BYTES) {
    log.append(batch);
    fs.writeSync(fd, batch);
    written += batch.length;
  }

  // The fetch plan: the offsets a consumer would fetch from, and the same byte ranges of the plain file.
  const offsets: number[] = [];
  const positions: number[] = [];
  const lengths: number[] = [];
  for (let offset = log.logStartOffset, position = 0; offset < log.logEndOffset; ) {
    const r = log.read(offset, FETCH_BYTES);
    offsets.push(offset);
    positions.push(position);
    lengths.push(r.size);
    position += r.size;
    offset = nextOffsetAfter(r.records);
  }
  const fetches = offsets.length;
  const totalBytes = lengths.reduce((a, b) => a + b, 0);
  if (totalBytes !== written) throw new Error(`fetch plan covers ${totalBytes} of ${written} bytes`);
  const bytesPerOp = totalBytes / fetches;
  const recordsPerOp = (bytesPerOp / batch.length) * fx.recordCount;
  const buf = Buffer.alloc(FETCH_BYTES, 1);
  let i = 0;

  const baseline: BenchCase = {
    name: 'baseline fs.readSync',
    bytesPerOp,
    recordsPerOp,
    warmupOps: fetches,
    setup: fullGc,
    op() {
      sink += fs.readSync(fd, buf, 0, lengths[i], positions[i]);
      if (++i === fetches) i = 0;
    },
  };
  const views: BenchCase = {
    name: 'strata Log.read (views)',
    bytesPerOp,
    recordsPerOp,
    warmupOps: fetches,
    setup: fullGc,
    op() {
      sink += log.read(offsets[i], FETCH_BYTES).size;
      if (++i === fetches) i = 0;
    },
  };
  const touched: BenchCase = {
    name: 'strata Log.read (views+touch)',
    bytesPerOp,
    recordsPerOp,
    warmupOps: fetches,
    setup: fullGc,
    op() {
      sink += touchPages(log.read(offsets[i], FETCH_BYTES).records);
      if (++i === fetches) i = 0;
    },
  };
  const results = measureRounds([baseline, views, touched], ROUNDS, READ_TIMING);

  // One pass over a freshly opened mapping (as after a restart: page cache warm, no page tables yet). A single
  // timed pass, not a benchmark.js figure; the views+touch figure above is for a mapping already faulted in.
  fullGc();
  log.close();
  log = Log.open(logDir, { config: { segmentBytes }, cleanShutdown: true });
  const start = process.hrtime.bigint();
  for (let k = 0; k < fetches; k++) sink += touchPages(log.read(offsets[k], FETCH_BYTES).records);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  notes.push(`cold-mapping pass (reopened log, views+touch, 1 pass): ${formatRate(totalBytes / seconds / 1e6)} MB/s`);

  fs.closeSync(fd);
  log.delete();
  return {
    suite: suiteId(spec),
    batchBytes: batch.length,
    recordCount: fx.recordCount,
    builder: fx.builder,
    segmentBytes,
    results,
    notes,
  };
}

function runChild(id: string): void {
  const dir = argValue('dir');
  if (!dir) throw new Error('--dir is required');
  const segmentBytes = Number(argValue('segment-bytes') ?? SEGMENT_BYTES_DEFAULT);
  const spec = parseSuiteId(id);
  const out = spec.kind === 'append' ? appendSuite(spec, dir, segmentBytes) : readSuite(spec, dir, segmentBytes);
  process.stdout.write(RESULT_PREFIX + JSON.stringify(out) + '\n');
  if (sink === 0.5) process.stderr.write('\n'); // keeps `sink` observable
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: spawn the suites one after the other, print the tables.

function spawnSuite(spec: SuiteSpec, segmentBytes: number): SuiteOutput {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-'));
  try {
    process.stderr.write(`# ${suiteId(spec)} ...\n`);
    const child = spawnSync(
      process.execPath,
      [
        '-r',
        require.resolve('tsx/cjs'),
        '--expose-gc',
        __filename,
        `--suite=${suiteId(spec)}`,
        `--dir=${dir}`,
        `--segment-bytes=${segmentBytes}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 16 * MIB },
    );
    if (child.error) throw child.error;
    const line = child.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
    if (child.status !== 0 || !line) {
      throw new Error(`suite ${suiteId(spec)} failed (status ${child.status}, signal ${child.signal})`);
    }
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as SuiteOutput;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function find(out: SuiteOutput | undefined, prefix: string): BenchResult | undefined {
  return out?.results.find((r) => r.name.startsWith(prefix));
}

function runParent(): void {
  const segmentBytes = Number(argValue('segment-bytes') ?? SEGMENT_BYTES_DEFAULT);
  const only = argValue('only');
  const started = Date.now();
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const outputs = new Map<string, SuiteOutput>();
  for (const valueBytes of VALUE_SIZES) {
    for (const batchBytesMax of BATCH_SIZES) {
      for (const kind of ['append', 'read'] as const) {
        if (only && only !== kind) continue;
        const spec = { kind, valueBytes, batchBytesMax };
        outputs.set(suiteId(spec), spawnSuite(spec, segmentBytes));
      }
    }
  }

  const cpus = os.cpus();
  const lines: string[] = [];
  lines.push('## Strata storage benchmark');
  lines.push('');
  lines.push(`- date: ${new Date(started).toISOString()}`);
  lines.push(`- node ${process.version}, ${os.platform()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model ?? '?'}`);
  lines.push(`- load average before: ${loadBefore}, after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const anyOut = outputs.values().next().value as SuiteOutput | undefined;
  lines.push(
    `- segment.bytes ${formatBytes(segmentBytes)}, fetch maxBytes ${formatBytes(FETCH_BYTES)}, read log ` +
      `${formatBytes(READ_LOG_BYTES)}, batches built by ${anyOut?.builder ?? '?'}, temp dir ${os.tmpdir()}`,
  );
  lines.push('- MB = 10^6 bytes; ratio = strata / baseline; records/s counts records in the appended batches');
  lines.push('');

  const rows: string[][] = [];
  for (const valueBytes of VALUE_SIZES) {
    for (const batchBytesMax of BATCH_SIZES) {
      const app = outputs.get(suiteId({ kind: 'append', valueBytes, batchBytesMax }));
      const rd = outputs.get(suiteId({ kind: 'read', valueBytes, batchBytesMax }));
      const sa = find(app, 'strata');
      const ba = find(app, 'baseline');
      const rv = find(rd, 'strata Log.read (views)');
      const rt = find(rd, 'strata Log.read (views+touch)');
      const br = find(rd, 'baseline');
      const batchBytes = app?.batchBytes ?? rd?.batchBytes ?? 0;
      const recordCount = app?.recordCount ?? rd?.recordCount ?? 0;
      rows.push([
        `${recordCount} × ${formatBytes(valueBytes)}`,
        `${formatBytes(batchBytesMax)} (${batchBytes} B)`,
        sa ? formatRate(sa.mbPerSec) : '-',
        ba ? formatRate(ba.mbPerSec) : '-',
        sa && ba ? formatRatio(sa.mbPerSec / ba.mbPerSec) : '-',
        sa ? formatCount(sa.recordsPerSec) : '-',
        rv ? formatRate(rv.mbPerSec) : '-',
        rt ? formatRate(rt.mbPerSec) : '-',
        br ? formatRate(br.mbPerSec) : '-',
        rv && br ? formatRatio(rv.mbPerSec / br.mbPerSec) : '-',
        rt && br ? formatRatio(rt.mbPerSec / br.mbPerSec) : '-',
      ]);
    }
  }
  lines.push(
    markdownTable(
      [
        'records',
        'batch',
        'strata append MB/s',
        'baseline MB/s',
        'ratio',
        'strata records/s',
        'strata read MB/s (views)',
        '(views+touch)',
        'baseline read MB/s',
        'ratio (views)',
        'ratio (touch)',
      ],
      rows,
    ),
  );
  lines.push('');
  lines.push('### Every benchmark');
  lines.push('');
  const detail: string[][] = [];
  for (const out of outputs.values()) {
    for (const r of out.results) {
      detail.push([
        out.suite,
        r.name,
        formatRate(r.hz),
        r.roundHz.map((hz) => formatRate((hz * r.bytesPerOp) / 1e6)).join(' / '),
        formatRate(r.mbPerSec),
        `±${r.rmePercent.toFixed(1)}%`,
        String(r.samples),
        formatCount(r.cycleOps),
        formatRate(r.bytesPerOp),
      ]);
    }
  }
  lines.push(markdownTable(['suite', 'benchmark', 'ops/s', 'MB/s per round', 'MB/s (mean)', 'worst rme', 'samples', 'ops/cycle', 'bytes/op'], detail));
  const notes = [...outputs.values()].flatMap((o) => o.notes.map((n) => `- ${o.suite}: ${n}`));
  if (notes.length > 0) lines.push('', ...notes);
  lines.push('', `total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.stdout.write(lines.join('\n') + '\n');
}

const suiteArg = argValue('suite');
if (suiteArg) runChild(suiteArg);
else runParent();
