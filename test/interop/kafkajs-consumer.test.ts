/**
 * kafkajs 2.2.4 consumers against a real broker process: a group of three that splits the partitions and
 * rebalances when one leaves, two groups that each get every message, committed offsets that survive a broker
 * restart, and seek/replay. Content and order per partition are asserted, not only counts.
 */
import t from 'tap';
import { Kafka, logLevel, Consumer, EachMessagePayload } from 'kafkajs';
import { startBroker, BrokerProcess } from './helpers/broker-process';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const TOPIC = 'orders';
const PARTITIONS = 3;

function client(broker: BrokerProcess, id: string): Kafka {
  return new Kafka({ brokers: [broker.bootstrap], clientId: id, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

async function produce(kafka: Kafka, from: number, count: number): Promise<void> {
  const p = kafka.producer();
  await p.connect();
  // Explicit partitions: message i goes to partition i % 3, so each partition's expected order is known.
  await p.send({ topic: TOPIC, messages: Array.from({ length: count }, (_, k) => ({ key: `k${from + k}`, value: `m${from + k}`, partition: (from + k) % PARTITIONS })) });
  await p.disconnect();
}

/** Runs a consumer, collecting [partition, offset, value] until `until` holds or the timeout passes. */
async function collect(consumer: Consumer, sink: Array<[number, number, string]>, onMessage?: (m: EachMessagePayload) => void): Promise<void> {
  await consumer.run({
    eachMessage: async (payload) => {
      sink.push([payload.partition, Number(payload.message.offset), payload.message.value!.toString()]);
      onMessage?.(payload);
    },
  });
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function expectedFor(partition: number, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) if (i % PARTITIONS === partition) out.push(`m${i}`);
  return out;
}

t.test('a group of three splits partitions, rebalances when one leaves; committed offsets survive a restart', async (t) => {
  const dir = t.testdir();
  let broker = await startBroker(dir, { 'group.initial.rebalance.delay.ms': 0 });
  t.teardown(() => broker.stop('SIGKILL'));
  const admin = client(broker, 'admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await produce(client(broker, 'p'), 0, 30);

  const seen: Array<[number, number, string]> = [];
  const members = [0, 1, 2].map((i) => client(broker, `member-${i}`).consumer({ groupId: 'workers', sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 500 }));
  const assignments = new Map<number, number[]>();
  for (const [i, c] of members.entries()) {
    c.on(c.events.GROUP_JOIN, (e) => assignments.set(i, (e.payload.memberAssignment[TOPIC] ?? []).slice().sort()));
    await c.connect();
    await c.subscribe({ topic: TOPIC, fromBeginning: true });
    await collect(c, seen);
  }
  await waitFor(() => seen.length >= 30 && assignments.size === 3 && [...assignments.values()].every((a) => a.length === 1), 20_000, 'three members with one partition each');
  t.same([...assignments.values()].flat().sort(), [0, 1, 2], 'each partition assigned to exactly one member');
  for (let p = 0; p < PARTITIONS; p++) {
    t.same(seen.filter((s) => s[0] === p).map((s) => s[2]), expectedFor(p, 0, 30), `partition ${p} consumed once, in order`);
  }

  // One leaves: the other two take over its partition and see the new messages.
  await members[2].disconnect();
  await waitFor(() => [0, 1].every((i) => assignments.get(i)!.length >= 1) && [0, 1].reduce((n, i) => n + assignments.get(i)!.length, 0) === 3, 20_000, 'rebalance to two members');
  t.same([0, 1].flatMap((i) => assignments.get(i)!).sort(), [0, 1, 2], 'the leaver\'s partition moved to a remaining member');
  await produce(client(broker, 'p'), 30, 15);
  await waitFor(() => seen.length >= 45, 20_000, 'messages after the rebalance');
  for (let p = 0; p < PARTITIONS; p++) {
    const values = seen.filter((s) => s[0] === p).map((s) => s[2]);
    t.same(values.slice(-5), expectedFor(p, 30, 45), `partition ${p}: the new messages, in order`);
  }
  await Promise.all([members[0].disconnect(), members[1].disconnect()]);
  const committed = await admin.fetchOffsets({ groupId: 'workers', topics: [TOPIC] });
  t.same(committed[0].partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '15'], [1, '15'], [2, '15']], 'offsets committed up to the end');
  await admin.disconnect();

  // Restart the broker: a new member of the group resumes from the committed offsets (nothing redelivered).
  await broker.stop('SIGTERM');
  broker = await startBroker(dir, { 'group.initial.rebalance.delay.ms': 0 });
  await produce(client(broker, 'p'), 45, 6);
  const resumed: Array<[number, number, string]> = [];
  const again = client(broker, 'again').consumer({ groupId: 'workers', sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 500 });
  await again.connect();
  await again.subscribe({ topic: TOPIC, fromBeginning: true });
  await collect(again, resumed);
  await waitFor(() => resumed.length >= 6, 20_000, 'messages after restart');
  await new Promise((r) => setTimeout(r, 300));
  t.same(resumed.map((r) => r[2]).sort(), ['m45', 'm46', 'm47', 'm48', 'm49', 'm50'], 'only what came after the commit');
  await again.disconnect();
});

t.test('two groups each get every message; seek replays', async (t) => {
  const broker = await startBroker(t.testdir(), { 'group.initial.rebalance.delay.ms': 0 });
  t.teardown(() => broker.stop());
  const admin = client(broker, 'admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  await produce(client(broker, 'p'), 0, 12);
  const results = new Map<string, Array<[number, number, string]>>();
  const consumers: Consumer[] = [];
  for (const group of ['billing', 'audit']) {
    const sink: Array<[number, number, string]> = [];
    results.set(group, sink);
    const c = client(broker, group).consumer({ groupId: group, heartbeatInterval: 300, maxWaitTimeInMs: 500 });
    consumers.push(c);
    await c.connect();
    await c.subscribe({ topic: TOPIC, fromBeginning: true });
    await collect(c, sink);
  }
  await waitFor(() => [...results.values()].every((s) => s.length >= 12), 20_000, 'both groups');
  for (const [group, sink] of results) {
    for (let p = 0; p < PARTITIONS; p++) t.same(sink.filter((s) => s[0] === p).map((s) => s[2]), expectedFor(p, 0, 12), `${group} partition ${p}`);
  }
  // Replay partition 1 of "audit" from offset 1.
  const audit = results.get('audit')!;
  const before = audit.length;
  consumers[1].seek({ topic: TOPIC, partition: 1, offset: '1' });
  await waitFor(() => audit.length >= before + 3, 20_000, 'replay');
  t.same(audit.slice(before).map((s) => [s[0], s[1]]), [[1, 1], [1, 2], [1, 3]], 'replayed from the sought offset');
  await Promise.all(consumers.map((c) => c.disconnect()));
});
