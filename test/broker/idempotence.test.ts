/**
 * Idempotent produce over the wire (raw protocol client, in-process broker): InitProducerId, a retried batch
 * answered with its first offset and stored once, sequence gaps and fenced epochs refused per partition, and
 * producer ids that are never handed out twice, across restarts.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { ApiKey } from '../../src/protocol/api-key';
import { ErrorCode } from '../../src/protocol/error-codes';
import { encodeRecordBatch, decodeRecordBatch } from '../../src/protocol/records/index';
import { silentLogger } from '../../src/observability/logger';
import { BLOCK_SIZE } from '../../src/txn/producer-id-manager';
import { RawClient } from './helpers/raw-client';

const startIn = (dir: string) => Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });

function batch(producerId: bigint, producerEpoch: number, baseSequence: number, values: string[]): Buffer {
  return encodeRecordBatch({ producerId, producerEpoch, baseSequence, records: values.map((v) => ({ value: v })) });
}

const produce = (topic: string, records: Buffer) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 1000,
  topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
});

async function initProducerId(client: RawClient, version = 4) {
  return client.send(ApiKey.InitProducerId, version, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
}

async function readValues(client: RawClient, topic: string): Promise<string[]> {
  const r = await client.send(ApiKey.Fetch, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  const records = r.responses[0].partitions[0].records!;
  const values: string[] = [];
  for (let p = 0; p < records.length; p += 12 + records.readInt32BE(p + 8)) {
    for (const rec of decodeRecordBatch(records, p).records) values.push(rec.value!.toString());
  }
  return values;
}

t.test('InitProducerId, retries answered with the original offset, gaps and fenced epochs refused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-idem-'));
  const broker = await startIn(dir);
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic('idem', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());

  const versions = await client.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
  t.match(versions.apiKeys.find((k) => k.apiKey === ApiKey.InitProducerId), { minVersion: 0, maxVersion: 4 }, 'advertised');

  const a = await initProducerId(client);
  const b = await initProducerId(client, 0);
  t.equal(a.errorCode, ErrorCode.NONE);
  t.equal(a.producerEpoch, 0);
  t.not(a.producerId, b.producerId, 'a new id per idempotent producer');
  const bump = await client.send(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: a.producerId, producerEpoch: 0 });
  t.ok(bump.producerId !== a.producerId && bump.producerId !== b.producerId, 'an epoch bump of an idempotent producer gets a fresh id (Kafka)');

  const pid = a.producerId;
  const first = await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 0, 0, ['a', 'b'])));
  t.match(first.responses[0].partitionResponses[0], { errorCode: ErrorCode.NONE, baseOffset: 0n });
  await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 0, 2, ['c'])));
  const retry = await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 0, 0, ['a', 'b'])));
  t.match(retry.responses[0].partitionResponses[0], { errorCode: ErrorCode.NONE, baseOffset: 0n }, 'the retry gets the first offset');
  const gap = await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 0, 5, ['x'])));
  t.equal(gap.responses[0].partitionResponses[0].errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 1, 0, ['d'])));
  const fenced = await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 0, 3, ['y'])));
  t.equal(fenced.responses[0].partitionResponses[0].errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  const other = await client.send(ApiKey.Produce, 9, produce('idem', batch(b.producerId, 0, 0, ['e'])));
  t.match(other.responses[0].partitionResponses[0], { errorCode: ErrorCode.NONE, baseOffset: 4n }, 'producers are independent');
  t.same(await readValues(client, 'idem'), ['a', 'b', 'c', 'd', 'e'], 'each accepted batch once, nothing refused');

  const txnInit = () => client.send(ApiKey.InitProducerId, 4, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
  const tx1 = await txnInit();
  const tx2 = await txnInit();
  t.match(tx1, { errorCode: ErrorCode.NONE, producerEpoch: 0 });
  t.match(tx2, { errorCode: ErrorCode.NONE, producerId: tx1.producerId, producerEpoch: 1 }, 'a transactional id keeps its producer id; the epoch is bumped');
});

t.test('producer ids are never reused across restarts, and dedup state survives them', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-idem-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  let broker = await startIn(dir);
  broker.createTopic('idem', 1);
  let client = await RawClient.connect(broker.port);
  const seen = new Set<bigint>();
  for (let i = 0; i < 5; i++) seen.add((await initProducerId(client)).producerId);
  const pid = [...seen][0];
  await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 0, 0, ['once'])));
  client.close();
  await broker.close();

  broker = await startIn(dir);
  client = await RawClient.connect(broker.port);
  const after = (await initProducerId(client)).producerId;
  t.notOk(seen.has(after), `no reuse after a restart (${after})`);
  t.ok(after >= BigInt(BLOCK_SIZE), 'the next block is used: the old one may have been handed out');
  const retry = await client.send(ApiKey.Produce, 9, produce('idem', batch(pid, 0, 0, ['once'])));
  t.match(retry.responses[0].partitionResponses[0], { errorCode: ErrorCode.NONE, baseOffset: 0n }, 'a retry after the restart is still a retry');
  t.same(await readValues(client, 'idem'), ['once']);
  client.close();
  await broker.close();
});
