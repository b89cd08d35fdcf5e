/**
 * The Python clients from Debian (/usr/bin/python3: python3-kafka 2.0.2, python3-confluent-kafka 1.7.0) against a
 * real broker process: content and order of what was consumed, not only counts.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { startBroker } from './helpers/broker-process';

const PY = '/usr/bin/python3';
const script = (name: string) => path.join(__dirname, 'python', name);

function run(name: string, bootstrap: string): Record<string, unknown> {
  const out = execFileSync(PY, [script(name), bootstrap], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

t.test('kafka-python: admin, producer with acks=all, consumer by assignment', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop());
  const out = run('kafka_python_assign.py', broker.bootstrap) as { acked: number[][]; consumed: unknown[][]; api_version: number[] };
  t.same(out.acked, Array.from({ length: 10 }, (_, i) => [i % 2, Math.floor(i / 2)]), 'acks carry partition and offset');
  const expected = Array.from({ length: 10 }, (_, i) => [i % 2, Math.floor(i / 2), `k${i}`, `value-${i}`]).sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  t.same(out.consumed.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number)), expected);
  t.ok(out.api_version[0] >= 1 || out.api_version[1] >= 11, `inferred broker version ${out.api_version.join('.')} allows record batch v2`);
});

t.test('confluent-kafka: delivery reports, then consume with headers in order', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop());
  const out = run('confluent_assign.py', broker.bootstrap) as { delivered: unknown[][]; consumed: unknown[][] };
  t.same(out.delivered, Array.from({ length: 10 }, (_, i) => ['None', 0, i]));
  t.same(out.consumed, Array.from({ length: 10 }, (_, i) => [i, `k${i}`, `value-${i}`, { n: String(i) }]));
});

t.test('kafka-python group consumer: commit, then a new member resumes after it', async (t) => {
  const broker = await startBroker(t.testdir(), { 'group.initial.rebalance.delay.ms': 0 });
  t.teardown(() => broker.stop());
  const out = run('kafka_python_group.py', broker.bootstrap) as { first: unknown[][]; second: unknown[][] };
  t.same(out.first, [0, 1, 2, 3].map((i) => [i, `value-${i}`]));
  t.same(out.second, [4, 5, 6, 7, 8, 9].map((i) => [i, `value-${i}`]), 'resumed after the committed offset');
});

t.test('confluent-kafka group consumer: delivery reports, commit, resume', async (t) => {
  const broker = await startBroker(t.testdir(), { 'group.initial.rebalance.delay.ms': 0 });
  t.teardown(() => broker.stop());
  const out = run('confluent_group.py', broker.bootstrap) as { delivered: unknown[][]; first: unknown[][]; second: unknown[][] };
  t.same(out.delivered, Array.from({ length: 10 }, (_, i) => ['None', 0, i]));
  t.same(out.first, [0, 1, 2, 3].map((i) => [i, `value-${i}`]));
  t.same(out.second, [4, 5, 6, 7, 8, 9].map((i) => [i, `value-${i}`]), 'resumed after the committed offset');
});
