/**
 * The group API handlers over a real GroupCoordinator and a stand-in broker context: every request goes through
 * the codec (encode, decode at the version), the handler, and back (encode and decode the response at the same
 * version), so each advertised version is exercised on the wire shapes; version-specific answers are checked.
 */
import t, { Test } from 'tap';
import * as path from 'node:path';
import type { BrokerContext } from '../../../src/broker/broker-context';
import type { Route } from '../../../src/broker/handler';
import { groupRoutes } from '../../../src/broker/handlers/group-routes';
import { GroupCoordinator } from '../../../src/group/group-coordinator';
import { silentLogger } from '../../../src/observability/logger';
import { ApiKey } from '../../../src/protocol/api-key';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../src/protocol/api-codec';
import type { DeclaredApiKey, RequestInputOf, ResponseOf } from '../../../src/protocol/apis';
import { ErrorCode } from '../../../src/protocol/error-codes';
import { decodeRequestHeader } from '../../../src/protocol/header';
import { Log } from '../../../src/storage/log';
import { subscription } from '../../group/fixtures/group-harness';

const TOPICS = new Map([['t', 2]]);

function setup(t: Test) {
  const log = Log.open(path.join(t.testdir(), '__consumer_offsets-0'), { config: { segmentBytes: 1 << 20, segmentIndexBytes: 1 << 16 } });
  const groups = new GroupCoordinator({
    offsetsLog: log,
    config: { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 10, groupMaxSessionTimeoutMs: 60_000, groupMaxSize: 100, offsetsRetentionMs: 1e9 },
    logger: silentLogger,
  });
  groups.load();
  t.teardown(() => {
    groups.close();
    log.close();
  });
  const broker = {
    config: { nodeId: 7 },
    endpoint: { host: 'broker.example', port: 9093 },
    groups,
    partitionLog: (topic: string, partition: number) => (partition < (TOPICS.get(topic) ?? 0) ? log : undefined),
  } as unknown as BrokerContext;
  const routes = new Map(groupRoutes.map((r) => [r.apiKey, r]));
  async function call<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<ResponseOf<K>> {
    const route = routes.get(apiKey) as Route<K> | undefined;
    if (route === undefined) throw new Error(`no route for ${apiKey}`);
    if (version < route.minVersion || version > route.maxVersion) throw new Error(`v${version} not advertised`);
    const frame = Buffer.concat(encodeRequest(apiKey, version, 42, 'test-client', body)).subarray(4);
    const header = decodeRequestHeader(frame);
    const request = decodeRequest(apiKey, version, frame, header.headerBytes);
    const response = await route.handle(request, { header, connection: { id: 1, remoteAddress: '::ffff:10.1.2.3', remotePort: 5555, mutedUntilMs: 0, busyMs: 0 }, broker });
    if (response === null) throw new Error('no response');
    const encoded = Buffer.concat(encodeResponse(apiKey, version, 42, response)).subarray(4);
    return decodeResponse(apiKey, version, encoded).body;
  }
  return { groups, call };
}

t.test('advertised ranges cover what the clients use', async (t) => {
  const ranges = Object.fromEntries(groupRoutes.map((r) => [ApiKey[r.apiKey], [r.minVersion, r.maxVersion]]));
  t.same(ranges, {
    FindCoordinator: [0, 4],
    JoinGroup: [0, 7],
    SyncGroup: [0, 5],
    Heartbeat: [0, 4],
    LeaveGroup: [0, 4],
    OffsetCommit: [0, 8],
    OffsetFetch: [0, 7],
    DescribeGroups: [0, 5],
    ListGroups: [0, 4],
    DeleteGroups: [0, 2],
    OffsetDelete: [0, 0],
  });
});

t.test('FindCoordinator v0-4: this node for groups and transactions', async (t) => {
  const { call } = setup(t);
  for (let v = 0; v <= 3; v++) {
    const r = await call(ApiKey.FindCoordinator, v, { key: 'g', keyType: v >= 1 ? 1 : 0 });
    t.match(r, { errorCode: 0, nodeId: 7, host: 'broker.example', port: 9093 }, `v${v}`);
  }
  const batched = await call(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
  t.same(batched.coordinators.map((c) => [c.key, c.nodeId, c.host, c.port, c.errorCode]), [
    ['a', 7, 'broker.example', 9093, 0],
    ['b', 7, 'broker.example', 9093, 0],
  ]);
  const bad = await call(ApiKey.FindCoordinator, 2, { key: 'g', keyType: 5 });
  t.equal(bad.errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(bad.nodeId, -1);
});

t.test('JoinGroup, SyncGroup, Heartbeat, LeaveGroup at every version', async (t) => {
  const { call, groups } = setup(t);
  const metadata = subscription(['t']);
  for (let v = 0; v <= 7; v++) {
    const groupId = `g${v}`;
    const base = { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata }] };
    let join = await call(ApiKey.JoinGroup, v, base);
    if (v >= 4) {
      t.equal(join.errorCode, ErrorCode.MEMBER_ID_REQUIRED, `v${v}: member id handshake`);
      t.equal(join.protocolName, v >= 7 ? null : '', `v${v}: no protocol name on errors`);
      t.match(join.memberId, /^test-client-/, 'the id is made from the header client id');
      join = await call(ApiKey.JoinGroup, v, { ...base, memberId: join.memberId });
    }
    t.equal(join.errorCode, 0, `v${v}: joined`);
    t.equal(join.generationId, 1);
    t.equal(join.protocolName, 'range');
    if (v >= 7) t.equal(join.protocolType, 'consumer');
    t.equal(join.leader, join.memberId);
    t.same(join.members.map((m) => m.memberId), [join.memberId]);
    t.equal(groups.describeGroup(groupId).members[0].clientHost, '/10.1.2.3', 'client host as Kafka shows it');
    t.equal(groups.describeGroup(groupId).members[0].clientId, 'test-client');

    if (v <= 5) {
      const sync = await call(ApiKey.SyncGroup, v, {
        groupId,
        generationId: 1,
        memberId: join.memberId,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{ memberId: join.memberId, assignment: Buffer.from('mine') }],
      });
      t.equal(sync.errorCode, 0, `SyncGroup v${v}`);
      t.equal(sync.assignment.toString(), 'mine');
      if (v >= 5) t.equal(sync.protocolName, 'range');
    } else {
      await groups.syncGroup({ groupId, generationId: 1, memberId: join.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    }
    if (v <= 4) {
      const hb = await call(ApiKey.Heartbeat, v, { groupId, generationId: 1, memberId: join.memberId });
      t.equal(hb.errorCode, 0, `Heartbeat v${v}`);
      const stale = await call(ApiKey.Heartbeat, v, { groupId, generationId: 9, memberId: join.memberId });
      t.equal(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);
      const lv = v; // LeaveGroup at the same version
      if (lv <= 2) {
        const unknown = await call(ApiKey.LeaveGroup, lv, { groupId, memberId: 'ghost' });
        t.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID, `LeaveGroup v${lv}: the member's error is the response's`);
        const left = await call(ApiKey.LeaveGroup, lv, { groupId, memberId: join.memberId });
        t.equal(left.errorCode, 0);
      } else {
        const left = await call(ApiKey.LeaveGroup, lv, {
          groupId,
          members: [
            { memberId: join.memberId, groupInstanceId: null },
            { memberId: 'ghost', groupInstanceId: null },
          ],
        });
        t.equal(left.errorCode, 0, `LeaveGroup v${lv}`);
        t.same(left.members.map((m) => [m.memberId, m.errorCode]), [
          [join.memberId, 0],
          ['ghost', ErrorCode.UNKNOWN_MEMBER_ID],
        ]);
      }
      t.equal(groups.describeGroup(groupId).state, 'Empty', 'left');
    }
  }
  const v5 = await call(ApiKey.SyncGroup, 5, { groupId: 'g1', generationId: 1, memberId: 'x', assignments: [] });
  t.equal(v5.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'SyncGroup v5 without protocol type and name');
});

t.test('JoinGroup v0 uses the session timeout as the rebalance timeout; v5 static members', async (t) => {
  const { call, groups } = setup(t);
  await call(ApiKey.JoinGroup, 0, { groupId: 'g', sessionTimeoutMs: 1234, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
  const stored = groups.describeGroup('g');
  t.equal(stored.state, 'CompletingRebalance');
  const r = await call(ApiKey.JoinGroup, 5, {
    groupId: 's',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: 'inst-1',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  });
  t.equal(r.errorCode, 0, 'a static member joins without the member id handshake');
  t.match(r.memberId, /^inst-1-/);
  t.same(r.members.map((m) => m.groupInstanceId), ['inst-1']);
});

t.test('OffsetCommit v0-8 and OffsetFetch v0-7: unknown partitions, group errors by version', async (t) => {
  const { call, groups } = setup(t);
  for (let v = 0; v <= 8; v++) {
    const groupId = `c${v}`;
    const r = await call(ApiKey.OffsetCommit, v, {
      groupId,
      generationId: -1,
      memberId: '',
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 100 + v, committedMetadata: 'meta', committedLeaderEpoch: 3, commitTimestamp: -1 },
            { partitionIndex: 5, committedOffset: 1, committedMetadata: null },
          ],
        },
        { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
      ],
    });
    t.same(
      r.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
      [
        ['t', [[0, 0], [5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
        ['missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ],
      `OffsetCommit v${v}`,
    );
  }
  for (let v = 0; v <= 7; v++) {
    const groupId = `c${v}`;
    const r = await call(ApiKey.OffsetFetch, v, { groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }] });
    t.same(
      r.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode])]),
      [['t', [[0, BigInt(100 + v), 'meta', 0], [1, -1n, '', 0]]]],
      `OffsetFetch v${v}`,
    );
    // committed at version v too: the leader epoch travels from OffsetCommit v6, back from OffsetFetch v5
    if (v >= 5) t.equal(r.topics[0].partitions[0].committedLeaderEpoch, v >= 6 ? 3 : -1, `v${v}: committed leader epoch`);
    if (v >= 2) {
      const all = await call(ApiKey.OffsetFetch, v, { groupId, topics: null });
      t.same(all.topics.map((x) => [x.name, x.partitions.map((p) => p.partitionIndex)]), [['t', [0]]], `v${v}: null topics = all`);
    }
  }
  groups.close();
  const v1 = await call(ApiKey.OffsetFetch, 1, { groupId: 'c1', topics: [{ name: 't', partitionIndexes: [0] }] });
  t.same(v1.topics[0].partitions.map((p) => [p.committedOffset, p.errorCode]), [[-1n, ErrorCode.COORDINATOR_NOT_AVAILABLE]], 'before v2 a group error goes into each partition');
  const v2 = await call(ApiKey.OffsetFetch, 2, { groupId: 'c1', topics: [{ name: 't', partitionIndexes: [0] }] });
  t.equal(v2.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'from v2 it is the top-level error');
  t.same(v2.topics, []);
});

t.test('DescribeGroups v0-5, ListGroups v0-4, DeleteGroups v0-2, OffsetDelete v0', async (t) => {
  const { call, groups } = setup(t);
  const metadata = subscription(['t']);
  const join = await groups.joinGroup({ groupId: 'live', memberId: '', groupInstanceId: 'inst', clientId: 'cl', clientHost: '/h', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata }], requireKnownMemberId: false });
  await groups.syncGroup({ groupId: 'live', generationId: 1, memberId: join.memberId, groupInstanceId: 'inst', protocolType: null, protocolName: null, assignments: [{ memberId: join.memberId, assignment: Buffer.from('a') }] });
  groups.commitOffsets({ groupId: 'live', generationId: 1, memberId: join.memberId, groupInstanceId: 'inst', retentionTimeMs: -1, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 }, { topic: 't', partition: 1, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 }] });
  groups.commitOffsets({ groupId: 'idle', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null, commitTimestampMs: -1 }] });

  for (let v = 0; v <= 5; v++) {
    const r = await call(ApiKey.DescribeGroups, v, { groups: ['live', 'nope'], includeAuthorizedOperations: true });
    const [live, nope] = r.groups;
    t.match(live, { errorCode: 0, groupId: 'live', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' }, `DescribeGroups v${v}`);
    t.match(live.members[0], { memberId: join.memberId, clientId: 'cl', clientHost: '/h' });
    t.equal(live.members[0].memberAssignment.toString(), 'a');
    t.same(live.members[0].memberMetadata, metadata);
    if (v >= 4) t.equal(live.members[0].groupInstanceId, 'inst');
    if (v >= 3) t.equal(live.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8), 'READ, DELETE, DESCRIBE without an authorizer');
    t.match(nope, { errorCode: 0, groupState: 'Dead', members: [] });
  }
  for (let v = 0; v <= 4; v++) {
    const r = await call(ApiKey.ListGroups, v, v >= 4 ? { statesFilter: ['Stable'] } : {});
    const listed = r.groups.map((g) => g.groupId).sort();
    t.same(listed, v >= 4 ? ['live'] : ['idle', 'live'], `ListGroups v${v}`);
    if (v >= 4) t.equal(r.groups[0].groupState, 'Stable');
  }

  const od = await call(ApiKey.OffsetDelete, 0, {
    groupId: 'live',
    topics: [
      { name: 't', partitions: [{ partitionIndex: 0 }] },
      { name: 'missing', partitions: [{ partitionIndex: 0 }] },
    ],
  });
  t.equal(od.errorCode, 0);
  t.same(od.topics.map((x) => [x.name, x.partitions.map((p) => p.errorCode)]), [
    ['t', [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
    ['missing', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
  ]);
  const odMissing = await call(ApiKey.OffsetDelete, 0, { groupId: 'none', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
  t.equal(odMissing.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.same(odMissing.topics, []);

  for (let v = 0; v <= 2; v++) {
    const r = await call(ApiKey.DeleteGroups, v, { groupsNames: ['live', 'idle', 'none'] });
    const expectIdle = v === 0 ? 0 : ErrorCode.GROUP_ID_NOT_FOUND; // deleted by the v0 request
    t.same(r.results.map((x) => [x.groupId, x.errorCode]), [
      ['live', ErrorCode.NON_EMPTY_GROUP],
      ['idle', expectIdle],
      ['none', ErrorCode.GROUP_ID_NOT_FOUND],
    ], `DeleteGroups v${v}`);
  }
});
