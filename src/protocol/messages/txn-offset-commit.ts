/**
 * TxnOffsetCommit (key 28): a consumer group's offsets committed inside a producer's transaction (KIP-98), fenced
 * by the group generation from v3 (KIP-447). Kafka: TxnOffsetCommit{Request,Response}.json (v4+, KIP-890, not
 * declared).
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// TxnOffsetCommit Request (Version: 0) => transactional_id group_id producer_id producer_epoch [topics]
//   transactional_id => STRING
//   group_id => STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index committed_offset committed_metadata
//       partition_index => INT32
//       committed_offset => INT64
//       committed_metadata => NULLABLE_STRING
// TxnOffsetCommit Request (Version: 3) => transactional_id group_id producer_id producer_epoch generation_id member_id group_instance_id [topics] TAG_BUFFER
//   transactional_id => COMPACT_STRING
//   group_id => COMPACT_STRING
//   producer_id => INT64
//   producer_epoch => INT16
//   generation_id => INT32
//   member_id => COMPACT_STRING
//   group_instance_id => COMPACT_NULLABLE_STRING
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => partition_index committed_offset committed_leader_epoch committed_metadata TAG_BUFFER
//       partition_index => INT32
//       committed_offset => INT64
//       committed_leader_epoch => INT32
//       committed_metadata => COMPACT_NULLABLE_STRING
// v2+: committedLeaderEpoch. v3+ (KIP-447): generationId / memberId / groupInstanceId of the consumer whose
// offsets these are, -1 / '' / null from an older client.
export const TxnOffsetCommitRequestSpec = {
  name: 'TxnOffsetCommitRequest',
  apiKey: ApiKey.TxnOffsetCommit,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
    { name: 'memberId', type: 'string', versions: '3+', default: '' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'committedOffset', type: 'int64', versions: '0+' },
            { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
            { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// TxnOffsetCommit Response (Version: 0) => throttle_time_ms [topics]
//   throttle_time_ms => INT32
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index error_code
//       partition_index => INT32
//       error_code => INT16
// TxnOffsetCommit Response (Version: 3) => throttle_time_ms [topics] TAG_BUFFER
//   throttle_time_ms => INT32
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => partition_index error_code TAG_BUFFER
//       partition_index => INT32
//       error_code => INT16
export const TxnOffsetCommitResponseSpec = {
  name: 'TxnOffsetCommitResponse',
  apiKey: ApiKey.TxnOffsetCommit,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
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

export type TxnOffsetCommitRequest = MessageValue<typeof TxnOffsetCommitRequestSpec>;
export type TxnOffsetCommitRequestInput = MessageInput<typeof TxnOffsetCommitRequestSpec>;
export type TxnOffsetCommitResponse = MessageValue<typeof TxnOffsetCommitResponseSpec>;
export type TxnOffsetCommitResponseInput = MessageInput<typeof TxnOffsetCommitResponseSpec>;
