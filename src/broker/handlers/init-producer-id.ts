/**
 * InitProducerId: a new producer id (epoch 0) for an idempotent producer. As in Kafka, a request without a
 * transactional id always gets a fresh id, also when it names its current one to bump the epoch (v3+, KIP-360):
 * the new id starts a new sequence space on every partition. Transactional ids need the transaction coordinator
 * (not in this broker yet): refused with a clear error rather than a retriable one a client would loop on.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';

export const initProducerIdRoute = route(ApiKey.InitProducerId, 0, 4, (request, { broker }) => {
  const refuse = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
  if (request.transactionalId !== null) {
    broker.log.warn('InitProducerId with a transactional id refused: transactions are not supported yet', {
      transactionalId: request.transactionalId,
    });
    return refuse(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  try {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(broker.producerIds.generate()), producerEpoch: 0 };
  } catch (err) {
    broker.log.error('producer id allocation failed', { err: errorMessage(err) });
    return refuse(kafkaErrorCode(err, broker.log));
  }
});
