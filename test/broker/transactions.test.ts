/**
 * Transactions on the wire (raw protocol client, in-process broker): the Fetch fields read_committed clients act on
 * (last_stable_offset, aborted_transactions), ListOffsets by isolation level, and the operator APIs
 * DescribeTransactions and ListTransactions.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { ApiKey } from '../../src/protocol/api-key';
import { ErrorCode } from '../../src/protocol/error-codes';
import { encodeRecordBatch } from '../../src/protocol/records/index';
import { silentLogger } from '../../src/observability/logger';
import { RawClient } from './helpers/raw-client';

const fetchReq = (topic: string, isolationLevel: number) => ({
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [],
  rackId: '',
});

t.test('read_committed Fetch and ListOffsets, DescribeTransactions and ListTransactions', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-txn-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic('t', 1);
  const c = await RawClient.connect(broker.port);
  t.teardown(() => c.close());

  const init = await c.send(ApiKey.InitProducerId, 4, { transactionalId: 'ops', transactionTimeoutMs: 30_000, producerId: -1n, producerEpoch: -1 });
  const { producerId, producerEpoch } = init;
  const txnProduce = async (seq: number, value: string) => {
    const records = encodeRecordBatch({ producerId, producerEpoch, baseSequence: seq, transactional: true, records: [{ value }] });
    const r = await c.send(ApiKey.Produce, 9, { transactionalId: 'ops', acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] });
    return r.responses[0].partitionResponses[0].errorCode;
  };
  // A transactional batch for a partition not (yet) in the transaction is refused: it would never get a marker.
  t.equal(await txnProduce(0, 'too-early'), ErrorCode.INVALID_TXN_STATE, 'not added to the transaction: refused');
  t.equal(broker.partitionLog('t', 0)!.logEndOffset, 0, 'nothing written, the LSO cannot hang');
  const add = await c.send(ApiKey.AddPartitionsToTxn, 3, { transactionalId: 'ops', producerId, producerEpoch, topics: [{ name: 't', partitions: [0] }] });
  t.same(add.results, [{ name: 't', results: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }]);
  t.equal(await txnProduce(0, 'doomed'), ErrorCode.NONE);

  const described = await c.send(ApiKey.DescribeTransactions, 0, { transactionalIds: ['ops', 'nobody'] });
  t.match(described.transactionStates[0], { errorCode: ErrorCode.NONE, transactionalId: 'ops', transactionState: 'Ongoing', transactionTimeoutMs: 30_000, producerId, topics: [{ topic: 't', partitions: [0] }] });
  t.equal(described.transactionStates[1].errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const listed = await c.send(ApiKey.ListTransactions, 0, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [] });
  t.same(listed.transactionStates.map((s) => [s.transactionalId, s.transactionState]), [['ops', 'Ongoing']]);
  t.same(listed.unknownStateFilters, ['Bogus']);

  const open = await c.send(ApiKey.Fetch, 12, fetchReq('t', 1));
  t.match(open.responses[0].partitions[0], { highWatermark: 1n, lastStableOffset: 0n }, 'the LSO stops at the open transaction');
  t.equal((open.responses[0].partitions[0].records as Buffer | null)?.length ?? 0, 0, 'read_committed gets nothing yet');
  const latest = async (isolationLevel: number) =>
    (await c.send(ApiKey.ListOffsets, 4, { replicaId: -1, isolationLevel, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }] })).topics[0].partitions[0].offset;
  t.equal(await latest(1), 0n, 'ListOffsets LATEST, read_committed: the LSO');
  t.equal(await latest(0), 1n, 'read_uncommitted: the high watermark');

  const end = await c.send(ApiKey.EndTxn, 3, { transactionalId: 'ops', producerId, producerEpoch, committed: false });
  t.equal(end.errorCode, ErrorCode.NONE);
  const after = await c.send(ApiKey.Fetch, 12, fetchReq('t', 1));
  const p = after.responses[0].partitions[0];
  t.match(p, { highWatermark: 2n, lastStableOffset: 2n });
  t.same(p.abortedTransactions, [{ producerId, firstOffset: 0n }], 'the client is told which producer range to drop');
  t.same((await c.send(ApiKey.Fetch, 12, fetchReq('t', 0))).responses[0].partitions[0].abortedTransactions, null, 'read_uncommitted gets null there');
  const doneList = await c.send(ApiKey.ListTransactions, 0, { stateFilters: [], producerIdFilters: [producerId] });
  t.same(doneList.transactionStates.map((s) => s.transactionState), ['CompleteAbort']);
});

t.test('internal topics refuse Produce; fencing is INVALID_PRODUCER_EPOCH to versions that predate PRODUCER_FENCED', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-txn-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic('t', 1);
  const c = await RawClient.connect(broker.port);
  t.teardown(() => c.close());
  const forged = encodeRecordBatch({ records: [{ key: Buffer.from([0, 0]), value: Buffer.from('x') }] });
  const r = await c.send(ApiKey.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: '__consumer_offsets', partitionData: [{ index: 0, records: forged }] }] });
  t.equal(r.responses[0].partitionResponses[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, 'a client cannot write a coordinator topic');

  const init = () => c.send(ApiKey.InitProducerId, 4, { transactionalId: 'f', transactionTimeoutMs: 30_000, producerId: -1n, producerEpoch: -1 });
  const old = await init();
  await init(); // fences epoch 0
  const end = (version: number) => c.send(ApiKey.EndTxn, version, { transactionalId: 'f', producerId: old.producerId, producerEpoch: old.producerEpoch, committed: true });
  t.equal((await end(1)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'EndTxn v1: 47');
  t.equal((await end(3)).errorCode, ErrorCode.PRODUCER_FENCED, 'EndTxn v3: 90');
  const add = (version: number) => c.send(ApiKey.AddPartitionsToTxn, version, { transactionalId: 'f', producerId: old.producerId, producerEpoch: old.producerEpoch, topics: [{ name: 't', partitions: [0] }] });
  t.equal((await add(0)).results[0].results[0].errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'AddPartitionsToTxn v0: 47');
  t.equal((await add(2)).results[0].results[0].errorCode, ErrorCode.PRODUCER_FENCED, 'AddPartitionsToTxn v2: 90');
});
