/**
 * kafkajs 2.2.4 against a real broker process: admin create/list/delete topics, producing to explicit
 * partitions, by key and round-robin, offsets, and a clean restart and a SIGKILL restart that keep every
 * acknowledged message. Content and order are read back with kcat (a second, independent client).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startBroker } from './helpers/broker-process';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

function consumeAll(bootstrap: string, topic: string, partition: number): string[] {
  const out = execFileSync('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out.split('\n').filter(Boolean);
}

t.test('kafkajs admin and producer; data survives a clean restart and a kill -9', async (t) => {
  const dir = t.testdir();
  let broker = await startBroker(dir);
  t.teardown(() => broker.stop('SIGKILL'));
  const kafka = () => new Kafka({ brokers: [broker.bootstrap], clientId: 'interop', logLevel: logLevel.NOTHING, retry: { retries: 3 } });

  const admin = kafka().admin();
  await admin.connect();
  t.ok(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'doomed', numPartitions: 1 }] }));
  t.notOk(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }), 'creating an existing topic reports false');
  const userTopics = async (a: typeof admin) => (await a.listTopics()).filter((n) => !n.startsWith('__')).sort();
  t.same(await userTopics(admin), ['doomed', 'orders']);
  await admin.deleteTopics({ topics: ['doomed'] });
  t.same(await userTopics(admin), ['orders']);
  const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
  t.same(meta.topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2]);

  const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: 'orders', acks: -1, messages: [0, 1, 2, 3, 4].map((i) => ({ key: null, value: `explicit-${i}`, partition: 1 })) });
  const keyed = await producer.send({ topic: 'orders', messages: ['a', 'b', 'c', 'a', 'b', 'c'].map((k, i) => ({ key: k, value: `keyed-${i}` })) });
  t.ok(keyed.every((r) => r.errorCode === 0));
  await producer.send({ topic: 'orders', messages: Array.from({ length: 9 }, (_, i) => ({ value: `rr-${i}` })) });
  const offsets = await admin.fetchTopicOffsets('orders');
  const total = offsets.reduce((n, o) => n + Number(o.high), 0);
  t.equal(total, 5 + 6 + 9, 'every message counted in the high watermarks');
  const p1 = consumeAll(broker.bootstrap, 'orders', 1);
  t.same(p1.slice(0, 5), [0, 1, 2, 3, 4].map((i) => `=explicit-${i}`), 'explicit partition, in order');
  const all = [0, 1, 2].flatMap((p) => consumeAll(broker.bootstrap, 'orders', p));
  // Same key, same partition (the client's murmur2): each key lives in exactly one partition.
  for (const k of ['a', 'b', 'c']) {
    const parts = [0, 1, 2].filter((p) => consumeAll(broker.bootstrap, 'orders', p).some((l) => l.startsWith(`${k}=`)));
    t.equal(parts.length, 1, `key ${k} lives in one partition`);
  }
  t.equal(all.length, 20);
  await producer.disconnect();
  await admin.disconnect();

  // Clean restart: no recovery scan, everything there.
  t.equal(await broker.stop('SIGTERM'), 0, 'SIGTERM exits 0');
  broker = await startBroker(dir);
  const started = broker.logs.find((l) => l.msg === 'broker started') as { recovery: { cleanShutdown: boolean; segmentsScanned: number } };
  t.ok(started.recovery.cleanShutdown, 'clean shutdown seen');
  t.equal(started.recovery.segmentsScanned, 0, 'nothing scanned');
  t.same([0, 1, 2].flatMap((p) => consumeAll(broker.bootstrap, 'orders', p)), all, 'same data after a clean restart');

  // kill -9: acknowledged messages survive, the restart recovers.
  const p2 = kafka().producer();
  await p2.connect();
  await p2.send({ topic: 'orders', acks: 1, messages: [{ value: 'before-kill', partition: 0 }] });
  await p2.disconnect();
  await broker.stop('SIGKILL');
  broker = await startBroker(dir);
  const again = broker.logs.find((l) => l.msg === 'broker started') as { recovery: { cleanShutdown: boolean } };
  t.notOk(again.recovery.cleanShutdown, 'the kill was seen as unclean');
  t.same(consumeAll(broker.bootstrap, 'orders', 0).slice(-1), ['=before-kill']);
  const a2 = kafka().admin();
  await a2.connect();
  t.same(await userTopics(a2), ['orders'], 'topics persist');
  await a2.disconnect();
});
