/**
 * CreateTopics: num_partitions and replication_factor of -1 take the broker defaults; a replication factor other
 * than 1 is INVALID_REPLICATION_FACTOR until replication exists; manual assignments must name this node only.
 * Topic configs are checked by their Kafka names: the log's (segment.bytes, retention.ms, ...) take effect,
 * other known Kafka topic configs are kept for DescribeConfigs, unknown names are INVALID_CONFIG.
 * From v5 the result lists every config of the (new or, with validate_only, would-be) topic as DescribeConfigs
 * does (topicConfigEntries: value, read_only, config_source, is_sensitive), not only the ones given.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { validateTopicName } from '../topic-store';
import { topicConfigEntries, validateTopicConfigs } from '../topic-configs';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export const createTopicsRoute = route(ApiKey.CreateTopics, 0, 7, (request, { broker }) => {
  const seen = new Map<string, number>();
  for (const t of request.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => {
      const result = {
        name: t.name,
        topicId: ZERO_UUID,
        errorCode: ErrorCode.NONE,
        errorMessage: null as string | null,
        topicConfigErrorCode: ErrorCode.NONE,
        numPartitions: -1,
        replicationFactor: -1,
        configs: [] as { name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean }[],
      };
      try {
        if ((seen.get(t.name) ?? 0) > 1) throw new KafkaError('INVALID_REQUEST', `topic "${t.name}" appears more than once in the request`);
        validateTopicName(t.name);
        if (broker.topics.get(t.name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic "${t.name}" already exists`);
        let partitions = t.numPartitions === -1 ? broker.config.numPartitions : t.numPartitions;
        const replication = t.replicationFactor === -1 ? broker.config.defaultReplicationFactor : t.replicationFactor;
        if (t.assignments.length > 0) {
          if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
            throw new KafkaError('INVALID_REQUEST', 'give either assignments or num_partitions/replication_factor, not both');
          }
          const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
          if (indexes.some((i, n) => i !== n)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'partitions must be numbered 0..n-1');
          for (const a of t.assignments) {
            if (a.brokerIds.length !== 1 || a.brokerIds[0] !== broker.config.nodeId) {
              throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `only node ${broker.config.nodeId} exists`);
            }
          }
          partitions = t.assignments.length;
        } else if (replication !== 1) {
          throw new KafkaError('INVALID_REPLICATION_FACTOR', `replication factor must be 1 on a single node, not ${replication}`);
        }
        if (partitions < 1 || partitions > 100_000) {
          throw new KafkaError('INVALID_PARTITIONS', `number of partitions must be in [1, 100000], not ${partitions}`);
        }
        const configs: Record<string, string> = {};
        for (const c of t.configs) {
          if (c.value === null) continue;
          configs[c.name] = c.value;
        }
        validateTopicConfigs(configs);
        if (!request.validateOnly) {
          const info = broker.createTopic(t.name, partitions, configs);
          result.topicId = info.id;
        }
        result.numPartitions = partitions;
        result.replicationFactor = 1;
        result.configs = topicConfigEntries(broker.config, configs).map((e) => ({
          name: e.name,
          value: e.value,
          readOnly: e.readOnly,
          configSource: e.configSource,
          isSensitive: e.isSensitive,
        }));
      } catch (err) {
        result.errorCode = kafkaErrorCode(err, broker.log);
        result.errorMessage = errorMessage(err);
      }
      return result;
    }),
  };
});
