/** AddOffsetsToTxn (v0-3): the group's offsets partition (__consumer_offsets-0 here) joins the transaction. */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const addOffsetsToTxnRoute = route(ApiKey.AddOffsetsToTxn, 0, 3, (request, { broker }) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode[broker.txns.addOffsets(request.transactionalId, Number(request.producerId), request.producerEpoch)],
}));
