/**
 * `strata bench produce|consume|e2e --bootstrap-server host:port`: load against any Kafka-compatible broker with
 * the embedded client (src/bench runs the workloads), as kafka-producer-perf-test / kafka-consumer-perf-test /
 * EndToEndLatency do for Kafka. Prints msgs/s, MB/s and latency percentiles as a table (or the result JSON with
 * --json), writes the JSON (--json-out) and a self-contained HTML report (--html-out).
 *
 * Progress goes to stderr while it runs: one updating line on a terminal, a line per second otherwise, nothing with
 * --quiet. The topic is created when missing (CreateTopics, --partitions; default a fresh name per run).
 * Exit codes: 0 done, 1 the broker refused (its error name is printed) or messages never arrived, 2 usage,
 * 3 the broker cannot be reached (or the connection was lost), or an output file cannot be written.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { KafkaError } from '../errors/kafka-error';
import { WireTransport } from '../client/transport';
import { BenchMode, BenchResult, resultJson } from '../bench/bench-result';
import { renderHtml } from '../bench/html-report';
import { formatInt, progressLine, summaryLines } from '../bench/text-report';
import { Progress, resolveConfig, runBench, WorkloadOptions } from '../bench/workload';
import { intOption, joinNegativeValues, parseAcks, parseBootstrap, parseCompression, usageError } from './common';

export const usage: string[] = [
  '  bench produce|consume|e2e --bootstrap-server host:port [--topic T] [--partitions N]',
  '          [--messages N | --duration S] [--message-size B] [--warmup-ms MS] [--producers P] [--consumers C]',
  '          [--acks 0|1|-1|all] [--batch-size B] [--linger-ms MS] [--compression none|gzip|snappy|lz4|zstd]',
  '          [--json] [--json-out FILE] [--html-out FILE] [--quiet]',
  '                                             Load test with the embedded client: msgs/s, MB/s, latency',
  '                                             p50/p99/p99.9/max (produce: to the ack; e2e: to the consumer)',
];

const MODES: readonly BenchMode[] = ['produce', 'consume', 'e2e'];
const INT32_MAX = 2 ** 31 - 1;
/** A terminal's progress line is redrawn at most this often. */
const TTY_REDRAW_MS = 200;


function parse(argv: string[]): { mode: BenchMode; options: WorkloadOptions; host: string; port: number; json: boolean; jsonOut?: string; htmlOut?: string; quiet: boolean } {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, ['--acks']),
    allowPositionals: true,
    strict: true,
    options: {
      'bootstrap-server': { type: 'string' },
      topic: { type: 'string' },
      'message-size': { type: 'string' },
      messages: { type: 'string' },
      duration: { type: 'string' },
      partitions: { type: 'string' },
      acks: { type: 'string' },
      'batch-size': { type: 'string' },
      'linger-ms': { type: 'string' },
      compression: { type: 'string' },
      producers: { type: 'string' },
      consumers: { type: 'string' },
      'warmup-ms': { type: 'string' },
      'json-out': { type: 'string' },
      'html-out': { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1 || !MODES.includes(positionals[0] as BenchMode)) usageError('bench needs one of produce, consume, e2e: strata bench produce --bootstrap-server host:port');
  const mode = positionals[0] as BenchMode;
  if (!values['bootstrap-server']) usageError('bench needs --bootstrap-server host:port');
  const { host, port } = parseBootstrap(values['bootstrap-server']);
  if (values.messages !== undefined && values.duration !== undefined) usageError('give --messages or --duration, not both');
  let durationMs: number | undefined;
  if (values.duration !== undefined) {
    const seconds = /^\d+(\.\d+)?$/.test(values.duration) ? Number(values.duration) : NaN;
    if (!(seconds > 0) || seconds * 1000 > INT32_MAX) usageError(`--duration must be a positive number of seconds, not "${values.duration}"`);
    durationMs = Math.max(1, Math.round(seconds * 1000));
  }
  const acks = parseAcks(values.acks);
  const compression = parseCompression(values.compression);
  if (values.topic === '') usageError('--topic cannot be empty');
  const options: WorkloadOptions = {
    topic: values.topic ?? `strata-bench-${mode}-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`,
    messageSize: intOption('message-size', values['message-size'], 0, 64 * 1024 * 1024),
    messages: intOption('messages', values.messages, 1, 2 ** 40),
    durationMs,
    // 0 reaches the broker, which refuses it (INVALID_PARTITIONS), as kafka-topics does.
    partitions: intOption('partitions', values.partitions, -1, 1_000_000),
    acks,
    batchSize: intOption('batch-size', values['batch-size'], 0, 1 << 30),
    lingerMs: intOption('linger-ms', values['linger-ms'], 0, INT32_MAX),
    compression,
    producers: intOption('producers', values.producers, 1, 1024),
    consumers: intOption('consumers', values.consumers, 1, 1024),
    warmupMs: intOption('warmup-ms', values['warmup-ms'], 0, INT32_MAX),
    system: 'strata',
    target: `${host}:${port}`,
  };
  resolveConfig(mode, options); // every other bound, before connecting
  return { mode, options, host, port, json: values.json ?? false, jsonOut: values['json-out'], htmlOut: values['html-out'], quiet: values.quiet ?? false };
}

/** Progress on stderr: redrawn in place on a terminal, a line per second otherwise. */
function progressReporter(): { report: (p: Progress) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastMs = -Infinity;
  let lastSecond = -Infinity;
  let drawn = false;
  return {
    report: (p) => {
      const now = Date.now();
      if (tty) {
        if (now - lastMs < TTY_REDRAW_MS) return;
        lastMs = now;
        process.stderr.write(`\r${progressLine(p)}\x1b[K`);
        drawn = true;
        return;
      }
      const second = Math.floor(now / 1000);
      if (second === lastSecond) return;
      if (lastSecond !== -Infinity) process.stderr.write(`${progressLine(p)}\n`);
      lastSecond = second;
    },
    end: () => {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

function exitCodeOf(err: unknown): number {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_INVALID_CONFIG') {
    console.error(`strata bench: ${e.message}`);
    return 2;
  }
  if (err instanceof KafkaError) {
    console.error(`strata bench: ${err.code}: ${err.message}`);
    return 1;
  }
  console.error(`strata bench: ${e?.code ? `${e.code}: ` : ''}${e?.message ?? String(err)}`);
  return 3;
}

export async function run(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    console.error(`strata bench: ${e.message}\n\n${usage.join('\n')}`);
    return 2;
  }
  const progress = args.quiet ? null : progressReporter();
  if (progress !== null) args.options.onProgress = progress.report;
  let result: BenchResult;
  try {
    result = await runBench(args.mode, args.options, () => WireTransport.connect(args.host, args.port, 'strata-bench'));
  } catch (err) {
    progress?.end();
    return exitCodeOf(err);
  }
  progress?.end();
  const asked = args.options.partitions;
  if (asked !== undefined && asked !== -1 && asked !== result.config.partitions) {
    console.error(`strata bench: topic ${result.config.topic} exists with ${result.config.partitions} partitions (--partitions ${asked} applies to a new topic)`);
  }
  if (args.json) process.stdout.write(resultJson(result));
  else console.log(summaryLines(result).join('\n'));
  try {
    if (args.jsonOut !== undefined) fs.writeFileSync(args.jsonOut, resultJson(result));
    if (args.htmlOut !== undefined) fs.writeFileSync(args.htmlOut, renderHtml(result));
  } catch (err) {
    return exitCodeOf(err);
  }
  if (result.totals.missingMessages > 0) {
    console.error(`strata bench: ${formatInt(result.totals.missingMessages)} messages were produced but never consumed`);
    return 1;
  }
  return 0;
}
