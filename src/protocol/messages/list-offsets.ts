/** ListOffsets (key 2): offsets by timestamp (-1 latest, -2 earliest, -3 max timestamp). Kafka: ListOffsets*.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// ListOffsets Request (Version: 0) => replica_id [topics]
//   replica_id => INT32
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index timestamp max_num_offsets
//       partition_index => INT32
//       timestamp => INT64
//       max_num_offsets => INT32
// ListOffsets Request (Version: 7) => replica_id isolation_level [topics] TAG_BUFFER
//   replica_id => INT32
//   isolation_level => INT8
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => partition_index current_leader_epoch timestamp TAG_BUFFER
//       partition_index => INT32
//       current_leader_epoch => INT32
//       timestamp => INT64
export const ListOffsetsRequestSpec = {
  name: 'ListOffsetsRequest',
  apiKey: ApiKey.ListOffsets,
  type: 'request',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
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
            { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
            { name: 'timestamp', type: 'int64', versions: '0+' },
            { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// ListOffsets Response (Version: 0) => [topics]
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index error_code [old_style_offsets]
//       partition_index => INT32
//       error_code => INT16
//       old_style_offsets => INT64
// ListOffsets Response (Version: 7) => throttle_time_ms [topics] TAG_BUFFER
//   throttle_time_ms => INT32
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => partition_index error_code timestamp offset leader_epoch TAG_BUFFER
//       partition_index => INT32
//       error_code => INT16
//       timestamp => INT64
//       offset => INT64
//       leader_epoch => INT32
export const ListOffsetsResponseSpec = {
  name: 'ListOffsetsResponse',
  apiKey: ApiKey.ListOffsets,
  type: 'response',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
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
            { name: 'oldStyleOffsets', type: '[]int64', versions: '0' },
            { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
            { name: 'offset', type: 'int64', versions: '1+', default: -1 },
            { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListOffsetsRequest = MessageValue<typeof ListOffsetsRequestSpec>;
export type ListOffsetsRequestInput = MessageInput<typeof ListOffsetsRequestSpec>;
export type ListOffsetsResponse = MessageValue<typeof ListOffsetsResponseSpec>;
export type ListOffsetsResponseInput = MessageInput<typeof ListOffsetsResponseSpec>;
