/**
 * Topic-level config names the broker accepts. The log's own (segment.bytes, retention.ms, ...) take effect;
 * the rest of Kafka's topic configs are accepted and kept so that tools setting them keep working, and are
 * listed here so a misspelt name is refused with INVALID_CONFIG rather than silently kept.
 * Also the one view of a topic's configs that DescribeConfigs and CreateTopics (v5+) both answer with.
 */
import { KafkaError } from '../errors/kafka-error';
import type { BrokerConfig } from '../config/broker-config';
import { brokerNames, formatLogValue, LOG_PROPERTIES, logConfigFrom } from '../config/log-config';

export const LOG_TOPIC_CONFIGS: ReadonlySet<string> = new Set(LOG_PROPERTIES.map((p) => p.topic));

export const KEPT_TOPIC_CONFIGS: ReadonlySet<string> = new Set([
  'cleanup.policy',
  'compression.type',
  'delete.retention.ms',
  'file.delete.delay.ms',
  'follower.replication.throttled.replicas',
  'leader.replication.throttled.replicas',
  'local.retention.bytes',
  'local.retention.ms',
  'max.compaction.lag.ms',
  'message.downconversion.enable',
  'message.format.version',
  'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.difference.max.ms',
  'message.timestamp.type',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
  'min.insync.replicas',
  'preallocate',
  'remote.storage.enable',
  'segment.jitter.ms',
  'unclean.leader.election.enable',
]);

/**
 * Throws INVALID_REQUEST when a resource of AlterConfigs or IncrementalAlterConfigs names a config more than
 * once, as Kafka does (before anything else of that resource is looked at or applied).
 */
export function rejectDuplicateConfigNames(configs: readonly { name: string }[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const c of configs) (seen.has(c.name) ? duplicates : seen).add(c.name);
  if (duplicates.size > 0) throw new KafkaError('INVALID_REQUEST', `Error due to duplicate config keys : ${[...duplicates].join(',')}`);
}

interface ConfigResourceRef {
  resourceType: number;
  resourceName: string;
}
/** How often each (type, name) occurs in a request's resources, counted once per request. */
const resourceCounts = new WeakMap<readonly ConfigResourceRef[], Map<string, number>>();
const resourceKey = (r: ConfigResourceRef) => `${r.resourceType}\u0000${r.resourceName}`;

/**
 * Throws INVALID_REQUEST "Each resource must appear at most once." when another resource of the request has this
 * one's type and name, as Kafka's ConfigAdminManager.preprocess answers each such resource of AlterConfigs and
 * IncrementalAlterConfigs (before anything else of it is looked at; none of them is applied).
 */
export function rejectDuplicateResource<R extends ConfigResourceRef>(resources: readonly R[], resource: R): void {
  let counts = resourceCounts.get(resources);
  if (!counts) {
    counts = new Map();
    for (const r of resources) counts.set(resourceKey(r), (counts.get(resourceKey(r)) ?? 0) + 1);
    resourceCounts.set(resources, counts);
  }
  if ((counts.get(resourceKey(resource)) ?? 0) > 1) throw new KafkaError('INVALID_REQUEST', 'Each resource must appear at most once.');
}

/**
 * Throws INVALID_REQUEST "Null value not supported for : <names>" when any of these configs has a null value, as
 * Kafka's ConfigAdminManager.preprocess does (for AlterConfigs every entry; for IncrementalAlterConfigs every entry
 * but a DELETE), after the duplicate-name check and before the resource itself is looked at.
 */
export function rejectNullConfigValues(configs: readonly { name: string; value: string | null }[]): void {
  const nulls = configs.filter((c) => c.value === null).map((c) => c.name);
  if (nulls.length > 0) throw new KafkaError('INVALID_REQUEST', `Null value not supported for : ${nulls.join(', ')}`);
}

/** Throws INVALID_CONFIG for an unknown name or a bad value of a log config. */
export function validateTopicConfigs(configs: Readonly<Record<string, string>>): void {
  for (const name of Object.keys(configs)) {
    if (!LOG_TOPIC_CONFIGS.has(name) && !KEPT_TOPIC_CONFIGS.has(name)) {
      throw new KafkaError('INVALID_CONFIG', `unknown topic config "${name}"`);
    }
  }
  try {
    logConfigFrom(configs, 'topic');
  } catch (err) {
    throw new KafkaError('INVALID_CONFIG', (err as Error).message);
  }
}

/** DescribeConfigs' and CreateTopics' config_source, by the names of Kafka's ConfigEntry.ConfigSource. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** DescribeConfigs' config_type (Kafka's ConfigDef.Type ids). */
export const ConfigType = {
  STRING: 2,
  INT: 3,
  LONG: 5,
} as const;

export interface TopicConfigEntry {
  name: string;
  value: string;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  /** Where the value could come from, highest precedence first, as DescribeConfigs' include_synonyms lists them. */
  synonyms: { name: string; value: string; source: number }[];
  configType: number;
}

/**
 * Every config of a topic with these overrides, sorted by name: each log config with its effective value and
 * where that comes from (the topic: DYNAMIC_TOPIC_CONFIG; a broker property given at start, log.retention.ms or
 * its log.retention.hours/minutes: STATIC_BROKER_CONFIG; else Kafka's default: DEFAULT_CONFIG), then the other
 * Kafka topic configs that are set on the topic. Values are as Kafka shows them (Long.MAX_VALUE, not 2^53 - 1).
 */
export function topicConfigEntries(config: Pick<BrokerConfig, 'log' | 'raw'>, overrides: Readonly<Record<string, string>>): TopicConfigEntry[] {
  const effective = logConfigFrom(overrides, 'topic', config.log);
  const entries: TopicConfigEntry[] = LOG_PROPERTIES.map((p) => {
    const onTopic = overrides[p.topic] !== undefined;
    const onBroker = brokerNames(p).filter((k) => config.raw[k] !== undefined);
    const source = onTopic ? ConfigSource.DYNAMIC_TOPIC_CONFIG : onBroker.length > 0 ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    return {
      name: p.topic,
      value: formatLogValue(p, effective[p.field]),
      readOnly: false,
      configSource: source,
      isSensitive: false,
      synonyms: [
        ...(onTopic ? [{ name: p.topic, value: overrides[p.topic], source: ConfigSource.DYNAMIC_TOPIC_CONFIG }] : []),
        ...onBroker.map((k) => ({ name: k, value: config.raw[k], source: ConfigSource.STATIC_BROKER_CONFIG })),
        { name: p.broker, value: formatLogValue(p, p.default), source: ConfigSource.DEFAULT_CONFIG },
      ],
      configType: p.type === 'int' ? ConfigType.INT : ConfigType.LONG,
    };
  });
  for (const [name, value] of Object.entries(overrides)) {
    if (LOG_TOPIC_CONFIGS.has(name)) continue;
    entries.push({
      name,
      value,
      readOnly: false,
      configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      isSensitive: false,
      synonyms: [{ name, value, source: ConfigSource.DYNAMIC_TOPIC_CONFIG }],
      configType: ConfigType.STRING,
    });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
