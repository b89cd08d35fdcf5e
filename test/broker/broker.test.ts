import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { ApiKey } from '../../src/protocol/api-key';
import { ErrorCode } from '../../src/protocol/error-codes';
import { encodeRequest, decodeResponse } from '../../src/protocol/api-codec';
import { encodeRecordBatch, decodeRecordBatch } from '../../src/protocol/records/index';
import { silentLogger } from '../../src/observability/logger';
import { RawClient } from './helpers/raw-client';

async function start(t: { teardown(fn: () => unknown): void }, extra: Record<string, string | number> = {}) {
  // Its own directory: the broker's clean shutdown writes there after the test body has ended.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-broker-test-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...extra }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return broker;
}

const produce = (topic: string, partition: number, values: string[], acks = 1) => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topicData: [{ name: topic, partitionData: [{ index: partition, records: encodeRecordBatch({ records: values.map((v) => ({ value: v })) }) }] }],
});

const fetchReq = (topic: string, offset: number, maxWaitMs = 0, minBytes = 1) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [],
  rackId: '',
});

function values(records: Buffer | Buffer[] | null): string[] {
  if (!records) return [];
  const buf = Buffer.isBuffer(records) ? records : Buffer.concat(records);
  const out: string[] = [];
  for (let p = 0; p < buf.length; p += 12 + buf.readInt32BE(p + 8)) {
    out.push(...decodeRecordBatch(buf, p).records.map((r) => r.value!.toString()));
  }
  return out;
}

t.test('ApiVersions: v3 with a flexible header; an unsupported version gets UNSUPPORTED_VERSION and our ranges', async (t) => {
  const broker = await start(t);
  const c = await RawClient.connect(broker.port);
  const v3 = await c.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
  t.equal(v3.errorCode, 0);
  const produceRange = v3.apiKeys.find((k) => k.apiKey === ApiKey.Produce)!;
  t.same([produceRange.minVersion, produceRange.maxVersion], [3, 9], 'record batch v2 versions only');
  t.ok(v3.apiKeys.find((k) => k.apiKey === ApiKey.Fetch)!.minVersion <= 4, 'librdkafka needs Fetch >= 4 in range');
  // A version from the future: the answer is v0-shaped with the error and the ranges.
  const frame = Buffer.concat(encodeRequest(ApiKey.ApiVersions, 3, 99, 'raw', { clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
  frame.writeInt16BE(9, 6); // api_version := 9
  const reply = c.nextFrame();
  c.write(frame);
  const v0 = decodeResponse(ApiKey.ApiVersions, 0, await reply);
  t.equal(v0.correlationId, 99);
  t.equal(v0.body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  t.ok(v0.body.apiKeys.length >= 7);
  c.close();
});

t.test('pipelined ApiVersions v0 + Metadata v0 (kafka-python) are answered in order; empty v0 list = all topics', async (t) => {
  const broker = await start(t);
  broker.createTopic('alpha', 2);
  const c = await RawClient.connect(broker.port);
  const [versions, metadata] = await Promise.all([c.send(ApiKey.ApiVersions, 0, {}), c.send(ApiKey.Metadata, 0, { topics: [] })]);
  t.equal(versions.errorCode, 0);
  t.same(
    metadata.topics.map((x) => [x.name, x.partitions.length]).sort(),
    [['__consumer_offsets', 1], ['alpha', 2]],
    'every topic, the internal offsets topic too (as Kafka lists it)',
  );
  t.same(metadata.brokers.map((b) => b.port), [broker.port]);
  const v4 = await c.send(ApiKey.Metadata, 4, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'auto' }], allowAutoTopicCreation: false });
  t.equal(v4.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'no auto-creation when the request forbids it');
  const v4b = await c.send(ApiKey.Metadata, 4, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'auto' }], allowAutoTopicCreation: true });
  t.equal(v4b.topics[0].errorCode, 0);
  t.equal(v4b.topics[0].partitions.length, 1, 'auto-created with num.partitions');
  c.close();
});

t.test('produce then fetch; long-poll answered at max_wait_ms; a produce wakes a parked fetch', async (t) => {
  const broker = await start(t);
  broker.createTopic('t', 1);
  const c = await RawClient.connect(broker.port);
  const p = await c.send(ApiKey.Produce, 7, produce('t', 0, ['a', 'b', 'c']));
  t.equal(p.responses[0].partitionResponses[0].errorCode, 0);
  t.equal(p.responses[0].partitionResponses[0].baseOffset, 0n);
  const f = await c.send(ApiKey.Fetch, 11, fetchReq('t', 1));
  const part = f.responses[0].partitions[0];
  t.equal(part.highWatermark, 3n);
  t.same(values(part.records), ['a', 'b', 'c'], 'the whole batch holding offset 1');
  // Nothing new: parked until max_wait_ms.
  const t0 = Date.now();
  const empty = await c.send(ApiKey.Fetch, 11, fetchReq('t', 3, 300));
  const waited = Date.now() - t0;
  t.ok(waited >= 250 && waited < 3000, `empty fetch answered after ${waited} ms`);
  t.same(values(empty.responses[0].partitions[0].records), []);
  // Parked fetch on one connection, produce on another: answered as soon as data lands.
  const c2 = await RawClient.connect(broker.port);
  const t1 = Date.now();
  const parked = c.send(ApiKey.Fetch, 11, fetchReq('t', 3, 10_000));
  await new Promise((r) => setTimeout(r, 50));
  await c2.send(ApiKey.Produce, 7, produce('t', 0, ['d']));
  const woke = await parked;
  t.ok(Date.now() - t1 < 5000, 'woken long before max_wait_ms');
  t.same(values(woke.responses[0].partitions[0].records), ['d']);
  // Out of range and unknown partitions are per-partition errors; the connection lives on.
  const oor = await c.send(ApiKey.Fetch, 11, fetchReq('t', 99));
  t.equal(oor.responses[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  const unknown = await c.send(ApiKey.Fetch, 11, fetchReq('nope', 0));
  t.equal(unknown.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  c.close();
  c2.close();
});

t.test('bad records are per-partition errors; acks=0 gets no response; ListOffsets', async (t) => {
  const broker = await start(t, { 'message.max.bytes': 2000 });
  broker.createTopic('t', 1);
  const c = await RawClient.connect(broker.port);
  const good = produce('t', 0, ['x']);
  const corrupt = produce('t', 0, ['y']);
  const rec = corrupt.topicData[0].partitionData[0].records as Buffer;
  rec[rec.length - 1] ^= 0xff; // breaks the CRC
  t.equal((await c.send(ApiKey.Produce, 7, corrupt)).responses[0].partitionResponses[0].errorCode, ErrorCode.CORRUPT_MESSAGE);
  t.equal((await c.send(ApiKey.Produce, 7, produce('t', 0, ['z'.repeat(5000)]))).responses[0].partitionResponses[0].errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  t.equal((await c.send(ApiKey.Produce, 7, produce('t', 3, ['q']))).responses[0].partitionResponses[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.equal((await c.send(ApiKey.Produce, 7, produce('t', 0, ['q'], 2))).responses[0].partitionResponses[0].errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  // acks=0: no response; the next request's answer is the next frame.
  c.write(Buffer.concat(encodeRequest(ApiKey.Produce, 7, 500, 'raw', produce('t', 0, ['fire-and-forget'], 0))));
  await c.send(ApiKey.Produce, 7, good);
  const lo = await c.send(ApiKey.ListOffsets, 5, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
  });
  t.equal(lo.topics[0].partitions[0].offset, 2n, 'fire-and-forget and the good batch, nothing else');
  const earliest = await c.send(ApiKey.ListOffsets, 0, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n, maxNumOffsets: 1 }] }],
  });
  t.same(earliest.topics[0].partitions[0].oldStyleOffsets, [0n], 'v0 shape');
  c.close();
});

t.test('garbage and unsupported requests close that connection only', async (t) => {
  const broker = await start(t);
  const bad = await RawClient.connect(broker.port);
  bad.write(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
  await bad.closed;
  const unsupported = await RawClient.connect(broker.port);
  unsupported.write(Buffer.concat(encodeRequest(ApiKey.Produce, 2, 1, 'old', { transactionalId: null, acks: 1, timeoutMs: 1, topicData: [] })));
  await unsupported.closed;
  const fine = await RawClient.connect(broker.port);
  t.equal((await fine.send(ApiKey.ApiVersions, 2, {})).errorCode, 0, 'others keep being served');
  fine.close();
});

t.test('IncrementalAlterConfigs sets, deletes and appends single configs; DescribeConfigs shows them', async (t) => {
  const broker = await start(t);
  broker.createTopic('cfg', 1, { 'retention.ms': '1000', 'cleanup.policy': 'delete' });
  const c = await RawClient.connect(broker.port);
  const alter = (configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) =>
    c.send(ApiKey.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'cfg', configs }], validateOnly });
  let r = await alter([{ name: 'segment.bytes', configOperation: 0, value: '1048576' }, { name: 'retention.ms', configOperation: 1, value: null }, { name: 'cleanup.policy', configOperation: 2, value: 'compact' }]);
  t.equal(r.responses[0].errorCode, 0);
  t.same(broker.topics.get('cfg')!.configs, { 'cleanup.policy': 'delete,compact', 'segment.bytes': '1048576' }, 'only the named configs changed');
  t.equal(broker.partitionLog('cfg', 0)!.logConfig.segmentBytes, 1048576, 'applied to the live log');
  t.equal(broker.partitionLog('cfg', 0)!.logConfig.retentionMs, broker.config.log.retentionMs, 'deleted: back to the broker default');
  r = await alter([{ name: 'segment.bytes', configOperation: 0, value: 'big' }]);
  t.equal(r.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
  r = await alter([{ name: 'retention.ms', configOperation: 2, value: '5' }]);
  t.equal(r.responses[0].errorCode, ErrorCode.INVALID_CONFIG, 'APPEND only for list configs');
  r = await alter([{ name: 'retention.ms', configOperation: 0, value: '5' }], true);
  t.equal(r.responses[0].errorCode, 0);
  t.equal(broker.topics.get('cfg')!.configs['retention.ms'], undefined, 'validate_only changes nothing');
  const d = await c.send(ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 'cfg', configurationKeys: ['segment.bytes', 'retention.ms'] }], includeSynonyms: true, includeDocumentation: false });
  const byName = Object.fromEntries(d.results[0].configs.map((e) => [e.name, [e.value, e.configSource]]));
  t.same(byName, { 'segment.bytes': ['1048576', 1], 'retention.ms': [String(broker.config.log.retentionMs), 5] });
  c.close();
});
