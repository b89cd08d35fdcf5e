// strata.durable.acks: acks=-1 Produce answered only once its batches are on disk, with fsyncs shared across
// concurrent requests (group commit); then SIGKILLs of a real broker process under load lose nothing acknowledged.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { ApiKey } from '../../src/protocol/api-key';
import { ErrorCode } from '../../src/protocol/error-codes';
import { encodeRecordBatch, decodeRecordBatch } from '../../src/protocol/records/index';
import { silentLogger } from '../../src/observability/logger';
import { LogManager } from '../../src/storage/log-manager';
import { RawClient } from './helpers/raw-client';
import { startBroker } from '../interop/helpers/broker-process';

const TOPIC = 'durable';
const PARTITIONS = 2;

async function start(t: { teardown(fn: () => unknown): void }, extra: Record<string, string | number> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-durable-test-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...extra }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic(TOPIC, PARTITIONS);
  return broker;
}

const produceRequest = (partition: number, values: string[], acks: number) => ({
  transactionalId: null,
  acks,
  timeoutMs: 30_000,
  topicData: [{ name: TOPIC, partitionData: [{ index: partition, records: encodeRecordBatch({ records: values.map((value) => ({ value })) }) }] }],
});

/**
 * `clients` connections, each keeping `inFlight` acks=-1 requests of `per` records pipelined, `requests` in all per
 * connection. On every answer, still in the broker's process, compares the batch's last offset with what the
 * addon has seen fdatasynced (monotonic: at the ack it was at most that).
 */
async function load(broker: Broker, o: { clients: number; inFlight: number; requests: number; per: number; acks?: number }) {
  let acked = 0;
  let ackedNotOnDisk = 0;
  await Promise.all(
    Array.from({ length: o.clients }, async (_, c) => {
      const client = await RawClient.connect(broker.port);
      let sent = 0;
      const lane = async () => {
        while (sent < o.requests) {
          const partition = (c + sent++) % PARTITIONS;
          const values = Array.from({ length: o.per }, (_, i) => `c${c}-${sent}-${i}`);
          const res = await client.send(ApiKey.Produce, 9, produceRequest(partition, values, o.acks ?? -1));
          const p = res.responses[0].partitionResponses[0];
          if (p.errorCode !== ErrorCode.NONE) throw new Error(`produce failed: ${p.errorCode} ${p.errorMessage}`);
          const lastOffset = Number(p.baseOffset) + o.per - 1;
          if (lastOffset >= broker.partitionLog(TOPIC, partition)!.syncedOffsetOnDisk()) ackedNotOnDisk++;
          acked++;
        }
      };
      await Promise.all(Array.from({ length: o.inFlight }, lane));
      client.close();
    }),
  );
  const syncs = [...Array(PARTITIONS).keys()].reduce((n, p) => n + broker.partitionLog(TOPIC, p)!.dataSyncs, 0);
  return { acked, ackedNotOnDisk, syncs };
}

t.test('with strata.durable.acks every acks=-1 answer comes after its fdatasync, and fsyncs are shared', async (t) => {
  const broker = await start(t, { 'strata.durable.acks': 'true' });
  const r = await load(broker, { clients: 4, inFlight: 4, requests: 150, per: 5 });
  t.equal(r.acked, 600);
  t.equal(r.ackedNotOnDisk, 0, 'no acknowledgement ran ahead of the disk');
  t.ok(r.syncs > 0 && r.syncs < r.acked, `${r.syncs} data syncs for ${r.acked} acknowledged requests (${(r.syncs / r.acked).toFixed(2)} per request)`);
  // acks=1 is answered from the page cache, with no sync of its own.
  const before = r.syncs;
  const one = await load(broker, { clients: 1, inFlight: 1, requests: 20, per: 1, acks: 1 });
  t.equal(one.syncs, before, 'acks=1 waits for no fsync');
});

t.test('without it (Kafka\'s default) acknowledgements do not wait for the disk: the check above sees that', async (t) => {
  const broker = await start(t);
  const r = await load(broker, { clients: 2, inFlight: 2, requests: 50, per: 5 });
  t.equal(r.syncs, 0, 'no fsync on the produce path');
  t.equal(r.ackedNotOnDisk, r.acked, 'every answer came before its data was on disk');
});

t.test('a bad value of strata.durable.acks stops start-up with the key named', async (t) => {
  await t.rejects(Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': t.testdir(), 'strata.durable.acks': 'yes' }, { logger: silentLogger }), /strata\.durable\.acks/);
});

t.test('SIGKILL under load, many times: every acknowledged message is there after restart, once, at its offset', async (t) => {
  const dir = t.testdir();
  const kills = 8;
  const acked = new Map<string, { partition: number; offset: number }>();
  const failures: string[] = [];
  let port = 0;
  for (let round = 0; round <= kills; round++) {
    const broker = await startBroker(dir, { 'strata.durable.acks': 'true', 'num.partitions': PARTITIONS, 'log.segment.bytes': 64 * 1024 }, port);
    port = broker.port;
    if (round === 0) {
      const admin = await RawClient.connect(port);
      await admin.send(ApiKey.Metadata, 9, { topics: [{ name: TOPIC }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      admin.close();
    }
    const stop = round < kills;
    const deadline = Date.now() + 150 + Math.floor(Math.random() * 350);
    let n = 0;
    const lanes = Array.from({ length: 3 }, async (_, c) => {
      const client = await RawClient.connect(port);
      const lost = client.closed.then(() => null);
      // Until the kill (what is then in flight is not acknowledged, so may or may not be stored); 50 in the last round.
      for (let sent = 0; stop || sent < 50; sent++) {
        const partition = n % PARTITIONS;
        const values = Array.from({ length: 4 }, (_, i) => `r${round}-c${c}-${n}-${i}`);
        n++;
        const res = await Promise.race([client.send(ApiKey.Produce, 9, produceRequest(partition, values, -1)), lost]);
        if (res === null) return;
        const p = res.responses[0].partitionResponses[0];
        if (p.errorCode !== ErrorCode.NONE) failures.push(`${p.errorCode} ${p.errorMessage}`);
        else values.forEach((v, i) => acked.set(v, { partition, offset: Number(p.baseOffset) + i }));
      }
      client.close();
    });
    if (stop) {
      // Kill while requests are in flight: at the deadline, without waiting for the lanes.
      await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
      await broker.stop('SIGKILL');
      await Promise.all(lanes);
    } else {
      await Promise.all(lanes);
      await broker.stop('SIGTERM');
    }
  }
  t.same(failures, [], 'every answered request succeeded');
  t.ok(acked.size > 1000, `${acked.size} messages acknowledged over ${kills} kills`);
  // Read the partitions back from the files, as the broker would serve them.
  const logs = LogManager.open({ dir });
  const seen = new Map<string, Array<{ partition: number; offset: number }>>();
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const log = logs.getLog(TOPIC, partition)!;
    for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
      const { records } = log.read(offset, 1 << 20);
      const buf = Buffer.concat(records);
      for (let p = 0; p < buf.length; p += 12 + buf.readInt32BE(p + 8)) {
        const batch = decodeRecordBatch(buf, p);
        batch.records.forEach((r, i) => {
          const v = r.value!.toString();
          const list = seen.get(v) ?? [];
          list.push({ partition, offset: Number(batch.baseOffset) + i });
          seen.set(v, list);
        });
        offset = Number(batch.baseOffset) + batch.lastOffsetDelta + 1;
      }
    }
  }
  logs.close();
  let missing = 0;
  let wrong = 0;
  for (const [v, at] of acked) {
    const found = seen.get(v);
    if (!found) missing++;
    else if (found.length !== 1 || found[0].partition !== at.partition || found[0].offset !== at.offset) wrong++;
  }
  t.equal(missing, 0, 'no acknowledged message lost');
  t.equal(wrong, 0, 'each exactly once, where it was acknowledged');
  for (const [v, list] of seen) if (list.length !== 1) t.fail(`${v} stored ${list.length} times`);
});
