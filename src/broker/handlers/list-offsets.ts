/**
 * ListOffsets: EARLIEST (-2) is the log start offset, LATEST (-1) the high watermark, or for read_committed
 * (isolation_level 1, v2+) the last stable offset, any other timestamp the first record at or after it (Log.offsetForTimestamp), or -1 when
 * there is none. v0 answers in its old shape (an offsets array).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';
import { kafkaErrorCode } from '../error-mapping';

const LATEST = -1;
const EARLIEST = -2;
const READ_COMMITTED = 1;

export const listOffsetsRoute = route(ApiKey.ListOffsets, 0, 6, (request, { header, broker }) => ({
  throttleTimeMs: 0,
  topics: request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const out = {
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.NONE,
        oldStyleOffsets: [] as bigint[],
        timestamp: -1n,
        offset: -1n,
        leaderEpoch: 0,
      };
      const log = broker.partitionLog(t.name, p.partitionIndex);
      if (!log) {
        out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        out.leaderEpoch = -1;
        return out;
      }
      try {
        const ts = Number(p.timestamp);
        if (ts === LATEST) out.offset = BigInt(request.isolationLevel === READ_COMMITTED ? log.lastStableOffset : log.highWatermark);
        else if (ts === EARLIEST) out.offset = BigInt(log.logStartOffset);
        else if (ts < 0) out.errorCode = ErrorCode.INVALID_REQUEST;
        else {
          const found = log.offsetForTimestamp(ts);
          // read_committed: nothing at or past the last stable offset exists yet for this client (Kafka's rule).
          if (found && !(request.isolationLevel === READ_COMMITTED && found.offset >= log.lastStableOffset)) {
            out.offset = BigInt(found.offset);
            out.timestamp = BigInt(found.timestamp);
          }
        }
      } catch (err) {
        out.errorCode = kafkaErrorCode(err, broker.log);
      }
      if (header.apiVersion === 0 && out.offset >= 0n) out.oldStyleOffsets = [out.offset];
      return out;
    }),
  })),
}));
