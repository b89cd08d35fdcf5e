/** InitProducerId (key 22): a producer id and epoch for idempotence and transactions. Kafka: InitProducerId*.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// InitProducerId Request (Version: 0) => transactional_id transaction_timeout_ms
//   transactional_id => NULLABLE_STRING
//   transaction_timeout_ms => INT32
// InitProducerId Request (Version: 4) => transactional_id transaction_timeout_ms producer_id producer_epoch TAG_BUFFER
//   transactional_id => COMPACT_NULLABLE_STRING
//   transaction_timeout_ms => INT32
//   producer_id => INT64
//   producer_epoch => INT16
// v3+ (KIP-360): producerId / producerEpoch of a producer bumping its epoch, -1 for a new one.
export const InitProducerIdRequestSpec = {
  name: 'InitProducerIdRequest',
  apiKey: ApiKey.InitProducerId,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// InitProducerId Response (Version: 0) => throttle_time_ms error_code producer_id producer_epoch
//   throttle_time_ms => INT32
//   error_code => INT16
//   producer_id => INT64
//   producer_epoch => INT16
// InitProducerId Response (Version: 4) => throttle_time_ms error_code producer_id producer_epoch TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
//   producer_id => INT64
//   producer_epoch => INT16
export const InitProducerIdResponseSpec = {
  name: 'InitProducerIdResponse',
  apiKey: ApiKey.InitProducerId,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type InitProducerIdRequest = MessageValue<typeof InitProducerIdRequestSpec>;
export type InitProducerIdRequestInput = MessageInput<typeof InitProducerIdRequestSpec>;
export type InitProducerIdResponse = MessageValue<typeof InitProducerIdResponseSpec>;
export type InitProducerIdResponseInput = MessageInput<typeof InitProducerIdResponseSpec>;
