/**
 * OffsetDelete: drops a group's committed offsets for some partitions. Partitions that do not exist get
 * UNKNOWN_TOPIC_OR_PARTITION (Kafka checks its metadata first); a topic the group's consumers subscribe to gets
 * GROUP_SUBSCRIBED_TO_TOPIC; a group-level error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP) answers with no topics.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import type { TopicPartition } from '../../group/group-api';
import { route } from '../handler';

export const offsetDeleteRoute = route(ApiKey.OffsetDelete, 0, 0, (request, { broker }) => {
  const known: TopicPartition[] = [];
  for (const t of request.topics) {
    for (const p of t.partitions) {
      if (broker.partitionLog(t.name, p.partitionIndex) !== undefined) known.push({ topic: t.name, partition: p.partitionIndex });
    }
  }
  const result = broker.groups.deleteOffsets(request.groupId, known);
  if (result.error !== 'NONE') return { errorCode: ErrorCode[result.error], throttleTimeMs: 0, topics: [] };
  const errors = new Map(result.partitions.map((p) => [`${p.partition}\0${p.topic}`, ErrorCode[p.error]]));
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: errors.get(`${p.partitionIndex}\0${t.name}`) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      })),
    })),
  };
});
