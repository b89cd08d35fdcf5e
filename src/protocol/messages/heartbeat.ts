/** Heartbeat (key 12). Kafka: Heartbeat{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// Heartbeat Request (Version: 0) => group_id generation_id member_id
//   group_id => STRING
//   generation_id => INT32
//   member_id => STRING
// Heartbeat Request (Version: 4) => group_id generation_id member_id group_instance_id TAG_BUFFER
//   group_id => COMPACT_STRING
//   generation_id => INT32
//   member_id => COMPACT_STRING
//   group_instance_id => COMPACT_NULLABLE_STRING
export const HeartbeatRequestSpec = {
  name: 'HeartbeatRequest',
  apiKey: ApiKey.Heartbeat,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// Heartbeat Response (Version: 0) => error_code
//   error_code => INT16
// Heartbeat Response (Version: 4) => throttle_time_ms error_code TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
export const HeartbeatResponseSpec = {
  name: 'HeartbeatResponse',
  apiKey: ApiKey.Heartbeat,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type HeartbeatRequest = MessageValue<typeof HeartbeatRequestSpec>;
export type HeartbeatRequestInput = MessageInput<typeof HeartbeatRequestSpec>;
export type HeartbeatResponse = MessageValue<typeof HeartbeatResponseSpec>;
export type HeartbeatResponseInput = MessageInput<typeof HeartbeatResponseSpec>;
