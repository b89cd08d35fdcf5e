/**
 * A live broker under random and mutated frames (fast-check): whatever arrives, the broker answers or closes that
 * connection, never crashes or hangs, and afterwards still serves correct produce and fetch.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { Broker } from '../../src/broker/broker';
import { ApiKey } from '../../src/protocol/api-key';
import { encodeRequest } from '../../src/protocol/api-codec';
import { encodeRecordBatch, decodeRecordBatch } from '../../src/protocol/records/index';
import { silentLogger } from '../../src/observability/logger';
import { RawClient } from './helpers/raw-client';

function validFrames(): Buffer[] {
  const records = encodeRecordBatch({ records: [{ key: 'k', value: 'v' }] });
  return [
    Buffer.concat(encodeRequest(ApiKey.ApiVersions, 3, 1, 'fuzz', { clientSoftwareName: 'f', clientSoftwareVersion: '1' })),
    Buffer.concat(encodeRequest(ApiKey.Metadata, 9, 2, 'fuzz', { topics: null, allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false })),
    Buffer.concat(encodeRequest(ApiKey.Produce, 9, 3, 'fuzz', { transactionalId: null, acks: 1, timeoutMs: 100, topicData: [{ name: 'fz', partitionData: [{ index: 0, records }] }] })),
    Buffer.concat(
      encodeRequest(ApiKey.Fetch, 11, 4, 'fuzz', {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'fz', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1000 }] }],
        forgottenTopicsData: [], rackId: '',
      }),
    ),
    Buffer.concat(encodeRequest(ApiKey.CreateTopics, 5, 5, 'fuzz', { topics: [{ name: 'fz2', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 100, validateOnly: false })),
  ];
}

t.test('random and mutated frames never take the broker down', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-fuzz-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'socket.request.max.bytes': 1 << 20 }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic('fz', 1);
  const frames = validFrames();
  const mutated = fc.tuple(fc.nat(frames.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })).map(([i, edits]) => {
    const f = Buffer.from(frames[i]);
    for (const [at, byte] of edits) f[4 + (at % (f.length - 4))] = byte; // keep the size prefix honest
    return f;
  });
  const random = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes) => {
    const f = Buffer.alloc(4 + bytes.length);
    f.writeInt32BE(bytes.length);
    Buffer.from(bytes).copy(f, 4);
    return f;
  });
  const lying = fc.tuple(fc.integer({ min: -5, max: 0x7fffffff }), fc.uint8Array({ maxLength: 64 })).map(([size, bytes]) => {
    const f = Buffer.alloc(4 + bytes.length);
    f.writeInt32BE(size);
    Buffer.from(bytes).copy(f, 4);
    return f;
  });
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(mutated, random, lying), { minLength: 1, maxLength: 6 }), async (batch) => {
      runs++;
      const c = await RawClient.connect(broker.port);
      for (const f of batch) c.write(f);
      // Whatever happens, the connection is answered or closed; then we close it ourselves.
      await Promise.race([c.closed, new Promise((r) => setTimeout(r, 20))]);
      c.close();
      await c.closed;
    }),
    { numRuns: 150 },
  );
  t.equal(runs, 150);
  // Still correct afterwards.
  const c = await RawClient.connect(broker.port);
  const before = broker.partitionLog('fz', 0)!.logEndOffset;
  const produced = await c.send(ApiKey.Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 100,
    topicData: [{ name: 'fz', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: 'after-fuzz' }] }) }] }],
  });
  t.equal(produced.responses[0].partitionResponses[0].errorCode, 0);
  t.equal(produced.responses[0].partitionResponses[0].baseOffset, BigInt(before));
  const fetched = await c.send(ApiKey.Fetch, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'fz', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(before), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const recs = fetched.responses[0].partitions[0].records;
  const buf = recs as Buffer;
  t.equal(decodeRecordBatch(buf, 0).records[0].value!.toString(), 'after-fuzz');
  c.close();
});
