/**
 * The workloads against a Broker in this process (InProcessTransport): exact counts with a warm-up on top, series
 * that add up to the totals, consume quotas, refusals as KafkaErrors, option bounds. The CLI over the wire is
 * test/cli/bench.test.ts.
 */
import t, { Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { InProcessTransport } from '../../src/client/index';
import { KafkaError } from '../../src/errors/kafka-error';
import { resolveConfig, runConsume, runE2e, runProduce, ThroughputSeries } from '../../src/bench/index';
import type { Progress, TransportFactory } from '../../src/bench/index';

async function startBroker(t: Test): Promise<{ broker: Broker; factory: TransportFactory; logEnd: (topic: string) => number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-lib-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const logEnd = (topic: string) => {
    let sum = 0;
    for (let p = 0; broker.partitionLog(topic, p) !== undefined; p++) sum += broker.partitionLog(topic, p)!.logEndOffset;
    return sum;
  };
  return { broker, factory: async (role) => new InProcessTransport(broker, `bench-${role}`), logEnd };
}

t.test('e2e: the warm-up comes on top of the measured messages, and every one is consumed', async (t) => {
  const { factory, logEnd } = await startBroker(t);
  const phases = new Set<string>();
  const r = await runE2e({ topic: 'e2e', messages: 5000, warmupMs: 300, producers: 2, consumers: 2, partitions: 3, messageSize: 64, onProgress: (p: Progress) => phases.add(p.phase) }, factory);
  t.ok(r.totals.warmupMessages > 0, `warm-up sent ${r.totals.warmupMessages}`);
  t.equal(logEnd('e2e'), 5000 + r.totals.warmupMessages, 'the topic holds the measured and the warm-up messages');
  t.equal(r.produce!.messages, 5000);
  t.equal(r.consume!.messages, 5000, 'only records stamped after the warm-up are measured');
  t.equal(r.latency!.count, 5000);
  t.equal(r.totals.missingMessages, 0);
  t.equal(r.config.partitions, 3);
  t.ok(r.latency!.minMs >= 0 && r.latency!.p50Ms <= r.latency!.p99Ms && r.latency!.p99Ms <= r.latency!.p999Ms && r.latency!.p999Ms <= r.latency!.maxMs, 'ordered percentiles');
  t.ok(phases.has('warmup'), `progress phases ${[...phases]}`);
});

t.test('produce for a duration: series add up to the totals', async (t) => {
  const { factory, logEnd } = await startBroker(t);
  const r = await runProduce({ topic: 'timed', durationMs: 600, messageSize: 10, acks: 1 }, factory);
  t.equal(r.config.messages, null);
  t.equal(r.series.intervalMs, 100, 'a short run keeps 100 ms intervals');
  t.ok(r.series.produce.length >= 4, `${r.series.produce.length} intervals`);
  t.equal(r.series.produce.reduce((s, x) => s + x.messages, 0), r.produce!.messages, 'intervals hold every measured message');
  t.ok(r.series.produce.every((x, i) => i === 0 || x.tMs > r.series.produce[i - 1].tMs), 'increasing times');
  t.equal(logEnd('timed'), r.produce!.messages);
  t.ok(r.produce!.seconds >= 0.6 && r.produce!.seconds < 5, `${r.produce!.seconds} s`);
  t.equal(r.histogram.reduce((s, b) => s + b.count, 0), r.produce!.messages);
});

t.test('consume reads exactly the count asked, filling the topic first when needed', async (t) => {
  const { factory, logEnd } = await startBroker(t);
  await runProduce({ topic: 'c', messages: 4000, partitions: 4 }, factory);
  const some = await runConsume({ topic: 'c', messages: 3000, consumers: 3 }, factory);
  t.equal(some.consume!.messages, 3000, 'fewer than the topic holds');
  t.equal(some.totals.prefilledMessages, 0);
  t.equal(some.latency, null);
  const more = await runConsume({ topic: 'c', messages: 6000, consumers: 2 }, factory);
  t.equal(more.totals.prefilledMessages, 2000, 'the missing 2000 produced first');
  t.equal(more.consume!.messages, 6000);
  t.equal(logEnd('c'), 6000);
});

t.test('refusals and bounds', async (t) => {
  const { factory } = await startBroker(t);
  const refused = await runProduce({ topic: 'bad name!', messages: 10 }, factory).catch((err: unknown) => err);
  t.ok(refused instanceof KafkaError && refused.code === 'INVALID_TOPIC_EXCEPTION', `refused: ${String(refused)}`);
  await t.rejects(runProduce({ topic: 'zero', messages: 10, partitions: 0 }, factory), { code: 'INVALID_PARTITIONS' });
  t.throws(() => resolveConfig('e2e', { topic: 'x', messageSize: 4 }), { code: 'ERR_INVALID_CONFIG' }, 'e2e needs room for the timestamp');
  t.throws(() => resolveConfig('produce', { topic: 'x', messages: 5, durationMs: 5 }), { code: 'ERR_INVALID_CONFIG' });
  t.equal(resolveConfig('produce', { topic: 'x', batchSize: 16384, messageSize: 100 }).recordsPerSend, 140, 'about one batch per send()');
  t.equal(resolveConfig('produce', { topic: 'x', batchSize: 0 }).recordsPerSend, 1);
});

t.test('ThroughputSeries merges raw intervals into windows', async (t) => {
  const s = new ThroughputSeries();
  s.start(1000);
  for (let i = 1; i <= 25; i++) {
    s.add(10, 1000);
    s.sample(1000 + i * 100 + (i % 3)); // timer jitter
  }
  const raw = s.samples(100);
  t.equal(raw.length, 25);
  const secs = s.samples(1000);
  t.same(secs.map((x) => x.messages), [100, 100, 50]);
  t.ok(Math.abs(secs[0].messagesPerSec - (100 * 1000) / secs[0].durationMs) < 1e-9);
  t.equal(secs[2].tMs, 2500 + (25 % 3));
  t.equal(s.recentRate(1000).messagesPerSec > 0, true);
});
