/**
 * Produce (v3+: record batches v2 only). Each partition's records, a subarray of the request frame, are
 * validated and appended by the Log (header and CRC checked, offsets assigned in place, one copy into the
 * segment); a partition's failure is its own error code. acks=0 gets no response; with one replica, acks=1 and
 * acks=-1 are both answered once the append is done. Idempotent batches (producer id set) are checked against the
 * partition's producer state (storage/producer-state.ts): a retry is answered with the original offset and not
 * written again, a gap is OUT_OF_ORDER_SEQUENCE_NUMBER, a fenced epoch INVALID_PRODUCER_EPOCH. A transactional
 * batch must go to a partition of its producer's open transaction (KIP-890's verification; INVALID_TXN_STATE
 * otherwise), or it would hold the partition's last stable offset forever.
 *
 * With strata.durable.acks, an acks=-1 response waits until every appended partition's batch is on disk
 * (Log.whenDurable: one fdatasync serves every request waiting at the time); a partition whose sync fails answers
 * KAFKA_STORAGE_ERROR (retriable: an idempotent retry is deduplicated and waits for the sync again).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route, RequestContext } from '../handler';
import type { RequestOf, ResponseInputOf } from '../../protocol/apis';
import type { AppendInfo, Log } from '../../storage/log';
import { ANONYMOUS_USER } from '../../quota/client-quota-manager';
import { readInt64 } from '../../storage/int64';
import { kafkaErrorCode, errorMessage } from '../error-mapping';
import {
  ATTRIBUTE_TRANSACTIONAL_MASK,
  ATTRIBUTES_POSITION,
  BATCH_HEADER_SIZE,
  PRODUCER_EPOCH_POSITION,
  PRODUCER_ID_POSITION,
} from '../../protocol/records/record-batch';

type ProduceRequest = RequestOf<typeof ApiKey.Produce>;
type ProduceResponse = ResponseInputOf<typeof ApiKey.Produce>;
/** A partition's answer, filled in as its checks and its append go. */
interface PartitionAnswer {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
  recordErrors: never[];
  errorMessage: string | null;
}

export const produceRoute = route(ApiKey.Produce, 3, 9, (request, context) => produceGroup([request], [context])[0]);

/** One partition's records waiting for its log's append in this pass, and the answer the append fills in. */
interface PendingAppend {
  request: number;
  topic: string;
  partition: number;
  records: Buffer;
  answer: PartitionAnswer;
}

/**
 * Serves Produce requests that arrived together (pipelined on one connection, in order): every partition's
 * checks as one request would have them, then one append pass per partition log over the record sets of all the
 * requests (Log.appendMany: each validated alone, the valid ones written in one pwritev), then each request's
 * answer, quota and durable wait. The answers are what the requests would get one after another.
 */
export function produceGroup(requests: readonly ProduceRequest[], contexts: readonly RequestContext[]): Array<Promise<ProduceResponse | null> | ProduceResponse | null> {
  const { broker } = contexts[0];
  const pendingByLog = new Map<Log, PendingAppend[]>();
  const responses = requests.map((request, r) => {
    const acks = request.acks;
    const badAcks = acks !== 0 && acks !== 1 && acks !== -1;
    return request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p): PartitionAnswer => {
        const answer: PartitionAnswer = {
          index: p.index,
          errorCode: ErrorCode.NONE,
          baseOffset: -1n,
          logAppendTimeMs: -1n,
          logStartOffset: -1n,
          recordErrors: [],
          errorMessage: null,
        };
        const fail = (errorCode: number, message: string | null = null) => {
          answer.errorCode = errorCode;
          answer.errorMessage = message;
          return answer;
        };
        if (badAcks) return fail(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${acks}`);
        const log = broker.partitionLog(topic.name, p.index);
        if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        // Kafka's rule: clients never write the coordinators' internal topics (their state would be forged).
        if (broker.topics.get(topic.name)?.internal) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `cannot append to internal topic ${topic.name}`);
        if (p.records === null || p.records.length === 0) return fail(ErrorCode.CORRUPT_MESSAGE, 'no records');
        const records = p.records;
        if (records.length >= BATCH_HEADER_SIZE && records.readInt16BE(ATTRIBUTES_POSITION) & ATTRIBUTE_TRANSACTIONAL_MASK) {
          const producerId = readInt64(records, PRODUCER_ID_POSITION);
          const verified = broker.txns.verifyTxnWrite(request.transactionalId, producerId, records.readInt16BE(PRODUCER_EPOCH_POSITION), topic.name, p.index);
          if (verified !== 'NONE') return fail(ErrorCode[verified], 'the partition is not part of the producer\'s open transaction');
        }
        let list = pendingByLog.get(log);
        if (list === undefined) pendingByLog.set(log, (list = []));
        list.push({ request: r, topic: topic.name, partition: p.index, records, answer });
        return answer;
      }),
    }));
  });
  const waits: Array<DurableWait[] | undefined> = new Array(requests.length);
  for (const [log, list] of pendingByLog) {
    let results: Array<AppendInfo | Error>;
    if (list.length === 1) {
      try {
        results = [log.append(list[0].records, { rejectControlBatches: true })];
      } catch (err) {
        results = [err as Error];
      }
    } else {
      results = log.appendMany(list.map((x) => x.records), { rejectControlBatches: true });
    }
    let appended = false;
    for (let i = 0; i < list.length; i++) {
      const { answer, request: r, topic } = list[i];
      const info = results[i];
      if (info instanceof Error) {
        answer.errorCode = kafkaErrorCode(info, broker.log);
        answer.errorMessage = errorMessage(info);
        continue;
      }
      // After the append succeeded: nothing a parked fetch does may turn it into an error (a client would retry and
      // write it twice). A retried idempotent batch wrote nothing and is answered with its original offset.
      if (!info.duplicate) {
        appended = true;
        const traffic = broker.stats.traffic(topic);
        traffic.bytesIn += info.size;
        traffic.messagesIn += info.recordCount;
      }
      answer.baseOffset = BigInt(info.firstOffset);
      answer.logStartOffset = BigInt(log.logStartOffset);
      // A retried duplicate waits as well: its first write may not be on disk yet.
      if (requests[r].acks === -1 && broker.config.durableAcks) (waits[r] ??= []).push({ answer, wait: log.whenDurable(info.lastOffset) });
    }
    if (appended) broker.notifyAppend(list[0].topic, list[0].partition);
  }
  return requests.map((request, r) => {
    const { header, connection } = contexts[r];
    // producer_byte_rate: the bytes of the request's record sets count against the client's quota (KIP-219: answered
    // now with throttle_time_ms, then the connection is muted for that long; acks=0 gets the mute alone).
    let bytes = 0;
    for (const t of request.topicData) for (const p of t.partitionData) bytes += p.records?.length ?? 0;
    const { throttleTimeMs } = broker.quotas.record(ANONYMOUS_USER, header.clientId ?? '', 'producer_byte_rate', bytes);
    if (throttleTimeMs > 0) connection.mutedUntilMs = Date.now() + throttleTimeMs;
    if (request.acks === 0) return null;
    const body = { responses: responses[r], throttleTimeMs };
    const w = waits[r];
    if (w === undefined) return body;
    return awaitDurable(w, broker.log).then(() => body);
  });
}

interface DurableWait {
  answer: { errorCode: number; baseOffset: bigint; errorMessage: string | null };
  wait: Promise<void>;
}

/** Waits for each appended partition's data sync; a failed one turns that partition's answer into its error. */
async function awaitDurable(waits: readonly DurableWait[], logger: Parameters<typeof kafkaErrorCode>[1]): Promise<void> {
  const results = await Promise.allSettled(waits.map((w) => w.wait));
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    const { answer } = waits[i];
    answer.errorCode = kafkaErrorCode(r.reason, logger);
    answer.baseOffset = -1n;
    answer.errorMessage = `not acknowledged: ${errorMessage(r.reason)}`;
  });
}
