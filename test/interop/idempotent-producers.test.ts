/**
 * kafkajs 2.2.4 and librdkafka (confluent-kafka-python) idempotent producers through a proxy that loses Produce responses (the broker wrote the batch; the
 * client sees its connection drop and retries): the log holds every message exactly once. The same workload with
 * a plain producer, in the same test, shows the duplicates the proxy causes without idempotence.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './helpers/broker-process';
import { startLossyProxy } from './helpers/lossy-proxy';

const PRODUCE = 0;
const SENDS = 30;
const PER_SEND = 5;

// Asynchronous: kcat reaches the broker through the proxy, which runs in this process.
async function consumeAll(bootstrap: string, topic: string): Promise<string[]> {
  const { stdout: out } = await promisify(execFile)('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out.split('\n').filter(Boolean);
}

function counts(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

t.test('an idempotent kafkajs producer whose responses are lost writes each message once', async (t) => {
  // Every third Produce response is lost.
  const proxy = await startLossyProxy(PRODUCE, (n) => n % 3 === 1);
  t.teardown(() => proxy.close());
  const dir = t.testdir();
  const broker = await startBroker(dir, { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
  t.teardown(() => broker.stop('SIGKILL'));
  proxy.upstreamPort = broker.port;

  const kafka = new Kafka({
    brokers: [`127.0.0.1:${proxy.port}`],
    clientId: 'idem',
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 1 }, { topic: 'plain', numPartitions: 1 }] });
  await admin.disconnect();

  const run = async (topic: string, idempotent: boolean) => {
    const producer = kafka.producer({ idempotent, maxInFlightRequests: 1, retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 } });
    await producer.connect();
    for (let s = 0; s < SENDS; s++) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: PER_SEND }, (_, i) => ({ value: `${topic}-${s * PER_SEND + i}` })) });
    }
    await producer.disconnect();
  };

  await run('idem', true);
  const droppedIdempotent = proxy.dropped;
  t.ok(droppedIdempotent >= 5, `${droppedIdempotent} Produce responses were lost and retried`);
  const idem = await consumeAll(broker.bootstrap, 'idem');
  const idemCounts = counts(idem);
  t.equal(idemCounts.size, SENDS * PER_SEND, 'every message is there');
  t.same([...idemCounts.values()].filter((c) => c !== 1), [], 'none twice');
  t.same(idem, Array.from({ length: SENDS * PER_SEND }, (_, i) => `idem-${i}`), 'in order');

  // Control: the same losses without idempotence duplicate what was retried.
  await run('plain', false);
  t.ok(proxy.dropped > droppedIdempotent, 'responses were lost for the plain producer too');
  const plainCounts = counts(await consumeAll(broker.bootstrap, 'plain'));
  t.equal(plainCounts.size, SENDS * PER_SEND, 'the plain producer loses nothing either (at-least-once)');
  t.ok([...plainCounts.values()].some((c) => c > 1), 'but writes retried batches twice');
});

t.test('a librdkafka (confluent-kafka) idempotent producer whose responses are lost writes each message once', async (t) => {
  const proxy = await startLossyProxy(PRODUCE, (n) => n % 3 === 1);
  t.teardown(() => proxy.close());
  const broker = await startBroker(t.testdir(), { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` });
  t.teardown(() => broker.stop('SIGKILL'));
  proxy.upstreamPort = broker.port;
  const total = SENDS * PER_SEND;
  const produceWith = async (topic: string, idempotent: boolean) => {
    const { stdout } = await promisify(execFile)(
      '/usr/bin/python3',
      [path.join(__dirname, 'python', 'confluent_idempotent.py'), `127.0.0.1:${proxy.port}`, topic, String(total), String(idempotent)],
      { encoding: 'utf8', timeout: 120_000 },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as { errors: string[]; offsets: number[] };
  };

  const out = await produceWith('ck-idem', true);
  t.ok(proxy.dropped >= 3, `${proxy.dropped} Produce responses were lost and retried`);
  t.same(out.errors, [], 'every message delivered');
  t.same([...out.offsets].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i), 'reported offsets are 0..n-1, each once');
  const values = await consumeAll(broker.bootstrap, 'ck-idem');
  t.same(values, Array.from({ length: total }, (_, i) => `ck-idem-${i}`), 'each message once, in order');

  // Control: librdkafka without idempotence under the same losses.
  const dropped = proxy.dropped;
  const plain = await produceWith('ck-plain', false);
  t.ok(proxy.dropped > dropped, 'responses were lost for the plain producer too');
  t.same(plain.errors, []);
  const plainCounts = counts(await consumeAll(broker.bootstrap, 'ck-plain'));
  t.equal(plainCounts.size, total);
  t.ok([...plainCounts.values()].some((c) => c > 1), 'the plain producer writes retried batches twice');
});

t.test('an idempotent kafkajs producer keeps exactly-once across broker kills (SIGKILL) and restarts', async (t) => {
  // Responses are lost too, so retries of batches written just before a kill meet the rebuilt producer state.
  const proxy = await startLossyProxy(PRODUCE, (n) => n % 4 === 2);
  t.teardown(() => proxy.close());
  const dir = t.testdir();
  const overrides = { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`, 'log.segment.bytes': 4096 };
  let broker = await startBroker(dir, overrides);
  t.teardown(() => broker.stop('SIGKILL'));
  proxy.upstreamPort = broker.port;
  const kafka = new Kafka({ brokers: [`127.0.0.1:${proxy.port}`], clientId: 'idem-kill', logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'killed', numPartitions: 1 }] });
  await admin.disconnect();

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  const sends = 40;
  let kills = 0;
  for (let s = 0; s < sends; s++) {
    const sending = producer.send({ topic: 'killed', acks: -1, messages: Array.from({ length: PER_SEND }, (_, i) => ({ value: `k-${s * PER_SEND + i}` })) });
    if (s % 13 === 6) {
      // Kill while this send may be anywhere: before, during or after its append.
      await new Promise((r) => setTimeout(r, 5 * kills));
      await broker.stop('SIGKILL');
      broker = await startBroker(dir, overrides);
      proxy.upstreamPort = broker.port;
      kills++;
    }
    await sending;
  }
  await producer.disconnect();
  t.equal(kills, 3);
  const unclean = broker.logs.find((l) => l.msg === 'broker started') as { recovery: { cleanShutdown: boolean } };
  t.notOk(unclean.recovery.cleanShutdown, 'the last start recovered from a kill');
  const values = await consumeAll(broker.bootstrap, 'killed');
  t.same(values, Array.from({ length: sends * PER_SEND }, (_, i) => `k-${i}`), 'every message once, in order');
});
