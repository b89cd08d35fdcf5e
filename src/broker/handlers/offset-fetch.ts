/**
 * OffsetFetch: committed offsets, -1 (and metadata '') where none; v2+ null topics asks for every partition the
 * group has an offset for, and a group-level error goes in the top-level error code (before v2, into every
 * partition asked for). v7's require_stable is honoured by the coordinator.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import type { FetchedOffset } from '../../group/group-api';
import { route } from '../handler';

export const offsetFetchRoute = route(ApiKey.OffsetFetch, 0, 7, (request, { header, broker }) => {
  const partitions = request.topics === null ? null : request.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const result = broker.groups.fetchOffsets(request.groupId, partitions, request.requireStable);
  if (result.error !== 'NONE') {
    const errorCode = ErrorCode[result.error];
    if (header.apiVersion >= 2) return { throttleTimeMs: 0, topics: [], errorCode };
    return {
      topics: (request.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, metadata: '', errorCode })),
      })),
    };
  }
  const byTopic = new Map<string, FetchedOffset[]>();
  for (const o of result.offsets) {
    let list = byTopic.get(o.topic);
    if (list === undefined) byTopic.set(o.topic, (list = []));
    list.push(o);
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: [...byTopic].map(([name, offsets]) => ({
      name,
      partitions: offsets.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: o.leaderEpoch,
        metadata: o.metadata,
        errorCode: ErrorCode[o.error],
      })),
    })),
  };
});
