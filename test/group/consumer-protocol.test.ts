import t from 'tap';
import { subscriptionTopics } from '../../src/group/consumer-protocol';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

t.test('the topics of a consumer subscription, whatever its version', async (t) => {
  t.same(subscriptionTopics(hex('0000 00000002 0001 61 0002 6262 ffffffff')), ['a', 'bb'], 'v0');
  // v1: owned partitions follow the user data; only the v0 prefix is read
  t.same(subscriptionTopics(hex('0001 00000001 0001 61 00000000 00000001 0001 61 00000001 00000000')), ['a'], 'v1');
  t.same(subscriptionTopics(hex('0000 00000000 ffffffff')), [], 'no topics');
  t.equal(subscriptionTopics(hex('00')), null, 'truncated');
  t.equal(subscriptionTopics(hex('0000 00000005 0001 61')), null, 'claims more topics than there are bytes');
  t.equal(subscriptionTopics(Buffer.from('not a subscription at all')), null);
});
