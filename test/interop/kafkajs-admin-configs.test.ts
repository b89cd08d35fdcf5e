/**
 * kafkajs admin against a real broker process: topic configs (create with configs, describe, alter, bad values),
 * partition growth and DeleteRecords, checked through the client's own view and by producing and fetching.
 */
import t from 'tap';
import { Kafka, logLevel, ConfigResourceTypes } from 'kafkajs';
import { startBroker } from './helpers/broker-process';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

t.test('kafkajs admin: configs, partitions, delete records', async (t) => {
  const broker = await startBroker(t.testdir(), { 'log.retention.ms': 3600000 });
  t.teardown(() => broker.stop());
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'cfg', logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  await admin.createTopics({ topics: [{ topic: 'cfg', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }, { name: 'cleanup.policy', value: 'delete' }] }] });
  const describe = async () => {
    const r = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }], includeSynonyms: false });
    return Object.fromEntries(r.resources[0].configEntries.map((e) => [e.configName, [e.configValue, e.isDefault]]));
  };
  let configs = await describe();
  t.same(configs['retention.ms'], ['60000', false], 'topic override');
  t.same(configs['segment.bytes'], [String(1 << 30), true], 'Kafka default');
  t.same(configs['cleanup.policy'], ['delete', false]);

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '120000' }, { name: 'segment.bytes', value: '1048576' }] }] });
  configs = await describe();
  t.same(configs['retention.ms'], ['120000', false]);
  t.same(configs['segment.bytes'], ['1048576', false]);
  t.same(configs['cleanup.policy'], undefined, 'AlterConfigs replaces the whole set, as Kafka does');
  const badValue = await admin
    .alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] })
    .catch((e: { type?: string }) => e);
  t.equal((badValue as { type?: string }).type, 'INVALID_CONFIG', 'a bad value is refused with INVALID_CONFIG');
  const badName = await admin
    .createTopics({ topics: [{ topic: 'bad', configEntries: [{ name: 'no.such.config', value: '1' }] }] })
    .catch((e: { errors?: { type: string }[] }) => e);
  t.same((badName as { errors?: { type: string }[] }).errors?.map((e) => e.type), ['INVALID_CONFIG'], 'an unknown config name is refused');

  await admin.createPartitions({ topicPartitions: [{ topic: 'cfg', count: 4 }] });
  const meta = await admin.fetchTopicMetadata({ topics: ['cfg'] });
  t.equal(meta.topics[0].partitions.length, 4);
  const shrink = await admin.createPartitions({ topicPartitions: [{ topic: 'cfg', count: 2 }] }).catch((e: { type?: string }) => e);
  t.equal((shrink as { type?: string }).type, 'INVALID_PARTITIONS', 'cannot shrink');

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'cfg', messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: 3 })) });
  await producer.disconnect();
  await admin.deleteTopicRecords({ topic: 'cfg', partitions: [{ partition: 3, offset: '6' }] });
  const offsets = await admin.fetchTopicOffsets('cfg');
  const p3 = offsets.find((o) => o.partition === 3)!;
  t.same([p3.low, p3.high], ['6', '10'], 'log start offset moved to 6');
});
