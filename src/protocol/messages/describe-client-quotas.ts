/**
 * DescribeClientQuotas (key 48): the quotas configured for entities matching a filter (KIP-546). Kafka:
 * DescribeClientQuotas{Request,Response}.json.
 */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// DescribeClientQuotas Request (Version: 0) => [components] strict
//   components => entity_type match_type match
//     entity_type => STRING
//     match_type => INT8
//     match => NULLABLE_STRING
//   strict => BOOLEAN
// DescribeClientQuotas Request (Version: 1) => [components] strict TAG_BUFFER
//   components => entity_type match_type match TAG_BUFFER
//     entity_type => COMPACT_STRING
//     match_type => INT8
//     match => COMPACT_NULLABLE_STRING
//   strict => BOOLEAN
// `matchType`: 0 = exact name (`match`), 1 = the default entity, 2 = any specified name (`match` null for 1 and 2).
// `strict`: exclude entities with entity types that no component names.
export const DescribeClientQuotasRequestSpec = {
  name: 'DescribeClientQuotasRequest',
  apiKey: ApiKey.DescribeClientQuotas,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'components',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'matchType', type: 'int8', versions: '0+' },
        { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
    { name: 'strict', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// DescribeClientQuotas Response (Version: 0) => throttle_time_ms error_code error_message [entries]
//   throttle_time_ms => INT32
//   error_code => INT16
//   error_message => NULLABLE_STRING
//   entries => [entity] [values]
//     entity => entity_type entity_name
//       entity_type => STRING
//       entity_name => NULLABLE_STRING
//     values => key value
//       key => STRING
//       value => FLOAT64
// DescribeClientQuotas Response (Version: 1) => throttle_time_ms error_code error_message [entries] TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
//   error_message => COMPACT_NULLABLE_STRING
//   entries => [entity] [values] TAG_BUFFER
//     entity => entity_type entity_name TAG_BUFFER
//       entity_type => COMPACT_STRING
//       entity_name => COMPACT_NULLABLE_STRING
//     values => key value TAG_BUFFER
//       key => COMPACT_STRING
//       value => FLOAT64
// `entries` is null on error; `entityName` null is the default entity.
export const DescribeClientQuotasResponseSpec = {
  name: 'DescribeClientQuotasResponse',
  apiKey: ApiKey.DescribeClientQuotas,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'entries',
      type: '[]struct',
      versions: '0+',
      nullableVersions: '0+',
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
          name: 'values',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'key', type: 'string', versions: '0+' },
            { name: 'value', type: 'float64', versions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DescribeClientQuotasRequest = MessageValue<typeof DescribeClientQuotasRequestSpec>;
export type DescribeClientQuotasRequestInput = MessageInput<typeof DescribeClientQuotasRequestSpec>;
export type DescribeClientQuotasResponse = MessageValue<typeof DescribeClientQuotasResponseSpec>;
export type DescribeClientQuotasResponseInput = MessageInput<typeof DescribeClientQuotasResponseSpec>;
