/** ListTransactions (v0, KIP-664): transactional ids, optionally filtered by state and producer id. */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { TXN_STATES } from '../../txn/transaction-log-records';
import { route } from '../handler';

export const listTransactionsRoute = route(ApiKey.ListTransactions, 0, 0, (request, { broker }) => {
  const known = new Set<string>(TXN_STATES);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    unknownStateFilters: request.stateFilters.filter((s) => !known.has(s)),
    transactionStates: broker.txns
      .list(request.stateFilters, request.producerIdFilters.map(Number))
      .map((t) => ({ transactionalId: t.transactionalId, producerId: BigInt(t.producerId), transactionState: t.state })),
  };
});
