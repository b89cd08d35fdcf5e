/**
 * AlterClientQuotas (key 49): set or remove quota values of entities (KIP-546). Kafka:
 * AlterClientQuotas{Request,Response}.json.
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// AlterClientQuotas Request (Version: 0) => [entries] validate_only
//   entries => [entity] [ops]
//     entity => entity_type entity_name
//       entity_type => STRING
//       entity_name => NULLABLE_STRING
//     ops => key value remove
//       key => STRING
//       value => FLOAT64
//       remove => BOOLEAN
//   validate_only => BOOLEAN
// AlterClientQuotas Request (Version: 1) => [entries] validate_only TAG_BUFFER
//   entries => [entity] [ops] TAG_BUFFER
//     entity => entity_type entity_name TAG_BUFFER
//       entity_type => COMPACT_STRING
//       entity_name => COMPACT_NULLABLE_STRING
//     ops => key value remove TAG_BUFFER
//       key => COMPACT_STRING
//       value => FLOAT64
//       remove => BOOLEAN
//   validate_only => BOOLEAN
// `entityName` null is the default entity; an op's `value` is ignored when `remove` is set.
export const AlterClientQuotasRequestSpec = {
  name: 'AlterClientQuotasRequest',
  apiKey: ApiKey.AlterClientQuotas,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'entries',
      type: '[]struct',
      versions: '0+',
      fields: [
        {
          name: 'entity',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'entityType', type: 'string', versions: '0+' },
            { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
        {
          name: 'ops',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'key', type: 'string', versions: '0+' },
            { name: 'value', type: 'float64', versions: '0+' },
            { name: 'remove', type: 'bool', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// AlterClientQuotas Response (Version: 0) => throttle_time_ms [entries]
//   throttle_time_ms => INT32
//   entries => error_code error_message [entity]
//     error_code => INT16
//     error_message => NULLABLE_STRING
//     entity => entity_type entity_name
//       entity_type => STRING
//       entity_name => NULLABLE_STRING
// AlterClientQuotas Response (Version: 1) => throttle_time_ms [entries] TAG_BUFFER
//   throttle_time_ms => INT32
//   entries => error_code error_message [entity] TAG_BUFFER
//     error_code => INT16
//     error_message => COMPACT_NULLABLE_STRING
//     entity => entity_type entity_name TAG_BUFFER
//       entity_type => COMPACT_STRING
//       entity_name => COMPACT_NULLABLE_STRING
export const AlterClientQuotasResponseSpec = {
  name: 'AlterClientQuotasResponse',
  apiKey: ApiKey.AlterClientQuotas,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'entries',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        {
          name: 'entity',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'entityType', type: 'string', versions: '0+' },
            { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type AlterClientQuotasRequest = MessageValue<typeof AlterClientQuotasRequestSpec>;
export type AlterClientQuotasRequestInput = MessageInput<typeof AlterClientQuotasRequestSpec>;
export type AlterClientQuotasResponse = MessageValue<typeof AlterClientQuotasResponseSpec>;
export type AlterClientQuotasResponseInput = MessageInput<typeof AlterClientQuotasResponseSpec>;
