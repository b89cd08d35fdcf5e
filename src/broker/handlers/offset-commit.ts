/**
 * OffsetCommit: partitions that do not exist get UNKNOWN_TOPIC_OR_PARTITION (as Kafka checks its metadata
 * first); the rest go to the coordinator in one batch, acknowledged once appended. v0 has no generation or member
 * (a commit outside group management), v1 a per-partition commit timestamp, v2-4 a retention time.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import type { OffsetCommitEntry } from '../../group/group-api';
import { route } from '../handler';

export const offsetCommitRoute = route(ApiKey.OffsetCommit, 0, 8, (request, { broker }) => {
  const entries: OffsetCommitEntry[] = [];
  const topics = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const out = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, entry: -1 };
      if (broker.partitionLog(t.name, p.partitionIndex) !== undefined) {
        out.entry = entries.length;
        entries.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
          commitTimestampMs: Number(p.commitTimestamp),
        });
      }
      return out;
    }),
  }));
  const results =
    entries.length === 0
      ? []
      : broker.groups.commitOffsets({
          groupId: request.groupId,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          retentionTimeMs: Number(request.retentionTimeMs),
          offsets: entries,
        });
  return {
    throttleTimeMs: 0,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: p.entry === -1 ? p.errorCode : ErrorCode[results[p.entry].error],
      })),
    })),
  };
});
