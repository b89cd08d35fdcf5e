/**
 * kcat (librdkafka 2.0.2) against a real broker process: metadata, produce and consume with every compression
 * codec, keys and headers, asserting content and order.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startBroker } from './helpers/broker-process';

function kcat(args: string[], input?: string): string {
  return execFileSync('kcat', args, { input, encoding: 'utf8', timeout: 30_000 });
}

t.test('kcat: produce and consume with every codec, keys and headers; metadata', async (t) => {
  const broker = await startBroker(t.testdir(), { 'num.partitions': 1 });
  t.teardown(() => broker.stop());
  const b = broker.bootstrap;
  const expected: string[] = [];
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const lines = [1, 2, 3].map((i) => `key-${codec}-${i}:value ${codec} ${i} ${'x'.repeat(i * 50)}`);
    kcat(['-b', b, '-P', '-t', 'codecs', '-K:', '-z', codec, '-H', `codec=${codec}`], lines.join('\n') + '\n');
    expected.push(...lines.map((l, i) => `${expected.length + i} ${l.replace(':', '|')} codec=${codec}`));
  }
  const consumed = kcat(['-b', b, '-C', '-t', 'codecs', '-o', 'beginning', '-e', '-q', '-f', '%o %k|%s %h\n']).trim().split('\n');
  t.same(consumed, expected, 'every message back, in order, with key, value and header');
  const tail = kcat(['-b', b, '-C', '-t', 'codecs', '-o', '-2', '-e', '-q', '-f', '%o\n']).trim().split('\n');
  t.same(tail, ['13', '14'], 'relative offsets from the end (ListOffsets latest)');
  const metadata = kcat(['-b', b, '-L', '-J']);
  const parsed = JSON.parse(metadata) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: { partition: number; leader: number }[] }[] };
  t.same(parsed.brokers.map((x) => x.name), [`127.0.0.1:${broker.port}`]);
  const codecs = parsed.topics.find((x) => x.topic === 'codecs')!;
  t.same(codecs.partitions.map((p) => [p.partition, p.leader]), [[0, 1]]);
});
