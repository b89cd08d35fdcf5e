/**
 * kafkajs 2.2.4 transactions against a real broker process: committed and aborted transactions as read_committed
 * (kcat/librdkafka's default) and read_uncommitted consumers see them, the last stable offset holding back an open
 * transaction, offsets committed inside a transaction (sendOffsets), and a zombie producer fenced by a new instance
 * with the same transactional id.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from './helpers/broker-process';

async function kcat(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\n'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return stdout.split('\n').filter(Boolean);
}

const values = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}`);

t.test('kafkajs transactions: commit, abort, LSO, sendOffsets, zombie fencing', async (t) => {
  const broker = await startBroker(t.testdir(), { 'group.initial.rebalance.delay.ms': 0 });
  t.teardown(() => broker.stop('SIGKILL'));
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'txn', logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'tx-out', numPartitions: 1 }, { topic: 'tx-in', numPartitions: 1 }] });

  const producer = kafka.producer({ transactionalId: 'app-1', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const committed1 = await producer.transaction();
  await committed1.send({ topic: 'tx-out', messages: values('c', 0, 3).map((value) => ({ value })) });
  await committed1.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic: 'tx-out', messages: values('a', 0, 3).map((value) => ({ value })) });
  await aborted.abort();
  const committed2 = await producer.transaction();
  await committed2.send({ topic: 'tx-out', messages: values('c', 3, 6).map((value) => ({ value })) });
  await committed2.commit();

  t.same(await kcat(broker.bootstrap, 'tx-out', 'read_committed'), values('c', 0, 6), 'read_committed: committed only');
  t.same(await kcat(broker.bootstrap, 'tx-out', 'read_uncommitted'), [...values('c', 0, 3), ...values('a', 0, 3), ...values('c', 3, 6)], 'read_uncommitted: everything');

  // An open transaction holds the LSO: nothing after it is visible to read_committed, until it commits.
  const open = await producer.transaction();
  await open.send({ topic: 'tx-out', messages: [{ value: 'o-0' }] });
  const plain = kafka.producer();
  await plain.connect();
  await plain.send({ topic: 'tx-out', messages: [{ value: 'p-0' }] });
  t.same(await kcat(broker.bootstrap, 'tx-out', 'read_committed'), values('c', 0, 6), 'the open transaction and what follows are held back');
  t.equal((await kcat(broker.bootstrap, 'tx-out', 'read_uncommitted')).length, 11);
  // Offsets inside the transaction: invisible to the group until the commit.
  await open.sendOffsets({ consumerGroupId: 'ctp', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '42' }] }] });
  const before = await admin.fetchOffsets({ groupId: 'ctp', topics: ['tx-in'] });
  t.equal(before[0].partitions[0].offset, '-1', 'a transactional commit is pending until the transaction commits');
  await open.commit();
  t.same(await kcat(broker.bootstrap, 'tx-out', 'read_committed'), [...values('c', 0, 6), 'o-0', 'p-0'], 'released by the commit');
  const after = await admin.fetchOffsets({ groupId: 'ctp', topics: ['tx-in'] });
  t.equal(after[0].partitions[0].offset, '42', 'the offsets committed with the transaction');

  // An aborted transaction's offsets are never applied.
  const abortedOffsets = await producer.transaction();
  await abortedOffsets.sendOffsets({ consumerGroupId: 'ctp', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '99' }] }] });
  await abortedOffsets.abort();
  t.equal((await admin.fetchOffsets({ groupId: 'ctp', topics: ['tx-in'] }))[0].partitions[0].offset, '42');

  // Zombie fencing: a second producer with the same transactional id takes over; the first one's open transaction
  // is aborted and its next request refused.
  const zombieTxn = await producer.transaction();
  await zombieTxn.send({ topic: 'tx-out', messages: [{ value: 'zombie-0' }] });
  const successor = kafka.producer({ transactionalId: 'app-1', maxInFlightRequests: 1, idempotent: true });
  await successor.connect();
  // kafkajs sends InitProducerId when the first transaction begins, not on connect.
  const s = await successor.transaction();
  let zombieError: unknown = null;
  try {
    await zombieTxn.send({ topic: 'tx-out', messages: [{ value: 'zombie-1' }] });
    await zombieTxn.commit();
  } catch (err) {
    zombieError = err;
  }
  // kafkajs 2.2.4 surfaces the broker's INVALID_PRODUCER_EPOCH (47) as a protocol error of that type (possibly
  // wrapped): any other failure is not the fencing.
  t.ok(
    zombieError !== null && (JSON.stringify(zombieError, Object.getOwnPropertyNames(zombieError)).includes('INVALID_PRODUCER_EPOCH') || /old epoch/i.test(String((zombieError as Error).message))),
    `the zombie is fenced with INVALID_PRODUCER_EPOCH (${String((zombieError as Error | null)?.message)})`,
  );
  await s.send({ topic: 'tx-out', messages: [{ value: 'successor-0' }] });
  await s.commit();
  const final = await kcat(broker.bootstrap, 'tx-out', 'read_committed');
  t.notOk(final.some((v) => v.startsWith('zombie')), 'nothing of the zombie is visible');
  t.equal(final[final.length - 1], 'successor-0');

  await successor.disconnect();
  await plain.disconnect();
  await producer.disconnect().catch(() => {});
  await admin.disconnect();
});
