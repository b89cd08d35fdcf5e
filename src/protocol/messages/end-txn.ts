/**
 * EndTxn (key 26): commit or abort a producer's transaction. Kafka: EndTxn{Request,Response}.json (v4, KIP-890's
 * TRANSACTION_ABORTABLE, and v5, an epoch bump per transaction with the new id and epoch in the response, not
 * declared).
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// EndTxn Request (Version: 0) => transactional_id producer_id producer_epoch committed
//   transactional_id => STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   committed => BOOLEAN
// EndTxn Request (Version: 3) => transactional_id producer_id producer_epoch committed TAG_BUFFER
//   transactional_id => COMPACT_STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   committed => BOOLEAN
export const EndTxnRequestSpec = {
  name: 'EndTxnRequest',
  apiKey: ApiKey.EndTxn,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// EndTxn Response (Version: 0) => throttle_time_ms error_code
//   throttle_time_ms => INT32
//   error_code => INT16
// EndTxn Response (Version: 3) => throttle_time_ms error_code TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
export const EndTxnResponseSpec = {
  name: 'EndTxnResponse',
  apiKey: ApiKey.EndTxn,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type EndTxnRequest = MessageValue<typeof EndTxnRequestSpec>;
export type EndTxnRequestInput = MessageInput<typeof EndTxnRequestSpec>;
export type EndTxnResponse = MessageValue<typeof EndTxnResponseSpec>;
export type EndTxnResponseInput = MessageInput<typeof EndTxnResponseSpec>;
