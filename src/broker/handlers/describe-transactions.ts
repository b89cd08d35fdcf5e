/** DescribeTransactions (v0, KIP-664): state, producer, timeout and partitions of each transactional id. */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const describeTransactionsRoute = route(ApiKey.DescribeTransactions, 0, 0, (request, { broker }) => ({
  throttleTimeMs: 0,
  transactionStates: request.transactionalIds.map((transactionalId) => {
    const t = broker.txns.describe(transactionalId);
    if (t === undefined) {
      return { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: t.state,
      transactionTimeoutMs: t.timeoutMs,
      transactionStartTimeMs: BigInt(t.startTimestampMs),
      producerId: BigInt(t.producerId),
      producerEpoch: t.producerEpoch,
      topics: [...t.partitions].map(([topic, ps]) => ({ topic, partitions: [...ps].sort((a, b) => a - b) })),
    };
  }),
}));
