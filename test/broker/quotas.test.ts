/**
 * Byte-rate quotas on the wire (KIP-219), with the broker's static defaults: a client over its quota is answered at
 * once with throttle_time_ms and its connection is then muted for that long; other clients are not; a throttled
 * Fetch carries no data.
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

const QUOTA = 100_000; // bytes/s
const produce = (bytes: number) => ({
  transactionalId: null,
  acks: 1,
  timeoutMs: 1000,
  topicData: [{ name: 'q', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.alloc(bytes, 0x61) }] }) }] }],
});
const fetchAll = () => ({
  replicaId: -1,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1 << 22,
  isolationLevel: 0,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [{ topic: 'q', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 22 }] }],
  forgottenTopicsData: [],
  rackId: '',
});

t.test('producer and consumer byte-rate quotas: throttle_time_ms, muting, other clients unaffected', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-quota-'));
  const broker = await Broker.start(
    { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'quota.producer.default': QUOTA, 'quota.consumer.default': QUOTA, 'quota.window.num': 2, 'quota.window.size.seconds': 1, 'strata.metrics.port': 0 },
    { logger: silentLogger },
  );
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic('q', 1);
  const heavy = await RawClient.connect(broker.port, 'heavy');
  const light = await RawClient.connect(broker.port, 'light');
  t.teardown(() => {
    heavy.close();
    light.close();
  });

  const first = await heavy.send(ApiKey.Produce, 9, produce(60_000));
  t.equal(first.throttleTimeMs, 0, '60 kB in the first window: within 100 kB/s');
  const second = await heavy.send(ApiKey.Produce, 9, produce(60_000));
  t.equal(second.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE, 'a throttled request is still served');
  t.ok(second.throttleTimeMs > 100 && second.throttleTimeMs <= 2000, `throttled ${second.throttleTimeMs} ms (about (120 - 100) / 100 x 1 s)`);

  const mutedFrom = Date.now();
  const third = heavy.send(ApiKey.Produce, 9, produce(10));
  const other = await light.send(ApiKey.Produce, 9, produce(1_000));
  t.ok(Date.now() - mutedFrom < second.throttleTimeMs, 'another client is served while the heavy one is muted');
  t.equal(other.throttleTimeMs, 0, 'and not throttled');
  await third;
  t.ok(Date.now() - mutedFrom >= second.throttleTimeMs - 20, `the heavy connection was muted ~${second.throttleTimeMs} ms`);

  // Consumer quota: the whole log (~121 kB) in one fetch goes over 100 kB/s.
  const reader = await RawClient.connect(broker.port, 'reader');
  t.teardown(() => reader.close());
  const fetched = await reader.send(ApiKey.Fetch, 12, fetchAll());
  t.ok(fetched.throttleTimeMs > 0, `a fetch over the consumer quota is throttled ${fetched.throttleTimeMs} ms`);
  t.equal((fetched.responses[0].partitions[0].records as Buffer | null)?.length ?? 0, 0, 'and carries no data (Kafka drops it)');

  // The quota metrics per entity, as Prometheus scrapes them.
  const res = await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`);
  t.equal(res.status, 200);
  const text = await res.text();
  const sample = (name: string, labels: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const heavyLabels = 'quota="producer_byte_rate",user="",client_id="heavy"';
  const heavyRate = sample('strata_client_quota_rate', heavyLabels);
  t.ok(heavyRate !== undefined && heavyRate > 0, `heavy's produce byte rate ${heavyRate} B/s`);
  t.equal(sample('strata_client_quota_limit', heavyLabels), QUOTA);
  const heavyThrottle = sample('strata_client_quota_throttle_time_ms_total', heavyLabels);
  t.ok(heavyThrottle !== undefined && heavyThrottle >= second.throttleTimeMs, `heavy was throttled ${heavyThrottle} ms in all`);
  t.equal(sample('strata_client_quota_throttle_time_ms_total', 'quota="producer_byte_rate",user="",client_id="light"'), 0, 'light never');
  t.ok((sample('strata_client_quota_throttle_time_ms_total', 'quota="consumer_byte_rate",user="",client_id="reader"') ?? 0) > 0, 'the reader was');
  t.equal((await fetch(`http://127.0.0.1:${broker.metricsPort}/other`)).status, 404);
});

t.test('request_percentage: a client flooding cheap requests is held to its share of the broker\'s time', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-quota-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'quota.window.num': 3, 'quota.window.size.seconds': 1 }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic('q', 1);
  broker.quotas.set({ clientId: 'flooder' }, 'request_percentage', 2); // 20 ms of handling per second
  const flood = async (clientId: string, ms: number) => {
    const c = await RawClient.connect(broker.port, clientId);
    const until = Date.now() + ms;
    let answered = 0;
    let throttled = 0;
    let maxThrottleMs = 0;
    const lane = async () => {
      while (Date.now() < until) {
        const r = await c.send(ApiKey.Metadata, 9, { topics: [{ name: 'q' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        answered++;
        if (r.throttleTimeMs > 0) throttled++;
        maxThrottleMs = Math.max(maxThrottleMs, r.throttleTimeMs);
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane)); // 16 pipelined on one connection
    c.close();
    return { answered, throttled, maxThrottleMs };
  };
  const [flooder, normal] = await Promise.all([flood('flooder', 2500), flood('normal', 2500)]);
  t.ok(flooder.throttled > 0, `the flooder was told to back off (${flooder.throttled} throttled answers, up to ${flooder.maxThrottleMs} ms)`);
  t.equal(normal.throttled, 0, 'a client without the quota is never throttled');
  t.ok(flooder.answered * 3 < normal.answered, `the flooder got ${flooder.answered} answers, the other client ${normal.answered}`);
  // The share it got: each Metadata costs the broker about the same, so answered requests measure handling time.
  const perRequestMs = 2500 / Math.max(1, normal.answered + flooder.answered);
  t.comment(`~${((flooder.answered * perRequestMs) / 25).toFixed(1)}% of the time for a quota of 2%`);
  // Without request quotas nobody is throttled and the clock is not even read.
  broker.quotas.set({ clientId: 'flooder' }, 'request_percentage', null);
  t.notOk(broker.quotas.enforces('request_percentage'));
  const after = await flood('flooder', 300);
  t.equal(after.throttled, 0, 'removed: no longer throttled');
});
