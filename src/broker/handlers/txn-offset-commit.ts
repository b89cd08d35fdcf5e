/**
 * TxnOffsetCommit (v0-3): a consumer group's offsets committed inside a transaction (consume-transform-produce).
 * The transaction coordinator checks the producer is current and its transaction holds the offsets partition;
 * the group coordinator writes them now and applies them at the COMMIT marker. v3 (KIP-447) also checks the
 * member and generation, fencing zombie consumers. Unknown partitions get UNKNOWN_TOPIC_OR_PARTITION.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import type { OffsetCommitEntry } from '../../group/group-api';
import { route } from '../handler';

export const txnOffsetCommitRoute = route(ApiKey.TxnOffsetCommit, 0, 3, (request, { broker }) => {
  const producerId = Number(request.producerId);
  const check = broker.txns.checkTxnOffsetCommit(request.transactionalId, producerId, request.producerEpoch);
  const entries: OffsetCommitEntry[] = [];
  const topics = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const out = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, entry: -1 };
      if (check !== 'NONE') out.errorCode = ErrorCode[check];
      else if (broker.partitionLog(t.name, p.partitionIndex) !== undefined) {
        out.entry = entries.length;
        entries.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata, commitTimestampMs: -1 });
      }
      return out;
    }),
  }));
  const results =
    entries.length === 0
      ? []
      : broker.groups.commitTxnOffsets({
          groupId: request.groupId,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          retentionTimeMs: -1,
          offsets: entries,
          producerId,
          producerEpoch: request.producerEpoch,
        });
  return {
    throttleTimeMs: 0,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: p.entry === -1 ? p.errorCode : ErrorCode[results[p.entry].error] })),
    })),
  };
});
