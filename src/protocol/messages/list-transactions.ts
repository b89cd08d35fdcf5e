/**
 * ListTransactions (key 66): the transactions a coordinator knows, filtered by state and producer id (KIP-664).
 * Kafka: ListTransactions{Request,Response}.json (v1's DurationFilter, Kafka 3.8+, not declared).
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// ListTransactions Request (Version: 0) => [state_filters] [producer_id_filters] TAG_BUFFER
//   state_filters => COMPACT_STRING
//   producer_id_filters => INT64
// Empty filters match every transaction.
export const ListTransactionsRequestSpec = {
  name: 'ListTransactionsRequest',
  apiKey: ApiKey.ListTransactions,
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'stateFilters', type: '[]string', versions: '0+' },
    { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// ListTransactions Response (Version: 0) => throttle_time_ms error_code [unknown_state_filters] [transaction_states] TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
//   unknown_state_filters => COMPACT_STRING
//   transaction_states => transactional_id producer_id transaction_state TAG_BUFFER
//     transactional_id => COMPACT_STRING
//     producer_id => INT64
//     transaction_state => COMPACT_STRING
export const ListTransactionsResponseSpec = {
  name: 'ListTransactionsResponse',
  apiKey: ApiKey.ListTransactions,
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
    {
      name: 'transactionStates',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListTransactionsRequest = MessageValue<typeof ListTransactionsRequestSpec>;
export type ListTransactionsRequestInput = MessageInput<typeof ListTransactionsRequestSpec>;
export type ListTransactionsResponse = MessageValue<typeof ListTransactionsResponseSpec>;
export type ListTransactionsResponseInput = MessageInput<typeof ListTransactionsResponseSpec>;
