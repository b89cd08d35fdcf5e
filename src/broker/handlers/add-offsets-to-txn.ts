/** AddOffsetsToTxn (v0-3): the group's offsets partition (__consumer_offsets-0 here) joins the transaction. */
import { ApiKey } from '../../protocol/api-key';
import { route } from '../handler';
import { fencedCompatible } from '../error-mapping';

export const addOffsetsToTxnRoute = route(ApiKey.AddOffsetsToTxn, 0, 3, (request, { header, broker }) => ({
  throttleTimeMs: 0,
  errorCode: fencedCompatible(broker.txns.addOffsets(request.transactionalId, Number(request.producerId), request.producerEpoch), header.apiVersion, 2),
}));
