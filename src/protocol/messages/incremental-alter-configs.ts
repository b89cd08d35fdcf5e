/** IncrementalAlterConfigs (key 44): set, delete, append to or subtract from single configs of a resource.
 * Kafka: IncrementalAlterConfigs{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// IncrementalAlterConfigs Request (Version: 0) => [resources] validate_only
//   resources => resource_type resource_name [configs]
//     resource_type => INT8
//     resource_name => STRING
//     configs => name config_operation value
//       name => STRING
//       config_operation => INT8
//       value => NULLABLE_STRING
//   validate_only => BOOLEAN
// IncrementalAlterConfigs Request (Version: 1) => [resources] validate_only TAG_BUFFER
//   resources => resource_type resource_name [configs] TAG_BUFFER
//     resource_type => INT8
//     resource_name => COMPACT_STRING
//     configs => name config_operation value TAG_BUFFER
//       name => COMPACT_STRING
//       config_operation => INT8
//       value => COMPACT_NULLABLE_STRING
//   validate_only => BOOLEAN
export const IncrementalAlterConfigsRequestSpec = {
  name: 'IncrementalAlterConfigsRequest',
  apiKey: ApiKey.IncrementalAlterConfigs,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
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
            { name: 'configOperation', type: 'int8', versions: '0+' },
            { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// IncrementalAlterConfigs Response (Version: 0) => throttle_time_ms [responses]
//   throttle_time_ms => INT32
//   responses => error_code error_message resource_type resource_name
//     error_code => INT16
//     error_message => NULLABLE_STRING
//     resource_type => INT8
//     resource_name => STRING
// IncrementalAlterConfigs Response (Version: 1) => throttle_time_ms [responses] TAG_BUFFER
//   throttle_time_ms => INT32
//   responses => error_code error_message resource_type resource_name TAG_BUFFER
//     error_code => INT16
//     error_message => COMPACT_NULLABLE_STRING
//     resource_type => INT8
//     resource_name => COMPACT_STRING
export const IncrementalAlterConfigsResponseSpec = {
  name: 'IncrementalAlterConfigsResponse',
  apiKey: ApiKey.IncrementalAlterConfigs,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
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

export type IncrementalAlterConfigsRequest = MessageValue<typeof IncrementalAlterConfigsRequestSpec>;
export type IncrementalAlterConfigsRequestInput = MessageInput<typeof IncrementalAlterConfigsRequestSpec>;
export type IncrementalAlterConfigsResponse = MessageValue<typeof IncrementalAlterConfigsResponseSpec>;
