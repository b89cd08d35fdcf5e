/**
 * GroupMember: the ConsumerProtocol structures byte for byte as kafkajs writes and reads them, the range and
 * round-robin assignors on Kafka's documented examples, and real membership against a broker: two members split
 * the partitions and follow a rebalance (noticed by heartbeat), commits carry the generation, a kafkajs consumer
 * shares a group with a GroupMember whichever of them leads, and leave() hands the partitions over at once.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { WireTransport } from '../../src/client/transport';
import {
  assignRange,
  assignRoundRobin,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  GroupMember,
  TopicPartition,
} from '../../src/client/group-member';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { sleep } from './helpers';

// kafkajs's ConsumerProtocol codec (a dev dependency, used as the reference).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsProtocol = require('kafkajs/src/consumer/assignerProtocol') as {
  MemberMetadata: { encode(m: { version: number; topics: string[]; userData?: Buffer }): Buffer; decode(b: Buffer): { version: number; topics: string[]; userData: Buffer } };
  MemberAssignment: { encode(m: { version: number; assignment: Record<string, number[]>; userData?: Buffer }): Buffer; decode(b: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer } | null };
};

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const names = (ps: readonly TopicPartition[]) => ps.map((p) => `${p.topic}-${p.partition}`).sort();

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

t.test('subscription and assignment encode as kafkajs writes them and decode what it writes', async (t) => {
  const sub = encodeSubscription(['orders', 'payments']);
  t.same(sub, kafkajsProtocol.MemberMetadata.encode({ version: 0, topics: ['orders', 'payments'] }), 'the same bytes');
  t.same(decodeSubscription(kafkajsProtocol.MemberMetadata.encode({ version: 0, topics: ['a'], userData: Buffer.from('ud') })), { version: 0, topics: ['a'], userData: Buffer.from('ud') });
  // A later version (Java's v1 adds owned partitions after user_data): the v0 prefix is read.
  const v1 = Buffer.concat([kafkajsProtocol.MemberMetadata.encode({ version: 1, topics: ['x'] }), Buffer.from([0, 0, 0, 0])]);
  t.same(decodeSubscription(v1).topics, ['x']);
  t.throws(() => decodeSubscription(Buffer.from([0, 0, 0, 9])), { code: 'INCONSISTENT_GROUP_PROTOCOL' });

  const assignment = encodeAssignment([{ topic: 'orders', partition: 2 }, { topic: 'payments', partition: 0 }, { topic: 'orders', partition: 0 }]);
  t.same(kafkajsProtocol.MemberAssignment.decode(assignment), { version: 0, assignment: { orders: [0, 2], payments: [0] }, userData: Buffer.alloc(0) }, 'kafkajs reads it');
  t.same(assignment, kafkajsProtocol.MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2], payments: [0] } }), 'the same bytes');
  t.same(names(decodeAssignment(kafkajsProtocol.MemberAssignment.encode({ version: 0, assignment: { t: [3, 1] } })).partitions), ['t-1', 't-3']);
  t.same(decodeAssignment(Buffer.alloc(0)).partitions, [], 'an empty assignment from the coordinator');
});

t.test('range and round robin assign as Kafka documents them', async (t) => {
  // Kafka's javadoc example: C0 and C1 subscribe to t0 and t1, three partitions each.
  const members = [
    { memberId: 'C1', topics: ['t0', 't1'] },
    { memberId: 'C0', topics: ['t0', 't1'] },
  ];
  const counts = new Map([['t0', 3], ['t1', 3]]);
  const range = assignRange(members, counts);
  t.same(names(range.get('C0')!), ['t0-0', 't0-1', 't1-0', 't1-1']);
  t.same(names(range.get('C1')!), ['t0-2', 't1-2']);
  const rr = assignRoundRobin(members, counts);
  t.same(names(rr.get('C0')!), ['t0-0', 't0-2', 't1-1']);
  t.same(names(rr.get('C1')!), ['t0-1', 't1-0', 't1-2']);
  // Round robin skips members not subscribed to a topic (C0 and C2 on t0 only, C1 on t0 and t1... Kafka's second example).
  const mixed = assignRoundRobin(
    [
      { memberId: 'C0', topics: ['t0'] },
      { memberId: 'C1', topics: ['t0', 't1'] },
      { memberId: 'C2', topics: ['t0', 't1', 't2'] },
    ],
    new Map([['t0', 1], ['t1', 2], ['t2', 3]]),
  );
  t.same(names(mixed.get('C0')!), ['t0-0']);
  t.same(names(mixed.get('C1')!), ['t1-0']);
  t.same(names(mixed.get('C2')!), ['t1-1', 't2-0', 't2-1', 't2-2']);
  t.same(assignRange([{ memberId: 'a', topics: ['gone'] }], new Map()).get('a'), [], 'a topic without metadata: nothing');
});

async function brokerFor(t: { teardown(fn: () => unknown): void }): Promise<Broker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-group-member-'));
  // Without the initial delay, a new group's first join does not wait 3 s.
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'group.initial.rebalance.delay.ms': 0 }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return broker;
}

function newMember(broker: Broker, groupId: string, topic: string, assignors?: string[]): Promise<GroupMember> {
  return WireTransport.connect('127.0.0.1', broker.port).then((transport) => new GroupMember({ transport, groupId, topics: [topic], heartbeatIntervalMs: 100, assignors }));
}

t.test('two members split the partitions, follow a rebalance noticed by heartbeat, commit in their generation', async (t) => {
  const broker = await brokerFor(t);
  broker.createTopic('work', 4);
  const a = await newMember(broker, 'pair', 'work');
  const b = await newMember(broker, 'pair', 'work');
  t.teardown(() => {
    a.close();
    b.close();
  });
  t.same(names(await a.join()), ['work-0', 'work-1', 'work-2', 'work-3'], 'alone: every partition');
  t.ok(a.isLeader);
  t.equal(a.protocolName, 'range');
  const generation = a.generationId;
  await a.commit([{ topic: 'work', partition: 0, offset: 5 }]);
  t.same(await a.committed([{ topic: 'work', partition: 0 }, { topic: 'work', partition: 1 }]), new Map([['work-0', 5], ['work-1', null]]));

  // b's join waits for a to rejoin; a learns of the rebalance from its heartbeat.
  const joiningB = b.join();
  await waitFor(() => a.rejoinNeeded, 5000, 'a told to rejoin');
  const [pa, pb] = await Promise.all([a.join(), joiningB]);
  t.ok(a.generationId > generation, 'a new generation');
  t.equal(b.generationId, a.generationId);
  t.same(names([...pa, ...pb]), ['work-0', 'work-1', 'work-2', 'work-3'], 'together they have every partition');
  t.same(names(pa).filter((p) => names(pb).includes(p)), [], 'none twice');
  t.equal(pa.length, 2);

  // A commit from the previous generation is refused.
  const stale = await newMember(broker, 'pair', 'work');
  t.teardown(() => stale.close());
  (stale as unknown as { generationIdValue: number; memberIdValue: string }).generationIdValue = generation;
  (stale as unknown as { generationIdValue: number; memberIdValue: string }).memberIdValue = a.memberId;
  await t.rejects(stale.commit([{ topic: 'work', partition: 0, offset: 9 }]), { code: 'ILLEGAL_GENERATION' });
  t.ok(stale.rejoinNeeded);

  // b leaves: a gets everything at its next join, without waiting for b's session to expire.
  await b.leave();
  await waitFor(() => a.rejoinNeeded, 5000, 'a told to rejoin after the leave');
  t.same(names(await a.join()), ['work-0', 'work-1', 'work-2', 'work-3']);
  await a.leave();
  t.equal(broker.groups.describeGroup('pair').state, 'Empty');
});

t.test('a kafkajs consumer and a GroupMember share a group, whichever leads', async (t) => {
  const broker = await brokerFor(t);
  broker.createTopic('mixed', 4);
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'kjs', logLevel: logLevel.NOTHING });

  for (const leader of ['GroupMember', 'kafkajs'] as const) {
    const groupId = `mixed-${leader}`;
    const ours = await newMember(broker, groupId, 'mixed');
    const theirs = kafka.consumer({ groupId, heartbeatInterval: 100, sessionTimeout: 6000, maxWaitTimeInMs: 100 });
    let theirAssignment: number[] = [];
    theirs.on(theirs.events.GROUP_JOIN, (e) => (theirAssignment = (e.payload.memberAssignment['mixed'] ?? []).slice().sort()));
    const startTheirs = async () => {
      await theirs.connect();
      await theirs.subscribe({ topics: ['mixed'], fromBeginning: true });
      await theirs.run({ eachMessage: async () => {} });
    };
    let assigned: TopicPartition[];
    if (leader === 'GroupMember') {
      assigned = await ours.join();
      // kafkajs's run() resolves once it joined, which needs this member to rejoin: not awaited first.
      const started = startTheirs();
      await waitFor(() => ours.rejoinNeeded, 5000, 'rebalance noticed');
      assigned = await ours.join();
      await started;
    } else {
      await startTheirs();
      await waitFor(() => theirAssignment.length === 4, 10_000, 'kafkajs alone');
      assigned = await ours.join(); // kafkajs rejoins on its heartbeat
    }
    await waitFor(() => theirAssignment.length > 0 && theirAssignment.length + assigned.length === 4, 10_000, 'kafkajs assignment');
    t.equal(ours.protocolName, 'RoundRobinAssigner', `${leader} leads: the one protocol both offer`);
    t.equal(ours.isLeader, leader === 'GroupMember');
    const mine = assigned.map((p) => p.partition).sort();
    t.same([...mine, ...theirAssignment].sort(), [0, 1, 2, 3], `${leader} leads: every partition once`);
    t.equal(mine.length, 2, 'round robin: two each');
    await ours.leave();
    ours.close();
    await theirs.disconnect();
  }
});
