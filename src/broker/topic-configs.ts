/**
 * Topic-level config names the broker accepts. The log's own (segment.bytes, retention.ms, ...) take effect;
 * the rest of Kafka's topic configs are accepted and kept so that tools setting them keep working, and are
 * listed here so a misspelt name is refused with INVALID_CONFIG rather than silently kept.
 */
import { KafkaError } from '../errors/kafka-error';
import { LOG_PROPERTIES, logConfigFrom } from '../config/log-config';

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
