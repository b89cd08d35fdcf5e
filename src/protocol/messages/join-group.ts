/** JoinGroup (key 11). Kafka: JoinGroup{Request,Response}.json (v8+ add a reason; not declared). */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// JoinGroup Request (Version: 0) => group_id session_timeout_ms member_id protocol_type [protocols]
//   group_id => STRING
//   session_timeout_ms => INT32
//   member_id => STRING
//   protocol_type => STRING
//   protocols => name metadata
//     name => STRING
//     metadata => BYTES
// JoinGroup Request (Version: 7) => group_id session_timeout_ms rebalance_timeout_ms member_id group_instance_id protocol_type [protocols] TAG_BUFFER
//   group_id => COMPACT_STRING
//   session_timeout_ms => INT32
//   rebalance_timeout_ms => INT32
//   member_id => COMPACT_STRING
//   group_instance_id => COMPACT_NULLABLE_STRING
//   protocol_type => COMPACT_STRING
//   protocols => name metadata TAG_BUFFER
//     name => COMPACT_STRING
//     metadata => COMPACT_BYTES
export const JoinGroupRequestSpec = {
  name: 'JoinGroupRequest',
  apiKey: ApiKey.JoinGroup,
  type: 'request',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
    // Absent in v0, where the session timeout is also the rebalance timeout.
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolType', type: 'string', versions: '0+' },
    {
      name: 'protocols',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// JoinGroup Response (Version: 0) => error_code generation_id protocol_name leader member_id [members]
//   error_code => INT16
//   generation_id => INT32
//   protocol_name => STRING
//   leader => STRING
//   member_id => STRING
//   members => member_id metadata
//     member_id => STRING
//     metadata => BYTES
// JoinGroup Response (Version: 7) => throttle_time_ms error_code generation_id protocol_type protocol_name leader member_id [members] TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
//   generation_id => INT32
//   protocol_type => COMPACT_NULLABLE_STRING
//   protocol_name => COMPACT_NULLABLE_STRING
//   leader => COMPACT_STRING
//   member_id => COMPACT_STRING
//   members => member_id group_instance_id metadata TAG_BUFFER
//     member_id => COMPACT_STRING
//     group_instance_id => COMPACT_NULLABLE_STRING
//     metadata => COMPACT_BYTES
export const JoinGroupResponseSpec = {
  name: 'JoinGroupResponse',
  apiKey: ApiKey.JoinGroup,
  type: 'response',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
    { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
    { name: 'leader', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    {
      name: 'members',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        { name: 'metadata', type: 'bytes', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type JoinGroupRequest = MessageValue<typeof JoinGroupRequestSpec>;
export type JoinGroupRequestInput = MessageInput<typeof JoinGroupRequestSpec>;
export type JoinGroupResponse = MessageValue<typeof JoinGroupResponseSpec>;
export type JoinGroupResponseInput = MessageInput<typeof JoinGroupResponseSpec>;
