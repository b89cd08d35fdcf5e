/**
 * Produce quotas with real clients against a broker process: kafkajs and kcat (librdkafka) producers sending as
 * fast as they can under quota.producer.default = Q achieve Q within 15% over 10 s or more; without a quota the
 * same producer is not throttled. quota.window.num=2 (1 s windows): Kafka's rate counts at least n-1 full windows,
 * so a fresh client may first send Q x (n-1) s at once; with the default 11 windows that burst alone would be 10 s
 * worth of quota.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './helpers/broker-process';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const Q = 1_000_000; // bytes/s
const SECONDS = 10;
const VALUE = Buffer.alloc(1000, 0x61);

async function blast(bootstrap: string, clientId: string, seconds: number): Promise<{ bytes: number; seconds: number }> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 100 }, () => ({ value: VALUE }));
  const batchBytes = messages.length * VALUE.length;
  // A first send creates the topic and warms the connection; timing starts after it.
  await producer.send({ topic: 'quota', acks: 1, messages });
  const start = Date.now();
  const end = start + seconds * 1000;
  let bytes = 0;
  while (Date.now() < end) {
    await producer.send({ topic: 'quota', acks: 1, messages });
    bytes += batchBytes;
  }
  const elapsed = (Date.now() - start) / 1000;
  await producer.disconnect();
  return { bytes, seconds: elapsed };
}

t.test('kafkajs under a produce quota achieves it within 15%; unthrottled without one', async (t) => {
  const limited = await startBroker(t.testdir(), { 'quota.producer.default': Q, 'quota.window.num': 2 });
  t.teardown(() => limited.stop('SIGKILL'));
  const r = await blast(limited.bootstrap, 'blaster', SECONDS);
  const rate = r.bytes / r.seconds;
  t.ok(Math.abs(rate - Q) / Q <= 0.15, `${Math.round(rate)} B/s against a quota of ${Q} B/s over ${r.seconds.toFixed(1)} s`);

  const free = await startBroker(t.testdir());
  t.teardown(() => free.stop('SIGKILL'));
  const f = await blast(free.bootstrap, 'blaster', 3);
  t.ok(f.bytes / f.seconds > 2 * Q, `without a quota: ${Math.round(f.bytes / f.seconds)} B/s`);
});

t.test('kcat (librdkafka) under a produce quota achieves it within 15%', async (t) => {
  // Two 1 s windows: the burst a fresh client may send before its rate is measured is Q x 1 s, not Q x 10 s.
  const broker = await startBroker(t.testdir(), { 'quota.producer.default': Q, 'quota.window.num': 2 });
  t.teardown(() => broker.stop('SIGKILL'));
  const lines = 12_000;
  const input = Array.from({ length: lines }, () => 'x'.repeat(999)).join('\n') + '\n'; // 12 MB of values
  // batch.size: librdkafka's default (1 MB) makes every Produce request a whole second of this quota, so the
  // throttling runs in steps of 1 MB: two such requests pass back to back whenever the older window has aged out,
  // and 12 MB end anywhere between 0.98 and 1.2 x Q depending on where the last step falls. With 100 kB requests
  // the steps are a tenth of a second and the rate lands in [Q, 12 / (12 - 1.1) x Q]: the 1 s initial burst only.
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const args = ['-b', broker.bootstrap, '-P', '-t', 'kq', '-p', '0', '-X', 'linger.ms=5', '-X', 'batch.size=100000'];
    const child = execFile('kcat', args, { timeout: 60_000 }, (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(input);
  });
  const seconds = (Date.now() - started) / 1000;
  const rate = (lines * 999) / seconds;
  t.ok(Math.abs(rate - Q) / Q <= 0.15, `${Math.round(rate)} B/s against a quota of ${Q} B/s over ${seconds.toFixed(1)} s`);
});

t.test('kafkajs: a throttled client\'s other connections and other clients are not held back', async (t) => {
  const broker = await startBroker(t.testdir(), { 'quota.producer.default': Q, 'quota.window.num': 2 });
  t.teardown(() => broker.stop('SIGKILL'));
  const kafka = (clientId: string) => new Kafka({ brokers: [broker.bootstrap], clientId, logLevel: logLevel.NOTHING });
  const heavy = kafka('blaster').producer();
  const other = kafka('other').producer();
  const admin = kafka('blaster').admin(); // the throttled client's id, on a connection of its own
  await Promise.all([heavy.connect(), other.connect(), admin.connect()]);
  t.teardown(() => Promise.all([heavy.disconnect(), other.disconnect(), admin.disconnect()]));
  const big = Array.from({ length: 500 }, () => ({ value: VALUE })); // 500 kB: about half a second of quota each
  await heavy.send({ topic: 'quota', acks: 1, messages: [{ value: 'x' }] });
  await other.send({ topic: 'other', acks: 1, messages: [{ value: 'x' }] });
  const until = Date.now() + 4000;
  const heavyLatency: number[] = [];
  const blasting = (async () => {
    while (Date.now() < until) {
      const t0 = Date.now();
      await heavy.send({ topic: 'quota', acks: 1, messages: big });
      heavyLatency.push(Date.now() - t0);
    }
  })();
  await new Promise((r) => setTimeout(r, 1500)); // the blaster is over its quota by now
  const otherLatency: number[] = [];
  const adminLatency: number[] = [];
  while (Date.now() < until - 500) {
    let t0 = Date.now();
    await other.send({ topic: 'other', acks: 1, messages: [{ value: VALUE }] });
    otherLatency.push(Date.now() - t0);
    t0 = Date.now();
    await admin.fetchTopicMetadata({ topics: ['quota'] });
    adminLatency.push(Date.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  await blasting;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const throttledSend = median(heavyLatency.slice(2));
  t.ok(throttledSend >= 300, `the blaster waits ~${throttledSend} ms per 500 kB send (its throttle)`);
  t.ok(median(otherLatency) < throttledSend / 3, `another client's sends take ${median(otherLatency)} ms`);
  t.ok(median(adminLatency) < throttledSend / 3, `the blaster's own other connection answers in ${median(adminLatency)} ms`);
});
