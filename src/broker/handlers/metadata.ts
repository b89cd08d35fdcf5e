/**
 * Metadata: this broker, and each requested topic with its partitions (all led by this node, one replica).
 * A null topic list (v1+), or an empty one in v0, means every topic. Unknown topics are created when
 * auto.create.topics.enable is on and the request allows it (v4+), as Kafka does.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { INTERNAL_TOPICS, TopicInfo } from '../topic-store';
import { route } from '../handler';
import type { BrokerContext } from '../broker-context';
import { kafkaErrorCode } from '../error-mapping';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

function topicEntry(broker: BrokerContext, t: TopicInfo) {
  const node = broker.config.nodeId;
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: INTERNAL_TOPICS.has(t.name),
    partitions: Array.from({ length: t.partitions }, (_, i) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: i,
      leaderId: node,
      leaderEpoch: 0,
      replicaNodes: [node],
      isrNodes: [node],
      offlineReplicas: [],
    })),
  };
}

export const metadataRoute = route(ApiKey.Metadata, 0, 9, (request, { header, broker }) => {
  const v = header.apiVersion;
  const requested = request.topics;
  const all = requested === null || (v === 0 && requested.length === 0);
  const topics = all
    ? broker.topics.list().map((t) => topicEntry(broker, t))
    : requested!.map(({ name }) => {
        const known = name === null ? undefined : broker.topics.get(name);
        if (known) return topicEntry(broker, known);
        const failed = (code: number) => ({ errorCode: code, name: name ?? '', topicId: ZERO_UUID, isInternal: false, partitions: [] });
        if (name === null) return failed(ErrorCode.UNKNOWN_TOPIC_ID);
        const autoCreate = broker.config.autoCreateTopics && (v < 4 || request.allowAutoTopicCreation);
        if (!autoCreate) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        try {
          broker.createTopic(name, broker.config.numPartitions);
          // Kafka answers LEADER_NOT_AVAILABLE right after auto-creation; the leader is ready here at once.
          return topicEntry(broker, broker.topics.get(name)!);
        } catch (err) {
          if (err instanceof KafkaError && err.code === 'TOPIC_ALREADY_EXISTS') return topicEntry(broker, broker.topics.get(name)!);
          return failed(kafkaErrorCode(err, broker.log));
        }
      });
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: broker.config.nodeId, host: broker.endpoint.host, port: broker.endpoint.port, rack: null }],
    clusterId: broker.topics.clusterId,
    controllerId: broker.config.nodeId,
    topics,
  };
});
