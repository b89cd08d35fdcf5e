/**
 * __consumer_offsets record formats against bytes derived by hand from Kafka's schemas
 * (OffsetCommitKey/Value, GroupMetadataKey/Value JSON files): what Kafka's tools would read.
 */
import t from 'tap';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsTopicKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../src/group/offsets-topic-records';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

t.test('OffsetCommitKey v1: version, group, topic, partition', async (t) => {
  const bytes = encodeOffsetCommitKey('g', 't', 2);
  t.same(bytes, hex('0001 0001 67 0001 74 00000002'));
  t.same(decodeOffsetsTopicKey(bytes), { kind: 'offset', group: 'g', topic: 't', partition: 2 });
  t.same(decodeOffsetsTopicKey(hex('0000 0001 67 0001 74 00000002')), { kind: 'offset', group: 'g', topic: 't', partition: 2 }, 'key v0 reads the same');
});

t.test('GroupMetadataKey v2 and unknown key versions', async (t) => {
  t.same(encodeGroupMetadataKey('g'), hex('0002 0001 67'));
  t.same(decodeOffsetsTopicKey(hex('0002 0001 67')), { kind: 'group', group: 'g' });
  t.same(decodeOffsetsTopicKey(hex('0003 0001 67')), { kind: 'unknown', version: 3 }, 'newer record types are skipped, not misread');
  t.throws(() => decodeOffsetsTopicKey(hex('0001 0005 67')), 'a truncated key throws');
});

t.test('OffsetCommitValue: v3 by default, v1 with an expiry; v0 read', async (t) => {
  const v3 = encodeOffsetCommitValue({ offset: 5n, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1000, expireTimestamp: null });
  t.same(v3, hex('0003 0000000000000005 00000007 0001 6d 00000000000003e8'));
  const v1 = encodeOffsetCommitValue({ offset: 5n, leaderEpoch: 7, metadata: '', commitTimestamp: 1000, expireTimestamp: 2000 });
  t.same(v1, hex('0001 0000000000000005 0000 00000000000003e8 00000000000007d0'), 'v1 has no leader epoch');
  t.match(decodeOffsetCommitValue(v3), { offset: 5n, leaderEpoch: 7, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: -1n });
  t.match(decodeOffsetCommitValue(v1), { offset: 5n, leaderEpoch: -1, commitTimestamp: 1000n, expireTimestamp: 2000n });
  t.match(decodeOffsetCommitValue(hex('0000 0000000000000009 0002 6869 0000000000000001')), { offset: 9n, metadata: 'hi', commitTimestamp: 1n, leaderEpoch: -1 });
});

t.test('GroupMetadataValue v3, and v0 as old Kafka wrote it', async (t) => {
  const bytes = encodeGroupMetadataValue({
    protocolType: 'consumer',
    generation: 3,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 1000,
    members: [
      {
        memberId: 'm1',
        groupInstanceId: null,
        clientId: 'c',
        clientHost: '/h',
        rebalanceTimeout: 300,
        sessionTimeout: 100,
        subscription: hex('aa'),
        assignment: hex('bbcc'),
      },
    ],
  });
  t.same(
    bytes,
    hex(
      '0003 0008 636f6e73756d6572 00000003 0005 72616e6765 0002 6d31 00000000000003e8 00000001' +
        ' 0002 6d31 ffff 0001 63 0002 2f68 0000012c 00000064 00000001 aa 00000002 bbcc',
    ),
  );
  const v = decodeGroupMetadataValue(bytes);
  t.match(v, { protocolType: 'consumer', generation: 3, protocol: 'range', leader: 'm1', currentStateTimestamp: 1000n });
  t.match(v.members[0], { memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/h', rebalanceTimeout: 300, sessionTimeout: 100 });
  t.same(v.members[0].assignment, hex('bbcc'));

  const v0 = hex('0000 0008 636f6e73756d6572 00000001 ffff ffff 00000001 0002 6d31 0001 63 0002 2f68 00000064 00000000 00000000');
  const old = decodeGroupMetadataValue(v0);
  t.match(old, { generation: 1, protocol: null, leader: null, currentStateTimestamp: -1n });
  t.match(old.members[0], { memberId: 'm1', sessionTimeout: 100, rebalanceTimeout: -1, groupInstanceId: null });
});
