/**
 * GroupCoordinator driven directly, over a real offsets Log: membership and rebalances (member-id handshake,
 * leaders, protocol votes, session and rebalance timeouts, leaving, static members), offsets, persistence across
 * restarts, deletion, expiry and the offsets log rewrite. Timeouts are tens of milliseconds.
 */
import t from 'tap';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch';
import { RecordBatchIterator } from '../../src/protocol/records/record-batch-iterator';
import type { JoinGroupResult } from '../../src/group/group-api';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeOffsetsTopicKey } from '../../src/group/offsets-topic-records';
import { eventually, joinParams, openHarness, protocols, sleep, stableGroup, syncParams } from './fixtures/group-harness';

t.test('member id handshake (JoinGroup v4+): MEMBER_ID_REQUIRED with a generated id, then the join with it', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const first = await c.joinGroup(joinParams('g', { requireKnownMemberId: true, clientId: 'app' }));
  t.equal(first.error, 'MEMBER_ID_REQUIRED');
  t.match(first.memberId, /^app-[0-9a-f-]{36}$/, 'id is client id + uuid, as Kafka makes it');
  t.equal(first.generationId, -1);
  t.equal(c.describeGroup('g').members.length, 0, 'not a member yet');

  const second = await c.joinGroup(joinParams('g', { requireKnownMemberId: true, clientId: 'app', memberId: first.memberId }));
  t.equal(second.error, 'NONE');
  t.equal(second.memberId, first.memberId, 'the handed-out id is kept');
  t.equal(second.generationId, 1);
  t.equal(second.leaderId, first.memberId, 'the only member leads');
  t.equal(second.protocolName, 'range');
  t.equal(second.protocolType, 'consumer');
  t.same(second.members.map((m) => m.memberId), [first.memberId], 'the leader gets every member');

  const stranger = await c.joinGroup(joinParams('g', { memberId: 'nobody-1' }));
  t.equal(stranger.error, 'UNKNOWN_MEMBER_ID', 'an id the group never handed out');
  const otherGroup = await c.joinGroup(joinParams('h', { memberId: 'nobody-2' }));
  t.equal(otherGroup.error, 'UNKNOWN_MEMBER_ID', 'a member id for a group that does not exist');
  t.equal(c.describeGroup('h').state, 'Dead', 'and no group was created for it');

  const old = await c.joinGroup(joinParams('v3', { requireKnownMemberId: false }));
  t.equal(old.error, 'NONE', 'before v4 a member joins in one step');
  t.equal(old.generationId, 1);
});

t.test('a pending member id expires after the session timeout', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const first = await c.joinGroup(joinParams('g', { requireKnownMemberId: true, sessionTimeoutMs: 20 }));
  t.equal(first.error, 'MEMBER_ID_REQUIRED');
  await sleep(60);
  const late = await c.joinGroup(joinParams('g', { requireKnownMemberId: true, memberId: first.memberId }));
  t.equal(late.error, 'UNKNOWN_MEMBER_ID', 'the id expired');
});

t.test('two members: the first leads and gets both metadata, followers wait for the leader to sync', async (t) => {
  const h = openHarness(t.testdir(), { config: { groupInitialRebalanceDelayMs: 30 } });
  t.teardown(() => h.close());
  const c = h.coordinator;
  let firstAnswered = false;
  const joinA = c.joinGroup(joinParams('g', { clientId: 'a', protocols: protocols(['range'], ['t1']) })).then((r) => {
    firstAnswered = true;
    return r;
  });
  await Promise.resolve();
  t.equal(firstAnswered, false, 'the initial delay holds the first join');
  t.equal(c.describeGroup('g').state, 'PreparingRebalance');
  const joinB = c.joinGroup(joinParams('g', { clientId: 'b', protocols: protocols(['range'], ['t2']) }));
  const [a, b] = await Promise.all([joinA, joinB]);
  t.equal(a.generationId, 1);
  t.equal(b.generationId, 1, 'both in the first generation');
  t.equal(a.leaderId, a.memberId, 'first member leads');
  t.equal(b.leaderId, a.memberId);
  t.same(a.members.map((m) => m.memberId), [a.memberId, b.memberId]);
  t.same(b.members, [], 'followers get no member list');
  t.ok(a.members[1].metadata.includes(Buffer.from('t2')), "the follower's metadata reaches the leader");
  t.equal(c.describeGroup('g').state, 'CompletingRebalance');

  let followerDone = false;
  const syncB = c.syncGroup(syncParams('g', b)).then((r) => {
    followerDone = true;
    return r;
  });
  await sleep(20);
  t.equal(followerDone, false, 'the follower waits for the leader');
  const syncA = await c.syncGroup(
    syncParams('g', a, [
      { memberId: a.memberId, assignment: Buffer.from('for-a') },
      { memberId: b.memberId, assignment: Buffer.from('for-b') },
    ]),
  );
  const rb = await syncB;
  t.equal(syncA.error, 'NONE');
  t.equal(syncA.assignment.toString(), 'for-a');
  t.equal(rb.error, 'NONE');
  t.equal(rb.assignment.toString(), 'for-b');
  t.equal(rb.protocolName, 'range');
  const d = c.describeGroup('g');
  t.equal(d.state, 'Stable');
  t.equal(d.protocolData, 'range');
  t.same(d.members.map((m) => m.assignment.toString()), ['for-a', 'for-b']);

  const again = await c.syncGroup(syncParams('g', b));
  t.equal(again.assignment.toString(), 'for-b', 'a Stable group hands out the stored assignment');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: null }), 'NONE');
});

t.test('three members: protocol chosen among those all support, by the members\' preference votes', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const [a, b, cc] = await Promise.all([
    c.joinGroup(joinParams('g', { protocols: protocols(['sticky', 'range', 'roundrobin']) })),
    c.joinGroup(joinParams('g', { protocols: protocols(['roundrobin', 'range']) })),
    c.joinGroup(joinParams('g', { protocols: protocols(['roundrobin', 'range']) })),
  ]);
  for (const r of [a, b, cc]) t.equal(r.protocolName, 'roundrobin', 'two votes beat one; sticky is not supported by all');
  t.equal(a.members.length, 3);
  t.same(new Set([a.generationId, b.generationId, cc.generationId]), new Set([1]));

  const odd = await c.joinGroup(joinParams('g', { protocols: protocols(['sticky']) }));
  t.equal(odd.error, 'INCONSISTENT_GROUP_PROTOCOL', 'no protocol in common with the group');
  const otherType = await c.joinGroup(joinParams('g', { protocolType: 'connect', protocols: protocols(['range']) }));
  t.equal(otherType.error, 'INCONSISTENT_GROUP_PROTOCOL', 'another protocol type');
  const empty = await c.joinGroup(joinParams('fresh', { protocols: [] }));
  t.equal(empty.error, 'INCONSISTENT_GROUP_PROTOCOL', 'the first member needs a protocol');
  t.equal(c.describeGroup('fresh').state, 'Dead', 'a failed first join leaves no group behind');
});

t.test('session expiry removes a member; the others get REBALANCE_IN_PROGRESS and rejoin in a new generation', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const beforeJoin = Date.now();
  const [a, b] = await stableGroup(c, 'g', 2, () => ({ sessionTimeoutMs: 150, rebalanceTimeoutMs: 500 }));
  const beat = (m: JoinGroupResult) => c.heartbeat({ groupId: 'g', generationId: m.generationId, memberId: m.memberId, groupInstanceId: null });
  // a keeps beating, b stays silent
  let answer = beat(a);
  const started = Date.now();
  while (answer === 'NONE' && Date.now() - started < 3000) {
    await sleep(20);
    answer = beat(a);
  }
  t.equal(answer, 'REBALANCE_IN_PROGRESS', 'the survivor is told to rejoin');
  t.ok(Date.now() - beforeJoin >= 150, 'not before the session timeout');
  t.equal(c.describeGroup('g').state, 'PreparingRebalance');
  t.same(c.describeGroup('g').members.map((m) => m.memberId), [a.memberId], 'the silent member is gone');
  t.equal(beat(b), 'UNKNOWN_MEMBER_ID');

  const rejoined = await c.joinGroup(joinParams('g', { memberId: a.memberId, sessionTimeoutMs: 150, rebalanceTimeoutMs: 500 }));
  t.equal(rejoined.error, 'NONE');
  t.equal(rejoined.generationId, 2, 'a new generation');
  t.equal(rejoined.leaderId, a.memberId);
  const sync = await c.syncGroup(syncParams('g', rejoined, [{ memberId: a.memberId, assignment: Buffer.from('all') }]));
  t.equal(sync.assignment.toString(), 'all');
  t.equal(c.describeGroup('g').state, 'Stable');
  t.equal(beat(a), 'ILLEGAL_GENERATION', 'the old generation is over');
});

t.test('rebalance timeout: members that do not rejoin in time are dropped, static ones kept', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const [a, b, s] = await stableGroup(c, 'g', 3, (i) => ({ rebalanceTimeoutMs: 60, groupInstanceId: i === 2 ? 'static-s' : null }));
  const started = Date.now();
  const newcomer = c.joinGroup(joinParams('g', { rebalanceTimeoutMs: 60 }));
  t.equal(c.describeGroup('g').state, 'PreparingRebalance', 'a new member starts a rebalance');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: null }), 'REBALANCE_IN_PROGRESS');
  const ra = await c.joinGroup(joinParams('g', { memberId: a.memberId, rebalanceTimeoutMs: 60 }));
  const rn = await newcomer;
  t.ok(Date.now() - started >= 60, 'the join phase waited for the others until the rebalance timeout');
  t.equal(ra.generationId, 2);
  t.equal(rn.generationId, 2);
  t.equal(ra.leaderId, a.memberId, 'the leader rejoined and leads on');
  const ids = ra.members.map((m) => m.memberId);
  t.notOk(ids.includes(b.memberId), 'the dynamic member that did not rejoin is dropped');
  t.ok(ids.includes(s.memberId), 'the static member that did not rejoin is kept');
  t.ok(ids.includes(rn.memberId));
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: null }), 'UNKNOWN_MEMBER_ID');
});

t.test('a leader that rejoins a Stable group triggers a rebalance; a follower with unchanged metadata does not', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const [a, b] = await stableGroup(c, 'g', 2);
  const follower = await c.joinGroup(joinParams('g', { memberId: b.memberId }));
  t.equal(follower.error, 'NONE');
  t.equal(follower.generationId, 1, 'same generation');
  t.equal(c.describeGroup('g').state, 'Stable', 'no rebalance');
  const leaderJoin = c.joinGroup(joinParams('g', { memberId: a.memberId }));
  t.equal(c.describeGroup('g').state, 'PreparingRebalance');
  const [ra, rb] = await Promise.all([leaderJoin, c.joinGroup(joinParams('g', { memberId: b.memberId }))]);
  t.equal(ra.generationId, 2);
  t.equal(rb.generationId, 2);
});

t.test('SyncGroup and Heartbeat errors: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const [a, b] = await stableGroup(c, 'g', 2);
  t.equal((await c.syncGroup({ ...syncParams('g', a), generationId: 7 })).error, 'ILLEGAL_GENERATION');
  t.equal((await c.syncGroup({ ...syncParams('g', a), memberId: 'ghost' })).error, 'UNKNOWN_MEMBER_ID');
  t.equal((await c.syncGroup({ ...syncParams('nope', a) })).error, 'UNKNOWN_MEMBER_ID');
  t.equal((await c.syncGroup({ ...syncParams('g', a), protocolName: 'roundrobin' })).error, 'INCONSISTENT_GROUP_PROTOCOL');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 0, memberId: a.memberId, groupInstanceId: null }), 'ILLEGAL_GENERATION');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: 'ghost', groupInstanceId: null }), 'UNKNOWN_MEMBER_ID');
  t.equal(c.heartbeat({ groupId: '', generationId: 1, memberId: a.memberId, groupInstanceId: null }), 'INVALID_GROUP_ID');

  const newcomer = c.joinGroup(joinParams('g'));
  t.equal((await c.syncGroup(syncParams('g', b))).error, 'REBALANCE_IN_PROGRESS', 'sync while preparing a rebalance');
  // a and b rejoin: generation 2 completes; the newcomer's join resolves too
  const [ra, rb, rn] = await Promise.all([
    c.joinGroup(joinParams('g', { memberId: a.memberId })),
    c.joinGroup(joinParams('g', { memberId: b.memberId })),
    newcomer,
  ]);
  t.equal(rn.generationId, 2);
  // b syncs and waits; the newcomer joins again with other metadata: the rebalance restarts, b is told
  const waiting = c.syncGroup(syncParams('g', rb));
  const restarted = c.joinGroup(joinParams('g', { memberId: rn.memberId, protocols: protocols(['range'], ['other']) }));
  t.equal((await waiting).error, 'REBALANCE_IN_PROGRESS', 'a waiting follower learns the rebalance restarted');
  await Promise.all([restarted, c.joinGroup(joinParams('g', { memberId: ra.memberId })), c.joinGroup(joinParams('g', { memberId: rb.memberId }))]);
  t.equal(c.describeGroup('g').state, 'CompletingRebalance');
});

t.test('a member that does not send SyncGroup within the rebalance timeout is removed', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const [a, b] = await Promise.all([
    c.joinGroup(joinParams('g', { rebalanceTimeoutMs: 40 })),
    c.joinGroup(joinParams('g', { rebalanceTimeoutMs: 40 })),
  ]);
  const sa = await c.syncGroup(syncParams('g', a, [{ memberId: a.memberId, assignment: Buffer.from('x') }]));
  t.equal(sa.error, 'NONE');
  t.equal(c.describeGroup('g').state, 'Stable', 'the leader synced');
  await eventually(() => c.describeGroup('g').state === 'PreparingRebalance', 1000, 'pending sync expiry');
  t.same(c.describeGroup('g').members.map((m) => m.memberId), [a.memberId], `${b.memberId} never synced and is gone`);
});

t.test('LeaveGroup: a member leaves and the rest rebalance; batches by member id and by instance id', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const [a, b, s] = await stableGroup(c, 'g', 3, (i) => ({ groupInstanceId: i === 2 ? 'inst-s' : null }));
  const left = c.leaveGroup('g', [
    { memberId: b.memberId, groupInstanceId: null },
    { memberId: 'ghost', groupInstanceId: null },
  ]);
  t.same(left.members.map((m) => m.error), ['NONE', 'UNKNOWN_MEMBER_ID'], 'one error per leaving member');
  t.equal(left.error, 'NONE');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null }), 'REBALANCE_IN_PROGRESS');

  const fenced = c.leaveGroup('g', [{ memberId: 'wrong-id', groupInstanceId: 'inst-s' }]);
  t.equal(fenced.members[0].error, 'FENCED_INSTANCE_ID', 'an instance id with another member id');
  const byInstance = c.leaveGroup('g', [{ memberId: '', groupInstanceId: 'inst-s' }]);
  t.equal(byInstance.members[0].error, 'NONE', 'administrative removal by instance id');
  t.notOk(c.describeGroup('g').members.some((m) => m.memberId === s.memberId));

  const rejoined = await c.joinGroup(joinParams('g', { memberId: a.memberId }));
  t.equal(rejoined.generationId, 2);
  t.same(rejoined.members.map((m) => m.memberId), [a.memberId]);
  const last = c.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
  t.equal(last.members[0].error, 'NONE');
  const d = c.describeGroup('g');
  t.equal(d.state, 'Empty', 'the last member left');
  t.same(d.members, []);
  t.same(c.leaveGroup('nope', [{ memberId: 'x', groupInstanceId: null }]).members.map((m) => m.error), ['UNKNOWN_MEMBER_ID']);
});

t.test('static membership: a restarted member takes its place without a rebalance; its old id is fenced', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  const both = protocols(['range', 'roundrobin']);
  const [a, b] = await stableGroup(c, 'g', 2, (i) => ({ groupInstanceId: i === 0 ? 'inst-a' : 'inst-b', protocols: both }));

  const restarted = await c.joinGroup(joinParams('g', { groupInstanceId: 'inst-a', protocols: both }));
  t.equal(restarted.error, 'NONE');
  t.not(restarted.memberId, a.memberId, 'a new member id');
  t.match(restarted.memberId, /^inst-a-/, 'made from the instance id');
  t.equal(restarted.generationId, 1, 'same generation: no rebalance');
  t.equal(restarted.leaderId, a.memberId, 'told the old leader id, so it does not assign again');
  t.same(restarted.members, []);
  t.equal(c.describeGroup('g').state, 'Stable');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: 'inst-b' }), 'NONE', 'the others see no rebalance');
  const sync = await c.syncGroup({ ...syncParams('g', restarted), groupInstanceId: 'inst-a' });
  t.equal(sync.assignment.toString(), 'assign-0', 'it keeps its assignment');

  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: 'inst-a' }), 'FENCED_INSTANCE_ID');
  const staleJoin = await c.joinGroup(joinParams('g', { memberId: a.memberId, groupInstanceId: 'inst-a', protocols: both }));
  t.equal(staleJoin.error, 'FENCED_INSTANCE_ID');
  const staleCommit = c.commitOffsets({
    groupId: 'g',
    generationId: 1,
    memberId: a.memberId,
    groupInstanceId: 'inst-a',
    retentionTimeMs: -1,
    offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 }],
  });
  t.equal(staleCommit[0].error, 'FENCED_INSTANCE_ID');
  t.equal((await c.syncGroup({ ...syncParams('g', a), groupInstanceId: 'inst-a' })).error, 'FENCED_INSTANCE_ID');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: 'inst-unknown' }), 'UNKNOWN_MEMBER_ID');

  // A follower restarts preferring another protocol: one vote each, the leader's vote (range) breaks the tie.
  const rr = protocols(['roundrobin', 'range']);
  const bRestart = await c.joinGroup(joinParams('g', { groupInstanceId: 'inst-b', protocols: rr }));
  t.equal(bRestart.generationId, 1, 'the choice stays: no rebalance');
  t.equal(c.describeGroup('g').state, 'Stable');
  // The leader restarts preferring it too: the group's protocol would change, so it rebalances.
  const aChanged = c.joinGroup(joinParams('g', { groupInstanceId: 'inst-a', protocols: rr }));
  t.equal(c.describeGroup('g').state, 'PreparingRebalance', 'both prefer roundrobin now: rebalance');
  const [ra, rb] = await Promise.all([aChanged, c.joinGroup(joinParams('g', { memberId: bRestart.memberId, groupInstanceId: 'inst-b', protocols: rr }))]);
  t.equal(ra.protocolName, 'roundrobin');
  t.equal(ra.generationId, 2);
  t.equal(rb.generationId, 2);
});

t.test('group.max.size: a member beyond it gets GROUP_MAX_SIZE_REACHED', async (t) => {
  const h = openHarness(t.testdir(), { config: { groupMaxSize: 2 } });
  t.teardown(() => h.close());
  const c = h.coordinator;
  await stableGroup(c, 'g', 2);
  const third = await c.joinGroup(joinParams('g'));
  t.equal(third.error, 'GROUP_MAX_SIZE_REACHED');
  t.equal(third.memberId, '');
  t.equal(c.describeGroup('g').members.length, 2);
  t.equal(c.describeGroup('g').state, 'Stable', 'and no rebalance');
});

t.test('JoinGroup checks: session timeout bounds, empty group id', async (t) => {
  const h = openHarness(t.testdir(), { config: { groupMinSessionTimeoutMs: 100, groupMaxSessionTimeoutMs: 1000 } });
  t.teardown(() => h.close());
  const c = h.coordinator;
  t.equal((await c.joinGroup(joinParams('g', { sessionTimeoutMs: 99 }))).error, 'INVALID_SESSION_TIMEOUT');
  t.equal((await c.joinGroup(joinParams('g', { sessionTimeoutMs: 1001 }))).error, 'INVALID_SESSION_TIMEOUT');
  t.equal((await c.joinGroup(joinParams('', { sessionTimeoutMs: 500 }))).error, 'INVALID_GROUP_ID');
  t.equal((await c.joinGroup(joinParams('g', { sessionTimeoutMs: 500 }))).error, 'NONE');
});

t.test('initial rebalance delay: extended while members keep arriving, within the rebalance timeout', async (t) => {
  const h = openHarness(t.testdir(), { config: { groupInitialRebalanceDelayMs: 100 } });
  t.teardown(() => h.close());
  const c = h.coordinator;
  const started = Date.now();
  const first = c.joinGroup(joinParams('g', { rebalanceTimeoutMs: 1000 }));
  await sleep(20);
  t.equal(c.describeGroup('g').state, 'PreparingRebalance', 'still in the initial delay');
  const second = c.joinGroup(joinParams('g', { rebalanceTimeoutMs: 1000 }));
  const [a, b] = await Promise.all([first, second]);
  const waited = Date.now() - started;
  t.ok(waited >= 200, `the delay was extended once for the late member (${waited} ms)`);
  t.equal(a.generationId, 1);
  t.equal(b.generationId, 1);
  t.equal(a.members.length, 2);
});

const commit = (memberId: string, generationId: number, entries: [string, number, bigint, string | null][], groupId = 'g', groupInstanceId: string | null = null) => ({
  groupId,
  generationId,
  memberId,
  groupInstanceId,
  retentionTimeMs: -1,
  offsets: entries.map(([topic, partition, offset, metadata]) => ({ topic, partition, offset, leaderEpoch: 5, metadata, commitTimestampMs: -1 })),
});

t.test('offset commit and fetch: members, simple commits (generation -1), errors', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;

  const simple = c.commitOffsets(commit('', -1, [['t', 0, 10n, 'meta'], ['t', 1, 11n, null]], 'simple'));
  t.same(simple.map((r) => r.error), ['NONE', 'NONE'], 'a group without membership may commit');
  const fetched = c.fetchOffsets('simple', null);
  t.same(
    fetched.offsets.map((o) => [o.topic, o.partition, o.offset, o.metadata, o.leaderEpoch]),
    [
      ['t', 0, 10n, 'meta', 5],
      ['t', 1, 11n, '', 5],
    ],
    'all partitions when topics is null; null metadata is stored as empty',
  );
  t.equal(c.describeGroup('simple').state, 'Empty');
  t.equal(c.describeGroup('simple').protocolType, '');
  t.same(c.fetchOffsets('simple', [{ topic: 't', partition: 7 }, { topic: 'u', partition: 0 }]).offsets.map((o) => o.offset), [-1n, -1n], '-1 for none');
  t.same(c.fetchOffsets('never', [{ topic: 't', partition: 0 }]).offsets.map((o) => [o.offset, o.error]), [[-1n, 'NONE']]);

  t.same(c.commitOffsets(commit('m', 3, [['t', 0, 1n, null]], 'unknown-group')).map((r) => r.error), ['ILLEGAL_GENERATION'], 'a generation of a group that does not exist');
  t.equal(c.describeGroup('unknown-group').state, 'Dead');

  const [a] = await stableGroup(c, 'g', 1);
  t.same(c.commitOffsets(commit(a.memberId, 1, [['t', 0, 42n, 'x']])).map((r) => r.error), ['NONE']);
  t.equal(c.fetchOffsets('g', [{ topic: 't', partition: 0 }]).offsets[0].offset, 42n);
  t.same(c.commitOffsets(commit(a.memberId, 2, [['t', 0, 43n, null]])).map((r) => r.error), ['ILLEGAL_GENERATION']);
  t.same(c.commitOffsets(commit('ghost', 1, [['t', 0, 43n, null]])).map((r) => r.error), ['UNKNOWN_MEMBER_ID']);
  t.same(c.commitOffsets(commit('', -1, [['t', 0, 43n, null]])).map((r) => r.error), ['UNKNOWN_MEMBER_ID'], 'no simple commits into a group with members');
  t.equal(c.fetchOffsets('g', [{ topic: 't', partition: 0 }]).offsets[0].offset, 42n, 'rejected commits changed nothing');

  const tooLong = 'x'.repeat(4097);
  const mixed = c.commitOffsets(commit(a.memberId, 1, [['t', 1, 5n, tooLong], ['t', 2, 6n, 'ok']]));
  t.same(mixed.map((r) => r.error), ['OFFSET_METADATA_TOO_LARGE', 'NONE'], 'only the partition with too much metadata fails');
  t.equal(c.fetchOffsets('g', [{ topic: 't', partition: 1 }]).offsets[0].offset, -1n);

  // during CompletingRebalance the member has a generation but no assignment yet
  const joining = c.joinGroup(joinParams('g', { memberId: a.memberId }));
  const rejoined = await joining;
  t.equal(c.describeGroup('g').state, 'CompletingRebalance');
  t.same(c.commitOffsets(commit(a.memberId, rejoined.generationId, [['t', 0, 50n, null]])).map((r) => r.error), ['REBALANCE_IN_PROGRESS']);
  t.same(c.commitOffsets(commit(a.memberId, 1, [['t', 0, 50n, null]])).map((r) => r.error), ['ILLEGAL_GENERATION']);
  const commitEmptyId = c.commitOffsets(commit('', -1, [['t', 0, 1n, null]], ''));
  t.same(commitEmptyId.map((r) => r.error), ['NONE'], 'the empty group id is allowed for commits, as in Kafka');
});

t.test('commits are written as OffsetCommitKey v1 / OffsetCommitValue v3 with the commit time; v1 retention writes value v1', async (t) => {
  let clock = 1_700_000_000_000;
  const h = openHarness(t.testdir(), { now: () => clock });
  t.teardown(() => h.close());
  const c = h.coordinator;
  c.commitOffsets(commit('', -1, [['t', 3, 99n, 'md']], 'g'));
  clock += 1000;
  c.commitOffsets({ ...commit('', -1, [['t', 4, 7n, null]], 'g'), retentionTimeMs: 5000 });
  const records: { key: Buffer; value: Buffer | null }[] = [];
  const read = h.log.read(0, 1 << 20);
  for (const chunk of read.records) {
    for (const header of new RecordBatchIterator(chunk)) {
      for (const r of decodeRecordBatch(chunk, header.position).records) records.push({ key: Buffer.from(r.key!), value: r.value && Buffer.from(r.value) });
    }
  }
  t.equal(records.length, 2);
  t.equal(records[0].key.readInt16BE(0), 1, 'key version 1');
  t.same(decodeOffsetsTopicKey(records[0].key), { kind: 'offset', group: 'g', topic: 't', partition: 3 });
  t.equal(records[0].value!.readInt16BE(0), 3, 'value version 3');
  t.match(decodeOffsetCommitValue(records[0].value!), { offset: 99n, leaderEpoch: 5, metadata: 'md', commitTimestamp: 1_700_000_000_000n });
  t.equal(records[1].value!.readInt16BE(0), 1, 'an explicit retention is stored as value v1 with its expiry');
  t.match(decodeOffsetCommitValue(records[1].value!), { offset: 7n, commitTimestamp: 1_700_000_001_000n, expireTimestamp: 1_700_000_006_000n });
});

t.test('persistence: offsets and group state (generation, protocol, members, assignment) survive a restart', async (t) => {
  const dir = t.testdir();
  let h = openHarness(dir);
  t.teardown(() => h.close());
  const [a, b] = await stableGroup(h.coordinator, 'g', 2, () => ({ sessionTimeoutMs: 80, protocols: protocols(['roundrobin']) }));
  h.coordinator.commitOffsets(commit(a.memberId, 1, [['t', 0, 10n, 'm0'], ['t', 1, 20n, null]]));
  h.coordinator.commitOffsets(commit('', -1, [['u', 0, 5n, null]], 'simple'));

  h = h.restart();
  const c = h.coordinator;
  t.same(
    c.fetchOffsets('g', null).offsets.map((o) => [o.topic, o.partition, o.offset, o.metadata]),
    [
      ['t', 0, 10n, 'm0'],
      ['t', 1, 20n, ''],
    ],
  );
  t.same(c.fetchOffsets('simple', null).offsets.map((o) => o.offset), [5n]);
  const d = c.describeGroup('g');
  t.equal(d.state, 'Stable');
  t.equal(d.protocolType, 'consumer');
  t.equal(d.protocolData, 'roundrobin');
  t.same(d.members.map((m) => [m.memberId, m.assignment.toString()]), [
    [a.memberId, 'assign-0'],
    [b.memberId, 'assign-1'],
  ]);
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: null }), 'NONE', 'generation 1 goes on');
  t.equal(c.heartbeat({ groupId: 'g', generationId: 2, memberId: b.memberId, groupInstanceId: null }), 'ILLEGAL_GENERATION');
  const rejoin = c.joinGroup(joinParams('g', { memberId: a.memberId, sessionTimeoutMs: 80, protocols: protocols(['roundrobin']) }));
  t.equal(c.describeGroup('g').state, 'PreparingRebalance', 'the leader (restored) rejoining starts a rebalance');
  const ra = await rejoin;
  t.equal(ra.generationId, 2, 'the generation continues from the stored one');
  t.equal(c.describeGroup('simple').state, 'Empty');

  // Nobody heartbeats after the next restart: sessions expire, the group empties, and that is stored too.
  h = h.restart();
  await eventually(() => h.coordinator.describeGroup('g').state === 'Empty', 2000, 'members to expire');
  h = h.restart();
  const emptied = h.coordinator.describeGroup('g');
  t.equal(emptied.state, 'Empty');
  t.equal(emptied.protocolType, 'consumer');
  t.same(h.coordinator.fetchOffsets('g', null).offsets.map((o) => o.offset), [10n, 20n], 'offsets stay with the empty group');
  const fresh = await h.coordinator.joinGroup(joinParams('g', { protocols: protocols(['roundrobin']) }));
  t.ok(fresh.generationId >= 3, `generations keep counting (${fresh.generationId})`);
});

t.test('group metadata is written as GroupMetadataKey v2 / GroupMetadataValue v3', async (t) => {
  let clock = 1_700_000_000_000;
  const h = openHarness(t.testdir(), { now: () => clock++ });
  t.teardown(() => h.close());
  const [a] = await stableGroup(h.coordinator, 'g', 1, () => ({ groupInstanceId: 'inst', clientId: 'cid', sessionTimeoutMs: 4000, rebalanceTimeoutMs: 5000 }));
  const read = h.log.read(0, 1 << 20);
  const chunk = read.records[0];
  const header = new RecordBatchIterator(chunk).next().value!;
  const record = decodeRecordBatch(chunk, header.position).records[0];
  t.equal(record.key!.readInt16BE(0), 2);
  t.same(decodeOffsetsTopicKey(Buffer.from(record.key!)), { kind: 'group', group: 'g' });
  t.equal(record.value!.readInt16BE(0), 3);
  const value = decodeGroupMetadataValue(Buffer.from(record.value!));
  t.match(value, { protocolType: 'consumer', generation: 1, protocol: 'range', leader: a.memberId });
  t.ok(value.currentStateTimestamp >= 1_700_000_000_000n);
  t.equal(value.members.length, 1);
  t.match(value.members[0], { memberId: a.memberId, groupInstanceId: 'inst', clientId: 'cid', clientHost: '/127.0.0.1', rebalanceTimeout: 5000, sessionTimeout: 4000 });
  t.equal(value.members[0].assignment.toString(), 'assign-0');
});

t.test('DeleteGroups: Empty groups go with their offsets, tombstones make it last', async (t) => {
  const dir = t.testdir();
  let h = openHarness(dir);
  t.teardown(() => h.close());
  const [a] = await stableGroup(h.coordinator, 'busy', 1);
  h.coordinator.commitOffsets(commit(a.memberId, 1, [['t', 0, 1n, null]], 'busy'));
  h.coordinator.commitOffsets(commit('', -1, [['t', 0, 2n, null]], 'idle'));
  t.same(h.coordinator.deleteGroups(['busy', 'idle', 'missing']), [
    { groupId: 'busy', error: 'NON_EMPTY_GROUP' },
    { groupId: 'idle', error: 'NONE' },
    { groupId: 'missing', error: 'GROUP_ID_NOT_FOUND' },
  ]);
  t.equal(h.coordinator.describeGroup('idle').state, 'Dead');
  t.same(h.coordinator.fetchOffsets('idle', [{ topic: 't', partition: 0 }]).offsets[0].offset, -1n);
  t.notOk(h.coordinator.listGroups().groups.some((g) => g.groupId === 'idle'));

  h.coordinator.leaveGroup('busy', [{ memberId: a.memberId, groupInstanceId: null }]);
  t.same(h.coordinator.deleteGroups(['busy']), [{ groupId: 'busy', error: 'NONE' }], 'deletable once empty');
  h = h.restart();
  t.equal(h.coordinator.describeGroup('busy').state, 'Dead', 'still gone after a restart');
  t.equal(h.coordinator.describeGroup('idle').state, 'Dead');
  t.same(h.coordinator.fetchOffsets('busy', null).offsets, []);
  t.same(h.coordinator.listGroups().groups, []);
});

t.test('OffsetDelete: refused for subscribed topics of a live consumer group, allowed otherwise', async (t) => {
  const dir = t.testdir();
  let h = openHarness(dir);
  t.teardown(() => h.close());
  const c = h.coordinator;
  const [a] = await stableGroup(c, 'g', 1, () => ({ protocols: protocols(['range'], ['subscribed']) }));
  c.commitOffsets(commit(a.memberId, 1, [['subscribed', 0, 1n, null], ['other', 0, 2n, null]]));
  const result = c.deleteOffsets('g', [{ topic: 'subscribed', partition: 0 }, { topic: 'other', partition: 0 }]);
  t.equal(result.error, 'NONE');
  t.same(result.partitions.map((p) => [p.topic, p.error]), [
    ['subscribed', 'GROUP_SUBSCRIBED_TO_TOPIC'],
    ['other', 'NONE'],
  ]);
  t.same(c.fetchOffsets('g', null).offsets.map((o) => o.topic), ['subscribed']);
  t.equal(c.deleteOffsets('missing', [{ topic: 'x', partition: 0 }]).error, 'GROUP_ID_NOT_FOUND');
  t.equal(c.deleteOffsets('', []).error, 'INVALID_GROUP_ID');

  c.commitOffsets(commit('', -1, [['x', 0, 1n, null], ['x', 1, 1n, null]], 'simple'));
  t.same(c.deleteOffsets('simple', [{ topic: 'x', partition: 0 }]).partitions.map((p) => p.error), ['NONE']);
  t.equal(c.describeGroup('simple').state, 'Empty', 'still has an offset');
  c.deleteOffsets('simple', [{ topic: 'x', partition: 1 }]);
  t.equal(c.describeGroup('simple').state, 'Dead', 'an Empty group without offsets is gone');

  h = h.restart();
  t.same(h.coordinator.fetchOffsets('g', null).offsets.map((o) => o.topic), ['subscribed'], 'deletions persisted');
  t.equal(h.coordinator.describeGroup('simple').state, 'Dead');
});

t.test('offset expiry: Empty groups from when they emptied, simple groups from the commit, subscribed topics kept', async (t) => {
  let clock = 1_000_000;
  const h = openHarness(t.testdir(), { now: () => clock, config: { offsetsRetentionMs: 1000 } });
  t.teardown(() => h.close());
  const c = h.coordinator;
  c.commitOffsets(commit('', -1, [['t', 0, 1n, null]], 'simple'));
  const [a] = await stableGroup(c, 'live', 1, () => ({ protocols: protocols(['range'], ['sub']) }));
  c.commitOffsets(commit(a.memberId, 1, [['sub', 0, 1n, null], ['unsub', 0, 1n, null]], 'live'));
  clock += 500;
  t.equal(c.expireOffsets(), 0, 'nothing is old enough yet');
  clock += 600;
  t.equal(c.expireOffsets(), 2, 'the simple group offset and the unsubscribed topic offset expire');
  t.equal(c.describeGroup('simple').state, 'Dead', 'the simple group is gone with its last offset');
  t.same(c.fetchOffsets('live', null).offsets.map((o) => o.topic), ['sub'], 'the subscribed topic stays');

  c.leaveGroup('live', [{ memberId: a.memberId, groupInstanceId: null }]);
  t.equal(c.describeGroup('live').state, 'Empty');
  clock += 900;
  t.equal(c.expireOffsets(), 0, 'retention counts from when the group became Empty');
  clock += 200;
  t.equal(c.expireOffsets(), 1);
  t.equal(c.describeGroup('live').state, 'Dead');
});

t.test('the offsets log is rewritten once garbage outgrows the live state, and replays to the same state', async (t) => {
  const dir = t.testdir();
  let h = openHarness(dir, { config: { offsetsLogRewriteRecordsMin: 20 } });
  t.teardown(() => h.close());
  const [a] = await stableGroup(h.coordinator, 'g', 1);
  for (let i = 0; i < 100; i++) {
    h.coordinator.commitOffsets(commit(a.memberId, 1, [['t', 0, BigInt(i), `m${i}`], ['t', 1, BigInt(1000 + i), null]]));
  }
  t.ok(h.log.logStartOffset > 0, `old records deleted (log start ${h.log.logStartOffset})`);
  t.ok(h.log.logEndOffset - h.log.logStartOffset < 60, `the log holds ${h.log.logEndOffset - h.log.logStartOffset} records, not 201`);
  h = h.restart();
  t.same(
    h.coordinator.fetchOffsets('g', null).offsets.map((o) => [o.partition, o.offset, o.metadata]),
    [
      [0, 99n, 'm99'],
      [1, 1099n, ''],
    ],
  );
  t.equal(h.coordinator.describeGroup('g').state, 'Stable', 'the group record was rewritten too');
  t.same(h.coordinator.describeGroup('g').members.map((m) => m.assignment.toString()), ['assign-0']);
});

t.test('ListGroups with a states filter; DescribeGroups of unknown groups', async (t) => {
  const h = openHarness(t.testdir());
  t.teardown(() => h.close());
  const c = h.coordinator;
  await stableGroup(c, 'stable', 1);
  c.commitOffsets(commit('', -1, [['t', 0, 1n, null]], 'empty'));
  await c.joinGroup(joinParams('completing'));
  const all = c.listGroups().groups.map((g) => [g.groupId, g.state, g.protocolType]).sort();
  t.same(all, [
    ['completing', 'CompletingRebalance', 'consumer'],
    ['empty', 'Empty', ''],
    ['stable', 'Stable', 'consumer'],
  ]);
  t.same(c.listGroups(['Stable', 'empty']).groups.map((g) => g.groupId).sort(), ['empty', 'stable'], 'states match regardless of case');
  t.same(c.listGroups(['Dead']).groups, []);
  const unknown = c.describeGroup('nope');
  t.same(unknown, { error: 'NONE', groupId: 'nope', state: 'Dead', protocolType: '', protocolData: '', members: [] });
  const completing = c.describeGroup('completing');
  t.equal(completing.protocolData, '', 'the protocol is only shown once Stable');
  t.equal(completing.members[0].metadata.length, 0);
});

t.test('before load: COORDINATOR_LOAD_IN_PROGRESS; close answers waiting joins and refuses the rest', async (t) => {
  const h = openHarness(t.testdir(), { config: { groupInitialRebalanceDelayMs: 10_000 } });
  t.teardown(() => h.close());
  const { GroupCoordinator } = await import('../../src/group/group-coordinator');
  const { silentLogger } = await import('../../src/observability/logger');
  const unloaded = new GroupCoordinator({ offsetsLog: h.log, config: { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1, groupMaxSessionTimeoutMs: 100_000, groupMaxSize: 10, offsetsRetentionMs: 1000 }, logger: silentLogger });
  t.equal((await unloaded.joinGroup(joinParams('g'))).error, 'COORDINATOR_LOAD_IN_PROGRESS');
  t.equal(unloaded.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }), 'NONE', 'heartbeats pass blindly while loading');
  t.equal((await unloaded.syncGroup(syncParams('g', { memberId: 'm', generationId: 1 } as JoinGroupResult))).error, 'REBALANCE_IN_PROGRESS');
  unloaded.close();

  const waiting = h.coordinator.joinGroup(joinParams('g'));
  h.coordinator.close();
  t.equal((await waiting).error, 'NOT_COORDINATOR', 'a join held by the initial delay is answered');
  t.equal(h.coordinator.fetchOffsets('g', null).error, 'COORDINATOR_NOT_AVAILABLE');
  t.equal(h.coordinator.listGroups().error, 'COORDINATOR_NOT_AVAILABLE');
});
