/** The routes of the transaction coordinator's APIs, for the broker's router table. */
import type { Route } from '../handler';
import { addOffsetsToTxnRoute } from './add-offsets-to-txn';
import { addPartitionsToTxnRoute } from './add-partitions-to-txn';
import { describeTransactionsRoute } from './describe-transactions';
import { endTxnRoute } from './end-txn';
import { initProducerIdRoute } from './init-producer-id';
import { listTransactionsRoute } from './list-transactions';
import { txnOffsetCommitRoute } from './txn-offset-commit';

export const txnRoutes: Route[] = [
  initProducerIdRoute,
  addPartitionsToTxnRoute,
  addOffsetsToTxnRoute,
  endTxnRoute,
  txnOffsetCommitRoute,
  describeTransactionsRoute,
  listTransactionsRoute,
] as Route[];
