/**
 * EndTxn (v0-3): commit or abort. Answered once the decision is durable in __transaction_state; the markers are
 * written to every partition of the transaction in the same turn (retried later if a write fails).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const endTxnRoute = route(ApiKey.EndTxn, 0, 3, (request, { broker }) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode[broker.txns.endTxn(request.transactionalId, Number(request.producerId), request.producerEpoch, request.committed)],
}));
