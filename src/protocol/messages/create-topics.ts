/** CreateTopics (key 19). Kafka: CreateTopics{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// CreateTopics Request (Version: 0) => [topics] timeout_ms
//   topics => name num_partitions replication_factor [assignments] [configs]
//     name => STRING
//     num_partitions => INT32
//     replication_factor => INT16
//     assignments => partition_index [broker_ids]
//       partition_index => INT32
//       broker_ids => INT32
//     configs => name value
//       name => STRING
//       value => NULLABLE_STRING
//   timeout_ms => INT32
// CreateTopics Request (Version: 7) => [topics] timeout_ms validate_only TAG_BUFFER
//   topics => name num_partitions replication_factor [assignments] [configs] TAG_BUFFER
//     name => COMPACT_STRING
//     num_partitions => INT32
//     replication_factor => INT16
//     assignments => partition_index [broker_ids] TAG_BUFFER
//       partition_index => INT32
//       broker_ids => INT32
//     configs => name value TAG_BUFFER
//       name => COMPACT_STRING
//       value => COMPACT_NULLABLE_STRING
//   timeout_ms => INT32
//   validate_only => BOOLEAN
// v4+ (KIP-464): numPartitions / replicationFactor -1 mean the broker's defaults.
export const CreateTopicsRequestSpec = {
  name: 'CreateTopicsRequest',
  apiKey: ApiKey.CreateTopics,
  type: 'request',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'numPartitions', type: 'int32', versions: '0+' },
        { name: 'replicationFactor', type: 'int16', versions: '0+' },
        {
          name: 'assignments',
          type: '[]struct',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'brokerIds', type: '[]int32', versions: '0+' },
          ],
        },
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
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// CreateTopics Response (Version: 0) => [topics]
//   topics => name error_code
//     name => STRING
//     error_code => INT16
// CreateTopics Response (Version: 7) => throttle_time_ms [topics] TAG_BUFFER
//   throttle_time_ms => INT32
//   topics => name topic_id error_code error_message num_partitions replication_factor [configs] TAG_BUFFER
//     name => COMPACT_STRING
//     topic_id => UUID
//     error_code => INT16
//     error_message => COMPACT_NULLABLE_STRING
//     num_partitions => INT32
//     replication_factor => INT16
//     configs => name value read_only config_source is_sensitive TAG_BUFFER
//       name => COMPACT_STRING
//       value => COMPACT_NULLABLE_STRING
//       read_only => BOOLEAN
//       config_source => INT8
//       is_sensitive => BOOLEAN
export const CreateTopicsResponseSpec = {
  name: 'CreateTopicsResponse',
  apiKey: ApiKey.CreateTopics,
  type: 'response',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'topicId', type: 'uuid', versions: '7+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', default: null },
        { name: 'topicConfigErrorCode', type: 'int16', versions: '5+', tag: 0 },
        { name: 'numPartitions', type: 'int32', versions: '5+', default: -1 },
        { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1 },
        {
          name: 'configs',
          type: '[]struct',
          versions: '5+',
          nullableVersions: '5+',
          fields: [
            { name: 'name', type: 'string', versions: '5+' },
            { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
            { name: 'readOnly', type: 'bool', versions: '5+' },
            { name: 'configSource', type: 'int8', versions: '5+', default: -1 },
            { name: 'isSensitive', type: 'bool', versions: '5+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type CreateTopicsRequest = MessageValue<typeof CreateTopicsRequestSpec>;
export type CreateTopicsRequestInput = MessageInput<typeof CreateTopicsRequestSpec>;
export type CreateTopicsResponse = MessageValue<typeof CreateTopicsResponseSpec>;
export type CreateTopicsResponseInput = MessageInput<typeof CreateTopicsResponseSpec>;
