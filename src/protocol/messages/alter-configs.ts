/** AlterConfigs (key 33): replace a resource's dynamic configs. Kafka: AlterConfigs{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// AlterConfigs Request (Version: 0) => [resources] validate_only
//   resources => resource_type resource_name [configs]
//     resource_type => INT8
//     resource_name => STRING
//     configs => name value
//       name => STRING
//       value => NULLABLE_STRING
//   validate_only => BOOLEAN
// AlterConfigs Request (Version: 2) => [resources] validate_only TAG_BUFFER
//   resources => resource_type resource_name [configs] TAG_BUFFER
//     resource_type => INT8
//     resource_name => COMPACT_STRING
//     configs => name value TAG_BUFFER
//       name => COMPACT_STRING
//       value => COMPACT_NULLABLE_STRING
//   validate_only => BOOLEAN
export const AlterConfigsRequestSpec = {
  name: 'AlterConfigsRequest',
  apiKey: ApiKey.AlterConfigs,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'resources',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
        {
          name: 'configs',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// AlterConfigs Response (Version: 0) => throttle_time_ms [responses]
//   throttle_time_ms => INT32
//   responses => error_code error_message resource_type resource_name
//     error_code => INT16
//     error_message => NULLABLE_STRING
//     resource_type => INT8
//     resource_name => STRING
// AlterConfigs Response (Version: 2) => throttle_time_ms [responses] TAG_BUFFER
//   throttle_time_ms => INT32
//   responses => error_code error_message resource_type resource_name TAG_BUFFER
//     error_code => INT16
//     error_message => COMPACT_NULLABLE_STRING
//     resource_type => INT8
//     resource_name => COMPACT_STRING
export const AlterConfigsResponseSpec = {
  name: 'AlterConfigsResponse',
  apiKey: ApiKey.AlterConfigs,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'responses',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '0+' },
        { name: 'resourceName', type: 'string', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type AlterConfigsRequest = MessageValue<typeof AlterConfigsRequestSpec>;
export type AlterConfigsRequestInput = MessageInput<typeof AlterConfigsRequestSpec>;
export type AlterConfigsResponse = MessageValue<typeof AlterConfigsResponseSpec>;
export type AlterConfigsResponseInput = MessageInput<typeof AlterConfigsResponseSpec>;
