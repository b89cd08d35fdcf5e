/**
 * CreatePartitions: a topic's partition count only grows; manual assignments may name this node only.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';

export const createPartitionsRoute = route(ApiKey.CreatePartitions, 0, 3, (request, { broker }) => ({
  throttleTimeMs: 0,
  results: request.topics.map((t) => {
    const out = { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
    try {
      const topic = broker.topics.get(t.name);
      if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `no topic "${t.name}"`);
      if (t.count <= topic.partitions) {
        throw new KafkaError('INVALID_PARTITIONS', `topic "${t.name}" has ${topic.partitions} partitions; the new count must be larger, not ${t.count}`);
      }
      if (t.assignments !== null) {
        if (t.assignments.length !== t.count - topic.partitions) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'one assignment per new partition');
        if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== broker.config.nodeId)) {
          throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `only node ${broker.config.nodeId} exists`);
        }
      }
      if (!request.validateOnly) broker.addPartitions(t.name, t.count);
    } catch (err) {
      out.errorCode = kafkaErrorCode(err, broker.log);
      out.errorMessage = errorMessage(err);
    }
    return out;
  }),
}));
