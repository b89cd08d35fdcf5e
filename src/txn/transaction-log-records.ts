/**
 * The records of `__transaction_state`, in Kafka's own formats (TransactionLogKey.json / TransactionLogValue.json),
 * so Kafka's tools read them as they read Kafka's: key = version INT16 (0) + transactional id; value = version
 * INT16 (0) + the transaction's metadata; a null value (tombstone) removes an expired transactional id.
 */
import { decodeMessage, encodeMessage } from '../protocol/codec';
import { MessageSpec, MessageValue } from '../protocol/schema';
import { readVersion, withVersion } from '../group/offsets-topic-records';

// TransactionLogKey (version 0): transactional_id => STRING
export const TransactionLogKeySpec = {
  name: 'TransactionLogKey',
  type: 'data',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [{ name: 'transactionalId', type: 'string', versions: '0' }],
} as const satisfies MessageSpec;

// TransactionLogValue (version 0): producer_id => INT64, producer_epoch => INT16, transaction_timeout_ms => INT32,
//   transaction_status => INT8, transaction_partitions => [topic [partition_ids]] (nullable),
//   transaction_last_update_timestamp_ms => INT64, transaction_start_timestamp_ms => INT64
export const TransactionLogValueSpec = {
  name: 'TransactionLogValue',
  type: 'data',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'producerId', type: 'int64', versions: '0' },
    { name: 'producerEpoch', type: 'int16', versions: '0' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0' },
    { name: 'transactionStatus', type: 'int8', versions: '0' },
    {
      name: 'transactionPartitions',
      type: '[]struct',
      versions: '0',
      nullableVersions: '0',
      fields: [
        { name: 'topic', type: 'string', versions: '0' },
        { name: 'partitionIds', type: '[]int32', versions: '0' },
      ],
    },
    { name: 'transactionLastUpdateTimestampMs', type: 'int64', versions: '0' },
    { name: 'transactionStartTimestampMs', type: 'int64', versions: '0' },
  ],
} as const satisfies MessageSpec;

export type TransactionLogValue = MessageValue<typeof TransactionLogValueSpec>;

/** Kafka's TransactionState ids, as stored in transaction_status. */
export const TXN_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;
export type TxnState = (typeof TXN_STATES)[number];

const VERSION = 0;

export interface TxnLogValueInput {
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: ReadonlyMap<string, ReadonlySet<number>>;
  lastUpdateTimestampMs: number;
  startTimestampMs: number;
}

export function encodeTxnLogKey(transactionalId: string): Buffer {
  return withVersion(VERSION, encodeMessage(TransactionLogKeySpec, VERSION, { transactionalId }));
}

export function encodeTxnLogValue(v: TxnLogValueInput): Buffer {
  return withVersion(
    VERSION,
    encodeMessage(TransactionLogValueSpec, VERSION, {
      producerId: BigInt(v.producerId),
      producerEpoch: v.producerEpoch,
      transactionTimeoutMs: v.timeoutMs,
      transactionStatus: TXN_STATES.indexOf(v.state),
      // Kafka writes no partitions (null) for Empty and Complete* states, whose partition sets are empty.
      transactionPartitions:
        v.partitions.size === 0 ? null : [...v.partitions].map(([topic, ids]) => ({ topic, partitionIds: [...ids].sort((a, b) => a - b) })),
      transactionLastUpdateTimestampMs: BigInt(v.lastUpdateTimestampMs),
      transactionStartTimestampMs: BigInt(v.startTimestampMs),
    }),
  );
}

/** null for a key version Kafka does not write (skipped on load). Throws on a malformed record. */
export function decodeTxnLogKey(key: Buffer): string | null {
  const version = readVersion(key);
  if (version !== VERSION) return null;
  return decodeMessage(TransactionLogKeySpec, version, key, 2).transactionalId;
}

export function decodeTxnLogValue(value: Buffer): TxnLogValueInput {
  const v = decodeMessage(TransactionLogValueSpec, readVersion(value), value, 2);
  const state = TXN_STATES[v.transactionStatus];
  if (state === undefined) throw new RangeError(`unknown transaction status ${v.transactionStatus}`);
  const partitions = new Map<string, Set<number>>();
  for (const p of v.transactionPartitions ?? []) partitions.set(p.topic, new Set(p.partitionIds));
  return {
    producerId: Number(v.producerId),
    producerEpoch: v.producerEpoch,
    timeoutMs: v.transactionTimeoutMs,
    state,
    partitions,
    lastUpdateTimestampMs: Number(v.transactionLastUpdateTimestampMs),
    startTimestampMs: Number(v.transactionStartTimestampMs),
  };
}
