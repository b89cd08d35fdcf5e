/**
 * Produce requests that arrive together on one connection are served in one pass (one segment write per partition
 * for all of them) and answered exactly as one after another: in order, each partition's error its own, offsets
 * consecutive, other APIs between them served in their place.
 */
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

async function start(t: { teardown(fn: () => unknown): void }, extra: Record<string, string | number | boolean> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-produce-run-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...extra }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return broker;
}

const batch = (values: string[]) => encodeRecordBatch({ records: values.map((value) => ({ value })) });

function produceFrame(correlationId: number, acks: number, parts: Array<{ partition: number; records: Buffer }>): Buffer {
  return Buffer.concat(
    encodeRequest(ApiKey.Produce, 9, correlationId, 'run-test', {
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topicData: [{ name: 'run', partitionData: parts.map((p) => ({ index: p.partition, records: p.records })) }],
    }),
  );
}

t.test('pipelined Produce requests: one write per partition, answers in order as if served one by one', async (t) => {
  const broker = await start(t);
  broker.createTopic('run', 2);
  const log0 = broker.partitionLog('run', 0)!;
  const log1 = broker.partitionLog('run', 1)!;
  const writes0 = log0.segmentWrites;
  const writes1 = log1.segmentWrites;
  const corrupt = batch(['bad']);
  corrupt[corrupt.length - 1] ^= 0xff;
  const frames: Buffer[] = [];
  const expected: string[][] = [[], []];
  for (let i = 0; i < 10; i++) {
    const parts: Array<{ partition: number; records: Buffer }> = [];
    if (i === 4) {
      parts.push({ partition: 0, records: corrupt });
    } else {
      const v = [`a${i}-0`, `a${i}-1`];
      parts.push({ partition: 0, records: batch(v) });
      expected[0].push(...v);
    }
    if (i % 2 === 0) {
      parts.push({ partition: 1, records: batch([`b${i}`]) });
      expected[1].push(`b${i}`);
    }
    frames.push(produceFrame(100 + i, i === 7 ? 0 : 1, parts));
  }
  // A Metadata request in the middle ends a run; it is answered in its place.
  frames.splice(6, 0, Buffer.concat(encodeRequest(ApiKey.Metadata, 9, 99, 'run-test', { topics: [{ name: 'run' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })));
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const replies = Array.from({ length: 10 }, () => client.nextFrame()); // 11 requests, one of them acks=0
  client.write(Buffer.concat(frames)); // one write: they arrive together
  const answers = await Promise.all(replies);
  const ids = answers.map((f) => f.readInt32BE(0));
  t.same(ids, [100, 101, 102, 103, 104, 105, 99, 106, 108, 109], 'in request order; acks=0 (107) unanswered');
  let next0 = 0;
  let next1 = 0;
  for (const f of answers) {
    const id = f.readInt32BE(0);
    if (id === 99) {
      const md = decodeResponse(ApiKey.Metadata, 9, f).body;
      t.equal(md.topics[0].partitions.length, 2, 'metadata served in its place');
      continue;
    }
    const i = id - 100;
    const res = decodeResponse(ApiKey.Produce, 9, f).body;
    const byPartition = new Map(res.responses[0].partitionResponses.map((p) => [p.index, p]));
    const p0 = byPartition.get(0)!;
    if (i === 4) {
      t.equal(p0.errorCode, ErrorCode.CORRUPT_MESSAGE, 'the corrupt batch is refused alone');
    } else {
      t.equal(p0.errorCode, ErrorCode.NONE);
      t.equal(Number(p0.baseOffset), next0, `request ${i} partition 0 offset`);
      next0 += 2;
    }
    if (i % 2 === 0) {
      t.equal(Number(byPartition.get(1)!.baseOffset), next1, `request ${i} partition 1 offset`);
      next1 += 1;
    }
    if (i === 6) next0 += 2; // 107 (acks=0) was written after 106, unanswered
  }
  t.equal(log0.logEndOffset, 18, '9 valid requests of 2 records');
  t.equal(log1.logEndOffset, 5);
  // Everything written is there, in order, once.
  const read = (log: typeof log0) =>
    log.read(0, 1 << 20).records.flatMap((b) => {
      const out: string[] = [];
      for (let p = 0; p < b.length; p += 12 + b.readInt32BE(p + 8)) out.push(...decodeRecordBatch(b.subarray(p)).records.map((r) => r.value!.toString()));
      return out;
    });
  t.same(read(log0), expected[0]);
  t.same(read(log1), expected[1]);
  const w0 = log0.segmentWrites - writes0;
  const w1 = log1.segmentWrites - writes1;
  t.ok(w0 < 9, `partition 0: ${w0} segment writes for 9 record sets`);
  t.ok(w1 < 5, `partition 1: ${w1} segment writes for 5 record sets`);
});

t.test('with strata.durable.acks, a run of acks=-1 requests is answered once its data is synced', async (t) => {
  const broker = await start(t, { 'strata.durable.acks': true });
  broker.createTopic('run', 1);
  const log = broker.partitionLog('run', 0)!;
  const frames = Array.from({ length: 6 }, (_, i) => produceFrame(200 + i, -1, [{ partition: 0, records: batch([`d${i}`]) }]));
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const replies = frames.map(() => client.nextFrame());
  client.write(Buffer.concat(frames));
  const answers = await Promise.all(replies);
  t.same(answers.map((f) => f.readInt32BE(0)), [200, 201, 202, 203, 204, 205]);
  for (const [i, f] of answers.entries()) {
    const p = decodeResponse(ApiKey.Produce, 9, f).body.responses[0].partitionResponses[0];
    t.equal(p.errorCode, ErrorCode.NONE);
    t.equal(Number(p.baseOffset), i);
  }
  t.ok(log.syncedOffsetOnDisk() >= 6, 'every acknowledged offset is on disk');
});

t.test('a malformed frame after a run: the run is answered, then the connection closes', async (t) => {
  const broker = await start(t);
  broker.createTopic('run', 1);
  const frames = [produceFrame(300, 1, [{ partition: 0, records: batch(['x']) }]), produceFrame(301, 1, [{ partition: 0, records: batch(['y']) }])];
  const garbage = Buffer.alloc(4 + 6);
  garbage.writeInt32BE(6, 0);
  garbage.writeInt16BE(0, 4); // Produce's API key, then a version and nothing else: no header to decode
  garbage.writeInt16BE(9, 6);
  const client = await RawClient.connect(broker.port);
  const replies = [client.nextFrame(), client.nextFrame()];
  client.write(Buffer.concat([...frames, garbage]));
  const answers = await Promise.all(replies);
  t.same(answers.map((f) => f.readInt32BE(0)), [300, 301]);
  await client.closed;
  t.equal(broker.partitionLog('run', 0)!.logEndOffset, 2, 'both valid requests written');
});
