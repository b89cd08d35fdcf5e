/**
 * Fetch (v4+: record batches v2). Each partition is read from its fetch offset as zero-copy views of the
 * segment mappings, bounded by partition_max_bytes and the request's max_bytes (the first partition with data
 * always returns at least one whole batch, KIP-74). If fewer than min_bytes are ready, the request parks in the
 * purgatory until an append could satisfy it or max_wait_ms passes: it is always answered by its deadline.
 * read_committed reads up to the last stable offset (the high watermark until transactions exist) and gets an
 * empty aborted-transactions list; read_uncommitted gets null there, as Kafka sends.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import type { RequestOf } from '../../protocol/apis';
import { route } from '../handler';
import type { BrokerContext } from '../broker-context';
import { kafkaErrorCode } from '../error-mapping';

const EMPTY = Buffer.alloc(0);
const READ_COMMITTED = 1;

type FetchRequest = RequestOf<ApiKey.Fetch>;

function readAll(request: FetchRequest, broker: BrokerContext) {
  const committed = request.isolationLevel === READ_COMMITTED;
  let remaining = request.maxBytes;
  let total = 0;
  let errors = 0;
  const responses = request.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const out = {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        abortedTransactions: committed ? [] : null,
        preferredReadReplica: -1,
        records: EMPTY as Buffer | Buffer[],
      };
      const log = broker.partitionLog(t.topic, p.partition);
      if (!log) {
        errors++;
        out.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        return out;
      }
      const hw = log.highWatermark;
      out.highWatermark = BigInt(hw);
      out.lastStableOffset = BigInt(hw);
      out.logStartOffset = BigInt(log.logStartOffset);
      const offset = Number(p.fetchOffset);
      try {
        const limit = Math.max(0, Math.min(p.partitionMaxBytes, remaining));
        const r = log.read(offset, limit, { maxOffset: hw, minOneBatch: total === 0 });
        if (r.size > 0) out.records = r.records;
        total += r.size;
        remaining -= r.size;
      } catch (err) {
        errors++;
        out.errorCode = kafkaErrorCode(err, broker.log);
      }
      return out;
    }),
  }));
  return { responses, total, errors };
}

export const fetchRoute = route(ApiKey.Fetch, 4, 12, async (request, { broker }) => {
  let result = readAll(request, broker);
  if (result.total < request.minBytes && result.errors === 0 && request.maxWaitMs > 0) {
    const keys = request.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partition}`));
    await broker.purgatory.wait(keys, request.maxWaitMs, () => readAll(request, broker).total >= request.minBytes);
    result = readAll(request, broker);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses };
});
