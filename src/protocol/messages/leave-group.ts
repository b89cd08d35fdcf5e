/** LeaveGroup (key 13). Kafka: LeaveGroup{Request,Response}.json (v5 adds a reason; not declared). */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// LeaveGroup Request (Version: 0) => group_id member_id
//   group_id => STRING
//   member_id => STRING
// LeaveGroup Request (Version: 4) => group_id [members] TAG_BUFFER
//   group_id => COMPACT_STRING
//   members => member_id group_instance_id TAG_BUFFER
//     member_id => COMPACT_STRING
//     group_instance_id => COMPACT_NULLABLE_STRING
// v3+ (KIP-345) leaves in batches of member identities instead of one member id.
export const LeaveGroupRequestSpec = {
  name: 'LeaveGroupRequest',
  apiKey: ApiKey.LeaveGroup,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      type: '[]struct',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      ],
    },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// LeaveGroup Response (Version: 0) => error_code
//   error_code => INT16
// LeaveGroup Response (Version: 4) => throttle_time_ms error_code [members] TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
//   members => member_id group_instance_id error_code TAG_BUFFER
//     member_id => COMPACT_STRING
//     group_instance_id => COMPACT_NULLABLE_STRING
//     error_code => INT16
export const LeaveGroupResponseSpec = {
  name: 'LeaveGroupResponse',
  apiKey: ApiKey.LeaveGroup,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'members',
      type: '[]struct',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'errorCode', type: 'int16', versions: '3+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type LeaveGroupRequest = MessageValue<typeof LeaveGroupRequestSpec>;
export type LeaveGroupRequestInput = MessageInput<typeof LeaveGroupRequestSpec>;
export type LeaveGroupResponse = MessageValue<typeof LeaveGroupResponseSpec>;
export type LeaveGroupResponseInput = MessageInput<typeof LeaveGroupResponseSpec>;
