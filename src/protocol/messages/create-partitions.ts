/** CreatePartitions (key 37): raise topics' partition counts. Kafka: CreatePartitions{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// CreatePartitions Request (Version: 0) => [topics] timeout_ms validate_only
//   topics => name count [assignments]
//     name => STRING
//     count => INT32
//     assignments => [broker_ids]
//       broker_ids => INT32
//   timeout_ms => INT32
//   validate_only => BOOLEAN
// CreatePartitions Request (Version: 3) => [topics] timeout_ms validate_only TAG_BUFFER
//   topics => name count [assignments] TAG_BUFFER
//     name => COMPACT_STRING
//     count => INT32
//     assignments => [broker_ids] TAG_BUFFER
//       broker_ids => INT32
//   timeout_ms => INT32
//   validate_only => BOOLEAN
export const CreatePartitionsRequestSpec = {
  name: 'CreatePartitionsRequest',
  apiKey: ApiKey.CreatePartitions,
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'count', type: 'int32', versions: '0+' },
        {
          name: 'assignments',
          type: '[]struct',
          versions: '0+',
          nullableVersions: '0+',
          fields: [{ name: 'brokerIds', type: '[]int32', versions: '0+' }],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// CreatePartitions Response (Version: 0) => throttle_time_ms [results]
//   throttle_time_ms => INT32
//   results => name error_code error_message
//     name => STRING
//     error_code => INT16
//     error_message => NULLABLE_STRING
// CreatePartitions Response (Version: 3) => throttle_time_ms [results] TAG_BUFFER
//   throttle_time_ms => INT32
//   results => name error_code error_message TAG_BUFFER
//     name => COMPACT_STRING
//     error_code => INT16
//     error_message => COMPACT_NULLABLE_STRING
export const CreatePartitionsResponseSpec = {
  name: 'CreatePartitionsResponse',
  apiKey: ApiKey.CreatePartitions,
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type CreatePartitionsRequest = MessageValue<typeof CreatePartitionsRequestSpec>;
export type CreatePartitionsRequestInput = MessageInput<typeof CreatePartitionsRequestSpec>;
export type CreatePartitionsResponse = MessageValue<typeof CreatePartitionsResponseSpec>;
export type CreatePartitionsResponseInput = MessageInput<typeof CreatePartitionsResponseSpec>;
