/**
 * DescribeConfigs for topics (resource type 2) and this broker (type 4). A topic's log configs are listed with
 * their effective values: set on the topic (DYNAMIC_TOPIC_CONFIG), in the broker's properties
 * (STATIC_BROKER_CONFIG) or Kafka's default (DEFAULT_CONFIG); other Kafka topic configs appear when set.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { LOG_PROPERTIES, logConfigFrom } from '../../config/log-config';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';
import type { BrokerContext } from '../broker-context';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
const SOURCE_DYNAMIC_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;
const TYPE_STRING = 2;
const TYPE_LONG = 5;

interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: { name: string; value: string | null; source: number }[];
  configType: number;
  documentation: string | null;
}

function topicEntries(broker: BrokerContext, name: string, synonyms: boolean): ConfigEntry[] {
  const topic = broker.topics.get(name);
  if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `no topic "${name}"`);
  const effective = logConfigFrom(topic.configs, 'topic', broker.config.log);
  const entries: ConfigEntry[] = LOG_PROPERTIES.map((p) => {
    const onTopic = topic.configs[p.topic] !== undefined;
    const onBroker = broker.config.raw[p.broker] !== undefined;
    const source = onTopic ? SOURCE_DYNAMIC_TOPIC : onBroker ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT;
    const chain = [
      ...(onTopic ? [{ name: p.topic, value: topic.configs[p.topic], source: SOURCE_DYNAMIC_TOPIC }] : []),
      ...(onBroker ? [{ name: p.broker, value: broker.config.raw[p.broker], source: SOURCE_STATIC_BROKER }] : []),
      { name: p.broker, value: String(p.default), source: SOURCE_DEFAULT },
    ];
    return {
      name: p.topic,
      value: String(effective[p.field]),
      readOnly: false,
      isDefault: source === SOURCE_DEFAULT,
      configSource: source,
      isSensitive: false,
      synonyms: synonyms ? chain : [],
      configType: TYPE_LONG,
      documentation: null,
    };
  });
  for (const [key, value] of Object.entries(topic.configs)) {
    if (entries.some((e) => e.name === key)) continue;
    entries.push({ name: key, value, readOnly: false, isDefault: false, configSource: SOURCE_DYNAMIC_TOPIC, isSensitive: false, synonyms: synonyms ? [{ name: key, value, source: SOURCE_DYNAMIC_TOPIC }] : [], configType: TYPE_STRING, documentation: null });
  }
  return entries;
}

function brokerEntries(broker: BrokerContext, resourceName: string): ConfigEntry[] {
  if (resourceName !== '' && resourceName !== String(broker.config.nodeId)) {
    throw new KafkaError('INVALID_REQUEST', `no broker "${resourceName}" (this is node ${broker.config.nodeId})`);
  }
  const values: Record<string, string> = {
    'node.id': String(broker.config.nodeId),
    'log.dirs': broker.config.logDir,
    'num.partitions': String(broker.config.numPartitions),
    'auto.create.topics.enable': String(broker.config.autoCreateTopics),
    'socket.request.max.bytes': String(broker.config.socketRequestMaxBytes),
    ...Object.fromEntries(LOG_PROPERTIES.map((p) => [p.broker, String(broker.config.log[p.field])])),
  };
  return Object.entries(values).map(([name, value]) => {
    const set = broker.config.raw[name] !== undefined;
    return { name, value, readOnly: true, isDefault: !set, configSource: set ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT, isSensitive: false, synonyms: [], configType: TYPE_STRING, documentation: null };
  });
}

export const describeConfigsRoute = route(ApiKey.DescribeConfigs, 0, 4, (request, { broker }) => ({
  throttleTimeMs: 0,
  results: request.resources.map((r) => {
    const base = { errorCode: ErrorCode.NONE, errorMessage: null as string | null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] as ConfigEntry[] };
    try {
      let entries: ConfigEntry[];
      if (r.resourceType === RESOURCE_TOPIC) entries = topicEntries(broker, r.resourceName, request.includeSynonyms);
      else if (r.resourceType === RESOURCE_BROKER) entries = brokerEntries(broker, r.resourceName);
      else throw new KafkaError('INVALID_REQUEST', `resource type ${r.resourceType} is not supported`);
      const keys = r.configurationKeys;
      base.configs = keys === null || keys.length === 0 ? entries : entries.filter((e) => keys.includes(e.name));
    } catch (err) {
      base.errorCode = kafkaErrorCode(err, broker.log);
      base.errorMessage = errorMessage(err);
    }
    return base;
  }),
}));
