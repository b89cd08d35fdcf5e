/**
 * DeleteRecords: moves each partition's log start offset up (offset -1: to the high watermark) and deletes the
 * segments wholly below it; the new low watermark is answered and checkpointed.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';
import { kafkaErrorCode } from '../error-mapping';

export const deleteRecordsRoute = route(ApiKey.DeleteRecords, 0, 2, (request, { broker }) => {
  const result = {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const out = { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: ErrorCode.NONE };
        const log = broker.partitionLog(t.name, p.partitionIndex);
        if (!log) {
          out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          return out;
        }
        try {
          const target = Number(p.offset) === -1 ? log.highWatermark : Number(p.offset);
          out.lowWatermark = BigInt(log.deleteRecordsBefore(target));
        } catch (err) {
          out.errorCode = kafkaErrorCode(err, broker.log);
        }
        return out;
      }),
    })),
  };
  try {
    broker.logs.checkpoint();
  } catch (err) {
    // The start offsets moved but could not be made durable: report it on the partitions that succeeded.
    const code = kafkaErrorCode(err, broker.log);
    for (const t of result.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code;
  }
  return result;
});
