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
import { route } from '../handler';
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

export const produceRoute = route(ApiKey.Produce, 3, 9, (request, { header, connection, broker }) => {
  const acks = request.acks;
  const badAcks = acks !== 0 && acks !== 1 && acks !== -1;
  const durable = acks === -1 && broker.config.durableAcks;
  let waits: DurableWait[] | undefined;
  const responses = request.topicData.map((topic) => ({
    name: topic.name,
    partitionResponses: topic.partitionData.map((p) => {
      const fail = (errorCode: number, message: string | null = null) => ({
        index: p.index,
        errorCode,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: -1n,
        recordErrors: [],
        errorMessage: message,
      });
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
      let info;
      try {
        info = log.append(p.records, { rejectControlBatches: true });
      } catch (err) {
        return fail(kafkaErrorCode(err, broker.log), errorMessage(err));
      }
      // After the append succeeded: nothing a parked fetch does may turn it into an error (a client would retry and
      // write it twice). A retried idempotent batch wrote nothing and is answered with its original offset.
      if (!info.duplicate) {
        broker.notifyAppend(topic.name, p.index);
        const traffic = broker.stats.traffic(topic.name);
        traffic.bytesIn += info.size;
        traffic.messagesIn += info.recordCount;
      }
      const answer = {
        index: p.index,
        errorCode: ErrorCode.NONE as number,
        baseOffset: BigInt(info.firstOffset),
        logAppendTimeMs: -1n,
        logStartOffset: BigInt(log.logStartOffset),
        recordErrors: [],
        errorMessage: null as string | null,
      };
      // A retried duplicate waits as well: its first write may not be on disk yet.
      if (durable) (waits ??= []).push({ answer, wait: log.whenDurable(info.lastOffset) });
      return answer;
    }),
  }));
  // producer_byte_rate: the bytes of the request's record sets count against the client's quota (KIP-219: answered
  // now with throttle_time_ms, then the connection is muted for that long; acks=0 gets the mute alone).
  let bytes = 0;
  for (const t of request.topicData) for (const p of t.partitionData) bytes += p.records?.length ?? 0;
  const { throttleTimeMs } = broker.quotas.record(ANONYMOUS_USER, header.clientId ?? '', 'producer_byte_rate', bytes);
  if (throttleTimeMs > 0) connection.mutedUntilMs = Date.now() + throttleTimeMs;
  if (acks === 0) return null;
  if (waits === undefined) return { responses, throttleTimeMs };
  return awaitDurable(waits, broker.log).then(() => ({ responses, throttleTimeMs }));
});

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
