/** DeleteRecords (key 21): advance partitions' log start offsets. Kafka: DeleteRecords{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// DeleteRecords Request (Version: 0) => [topics] timeout_ms
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index offset
//       partition_index => INT32
//       offset => INT64
//   timeout_ms => INT32
// DeleteRecords Request (Version: 2) => [topics] timeout_ms TAG_BUFFER
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => partition_index offset TAG_BUFFER
//       partition_index => INT32
//       offset => INT64
//   timeout_ms => INT32
export const DeleteRecordsRequestSpec = {
  name: 'DeleteRecordsRequest',
  apiKey: ApiKey.DeleteRecords,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
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
            { name: 'offset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// DeleteRecords Response (Version: 0) => throttle_time_ms [topics]
//   throttle_time_ms => INT32
//   topics => name [partitions]
//     name => STRING
//     partitions => partition_index low_watermark error_code
//       partition_index => INT32
//       low_watermark => INT64
//       error_code => INT16
// DeleteRecords Response (Version: 2) => throttle_time_ms [topics] TAG_BUFFER
//   throttle_time_ms => INT32
//   topics => name [partitions] TAG_BUFFER
//     name => COMPACT_STRING
//     partitions => partition_index low_watermark error_code TAG_BUFFER
//       partition_index => INT32
//       low_watermark => INT64
//       error_code => INT16
export const DeleteRecordsResponseSpec = {
  name: 'DeleteRecordsResponse',
  apiKey: ApiKey.DeleteRecords,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
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
            { name: 'lowWatermark', type: 'int64', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteRecordsRequest = MessageValue<typeof DeleteRecordsRequestSpec>;
export type DeleteRecordsRequestInput = MessageInput<typeof DeleteRecordsRequestSpec>;
export type DeleteRecordsResponse = MessageValue<typeof DeleteRecordsResponseSpec>;
export type DeleteRecordsResponseInput = MessageInput<typeof DeleteRecordsResponseSpec>;
