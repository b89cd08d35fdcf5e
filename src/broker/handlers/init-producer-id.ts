/**
 * InitProducerId. Without a transactional id (an idempotent producer): always a fresh producer id at epoch 0, as
 * in Kafka, also when the request names its current one to bump the epoch (v3+, KIP-360); the new id starts a new
 * sequence space on every partition. With one: the transaction coordinator's answer (a new id, or the epoch bumped
 * after aborting the previous incarnation's open transaction, which fences it).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';
import { errorMessage, fencedCompatible, kafkaErrorCode } from '../error-mapping';

export const initProducerIdRoute = route(ApiKey.InitProducerId, 0, 4, (request, { header, broker }) => {
  const refuse = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
  if (request.transactionalId !== null) {
    if (request.transactionalId === '') return refuse(ErrorCode.INVALID_REQUEST);
    const r = broker.txns.initProducerId(request.transactionalId, request.transactionTimeoutMs, Number(request.producerId), request.producerEpoch);
    return { throttleTimeMs: 0, errorCode: fencedCompatible(r.error, header.apiVersion, 4), producerId: BigInt(r.producerId), producerEpoch: r.producerEpoch };
  }
  try {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(broker.producerIds.generate()), producerEpoch: 0 };
  } catch (err) {
    broker.log.error('producer id allocation failed', { err: errorMessage(err) });
    return refuse(kafkaErrorCode(err, broker.log));
  }
});
