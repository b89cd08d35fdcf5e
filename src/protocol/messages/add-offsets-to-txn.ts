/**
 * AddOffsetsToTxn (key 25): a transactional producer adds a consumer group's offsets topic partition to its
 * transaction, before TxnOffsetCommit. Kafka: AddOffsetsToTxn{Request,Response}.json (v4, KIP-890's
 * TRANSACTION_ABORTABLE, not declared).
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// AddOffsetsToTxn Request (Version: 0) => transactional_id producer_id producer_epoch group_id
//   transactional_id => STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   group_id => STRING
// AddOffsetsToTxn Request (Version: 3) => transactional_id producer_id producer_epoch group_id TAG_BUFFER
//   transactional_id => COMPACT_STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   group_id => COMPACT_STRING
export const AddOffsetsToTxnRequestSpec = {
  name: 'AddOffsetsToTxnRequest',
  apiKey: ApiKey.AddOffsetsToTxn,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// AddOffsetsToTxn Response (Version: 0) => throttle_time_ms error_code
//   throttle_time_ms => INT32
//   error_code => INT16
// AddOffsetsToTxn Response (Version: 3) => throttle_time_ms error_code TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
export const AddOffsetsToTxnResponseSpec = {
  name: 'AddOffsetsToTxnResponse',
  apiKey: ApiKey.AddOffsetsToTxn,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type AddOffsetsToTxnRequest = MessageValue<typeof AddOffsetsToTxnRequestSpec>;
export type AddOffsetsToTxnRequestInput = MessageInput<typeof AddOffsetsToTxnRequestSpec>;
export type AddOffsetsToTxnResponse = MessageValue<typeof AddOffsetsToTxnResponseSpec>;
export type AddOffsetsToTxnResponseInput = MessageInput<typeof AddOffsetsToTxnResponseSpec>;
