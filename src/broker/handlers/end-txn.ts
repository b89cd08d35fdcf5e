/**
 * EndTxn (v0-3): commit or abort. Answered once the decision is durable in __transaction_state; the markers are
 * written to every partition of the transaction in the same turn (retried later if a write fails).
 */
import { ApiKey } from '../../protocol/api-key';
import { route } from '../handler';
import { fencedCompatible } from '../error-mapping';

export const endTxnRoute = route(ApiKey.EndTxn, 0, 3, (request, { header, broker }) => ({
  throttleTimeMs: 0,
  errorCode: fencedCompatible(broker.txns.endTxn(request.transactionalId, Number(request.producerId), request.producerEpoch, request.committed), header.apiVersion, 2),
}));
