/** DeleteTopics (key 20). Kafka: DeleteTopics{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// DeleteTopics Request (Version: 0) => [topic_names] timeout_ms
//   topic_names => STRING
//   timeout_ms => INT32
// DeleteTopics Request (Version: 6) => [topics] timeout_ms TAG_BUFFER
//   topics => name topic_id TAG_BUFFER
//     name => COMPACT_NULLABLE_STRING
//     topic_id => UUID
//   timeout_ms => INT32
// v6 names topics by name or id (`topics`) instead of by name only (`topicNames`).
export const DeleteTopicsRequestSpec = {
  name: 'DeleteTopicsRequest',
  apiKey: ApiKey.DeleteTopics,
  type: 'request',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'topics',
      type: '[]struct',
      versions: '6+',
      fields: [
        { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
        { name: 'topicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'topicNames', type: '[]string', versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// DeleteTopics Response (Version: 0) => [responses]
//   responses => name error_code
//     name => STRING
//     error_code => INT16
// DeleteTopics Response (Version: 6) => throttle_time_ms [responses] TAG_BUFFER
//   throttle_time_ms => INT32
//   responses => name topic_id error_code error_message TAG_BUFFER
//     name => COMPACT_NULLABLE_STRING
//     topic_id => UUID
//     error_code => INT16
//     error_message => COMPACT_NULLABLE_STRING
export const DeleteTopicsResponseSpec = {
  name: 'DeleteTopicsResponse',
  apiKey: ApiKey.DeleteTopics,
  type: 'response',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'topicId', type: 'uuid', versions: '6+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteTopicsRequest = MessageValue<typeof DeleteTopicsRequestSpec>;
export type DeleteTopicsRequestInput = MessageInput<typeof DeleteTopicsRequestSpec>;
export type DeleteTopicsResponse = MessageValue<typeof DeleteTopicsResponseSpec>;
export type DeleteTopicsResponseInput = MessageInput<typeof DeleteTopicsResponseSpec>;
