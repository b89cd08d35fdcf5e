/**
 * `strata produce <topic> [file ...]`: one record per line of the files (or of stdin), over the Kafka protocol with
 * the embedded Producer, so it works against any Kafka-compatible broker (as kafka-console-producer and kcat -P).
 *
 * A line (its "\n", and a "\r" before it, removed) is the value; with --key-separator SEP it is KEY SEP VALUE
 * (split at the first SEP). With --parse-headers (kafka-console-producer's parse.headers syntax) the line starts
 * with its headers, then --headers-delimiter (default a tab): `k1:v1,k2:v2<TAB>rest`, headers split by
 * --headers-separator (default ","), each key from its value by --headers-key-separator (default ":"; a header
 * without one has a null value); an empty headers part is no headers. --header k=v (repeatable; `k` alone: a null
 * value) adds a header to every record, before the line's own. Separators take the escapes \t \n \r \\.
 * A line the separators do not fit (no key separator, no headers delimiter) is not sent and counts as failed.
 *
 * Input is streamed: records go out as lines are read, and reading waits while more than a few chunks of sends
 * are unacknowledged, so a file of any size is produced in bounded memory. At the end, on stderr:
 * "produced N records to T in X ms", then one line per kind of failure with its count.
 * Exit codes: 0 every record acknowledged, 1 some failed (the broker's error name is printed) or the topic or
 * partition does not exist, 2 usage, 3 a file cannot be read or the broker cannot be reached.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { KafkaError } from '../errors/kafka-error';
import { StrataError } from '../errors/strata-error';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode, errorCodeInfo } from '../protocol/error-codes';
import { Producer } from '../client/producer';
import type { CompressionName, ProducerRecord } from '../client/producer';
import { WireTransport } from '../client/transport';
import type { Transport } from '../client/transport';
import { intOption, joinNegativeValues, parseAcks, parseBootstrap, parseCompression, usageError } from './common';

export const usage: string[] = [
  '  produce <topic> [file ...] --bootstrap-server host:port [--key-separator SEP] [--header k=v ...]',
  '          [--parse-headers [--headers-delimiter D] [--headers-separator S] [--headers-key-separator K]]',
  '          [--partition N] [--acks 0|1|-1|all] [--compression none|gzip|snappy|lz4|zstd]',
  '          [--batch-size BYTES] [--linger-ms MS] [--idempotent]',
  '                                             One record per line of the files or stdin ("-"): the value, or',
  '                                             KEY SEP VALUE; --parse-headers: lines start "k1:v1,k2:v2<TAB>".',
  '                                             Prints "produced N records ..." to stderr; exit 1 if one failed',
];

/** Sends awaited as one chunk: up to this many records or bytes. */
const CHUNK_RECORDS = 1000;
const CHUNK_BYTES = 1 << 20;
/** Chunks unacknowledged before reading waits: bounds what is held (with the producer's buffer.memory). */
const CHUNKS_IN_FLIGHT_MAX = 8;
/** Failed lines reported one by one as they happen; after that only the counts at the end. */
const FAILURES_REPORTED_MAX = 5;
const METADATA_VERSION = 9;
const INT32_MAX = 2 ** 31 - 1;


/** The escapes a shell argument cannot easily hold: \t \n \r \\. */
export function unescape(s: string): string {
  return s.replace(/\\([tnr\\])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/** The topic's partition count (Metadata; a missing topic is created if the broker auto-creates). */
export async function partitionCount(transport: Transport, topic: string, autoCreate: boolean): Promise<number> {
  const res = await transport.request(ApiKey.Metadata, METADATA_VERSION, { topics: [{ name: topic }], allowAutoTopicCreation: autoCreate, includeTopicAuthorizedOperations: false });
  const t = res.topics.find((x) => x.name === topic);
  if (t === undefined || t.errorCode !== ErrorCode.NONE || t.partitions.length === 0) {
    throw new KafkaError(t?.errorCode || ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic}: ${errorCodeInfo(t?.errorCode || ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)?.description ?? 'no metadata'}`);
  }
  return t.partitions.length;
}

/** Exit code of an error that ended a command: 1 the broker refused, 3 the connection failed; usage errors rethrown (2). */
export function exitCodeOf(err: unknown, command: string): number {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof KafkaError) {
    console.error(`strata ${command}: ${err.code}: ${err.message}`);
    return 1;
  }
  if (e?.code === 'ERR_INVALID_CONFIG') throw err;
  console.error(`strata ${command}: ${e?.code ? `${e.code}: ` : ''}${e?.message ?? String(err)}`);
  return 3;
}

interface LineFormat {
  keySeparator: Buffer | null;
  headersDelimiter: Buffer | null;
  headersSeparator: Buffer;
  headersKeySeparator: Buffer;
  fixedHeaders: Array<{ key: string; value: Buffer | null }>;
}

function split(buf: Buffer, separator: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const i = buf.indexOf(separator, start);
    if (i < 0) break;
    out.push(buf.subarray(start, i));
    start = i + separator.length;
  }
  out.push(buf.subarray(start));
  return out;
}

/** A line as a record, or the reason it is not one. */
function parseLine(line: Buffer, f: LineFormat): ProducerRecord | string {
  let rest = line;
  const headers = [...f.fixedHeaders];
  if (f.headersDelimiter !== null) {
    const i = rest.indexOf(f.headersDelimiter);
    if (i < 0) return 'no headers delimiter';
    const part = rest.subarray(0, i);
    rest = rest.subarray(i + f.headersDelimiter.length);
    if (part.length > 0) {
      for (const h of split(part, f.headersSeparator)) {
        const j = h.indexOf(f.headersKeySeparator);
        if (j < 0) headers.push({ key: h.toString('utf8'), value: null });
        else headers.push({ key: h.subarray(0, j).toString('utf8'), value: h.subarray(j + f.headersKeySeparator.length) });
      }
    }
  }
  let key: Buffer | null = null;
  if (f.keySeparator !== null) {
    const i = rest.indexOf(f.keySeparator);
    if (i < 0) return 'no key separator';
    key = rest.subarray(0, i);
    rest = rest.subarray(i + f.keySeparator.length);
  }
  return headers.length > 0 ? { key, value: rest, headers } : { key, value: rest };
}

/** The lines of a stream as Buffers (binary-safe), the last one even without its "\n"; reading is paced by the consumer. */
async function* lines(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer[]> {
  let pieces: Buffer[] = [];
  const trim = (l: Buffer) => (l.length > 0 && l[l.length - 1] === 0x0d ? l.subarray(0, l.length - 1) : l);
  for await (const data of stream) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        if (start < chunk.length) pieces.push(chunk.subarray(start));
        break;
      }
      let line = chunk.subarray(start, nl);
      if (pieces.length > 0) {
        pieces.push(line);
        line = Buffer.concat(pieces);
        pieces = [];
      }
      out.push(trim(line));
      start = nl + 1;
    }
    if (out.length > 0) yield out;
  }
  if (pieces.length > 0) yield [trim(Buffer.concat(pieces))];
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, ['--acks']),
    allowPositionals: true,
    strict: true,
    options: {
      'bootstrap-server': { type: 'string' },
      'key-separator': { type: 'string' },
      header: { type: 'string', multiple: true, default: [] },
      'parse-headers': { type: 'boolean', default: false },
      'headers-delimiter': { type: 'string' },
      'headers-separator': { type: 'string' },
      'headers-key-separator': { type: 'string' },
      partition: { type: 'string' },
      acks: { type: 'string' },
      compression: { type: 'string' },
      'batch-size': { type: 'string' },
      'linger-ms': { type: 'string' },
      idempotent: { type: 'boolean', default: false },
    },
  });
  const [topic, ...files] = positionals;
  if (topic === undefined || topic === '') usageError('produce needs a topic: strata produce <topic> [file ...] --bootstrap-server host:port');
  if (!values['bootstrap-server']) usageError('produce needs --bootstrap-server host:port');
  const { host, port } = parseBootstrap(values['bootstrap-server']);

  const acks = parseAcks(values.acks ?? (values.idempotent ? '-1' : undefined));
  if (values.idempotent && acks !== -1) usageError('--idempotent needs --acks all (-1)');
  const compression = parseCompression(values.compression) ?? 'none';
  const partition = intOption('partition', values.partition, 0, INT32_MAX);
  const batchSize = intOption('batch-size', values['batch-size'], 0, 1 << 30);
  const lingerMs = intOption('linger-ms', values['linger-ms'], 0, INT32_MAX);
  const nonEmpty = (name: string, v: string | undefined, fallback: string | null): Buffer | null => {
    if (v === undefined) return fallback === null ? null : Buffer.from(fallback);
    if (v === '') usageError(`--${name} cannot be empty`);
    return Buffer.from(unescape(v));
  };
  if (!values['parse-headers'] && (values['headers-delimiter'] ?? values['headers-separator'] ?? values['headers-key-separator']) !== undefined) {
    usageError('--headers-delimiter, --headers-separator and --headers-key-separator go with --parse-headers');
  }
  const format: LineFormat = {
    keySeparator: nonEmpty('key-separator', values['key-separator'], null),
    headersDelimiter: values['parse-headers'] ? nonEmpty('headers-delimiter', values['headers-delimiter'], '\t') : null,
    headersSeparator: nonEmpty('headers-separator', values['headers-separator'], ',')!,
    headersKeySeparator: nonEmpty('headers-key-separator', values['headers-key-separator'], ':')!,
    fixedHeaders: (values.header ?? []).map((h) => {
      const i = h.indexOf('=');
      if (i === 0) usageError(`--header "${h}": the key is empty`);
      return i < 0 ? { key: h, value: null } : { key: h.slice(0, i), value: Buffer.from(h.slice(i + 1)) };
    }),
  };
  for (const f of files) {
    if (f === '-') continue;
    try {
      fs.accessSync(f, fs.constants.R_OK);
    } catch (err) {
      console.error(`strata produce: cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return 3;
    }
  }

  let transport: WireTransport;
  try {
    transport = await WireTransport.connect(host, port, 'strata-cli');
  } catch (err) {
    return exitCodeOf(err, 'produce');
  }
  let producer: Producer | null = null;
  const startMs = Date.now();
  let produced = 0;
  let failed = 0;
  let reported = 0;
  const failures = new Map<string, { count: number; example: string }>();
  let connectionLost = false;
  const failure = (what: string, reason: string, name: string) => {
    failed++;
    const f = failures.get(name);
    if (f === undefined) failures.set(name, { count: 1, example: reason });
    else f.count++;
    if (reported++ < FAILURES_REPORTED_MAX) console.error(`strata produce: ${what}: ${name === reason ? name : `${name}: ${reason}`}`);
  };
  try {
    const count = await partitionCount(transport, topic, true);
    if (partition !== undefined && partition >= count) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has ${count} partitions, not ${partition + 1}`);
    producer = await Producer.create({ transport, acks, compression, batchSize, lingerMs, idempotent: values.idempotent });
    const p = producer;
    const inFlight: Promise<unknown>[] = [];
    let chunk: Promise<void>[] = [];
    let chunkBytes = 0;
    const sources = files.length === 0 ? ['-'] : files;
    for (const source of sources) {
      const name = source === '-' ? 'stdin' : source;
      const stream = source === '-' ? process.stdin : fs.createReadStream(source);
      let lineNo = 0;
      for await (const batch of lines(stream)) {
        for (const line of batch) {
          lineNo++;
          const record = parseLine(line, format);
          if (typeof record === 'string') {
            failure(`${name}:${lineNo}`, `${record} in the line, not sent`, 'BAD_LINE');
            continue;
          }
          if (partition !== undefined) record.partition = partition;
          const at = lineNo;
          chunk.push(
            p.send(topic, [record]).then(
              () => void produced++,
              (err: Error) => {
                const code = (err as { code?: string }).code;
                if (err instanceof StrataError && err.code === 'ERR_CLOSED') connectionLost = true;
                failure(`${name}:${at}`, err.message, typeof code === 'string' ? code : err.name);
              },
            ),
          );
          chunkBytes += line.length;
          if (chunk.length >= CHUNK_RECORDS || chunkBytes >= CHUNK_BYTES) {
            inFlight.push(Promise.all(chunk));
            chunk = [];
            chunkBytes = 0;
          }
        }
        while (inFlight.length > CHUNKS_IN_FLIGHT_MAX) await inFlight.shift();
      }
    }
    inFlight.push(Promise.all(chunk));
    await p.flush();
    await Promise.all(inFlight);
  } catch (err) {
    producer?.close().catch(() => {});
    transport.close();
    return exitCodeOf(err, 'produce');
  }
  await producer.close().catch(() => {});
  console.error(`produced ${produced} records to ${topic} in ${Date.now() - startMs} ms${failed > 0 ? `, ${failed} failed` : ''}`);
  for (const [name, f] of failures) console.error(`strata produce: ${f.count} ${f.count === 1 ? 'record' : 'records'} failed with ${name} (${f.example})`);
  if (failed === 0) return 0;
  return connectionLost ? 3 : 1;
}
