/**
 * The config handlers (DescribeConfigs, CreateTopics v5+, AlterConfigs, IncrementalAlterConfigs) of a real broker
 * over raw requests, on Kafka's terms: Long.MAX_VALUE defaults and values are 9223372036854775807 on the wire,
 * CreateTopics lists every config of the new topic with the source DescribeConfigs gives it (broker properties:
 * STATIC_BROKER_CONFIG), and a resource naming one config twice, giving a null value (in IncrementalAlterConfigs:
 * other than to a DELETE) or listed twice in the request is INVALID_REQUEST with nothing of it applied, as in Kafka.
 */
import t, { Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../../src/broker/broker';
import { KAFKA_LONG_MAX, LOG_PROPERTIES, logConfigFrom } from '../../../src/config/log-config';
import { brokerConfigFrom } from '../../../src/config/broker-config';
import { silentLogger } from '../../../src/observability/logger';
import { ApiKey } from '../../../src/protocol/api-key';
import { ErrorCode } from '../../../src/protocol/error-codes';
import { RawClient } from '../helpers/raw-client';

const TOPIC = 2;
const BROKER = 4;
const DYNAMIC_TOPIC_CONFIG = 1;
const STATIC_BROKER_CONFIG = 4;
const DEFAULT_CONFIG = 5;
const SET = 0;
const DELETE = 1;

async function start(t: Test, props: Record<string, string | number> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-configs-test-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...props }, { logger: silentLogger });
  const client = await RawClient.connect(broker.port);
  t.teardown(async () => {
    client.close();
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const describe = async (resourceType: number, resourceName: string, configurationKeys: string[] | null = null, includeSynonyms = false) => {
    const r = await client.send(ApiKey.DescribeConfigs, 4, { resources: [{ resourceType, resourceName, configurationKeys }], includeSynonyms, includeDocumentation: false });
    return r.results[0];
  };
  const byName = async (resourceType: number, resourceName: string) =>
    Object.fromEntries((await describe(resourceType, resourceName)).configs.map((c) => [c.name, { value: c.value, source: c.configSource }]));
  return { broker, client, describe, byName };
}

const createReq = (name: string, configs: Record<string, string>, validateOnly = false) => ({
  topics: [{ name, numPartitions: 1, replicationFactor: -1, assignments: [], configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })) }],
  timeoutMs: 5000,
  validateOnly,
});

t.test('Long.MAX_VALUE: parsed as "never", shown as Kafka shows it', async (t) => {
  const c = logConfigFrom({ 'flush.ms': KAFKA_LONG_MAX, 'flush.messages': ' 9223372036854775807 ', 'retention.bytes': '9007199254740993', 'segment.ms': 2 ** 63 }, 'topic');
  t.equal(c.flushMs, Number.MAX_SAFE_INTEGER, 'a safe number inside');
  t.equal(c.flushMessages, Number.MAX_SAFE_INTEGER);
  t.equal(c.retentionBytes, Number.MAX_SAFE_INTEGER, 'any long past 2^53 is "no limit"');
  t.equal(c.segmentMs, Number.MAX_SAFE_INTEGER, 'a JS number of Long.MAX_VALUE (2^63)');
  t.equal(brokerConfigFrom({ 'log.flush.interval.ms': KAFKA_LONG_MAX }).log.flushMs, Number.MAX_SAFE_INTEGER, 'broker property too');
  t.throws(() => logConfigFrom({ 'flush.ms': '9223372036854775808' }, 'topic'), { message: /flush\.ms=9223372036854775808: must be an integer in \[0, 9223372036854775807\]/ });
  t.throws(() => logConfigFrom({ 'flush.ms': '1e30' }, 'topic'), { message: /flush\.ms=1e30/ });
  t.throws(() => logConfigFrom({ 'segment.bytes': KAFKA_LONG_MAX }, 'topic'), { message: /segment\.bytes=9223372036854775807: must be an integer in \[14, 2147483647\]/ }, 'an INT stays an INT');
  t.throws(() => brokerConfigFrom({ 'log.retention.hours': '3000000000' }), { message: /log\.retention\.hours=3000000000: must be an integer in \[-1, 2147483647\]/ }, "Kafka's INT");
});

t.test('DescribeConfigs shows 9223372036854775807 for the Long.MAX_VALUE defaults; setting it is accepted', async (t) => {
  const { broker, client, describe, byName } = await start(t);
  broker.createTopic('long', 1);
  const d = await describe(TOPIC, 'long', ['flush.ms', 'flush.messages'], true);
  t.equal(d.errorCode, 0);
  t.same(
    d.configs.map((c) => [c.name, c.value, c.configSource, c.synonyms.map((s) => [s.name, s.value, s.source])]),
    [
      ['flush.messages', KAFKA_LONG_MAX, DEFAULT_CONFIG, [['log.flush.interval.messages', KAFKA_LONG_MAX, DEFAULT_CONFIG]]],
      ['flush.ms', KAFKA_LONG_MAX, DEFAULT_CONFIG, [['log.flush.interval.ms', KAFKA_LONG_MAX, DEFAULT_CONFIG]]],
    ],
  );
  const ofBroker = await byName(BROKER, String(broker.config.nodeId));
  t.same(ofBroker['log.flush.interval.ms'], { value: KAFKA_LONG_MAX, source: DEFAULT_CONFIG });
  t.same(ofBroker['log.flush.interval.messages'], { value: KAFKA_LONG_MAX, source: DEFAULT_CONFIG });
  for (const [name, value] of Object.entries(await byName(TOPIC, 'long'))) t.not(value.value, String(Number.MAX_SAFE_INTEGER), `${name}: not 2^53 - 1`);

  const r = await client.send(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: TOPIC, resourceName: 'long', configs: [{ name: 'flush.ms', configOperation: SET, value: '100' }, { name: 'retention.ms', configOperation: SET, value: KAFKA_LONG_MAX }] }],
    validateOnly: false,
  });
  t.equal(r.responses[0].errorCode, 0, r.responses[0].errorMessage ?? '');
  t.equal(broker.partitionLog('long', 0)!.logConfig.retentionMs, Number.MAX_SAFE_INTEGER, 'in force: kept "forever"');
  const after = await byName(TOPIC, 'long');
  t.same(after['retention.ms'], { value: KAFKA_LONG_MAX, source: DYNAMIC_TOPIC_CONFIG });
  t.same(after['flush.ms'], { value: '100', source: DYNAMIC_TOPIC_CONFIG });

  const a = await client.send(ApiKey.AlterConfigs, 2, { resources: [{ resourceType: TOPIC, resourceName: 'long', configs: [{ name: 'flush.ms', value: KAFKA_LONG_MAX }] }], validateOnly: false });
  t.equal(a.responses[0].errorCode, 0, a.responses[0].errorMessage ?? '');
  t.equal(broker.partitionLog('long', 0)!.logConfig.flushMs, Number.MAX_SAFE_INTEGER);
  t.same((await byName(TOPIC, 'long'))['flush.ms'], { value: KAFKA_LONG_MAX, source: DYNAMIC_TOPIC_CONFIG });

  const tooBig = await client.send(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: TOPIC, resourceName: 'long', configs: [{ name: 'flush.ms', configOperation: SET, value: '9223372036854775808' }] }],
    validateOnly: false,
  });
  t.equal(tooBig.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
  t.match(tooBig.responses[0].errorMessage, /\[0, 9223372036854775807\]/, 'the bound as Kafka gives it');

  const created = await client.send(ApiKey.CreateTopics, 5, createReq('never-flushed', { 'flush.messages': KAFKA_LONG_MAX, 'segment.ms': KAFKA_LONG_MAX }));
  t.equal(created.topics[0].errorCode, 0, created.topics[0].errorMessage ?? '');
  t.equal(broker.partitionLog('never-flushed', 0)!.logConfig.flushMessages, Number.MAX_SAFE_INTEGER);
  t.match(created.topics[0].configs!.find((c) => c.name === 'segment.ms'), { value: KAFKA_LONG_MAX, configSource: DYNAMIC_TOPIC_CONFIG });
});

t.test('a broker started with Long.MAX_VALUE in its properties: STATIC_BROKER_CONFIG 9223372036854775807', async (t) => {
  const { broker, byName } = await start(t, { 'log.flush.interval.ms': KAFKA_LONG_MAX });
  broker.createTopic('s', 1);
  t.same((await byName(TOPIC, 's'))['flush.ms'], { value: KAFKA_LONG_MAX, source: STATIC_BROKER_CONFIG });
  t.same((await byName(BROKER, ''))['log.flush.interval.ms'], { value: KAFKA_LONG_MAX, source: STATIC_BROKER_CONFIG });
});

t.test('CreateTopics v5+: every config of the new topic, with the sources DescribeConfigs gives', async (t) => {
  // log.retention.ms and log.roll.hours given at start (server.properties / --override).
  const { broker, client, describe } = await start(t, { 'log.retention.ms': '3600000', 'log.roll.hours': '2' });
  const given = { 'segment.bytes': '1048576', 'cleanup.policy': 'compact' };
  for (const v of [5, 6, 7]) {
    const name = `created-v${v}`;
    const r = await client.send(ApiKey.CreateTopics, v, createReq(name, given));
    const result = r.topics[0];
    t.equal(result.errorCode, 0, result.errorMessage ?? '');
    const configs = Object.fromEntries(result.configs!.map((c) => [c.name, c]));
    t.same(Object.keys(configs).sort(), [...LOG_PROPERTIES.map((p) => p.topic), 'cleanup.policy'].sort(), `v${v}: all of them, not a few`);
    t.match(configs['retention.ms'], { value: '3600000', configSource: STATIC_BROKER_CONFIG, readOnly: false, isSensitive: false }, 'a broker property');
    t.match(configs['segment.ms'], { value: String(2 * 3600_000), configSource: STATIC_BROKER_CONFIG }, 'log.roll.hours counts as a broker property');
    t.match(configs['segment.bytes'], { value: '1048576', configSource: DYNAMIC_TOPIC_CONFIG });
    t.match(configs['cleanup.policy'], { value: 'compact', configSource: DYNAMIC_TOPIC_CONFIG });
    t.match(configs['flush.ms'], { value: KAFKA_LONG_MAX, configSource: DEFAULT_CONFIG });
    t.match(configs['max.message.bytes'], { value: '1048588', configSource: DEFAULT_CONFIG });
    const described = await describe(TOPIC, name);
    t.same(
      result.configs,
      described.configs.map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.configSource, isSensitive: c.isSensitive })),
      `v${v}: the same entries as DescribeConfigs of the topic`,
    );
  }
  const dry = await client.send(ApiKey.CreateTopics, 5, createReq('dry', { 'retention.ms': '5000' }, true));
  t.equal(dry.topics[0].errorCode, 0);
  t.equal(broker.topics.get('dry'), undefined, 'validate_only creates nothing');
  t.match(dry.topics[0].configs!.find((c) => c.name === 'retention.ms'), { value: '5000', configSource: DYNAMIC_TOPIC_CONFIG });
  t.equal(dry.topics[0].configs!.length, LOG_PROPERTIES.length, 'and lists the would-be configs');
  const v4 = await client.send(ApiKey.CreateTopics, 4, createReq('old', {}));
  t.equal(v4.topics[0].errorCode, 0);
  t.same(v4.topics[0].configs ?? [], [], 'v4 has no configs in its response');
});

t.test('DescribeConfigs: log.retention.hours/minutes are the broker property behind retention.ms', async (t) => {
  const { broker, describe } = await start(t, { 'log.retention.hours': '2', 'log.retention.minutes': '30' });
  broker.createTopic('h', 1);
  const d = await describe(TOPIC, 'h', ['retention.ms'], true);
  t.same(
    d.configs.map((c) => [c.value, c.configSource, c.synonyms.map((s) => [s.name, s.value, s.source])]),
    [
      [
        String(30 * 60_000),
        STATIC_BROKER_CONFIG,
        [
          ['log.retention.minutes', '30', STATIC_BROKER_CONFIG],
          ['log.retention.hours', '2', STATIC_BROKER_CONFIG],
          ['log.retention.ms', String(7 * 24 * 3600_000), DEFAULT_CONFIG],
        ],
      ],
    ],
    'minutes beat hours, as in Kafka',
  );
});

t.test('IncrementalAlterConfigs and AlterConfigs: a config named twice is INVALID_REQUEST for that resource, nothing of it applied', async (t) => {
  const { broker, client } = await start(t);
  broker.createTopic('dup', 1, { 'retention.ms': '1000' });
  broker.createTopic('other', 1);

  const inc = await client.send(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: TOPIC,
        resourceName: 'dup',
        configs: [
          { name: 'segment.bytes', configOperation: SET, value: '1048576' },
          { name: 'retention.ms', configOperation: SET, value: '2000' },
          { name: 'retention.ms', configOperation: DELETE, value: null },
        ],
      },
      { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'retention.ms', configOperation: SET, value: '3000' }] },
    ],
    validateOnly: false,
  });
  t.equal(inc.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(inc.responses[0].errorCode, 42);
  t.match(inc.responses[0].errorMessage, /^Error due to duplicate config keys : retention\.ms$/);
  t.same(broker.topics.get('dup')!.configs, { 'retention.ms': '1000' }, 'nothing of that resource applied');
  t.equal(broker.partitionLog('dup', 0)!.logConfig.segmentBytes, broker.config.log.segmentBytes);
  t.equal(inc.responses[1].errorCode, 0, 'the other resource is not affected');
  t.same(broker.topics.get('other')!.configs, { 'retention.ms': '3000' });

  const sameOp = await client.send(ApiKey.IncrementalAlterConfigs, 0, {
    resources: [{ resourceType: TOPIC, resourceName: 'dup', configs: [{ name: 'retention.ms', configOperation: SET, value: '5' }, { name: 'retention.ms', configOperation: SET, value: '5' }] }],
    validateOnly: false,
  });
  t.equal(sameOp.responses[0].errorCode, ErrorCode.INVALID_REQUEST, 'even the same SET twice');
  t.same(broker.topics.get('dup')!.configs, { 'retention.ms': '1000' });

  const legacy = await client.send(ApiKey.AlterConfigs, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'dup', configs: [{ name: 'segment.ms', value: '60000' }, { name: 'cleanup.policy', value: 'compact' }, { name: 'segment.ms', value: '70000' }] },
      { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'segment.ms', value: '60000' }] },
    ],
    validateOnly: false,
  });
  t.equal(legacy.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  t.match(legacy.responses[0].errorMessage, /^Error due to duplicate config keys : segment\.ms$/);
  t.same(broker.topics.get('dup')!.configs, { 'retention.ms': '1000' }, 'AlterConfigs did not replace the set either');
  t.equal(legacy.responses[1].errorCode, 0);
  t.same(broker.topics.get('other')!.configs, { 'segment.ms': '60000' });

  // Checked first, as Kafka does: before the resource itself.
  const unknown = await client.send(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: TOPIC, resourceName: 'nope', configs: [{ name: 'a', configOperation: SET, value: '1' }, { name: 'a', configOperation: SET, value: '2' }] }],
    validateOnly: true,
  });
  t.equal(unknown.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  t.match(unknown.responses[0].errorMessage, /duplicate config keys/);
});

t.test('AlterConfigs: a null value is INVALID_REQUEST "Null value not supported for : <names>", nothing of that resource applied', async (t) => {
  const { broker, client } = await start(t);
  broker.createTopic('nul', 1, { 'retention.ms': '1000' });
  broker.createTopic('other', 1);

  for (const v of [0, 1, 2]) {
    const r = await client.send(ApiKey.AlterConfigs, v, {
      resources: [
        { resourceType: TOPIC, resourceName: 'nul', configs: [{ name: 'segment.ms', value: '60000' }, { name: 'retention.ms', value: null }, { name: 'flush.ms', value: null }] },
        { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'segment.ms', value: String(60000 + v) }] },
      ],
      validateOnly: false,
    });
    t.equal(r.responses[0].errorCode, ErrorCode.INVALID_REQUEST, `v${v}`);
    t.equal(r.responses[0].errorCode, 42);
    t.equal(r.responses[0].errorMessage, 'Null value not supported for : retention.ms, flush.ms', "Kafka's message, every null name");
    t.same(broker.topics.get('nul')!.configs, { 'retention.ms': '1000' }, 'not replaced: the set is as it was');
    t.equal(broker.partitionLog('nul', 0)!.logConfig.retentionMs, 1000);
    t.equal(r.responses[1].errorCode, 0, 'the other resource is applied');
    t.same(broker.topics.get('other')!.configs, { 'segment.ms': String(60000 + v) });
  }

  const dry = await client.send(ApiKey.AlterConfigs, 1, { resources: [{ resourceType: TOPIC, resourceName: 'nul', configs: [{ name: 'retention.ms', value: null }] }], validateOnly: true });
  t.equal(dry.responses[0].errorCode, ErrorCode.INVALID_REQUEST, 'validate_only too');

  // Kafka's order: duplicate names, then nulls, then the resource itself (its type, the topic).
  const order = await client.send(ApiKey.AlterConfigs, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'nul', configs: [{ name: 'retention.ms', value: null }, { name: 'retention.ms', value: null }] },
      { resourceType: TOPIC, resourceName: 'nope', configs: [{ name: 'retention.ms', value: null }] },
      { resourceType: BROKER, resourceName: String(broker.config.nodeId), configs: [{ name: 'log.retention.ms', value: null }] },
    ],
    validateOnly: false,
  });
  t.match(order.responses[0].errorMessage, /^Error due to duplicate config keys/);
  t.same(order.responses.slice(1).map((x) => [x.errorCode, x.errorMessage]), [
    [ErrorCode.INVALID_REQUEST, 'Null value not supported for : retention.ms'],
    [ErrorCode.INVALID_REQUEST, 'Null value not supported for : log.retention.ms'],
  ]);

  // IncrementalAlterConfigs: a null is refused the same way for every operation but DELETE.
  const inc = await client.send(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: TOPIC,
        resourceName: 'nul',
        configs: [
          { name: 'retention.ms', configOperation: SET, value: null },
          { name: 'cleanup.policy', configOperation: 2, value: null },
          { name: 'segment.ms', configOperation: DELETE, value: null },
        ],
      },
      { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'segment.ms', configOperation: DELETE, value: null }] },
    ],
    validateOnly: false,
  });
  t.equal(inc.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(inc.responses[0].errorMessage, 'Null value not supported for : retention.ms, cleanup.policy', 'SET and APPEND, not the DELETE');
  t.same(broker.topics.get('nul')!.configs, { 'retention.ms': '1000' });
  t.equal(inc.responses[1].errorCode, 0, 'a DELETE with a null value is fine');
  t.same(broker.topics.get('other')!.configs, {});
});

t.test('AlterConfigs and IncrementalAlterConfigs: a resource listed twice is INVALID_REQUEST for each listing, none applied', async (t) => {
  const { broker, client } = await start(t);
  broker.createTopic('twice', 1, { 'retention.ms': '1000' });
  broker.createTopic('other', 1);
  const ONCE = 'Each resource must appear at most once.';
  const answers = (r: { responses: { resourceType: number; resourceName: string; errorCode: number; errorMessage: string | null }[] }) =>
    r.responses.map((x) => [x.resourceType, x.resourceName, x.errorCode, x.errorCode === 0 ? null : x.errorMessage]);

  const inc = await client.send(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'twice', configs: [{ name: 'retention.ms', configOperation: SET, value: '2000' }] },
      { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'retention.ms', configOperation: SET, value: '3000' }] },
      { resourceType: TOPIC, resourceName: 'twice', configs: [{ name: 'segment.ms', configOperation: SET, value: '60000' }] },
    ],
    validateOnly: false,
  });
  t.same(answers(inc), [
    [TOPIC, 'twice', 42, ONCE],
    [TOPIC, 'other', 0, null],
    [TOPIC, 'twice', 42, ONCE],
  ], 'one answer per listing, in order; the other resource handled as usual');
  t.same(broker.topics.get('twice')!.configs, { 'retention.ms': '1000' }, 'neither listing applied');
  t.same(broker.topics.get('other')!.configs, { 'retention.ms': '3000' });

  const legacy = await client.send(ApiKey.AlterConfigs, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'twice', configs: [{ name: 'segment.ms', value: '60000' }] },
      { resourceType: TOPIC, resourceName: 'twice', configs: [{ name: 'segment.ms', value: '60000' }] },
      { resourceType: TOPIC, resourceName: 'twice', configs: [] },
      { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'segment.ms', value: '70000' }] },
    ],
    validateOnly: false,
  });
  t.same(answers(legacy), [
    [TOPIC, 'twice', 42, ONCE],
    [TOPIC, 'twice', 42, ONCE],
    [TOPIC, 'twice', 42, ONCE],
    [TOPIC, 'other', 0, null],
  ], 'even identical listings, and all three of them');
  t.same(broker.topics.get('twice')!.configs, { 'retention.ms': '1000' }, 'AlterConfigs did not replace the set');
  t.same(broker.topics.get('other')!.configs, { 'segment.ms': '70000' });

  // The same name under another resource type is another resource; and the check comes before anything else.
  const mixed = await client.send(ApiKey.IncrementalAlterConfigs, 0, {
    resources: [
      { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'segment.ms', configOperation: DELETE, value: null }] },
      { resourceType: BROKER, resourceName: 'other', configs: [{ name: 'log.retention.ms', configOperation: SET, value: '1' }] },
      { resourceType: TOPIC, resourceName: 'nope', configs: [{ name: 'a', configOperation: SET, value: null }, { name: 'a', configOperation: SET, value: null }] },
      { resourceType: TOPIC, resourceName: 'nope', configs: [] },
    ],
    validateOnly: true,
  });
  t.equal(mixed.responses[0].errorCode, 0, 'TOPIC "other" once');
  t.equal(mixed.responses[1].errorCode, ErrorCode.INVALID_REQUEST);
  t.not(mixed.responses[1].errorMessage, ONCE, 'BROKER "other" is not the same resource');
  t.same(answers(mixed).slice(2), [
    [TOPIC, 'nope', 42, ONCE],
    [TOPIC, 'nope', 42, ONCE],
  ], 'before duplicate names, nulls and the unknown topic');
  t.same(broker.topics.get('other')!.configs, { 'segment.ms': '70000' }, 'validate_only changed nothing');
});
