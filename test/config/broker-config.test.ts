import t from 'tap';
import { brokerConfigFrom, parseProperties, parseOverrides, propertiesFromEnv, parseListeners } from '../../src/config/broker-config';
import { logConfigFrom } from '../../src/config/log-config';

t.test('defaults are Kafka-like with nothing configured', async (t) => {
  const c = brokerConfigFrom({});
  t.same(c.listeners, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
  t.equal(c.logDir, './data');
  t.equal(c.numPartitions, 1);
  t.equal(c.autoCreateTopics, true);
  t.equal(c.socketRequestMaxBytes, 104857600);
  t.equal(c.groupInitialRebalanceDelayMs, 3000);
  t.equal(c.log.segmentBytes, 1 << 30);
  t.equal(c.log.retentionMs, 7 * 24 * 3600 * 1000);
  t.equal(c.log.maxMessageBytes, 1048588);
});

t.test('properties files, env and overrides, in that precedence', async (t) => {
  const file = parseProperties(`
# a comment
! another
listeners=PLAINTEXT://127.0.0.1:19092
log.dirs = /var/strata
num.partitions: 3
log.retention.hours=1
long.value=a\\
  b
`);
  t.equal(file['log.dirs'], '/var/strata');
  t.equal(file['num.partitions'], '3');
  t.equal(file['long.value'], 'ab');
  const env = propertiesFromEnv({ STRATA_NUM_PARTITIONS: '4', PATH: '/bin' });
  t.same(env, { 'num.partitions': '4' });
  const c = brokerConfigFrom({ ...file, ...env, ...parseOverrides(['num.partitions=5', 'log.segment.bytes=1048576']) });
  t.equal(c.numPartitions, 5);
  t.equal(c.listeners[0].port, 19092);
  t.equal(c.log.retentionMs, 3600_000, 'log.retention.hours');
  t.equal(c.log.segmentBytes, 1048576);
  t.equal(c.raw['log.dirs'], '/var/strata');
});

t.test('bad values name the key and the range', async (t) => {
  t.throws(() => brokerConfigFrom({ 'num.partitions': '0' }), { code: 'ERR_INVALID_CONFIG', message: /num\.partitions=0: must be an integer in \[1, 100000\]/ });
  t.throws(() => brokerConfigFrom({ 'num.partitions': 'many' }), { message: /num\.partitions=many/ });
  t.throws(() => brokerConfigFrom({ 'log.segment.bytes': '10' }), { message: /log\.segment\.bytes=10: must be an integer in \[14,/ });
  t.throws(() => brokerConfigFrom({ listeners: 'localhost:9092' }), { message: /listeners=localhost:9092: expected/ });
  t.throws(() => brokerConfigFrom({ 'auto.create.topics.enable': 'yes' }), { message: /must be true or false/ });
  t.throws(() => brokerConfigFrom({ 'default.replication.factor': '3' }), { message: /default\.replication\.factor=3/ });
  t.throws(() => parseOverrides(['novalue']), { code: 'ERR_INVALID_CONFIG' });
  t.throws(() => logConfigFrom({ 'retention.ms': '-5' }, 'topic'), { message: /retention\.ms=-5/ });
});

t.test('listeners', async (t) => {
  t.same(parseListeners('listeners', 'PLAINTEXT://:0,INTERNAL://[::1]:9093'), [
    { name: 'PLAINTEXT', host: '', port: 0 },
    { name: 'INTERNAL', host: '::1', port: 9093 },
  ]);
  t.throws(() => parseListeners('listeners', 'PLAINTEXT://h:70000'), { message: /port/ });
});

t.test('an empty value is refused, not read as 0', async (t) => {
  t.throws(() => brokerConfigFrom({ 'node.id': '' }), { code: 'ERR_INVALID_CONFIG', message: /node\.id=: must be an integer/ });
  t.throws(() => brokerConfigFrom({ 'log.retention.ms': ' ' }), { code: 'ERR_INVALID_CONFIG' });
});

t.test("Kafka's Long.MAX_VALUE defaults copied from a Kafka server.properties are taken, as no limit", async (t) => {
  const c = brokerConfigFrom(parseProperties('quota.producer.default=9223372036854775807\nquota.consumer.default=9223372036854775807\nlog.retention.check.interval.ms=9223372036854775807\n'));
  t.equal(c.quotaProducerDefault, Number.MAX_SAFE_INTEGER, 'read as the internal no-limit value');
  t.equal(c.quotaConsumerDefault, brokerConfigFrom({}).quotaConsumerDefault, 'the same as the default');
  t.equal(c.logRetentionCheckIntervalMs, Number.MAX_SAFE_INTEGER);
  t.equal(brokerConfigFrom({ 'quota.producer.default': '1048576' }).quotaProducerDefault, 1048576, 'ordinary values as given');
  t.throws(() => brokerConfigFrom({ 'quota.producer.default': '9223372036854775808' }), { code: 'ERR_INVALID_CONFIG', message: /quota\.producer\.default=9223372036854775808: must be an integer in \[1, 9223372036854775807\]/ }, 'past Long.MAX_VALUE: refused');
  t.throws(() => brokerConfigFrom({ 'quota.producer.default': '1e30' }), { code: 'ERR_INVALID_CONFIG' }, 'not an integer');
  t.throws(() => brokerConfigFrom({ 'num.partitions': '9223372036854775807' }), { code: 'ERR_INVALID_CONFIG' }, 'an INT property does not take it');
});
