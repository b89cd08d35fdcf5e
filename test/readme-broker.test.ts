/**
 * The README's broker snippets run as written, against a broker process started for them (127.0.0.1:9092 in the
 * text is replaced by its address), so the quick start cannot rot.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startBroker } from './interop/helpers/broker-process';

const ROOT = path.join(__dirname, '..');

function snippet(name: string): { lang: string; code: string } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const marker = `<!-- readme-test: ${name} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README has no ${marker}`);
  const match = /```(\w+)\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match) throw new Error(`no code block after ${marker}`);
  return { lang: match[1], code: match[2] };
}

t.test('README: kcat produce, consume, metadata', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop());
  const { lang, code } = snippet('kcat');
  t.equal(lang, 'sh');
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c', code.replaceAll('127.0.0.1:9092', broker.bootstrap)], { encoding: 'utf8', timeout: 60_000 });
  const lines = out.split('\n');
  t.same(lines.slice(0, 3), ['0 user-1 signed up', '1 user-2 signed up', '2 user-1 logged in'], 'consumed in order with keys');
  t.match(out, /topic "events" with 1 partitions/);
  t.match(out, new RegExp(`broker 1 at 127\\.0\\.0\\.1:${broker.port}`));
});

t.test('README: kafkajs producer and consumer group', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop());
  const { lang, code } = snippet('kafkajs');
  t.equal(lang, 'js');
  const dir = t.testdir();
  const file = path.join(dir, 'quickstart.js');
  // Resolved from the project, where kafkajs is installed.
  fs.writeFileSync(file, code.replaceAll('127.0.0.1:9092', broker.bootstrap).replace("require('kafkajs')", `require(${JSON.stringify(require.resolve('kafkajs'))})`));
  const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
  const lines = out.split('\n').filter((l) => / \(partition \d, offset \d+\)$/.test(l));
  t.equal(lines.length, 3);
  const alice = lines.filter((l) => l.startsWith('alice: '));
  t.same(alice.map((l) => l.split(' (')[0]), ['alice: book', 'alice: pen'], 'same key, same partition, in order');
  const committed = JSON.parse(out.split('committed: ')[1]) as { partitions: { offset: string }[] }[];
  t.equal(committed[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0), 3, 'all three committed');
});

t.test('README: kafka-python and confluent-kafka groups', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop());
  const { lang, code } = snippet('python');
  t.equal(lang, 'python');
  const out = execFileSync('/usr/bin/python3', ['-c', code.replaceAll('127.0.0.1:9092', broker.bootstrap)], { encoding: 'utf8', timeout: 90_000 });
  const lines = out.trim().split('\n');
  t.same(lines.filter((l) => l.startsWith('kafka-python')), ['kafka-python 0 page-0 click 0', 'kafka-python 1 page-1 click 1', 'kafka-python 2 page-2 click 2']);
  t.same(lines.filter((l) => l.startsWith('confluent-kafka')), ['confluent-kafka 0 page-0 click 0', 'confluent-kafka 1 page-1 click 1', 'confluent-kafka 2 page-2 click 2']);
});

t.test('README: kafkajs transactions, read back read_committed with kcat', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop());
  const { lang, code } = snippet('kafkajs-txn');
  t.equal(lang, 'js');
  const dir = t.testdir();
  const file = path.join(dir, 'txn.js');
  fs.writeFileSync(file, code.replaceAll('127.0.0.1:9092', broker.bootstrap).replace("require('kafkajs')", `require(${JSON.stringify(require.resolve('kafkajs'))})`));
  const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } });
  t.match(out, /done/);
  const check = snippet('kafkajs-txn-check');
  t.equal(check.lang, 'sh');
  const read = execFileSync('bash', ['-euo', 'pipefail', '-c', check.code.replaceAll('127.0.0.1:9092', broker.bootstrap)], { encoding: 'utf8', timeout: 60_000 });
  t.same(read.trim().split('\n'), ['alice debit 10', 'bob credit 10'], 'the committed transaction only');
});

t.test('README: the strata command: topics, produce, consume in a group, groups describe, topics describe', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop());
  const { lang, code } = snippet('cli');
  t.equal(lang, 'sh');
  const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'strata.js'))}`;
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c', code.replaceAll('127.0.0.1:9092', broker.bootstrap).replaceAll('npx strata', cli)], {
    encoding: 'utf8',
    timeout: 90_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = out.split('\n');
  t.match(lines[0], /^created topic orders: 3 partitions/);
  const consumed = lines.filter((l) => / \(partition \d, offset \d\)$/.test(l));
  t.same(consumed.map((l) => l.replace(/ \(.*/, '')).sort(), ['alice book', 'alice pen', 'bob lamp'], 'the three records, keys and values');
  const alice = consumed.filter((l) => l.startsWith('alice')).map((l) => l.replace(/.*partition (\d).*/, '$1'));
  t.equal(new Set(alice).size, 1, 'one key, one partition');
  const rows = lines.filter((l) => l.startsWith('shipping '));
  t.equal(rows.length, 3, 'a row per partition');
  const cols = rows.map((r) => r.split(/\s+/));
  t.equal(cols.reduce((n, c) => n + Number(c[3]), 0), 3, 'committed offsets add up to the three records');
  t.ok(cols.every((c) => c[3] === c[4] && c[5] === '0'), 'no lag');
  t.match(out, /Topic: orders\s+Partitions: 3\s+ReplicationFactor: 1\s+Configs: retention\.ms=86400000/);
});
