/** OffsetDelete (key 47): drop a group's committed offsets. Kafka: OffsetDelete{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// OffsetDelete Request (Version: 0) => group_id [topics]
//   group_id => STRING
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index
//       partition_index => INT32
export const OffsetDeleteRequestSpec = {
  name: 'OffsetDeleteRequest',
  apiKey: ApiKey.OffsetDelete,
  type: 'request',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
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
          fields: [{ name: 'partitionIndex', type: 'int32', versions: '0+' }],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// OffsetDelete Response (Version: 0) => error_code throttle_time_ms [topics]
//   error_code => INT16
//   throttle_time_ms => INT32
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index error_code
//       partition_index => INT32
//       error_code => INT16
export const OffsetDeleteResponseSpec = {
  name: 'OffsetDeleteResponse',
  apiKey: ApiKey.OffsetDelete,
  type: 'response',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
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

export type OffsetDeleteRequest = MessageValue<typeof OffsetDeleteRequestSpec>;
export type OffsetDeleteRequestInput = MessageInput<typeof OffsetDeleteRequestSpec>;
export type OffsetDeleteResponse = MessageValue<typeof OffsetDeleteResponseSpec>;
export type OffsetDeleteResponseInput = MessageInput<typeof OffsetDeleteResponseSpec>;
