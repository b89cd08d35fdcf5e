/**
 * AddPartitionsToTxn (key 24): a transactional producer adds partitions to its open transaction before producing
 * to them. Kafka: AddPartitionsToTxn{Request,Response}.json (v4+ batch several transactions for broker-to-broker
 * verification, KIP-890; not declared: clients use v0-3).
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// AddPartitionsToTxn Request (Version: 0) => transactional_id producer_id producer_epoch [topics]
//   transactional_id => STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   topics => name [partitions]
//     name => STRING
//     partitions => INT32
// AddPartitionsToTxn Request (Version: 3) => transactional_id producer_id producer_epoch [topics] TAG_BUFFER
//   transactional_id => COMPACT_STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => INT32
// Kafka 3.6+ names these fields `V3AndBelowTransactionalId`, `V3AndBelowProducerId`, `V3AndBelowProducerEpoch`
// and `V3AndBelowTopics` (beside v4's `Transactions`); the v0-3 wire is the same.
export const AddPartitionsToTxnRequestSpec = {
  name: 'AddPartitionsToTxnRequest',
  apiKey: ApiKey.AddPartitionsToTxn,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// AddPartitionsToTxn Response (Version: 0) => throttle_time_ms [results]
//   throttle_time_ms => INT32
//   results => name [results]
//     name => STRING
//     results => partition_index error_code
//       partition_index => INT32
//       error_code => INT16
// AddPartitionsToTxn Response (Version: 3) => throttle_time_ms [results] TAG_BUFFER
//   throttle_time_ms => INT32
//   results => name [results] TAG_BUFFER
//     name => COMPACT_STRING
//     results => partition_index error_code TAG_BUFFER
//       partition_index => INT32
//       error_code => INT16
// Kafka 3.6+ names `results` `ResultsByTopicV3AndBelow`, the per-partition `results` `ResultsByPartition` and its
// `errorCode` `PartitionErrorCode`; the v0-3 wire is the same.
export const AddPartitionsToTxnResponseSpec = {
  name: 'AddPartitionsToTxnResponse',
  apiKey: ApiKey.AddPartitionsToTxn,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'results',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type AddPartitionsToTxnRequest = MessageValue<typeof AddPartitionsToTxnRequestSpec>;
export type AddPartitionsToTxnRequestInput = MessageInput<typeof AddPartitionsToTxnRequestSpec>;
export type AddPartitionsToTxnResponse = MessageValue<typeof AddPartitionsToTxnResponseSpec>;
export type AddPartitionsToTxnResponseInput = MessageInput<typeof AddPartitionsToTxnResponseSpec>;
