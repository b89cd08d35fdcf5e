/**
 * OffsetFetch (key 9). Kafka: OffsetFetch{Request,Response}.json. v8+ (several groups per request) has another
 * shape and is not declared.
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// OffsetFetch Request (Version: 0) => group_id [topics]
//   group_id => STRING
//   topics => name [partition_indexes]
//     name => STRING
//     partition_indexes => INT32
// OffsetFetch Request (Version: 7) => group_id [topics] require_stable TAG_BUFFER
//   group_id => COMPACT_STRING
//   topics => name [partition_indexes] TAG_BUFFER
//     name => COMPACT_STRING
//     partition_indexes => INT32
//   require_stable => BOOLEAN
// v2+: null topics means every topic the group has offsets for.
export const OffsetFetchRequestSpec = {
  name: 'OffsetFetchRequest',
  apiKey: ApiKey.OffsetFetch,
  type: 'request',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      nullableVersions: '2+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
      ],
    },
    { name: 'requireStable', type: 'bool', versions: '7+', default: false },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// OffsetFetch Response (Version: 0) => [topics]
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index committed_offset metadata error_code
//       partition_index => INT32
//       committed_offset => INT64
//       metadata => NULLABLE_STRING
//       error_code => INT16
// OffsetFetch Response (Version: 7) => throttle_time_ms [topics] error_code TAG_BUFFER
//   throttle_time_ms => INT32
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => partition_index committed_offset committed_leader_epoch metadata error_code TAG_BUFFER
//       partition_index => INT32
//       committed_offset => INT64
//       committed_leader_epoch => INT32
//       metadata => COMPACT_NULLABLE_STRING
//       error_code => INT16
//   error_code => INT16
export const OffsetFetchResponseSpec = {
  name: 'OffsetFetchResponse',
  apiKey: ApiKey.OffsetFetch,
  type: 'response',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
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
            { name: 'committedLeaderEpoch', type: 'int32', versions: '5+', default: -1 },
            { name: 'metadata', type: 'string', versions: '0+', nullableVersions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'errorCode', type: 'int16', versions: '2+', default: 0 },
  ],
} as const satisfies MessageSpec;

export type OffsetFetchRequest = MessageValue<typeof OffsetFetchRequestSpec>;
export type OffsetFetchRequestInput = MessageInput<typeof OffsetFetchRequestSpec>;
export type OffsetFetchResponse = MessageValue<typeof OffsetFetchResponseSpec>;
export type OffsetFetchResponseInput = MessageInput<typeof OffsetFetchResponseSpec>;
