/**
 * `strata produce` and `strata consume` against a broker in this process, over the Kafka protocol: lines with keys
 * and headers from stdin and files, read back with their partitions (murmur2 of the key), --format and --json,
 * start points (--offset, --from-timestamp, the default end), group commits and two CLI members sharing a group's
 * partitions, compression and idempotence as stored, exit codes 1/2/3.
 */
import t from 'tap';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { Consumer, InProcessTransport, Producer, partitionForKey } from '../../src/client/index';
import { CompressionType } from '../../src/protocol/records/compression';
import { logBatches } from '../client/helpers';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'strata.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

// Asynchronous: the broker answering the CLI runs in this process.
function strata(args: string[], stdin?: string | Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const raw = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: raw.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), raw });
    });
    child.stdin.on('error', () => {}); // a run that fails before reading its input closes the pipe (EPIPE)
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

interface JsonRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Array<{ key: string; value: string | null }>;
}

const parseJson = (stdout: string): JsonRecord[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as JsonRecord);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-pc-'));
let broker: Broker;
let server: string;

t.before(async () => {
  broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'group.initial.rebalance.delay.ms': 0 }, { logger: silentLogger });
  server = `127.0.0.1:${broker.port}`;
});
t.teardown(async () => {
  await broker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function committed(group: string, topic: string, partitions: number): Promise<Array<number | null>> {
  const c = Consumer.create({ transport: new InProcessTransport(broker), groupId: group });
  const out: Array<number | null> = [];
  for (let p = 0; p < partitions; p++) out.push(await c.committed(topic, p));
  c.close();
  return out;
}

t.test('lines with keys and headers from stdin and a file come back with their partitions, as --json and --format', async (t) => {
  broker.createTopic('keyed', 3);
  const stdinLines = Array.from({ length: 6 }, (_, i) => `user-${i}:value ${i}`);
  const fromStdin = await strata(['produce', 'keyed', '--bootstrap-server', server, '--key-separator', ':', '--header', 'source=stdin', '--header', 'flag'], `${stdinLines.join('\r\n')}\r\n`);
  t.equal(fromStdin.code, 0, fromStdin.stderr);
  t.match(fromStdin.stderr, /^produced 6 records to keyed in \d+ ms\n$/);

  // kafka-console-producer's parse.headers layout: headers, a tab, then the key and value; the last line has no "\n".
  const file = path.join(dir, 'lines.txt');
  fs.writeFileSync(file, 'trace:abc,empty:,nullone\tuser-9=from a file\n\tuser-10=no headers=at all');
  const fromFile = await strata(['produce', 'keyed', file, '--bootstrap-server', server, '--key-separator', '=', '--parse-headers']);
  t.equal(fromFile.code, 0, fromFile.stderr);
  t.match(fromFile.stderr, /produced 2 records to keyed/);

  const read = await strata(['consume', 'keyed', '--bootstrap-server', server, '--from-beginning', '--max-messages', '8', '--json']);
  t.equal(read.code, 0, read.stderr);
  const records = parseJson(read.stdout);
  t.equal(records.length, 8);
  const byKey = new Map(records.map((r) => [r.key, r]));
  for (let i = 0; i < 6; i++) {
    const r = byKey.get(`user-${i}`)!;
    t.ok(r, `user-${i} read back`);
    t.equal(r.value, `value ${i}`, 'the value after the first separator, the \\r of \\r\\n removed');
    t.same(r.headers, [{ key: 'source', value: 'stdin' }, { key: 'flag', value: null }]);
    t.equal(r.partition, partitionForKey(`user-${i}`, 3), `user-${i} on the partition murmur2 gives`);
    t.equal(r.topic, 'keyed');
  }
  t.same(byKey.get('user-9'), { ...byKey.get('user-9'), value: 'from a file', headers: [{ key: 'trace', value: 'abc' }, { key: 'empty', value: '' }, { key: 'nullone', value: null }] });
  t.same(byKey.get('user-10')!.headers, [], 'an empty headers part is no headers');
  t.equal(byKey.get('user-10')!.value, 'no headers=at all', 'split at the first key separator only');
  t.equal(byKey.get('user-10')!.partition, partitionForKey('user-10', 3));
  const partitions = new Set(records.map((r) => r.partition));
  t.ok(partitions.size >= 2, 'the keys spread over partitions');
  for (const p of partitions) {
    const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
    t.same(offsets, offsets.map((_, i) => i), `partition ${p}: offsets from 0, in order`);
  }

  const formatted = await strata(['consume', 'keyed', '--bootstrap-server', server, '--from-beginning', '--max-messages', '8', '--format', '%t|%p|%o|%k|%s|%h|%K|%S|%T|100%%\\n']);
  t.equal(formatted.code, 0, formatted.stderr);
  const expected = records.map((r) => `${r.topic}|${r.partition}|${r.offset}|${r.key}|${r.value}|${r.headers.map((h) => (h.value === null ? h.key : `${h.key}=${h.value}`)).join(',')}|${r.key!.length}|${r.value!.length}|${r.timestamp}|100%\n`);
  t.same(formatted.stdout.split(/(?<=\n)/).sort(), expected.sort(), 'every token, in the order given');

  const plain = await strata(['consume', 'keyed', '--bootstrap-server', server, '--partition', String(byKey.get('user-9')!.partition), '--offset', 'earliest', '--timeout-ms', '300']);
  t.equal(plain.code, 0, plain.stderr);
  t.ok(plain.stdout.split('\n').includes('from a file'), 'the default output is the value and a newline');
  t.match(plain.stderr, /consumed \d+ records from keyed/);
});

t.test('binary values survive, raw with %s and as base64 with --json --binary', async (t) => {
  broker.createTopic('bytes', 1);
  const value = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
  const file = path.join(dir, 'binary.txt');
  fs.writeFileSync(file, Buffer.concat([Buffer.from('k\t'), value, Buffer.from('\n')]));
  const produced = await strata(['produce', 'bytes', file, '--bootstrap-server', server, '--key-separator', '\\t']);
  t.equal(produced.code, 0, produced.stderr);
  const raw = await strata(['consume', 'bytes', '--bootstrap-server', server, '--from-beginning', '--max-messages', '1', '--format', '%s']);
  t.same(raw.raw, value, 'the value bytes as they were, nothing added');
  const b64 = await strata(['consume', 'bytes', '--bootstrap-server', server, '--from-beginning', '--max-messages', '1', '--json', '--binary']);
  const [r] = parseJson(b64.stdout);
  t.equal(r.value, value.toString('base64'));
  t.equal(r.key, Buffer.from('k').toString('base64'));
});

t.test('--offset, --offset -N and --from-timestamp start where the log says; the default is the end', async (t) => {
  broker.createTopic('times', 1);
  const first = await strata(['produce', 'times', '--bootstrap-server', server], 'a0\na1\na2\n');
  t.equal(first.code, 0, first.stderr);
  await sleep(30);
  const second = await strata(['produce', 'times', '--bootstrap-server', server], 'b3\nb4\nb5\n');
  t.equal(second.code, 0, second.stderr);
  const all = parseJson((await strata(['consume', 'times', '--bootstrap-server', server, '--from-beginning', '--max-messages', '6', '--json'])).stdout);
  t.same(all.map((r) => r.value), ['a0', 'a1', 'a2', 'b3', 'b4', 'b5']);
  t.ok(all[3].timestamp > all[2].timestamp, 'the second run is later');

  const values = (run: Run) => run.stdout.split('\n').filter((l) => l !== '');
  const [fromTwo, lastTwo, fromTs, fromIso, future, latest, clamped] = await Promise.all([
    strata(['consume', 'times', '--bootstrap-server', server, '--partition', '0', '--offset', '2', '--max-messages', '4']),
    strata(['consume', 'times', '--bootstrap-server', server, '--offset', '-2', '--max-messages', '2']),
    strata(['consume', 'times', '--bootstrap-server', server, '--from-timestamp', String(all[3].timestamp), '--max-messages', '3']),
    strata(['consume', 'times', '--bootstrap-server', server, '--from-timestamp', new Date(all[2].timestamp + 1).toISOString(), '--max-messages', '3']),
    strata(['consume', 'times', '--bootstrap-server', server, '--from-timestamp', String(Date.now() + 3_600_000), '--timeout-ms', '400']),
    strata(['consume', 'times', '--bootstrap-server', server, '--timeout-ms', '400']),
    strata(['consume', 'times', '--bootstrap-server', server, '--offset', '1000', '--timeout-ms', '400']),
  ]);
  t.same(values(fromTwo), ['a2', 'b3', 'b4', 'b5'], '--offset 2');
  t.same(values(lastTwo), ['b4', 'b5'], '--offset -2: two before the end');
  t.same(values(fromTs), ['b3', 'b4', 'b5'], '--from-timestamp of offset 3');
  t.same(values(fromIso), ['b3', 'b4', 'b5'], 'an ISO-8601 time just after offset 2');
  t.same(values(future), [], 'a time after every record: the end');
  t.same(values(latest), [], 'no start option: only records that come later');
  t.same(values(clamped), [], 'an offset past the end starts at the end, not over from the start');
  for (const r of [fromTwo, lastTwo, fromTs, fromIso, future, latest, clamped]) t.equal(r.code, 0, r.stderr);
});

t.test('--isolation-level read_committed hides an open transaction, read_uncommitted (the default) shows it', async (t) => {
  broker.createTopic('txn', 1);
  const producer = await Producer.create({ transport: new InProcessTransport(broker), transactionalId: 'cli-open' });
  t.teardown(() => producer.close());
  await producer.beginTransaction();
  await producer.send('txn', [{ value: 'pending', partition: 0 }]);
  const [committedOnly, everything] = await Promise.all([
    strata(['consume', 'txn', '--bootstrap-server', server, '--from-beginning', '--isolation-level', 'read_committed', '--timeout-ms', '400']),
    strata(['consume', 'txn', '--bootstrap-server', server, '--from-beginning', '--timeout-ms', '400']),
  ]);
  t.equal(committedOnly.stdout, '', 'nothing stable yet');
  t.equal(everything.stdout, 'pending\n');
  await producer.abort();
});

t.test('--group commits what was printed and the next run continues after it', async (t) => {
  broker.createTopic('grouped', 2);
  const lines = Array.from({ length: 6 }, (_, i) => `k${i}:v${i}`).join('\n');
  t.equal((await strata(['produce', 'grouped', '--bootstrap-server', server, '--key-separator', ':'], lines)).code, 0);
  const firstRun = await strata(['consume', 'grouped', '--bootstrap-server', server, '--group', 'g1', '--from-beginning', '--max-messages', '4', '--json']);
  t.equal(firstRun.code, 0, firstRun.stderr);
  const first = parseJson(firstRun.stdout);
  t.equal(first.length, 4);
  const expectCommitted = [0, 1].map((p) => {
    const mine = first.filter((r) => r.partition === p);
    return mine.length === 0 ? 0 : mine[mine.length - 1].offset + 1;
  });
  t.same(await committed('g1', 'grouped', 2), expectCommitted, 'OffsetFetch: the offset after the last printed record of each partition');

  t.equal((await strata(['produce', 'grouped', '--bootstrap-server', server, '--key-separator', ':'], 'k6:v6\nk7:v7\n')).code, 0);
  const secondRun = await strata(['consume', 'grouped', '--bootstrap-server', server, '--group', 'g1', '--from-beginning', '--timeout-ms', '1500', '--json']);
  t.equal(secondRun.code, 0, secondRun.stderr);
  const second = parseJson(secondRun.stdout);
  t.same(
    second.map((r) => r.value).sort(),
    ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'].filter((v) => !first.some((r) => r.value === v)),
    'only what the first run did not print, --from-beginning notwithstanding',
  );
  const ends = [0, 1].map((p) => broker.partitionLog('grouped', p)!.logEndOffset);
  t.same(await committed('g1', 'grouped', 2), ends.map(Number), 'everything committed at the end');
  t.equal(broker.groups.describeGroup('g1').state, 'Empty', 'the member left the group');
});

t.test('compression, --idempotent and --acks reach the log as asked', async (t) => {
  const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
  const ids = { none: CompressionType.None, gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd };
  for (const c of codecs) broker.createTopic(`comp-${c}`, 1);
  broker.createTopic('idem', 1);
  broker.createTopic('acks0', 1);
  const text = Array.from({ length: 50 }, (_, i) => `compressible line number ${i} ${'x'.repeat(40)}`);
  const runs = await Promise.all([
    ...codecs.map((c) => strata(['produce', `comp-${c}`, '--bootstrap-server', server, '--compression', c, '--linger-ms', '50'], text.join('\n'))),
    strata(['produce', 'idem', '--bootstrap-server', server, '--idempotent', '--acks', '-1'], 'one\ntwo\n'),
    strata(['produce', 'acks0', '--bootstrap-server', server, '--acks', '0', '--batch-size', '0'], 'p\nq\nr\n'),
  ]);
  for (const r of runs) t.equal(r.code, 0, r.stderr);
  const back = await Promise.all(codecs.map((c) => strata(['consume', `comp-${c}`, '--bootstrap-server', server, '--from-beginning', '--max-messages', '50'])));
  codecs.forEach((c, i) => {
    const batches = logBatches(broker, `comp-${c}`, 0);
    t.ok(batches.length > 0 && batches.every((b) => b.compression === ids[c]), `${c}: every stored batch is ${c}`);
    t.same(back[i].stdout.split('\n').slice(0, -1), text, `${c}: read back intact`);
  });
  const idem = logBatches(broker, 'idem', 0);
  t.ok(idem.length > 0 && idem.every((b) => b.producerId >= 0n) && idem[0].baseSequence === 0, '--idempotent: a producer id and sequences from 0');
  t.ok(logBatches(broker, 'comp-none', 0).every((b) => b.producerId === -1n), 'without it: none');
  for (let i = 0; i < 50 && broker.partitionLog('acks0', 0)!.logEndOffset < 3; i++) await sleep(20);
  t.equal(Number(broker.partitionLog('acks0', 0)!.logEndOffset), 3, '--acks 0 --batch-size 0: three batches, written though never answered');
  t.equal(logBatches(broker, 'acks0', 0).length, 3);
});

t.test('a big input is streamed through', async (t) => {
  broker.createTopic('big', 2);
  const count = 50_000;
  const input = Array.from({ length: count }, (_, i) => `${i}`).join('\n');
  const run = await strata(['produce', 'big', '--bootstrap-server', server], input);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stderr, `produced ${count} records to big`);
  const total = Number(broker.partitionLog('big', 0)!.logEndOffset) + Number(broker.partitionLog('big', 1)!.logEndOffset);
  t.equal(total, count);
});

t.test('exit codes: 1 a record or topic the broker refuses, 2 usage, 3 unreachable or unreadable', async (t) => {
  broker.createTopic('small', 1, { 'max.message.bytes': '300' });
  const tooLarge = await strata(['produce', 'small', '--bootstrap-server', server, '--batch-size', '0'], `fits\n${'x'.repeat(1000)}\nfits too\n`);
  t.equal(tooLarge.code, 1, 'one record refused: exit 1');
  t.match(tooLarge.stderr, /produced 2 records to small in \d+ ms, 1 failed/);
  t.match(tooLarge.stderr, /1 record failed with MESSAGE_TOO_LARGE/, "the broker's error name");
  t.equal(Number(broker.partitionLog('small', 0)!.logEndOffset), 2);
  const badLine = await strata(['produce', 'small', '--bootstrap-server', server, '--key-separator', ':'], 'k:v\nno separator\n');
  t.equal(badLine.code, 1, 'a line without the key separator is not sent');
  t.match(badLine.stderr, /stdin:2: .*no key separator/);

  broker.createTopic('three', 3);
  const runs = await Promise.all([
    strata(['produce', 'three', '--bootstrap-server', server, '--partition', '7'], 'x\n'),
    strata(['consume', 'no-such-topic', '--bootstrap-server', server, '--timeout-ms', '300']),
    strata(['consume', 'three', '--bootstrap-server', server, '--partition', '5', '--timeout-ms', '300']),
  ]);
  for (const r of runs) {
    t.equal(r.code, 1, r.stderr);
    t.match(r.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  }

  const usage = await Promise.all([
    strata(['produce', 'three'], 'x\n'),
    strata(['produce', '--bootstrap-server', server]),
    strata(['produce', 'three', '--bootstrap-server', server, '--acks', '2']),
    strata(['produce', 'three', '--bootstrap-server', server, '--idempotent', '--acks', '1']),
    strata(['produce', 'three', '--bootstrap-server', server, '--no-such-option']),
    strata(['consume', 'three', '--bootstrap-server', server, '--offset', 'middle']),
    strata(['consume', 'three', '--bootstrap-server', server, '--from-beginning', '--offset', '3']),
    strata(['consume', 'three', '--bootstrap-server', server, '--group', 'g', '--partition', '1']),
    strata(['consume', 'three', '--bootstrap-server', server, '--format', '%x']),
    strata(['consume', 'three', '--bootstrap-server', 'nohost']),
  ]);
  for (const r of usage) t.equal(r.code, 2, `usage error: ${r.stderr.trim()}`);

  const down = await Promise.all([
    strata(['produce', 'three', '--bootstrap-server', '127.0.0.1:1'], 'x\n'),
    strata(['consume', 'three', '--bootstrap-server', '127.0.0.1:1']),
    strata(['produce', 'three', path.join(dir, 'missing.txt'), '--bootstrap-server', server]),
  ]);
  for (const r of down) t.equal(r.code, 3, r.stderr);
  t.match(down[0].stderr, /ECONNREFUSED/);
  t.match(down[1].stderr, /ECONNREFUSED/);
  t.match(down[2].stderr, /cannot read .*missing\.txt: ENOENT/);
  t.equal(Number(broker.partitionLog('three', 0)!.logEndOffset) + Number(broker.partitionLog('three', 1)!.logEndOffset) + Number(broker.partitionLog('three', 2)!.logEndOffset), 0, 'nothing written by the failed runs');

  const help = await strata(['help']);
  t.match(help.stdout, /^ {2}produce <topic> \[file \.\.\.\]/m);
  t.match(help.stdout, /^ {2}consume <topic> --bootstrap-server/m);
});

/** A CLI consumer whose output lines are collected as they come. */
function member(group: string, topic: string): { child: ChildProcess; lines: string[]; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'consume', topic, '--bootstrap-server', server, '--group', group, '--from-beginning', '--format', '%p %o %s\\n'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, lines, done };
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

t.test('two CLI members of a group share its partitions without duplicates; SIGINT commits and leaves', async (t) => {
  broker.createTopic('shared', 4);
  const a = member('sg', 'shared');
  const b = member('sg', 'shared');
  t.teardown(() => {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  });
  await waitFor(() => {
    const g = broker.groups.describeGroup('sg');
    return g.state === 'Stable' && g.members.length === 2;
  }, 10_000, 'two members, stable');
  t.equal(broker.groups.describeGroup('sg').protocolData, 'range', 'the assignor both prefer');

  const lines = Array.from({ length: 40 }, (_, i) => `key-${i}:m${i}`).join('\n');
  t.equal((await strata(['produce', 'shared', '--bootstrap-server', server, '--key-separator', ':'], lines)).code, 0);
  await waitFor(() => a.lines.length + b.lines.length >= 40, 10_000, 'all 40 records printed');
  await sleep(200); // anything printed twice would show up now
  a.child.kill('SIGINT');
  b.child.kill('SIGINT');
  const [ea, eb] = await Promise.all([a.done, b.done]);
  t.equal(ea.code, 0, ea.stderr);
  t.equal(eb.code, 0, eb.stderr);

  const parse = (l: string) => ({ partition: Number(l.split(' ')[0]), value: l.split(' ')[2] });
  const pa = new Set(a.lines.map((l) => parse(l).partition));
  const pb = new Set(b.lines.map((l) => parse(l).partition));
  t.ok(pa.size > 0 && pb.size > 0, `both got partitions (${[...pa]} / ${[...pb]})`);
  t.same([...pa].filter((p) => pb.has(p)), [], 'no partition read by both');
  const values = [...a.lines, ...b.lines].map((l) => parse(l).value).sort();
  t.same(values, Array.from({ length: 40 }, (_, i) => `m${i}`).sort(), 'every record exactly once');
  const printed = [...a.lines, ...b.lines].map(parse);
  t.same(printed.map((r) => r.partition), printed.map((r) => partitionForKey(`key-${r.value.slice(1)}`, 4)), 'each on its key\'s partition');
  const ends = [0, 1, 2, 3].map((p) => Number(broker.partitionLog('shared', p)!.logEndOffset));
  t.same(await committed('sg', 'shared', 4), ends, 'SIGINT committed every printed record');
  t.equal(broker.groups.describeGroup('sg').state, 'Empty', 'both left the group');
});
