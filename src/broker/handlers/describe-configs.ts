/**
 * DescribeConfigs for topics (resource type 2) and this broker (type 4). A topic's configs are topicConfigEntries'
 * (shared with CreateTopics v5+): each log config with its effective value, set on the topic
 * (DYNAMIC_TOPIC_CONFIG), in the broker's properties (STATIC_BROKER_CONFIG) or Kafka's default (DEFAULT_CONFIG);
 * other Kafka topic configs appear when set. Long.MAX_VALUE defaults are shown as Kafka shows them.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { brokerNames, formatLogValue, LOG_PROPERTIES } from '../../config/log-config';
import { ConfigSource, ConfigType, topicConfigEntries } from '../topic-configs';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';
import type { BrokerContext } from '../broker-context';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

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
  return topicConfigEntries(broker.config, topic.configs).map((e) => ({
    ...e,
    isDefault: e.configSource === ConfigSource.DEFAULT_CONFIG,
    synonyms: synonyms ? e.synonyms : [],
    documentation: null,
  }));
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
    ...Object.fromEntries(LOG_PROPERTIES.map((p) => [p.broker, formatLogValue(p, broker.config.log[p.field])])),
  };
  // log.retention.ms is also set by log.retention.hours or .minutes.
  const names: Record<string, string[]> = Object.fromEntries(LOG_PROPERTIES.map((p) => [p.broker, brokerNames(p)]));
  return Object.entries(values).map(([name, value]) => {
    const set = (names[name] ?? [name]).some((k) => broker.config.raw[k] !== undefined);
    const configSource = set ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    return { name, value, readOnly: true, isDefault: !set, configSource, isSensitive: false, synonyms: [], configType: ConfigType.STRING, documentation: null };
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
