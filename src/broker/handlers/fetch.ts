/**
 * Fetch (v4+: record batches v2). Each partition is read from its fetch offset as zero-copy views of the
 * segment mappings, bounded by partition_max_bytes and the request's max_bytes (the first partition with data
 * always returns at least one whole batch, KIP-74). If fewer than min_bytes are ready, the request parks in the
 * purgatory until an append could satisfy it or max_wait_ms passes: it is always answered by its deadline.
 * read_committed reads up to the last stable offset and gets the aborted transactions overlapping what it got, so
 * the client drops their records; read_uncommitted reads to the high watermark and gets null there, as Kafka sends.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import type { RequestOf } from '../../protocol/apis';
import { route } from '../handler';
import { ANONYMOUS_USER } from '../../quota/client-quota-manager';
import { readInt64 } from '../../storage/int64';
import type { BrokerContext } from '../broker-context';
import { kafkaErrorCode } from '../error-mapping';
import type { Log } from '../../storage/log';
import { BATCH_LENGTH_POSITION, LAST_OFFSET_DELTA_POSITION, LOG_OVERHEAD, RECORD_COUNT_POSITION } from '../../protocol/records/record-batch';

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
        abortedTransactions: (committed ? [] : null) as Array<{ producerId: bigint; firstOffset: bigint }> | null,
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
      const lso = log.lastStableOffset;
      out.highWatermark = BigInt(hw);
      out.lastStableOffset = BigInt(lso);
      out.logStartOffset = BigInt(log.logStartOffset);
      const offset = Number(p.fetchOffset);
      try {
        const limit = Math.max(0, Math.min(p.partitionMaxBytes, remaining));
        const r = log.read(offset, limit, { maxOffset: committed ? lso : hw, minOneBatch: total === 0 });
        if (r.size > 0) {
          out.records = r.records;
          if (committed) out.abortedTransactions = abortedIn(log, offset, r.records);
        }
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

/** The aborted transactions overlapping the batches read: [fetchOffset, the offset after the last batch). */
function abortedIn(log: Log, fetchOffset: number, views: Buffer[]) {
  if (log.txnIndex.size === 0) return [];
  const last = views[views.length - 1];
  let upper = fetchOffset;
  for (let p = 0; p < last.length; p += LOG_OVERHEAD + last.readInt32BE(p + BATCH_LENGTH_POSITION)) {
    upper = readInt64(last, p) + last.readInt32BE(p + LAST_OFFSET_DELTA_POSITION) + 1;
  }
  return log.abortedTransactions(fetchOffset, upper).map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) }));
}

export const fetchRoute = route(ApiKey.Fetch, 4, 12, async (request, { header, connection, broker }) => {
  let result = readAll(request, broker);
  if (result.total < request.minBytes && result.errors === 0 && request.maxWaitMs > 0) {
    const keys = request.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p.partition}`));
    await broker.purgatory.wait(keys, request.maxWaitMs, () => readAll(request, broker).total >= request.minBytes);
    result = readAll(request, broker);
  }
  // consumer_byte_rate (KIP-219): a client over its quota gets throttle_time_ms and, as Kafka answers, no data in
  // this response (it fetches the same offsets again after the throttle); its connection is muted meanwhile.
  const { throttleTimeMs } = broker.quotas.record(ANONYMOUS_USER, header.clientId ?? '', 'consumer_byte_rate', result.total);
  if (throttleTimeMs > 0) {
    connection.mutedUntilMs = Date.now() + throttleTimeMs;
    for (const t of result.responses) for (const p of t.partitions) p.records = EMPTY;
    // Not sent, so not counted (Kafka unrecords it too); the throttle stands for what the client already took.
    broker.quotas.unrecord(ANONYMOUS_USER, header.clientId ?? '', 'consumer_byte_rate', result.total);
  }
  if (throttleTimeMs === 0 && result.total > 0) countOut(broker, result.responses);
  return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses };
});

/** Bytes and records sent, per topic (for /metrics): a walk over the batch headers of the views, no copy. */
function countOut(broker: BrokerContext, responses: ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ records: Buffer | Buffer[] }> }>): void {
  for (const t of responses) {
    let bytes = 0;
    let messages = 0;
    for (const p of t.partitions) {
      const views = Array.isArray(p.records) ? p.records : [p.records];
      for (const v of views) {
        bytes += v.length;
        for (let q = 0; q + RECORD_COUNT_POSITION + 4 <= v.length; q += LOG_OVERHEAD + v.readInt32BE(q + BATCH_LENGTH_POSITION)) {
          messages += v.readInt32BE(q + RECORD_COUNT_POSITION);
        }
      }
    }
    if (bytes === 0) continue;
    const traffic = broker.stats.traffic(t.topic);
    traffic.bytesOut += bytes;
    traffic.messagesOut += messages;
  }
}
