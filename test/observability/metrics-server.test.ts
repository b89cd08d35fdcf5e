// GET /metrics of a real broker (strata.metrics.port): per-topic traffic, per-API requests and latency, purgatory,
// consumer lag, log gauges and recovery; the quota metrics are tested with the quotas (test/broker/quotas.test.ts).
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { ApiKey } from '../../src/protocol/api-key';
import { encodeRecordBatch } from '../../src/protocol/records/index';
import { silentLogger } from '../../src/observability/logger';
import { RawClient } from '../broker/helpers/raw-client';

const produce = (values: string[]) => ({
  transactionalId: null,
  acks: 1,
  timeoutMs: 1000,
  topicData: [{ name: 'm', partitionData: [{ index: 0, records: encodeRecordBatch({ records: values.map((value) => ({ value })) }) }] }],
});
const fetchFrom = (offset: number, maxWaitMs = 0) => ({
  replicaId: -1,
  maxWaitMs,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic: 'm', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [],
  rackId: '',
});

async function scrape(port: number): Promise<(name: string, labels?: string) => number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  const text = await res.text();
  return (name, labels = '') => {
    const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
    const line = text.split('\n').find((l) => l.startsWith(prefix));
    return line === undefined ? undefined : Number(line.slice(prefix.length));
  };
}

t.test('traffic, requests, lag, purgatory and log gauges as Prometheus scrapes them', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-metrics-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'strata.metrics.port': 0 }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  t.ok(broker.metricsPort > 0);
  broker.createTopic('m', 1);
  const c = await RawClient.connect(broker.port);
  t.teardown(() => c.close());
  let bytesIn = 0;
  for (const values of [['a', 'b'], ['c'], ['d', 'e', 'f']]) {
    const req = produce(values);
    bytesIn += req.topicData[0].partitionData[0].records.length;
    await c.send(ApiKey.Produce, 9, req);
  }
  const fetched = await c.send(ApiKey.Fetch, 12, fetchFrom(0));
  const records = fetched.responses[0].partitions[0].records as Buffer | Buffer[];
  const bytesOut = Buffer.isBuffer(records) ? records.length : records.reduce((n, b) => n + b.length, 0);
  t.equal(bytesOut, bytesIn, 'the fetch returned everything');
  broker.groups.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, offsets: [{ topic: 'm', partition: 0, offset: 2n, leaderEpoch: -1, metadata: '', commitTimestampMs: -1 }] });

  // A fetch parked at the end of the log while we scrape.
  const waiter = await RawClient.connect(broker.port);
  t.teardown(() => waiter.close());
  const parked = waiter.send(ApiKey.Fetch, 12, fetchFrom(6, 5000));
  await new Promise((r) => setTimeout(r, 100));

  const m = await scrape(broker.metricsPort);
  t.equal(m('strata_topic_messages_in_total', 'topic="m"'), 6);
  t.equal(m('strata_topic_bytes_in_total', 'topic="m"'), bytesIn);
  t.equal(m('strata_topic_messages_out_total', 'topic="m"'), 6, 'every batch of the fetch counted');
  t.equal(m('strata_topic_bytes_out_total', 'topic="m"'), bytesOut);
  t.equal(m('strata_requests_total', 'api="Produce"'), 3);
  t.equal(m('strata_request_duration_seconds_count', 'api="Produce"'), 3);
  t.equal(m('strata_request_duration_seconds_bucket', 'api="Produce",le="+Inf"'), 3);
  const fast = m('strata_request_duration_seconds_bucket', 'api="Produce",le="30"')!;
  t.equal(fast, 3, 'buckets are cumulative');
  t.ok(m('strata_request_duration_seconds_sum', 'api="Produce"')! > 0);
  t.equal(m('strata_fetch_purgatory_size'), 1, 'the parked fetch');
  t.equal(m('strata_produce_purgatory_size'), 0);
  t.equal(m('strata_consumer_group_lag', 'group="g",topic="m",partition="0"'), 4, 'high watermark 6 - committed 2');
  t.equal(m('strata_log_end_offset', 'topic="m",partition="0"'), 6);
  t.equal(m('strata_log_start_offset', 'topic="m",partition="0"'), 0);
  t.equal(m('strata_log_segments', 'topic="m",partition="0"'), 1);
  t.equal(m('strata_log_size_bytes', 'topic="m",partition="0"'), bytesIn, 'the batches as stored');
  t.equal(m('strata_log_recovery_segments_scanned'), 0, 'a fresh start scans nothing');
  t.ok(m('strata_log_recovery_seconds')! >= 0);

  await c.send(ApiKey.Produce, 9, produce(['g']));
  await parked;
  const after = await scrape(broker.metricsPort);
  t.equal(after('strata_fetch_purgatory_size'), 0, 'woken by the append');
  t.equal(after('strata_topic_messages_out_total', 'topic="m"'), 7);
  t.equal(after('strata_consumer_group_lag', 'group="g",topic="m",partition="0"'), 5);
});

t.test('no listener unless strata.metrics.port is set', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-metrics-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  t.equal(broker.metricsPort, 0);
  await t.rejects(Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': t.testdir(), 'strata.metrics.port': 70000 }, { logger: silentLogger }), /strata\.metrics\.port/);
});
