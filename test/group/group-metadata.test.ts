import t from 'tap';
import type { JoinGroupResult, SyncGroupResult } from '../../src/group/group-api';
import { GroupMetadata } from '../../src/group/group-metadata';
import { MemberMetadata } from '../../src/group/member-metadata';

const member = (memberId: string, names: string[], groupInstanceId: string | null = null) =>
  new MemberMetadata({
    memberId,
    groupInstanceId,
    clientId: 'c',
    clientHost: '/h',
    rebalanceTimeoutMs: 100,
    sessionTimeoutMs: 100,
    protocolType: 'consumer',
    protocols: names.map((name) => ({ name, metadata: Buffer.from(name) })),
  });

t.test('protocol selection: common protocols only, most votes, ties to the leader', async (t) => {
  const g = new GroupMetadata('g', 'Empty', 0);
  g.add(member('a', ['x', 'y', 'only-a']), null);
  g.add(member('b', ['y', 'x']), null);
  t.equal(g.selectProtocol(), 'x', 'one vote each: the leader (a) decides');
  g.add(member('c', ['y', 'x']), null);
  t.equal(g.selectProtocol(), 'y', 'two votes to one');
  t.ok(g.supportsProtocols('consumer', ['x']));
  t.notOk(g.supportsProtocols('consumer', ['only-a']), 'not supported by every member');
  t.notOk(g.supportsProtocols('other', ['x']), 'another protocol type');
});

t.test('removing a member answers what it waits for and passes the lead on', async (t) => {
  const g = new GroupMetadata('g', 'Empty', 0);
  const a = member('a', ['x']);
  let joined: JoinGroupResult | undefined;
  let synced: SyncGroupResult | undefined;
  g.add(a, (r) => (joined = r));
  g.add(member('b', ['x']), null);
  g.setSyncCallback(a, (r) => (synced = r));
  t.equal(g.numAwaitingJoin, 1);
  t.notOk(g.hasAllMembersJoined());
  g.remove('a');
  t.equal(joined?.error, 'UNKNOWN_MEMBER_ID');
  t.equal(synced?.error, 'UNKNOWN_MEMBER_ID');
  t.equal(g.numAwaitingJoin, 0);
  t.equal(g.leaderId, 'b', 'the next member leads');
  g.remove('b');
  t.equal(g.leaderId, null);
});

t.test('static members: replacement keeps the member and its lead, fences the old id', async (t) => {
  const g = new GroupMetadata('g', 'Empty', 0);
  const s = member('s-1', ['x'], 'inst');
  let fenced: JoinGroupResult | undefined;
  g.add(s, (r) => (fenced = r));
  const replaced = g.replaceStaticMember('inst', 's-1', 's-2');
  t.equal(replaced, s);
  t.equal(fenced?.error, 'FENCED_INSTANCE_ID', 'the old id waiting on JoinGroup is fenced');
  t.equal(g.leaderId, 's-2');
  t.equal(g.currentStaticMemberId('inst'), 's-2');
  t.ok(g.isStaticMemberFenced('inst', 's-1'));
  t.notOk(g.isStaticMemberFenced('inst', 's-2'));
  t.notOk(g.has('s-1'));
});

t.test('state transitions follow Kafka\'s table', async (t) => {
  const g = new GroupMetadata('g', 'Empty', 0);
  t.throws(() => g.transitionTo('Stable', 1), 'Empty cannot become Stable directly');
  g.transitionTo('PreparingRebalance', 1);
  g.transitionTo('CompletingRebalance', 2);
  g.transitionTo('Stable', 3);
  t.equal(g.stateTimestampMs, 3);
  t.throws(() => g.transitionTo('Empty', 4), 'Stable cannot become Empty directly');
  g.transitionTo('Dead', 5);
  t.equal(g.state, 'Dead');
});
