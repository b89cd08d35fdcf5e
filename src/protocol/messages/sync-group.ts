/** SyncGroup (key 14): the leader hands out assignments, every member gets its own. Kafka: SyncGroup*.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// SyncGroup Request (Version: 0) => group_id generation_id member_id [assignments]
//   group_id => STRING
//   generation_id => INT32
//   member_id => STRING
//   assignments => member_id assignment
//     member_id => STRING
//     assignment => BYTES
// SyncGroup Request (Version: 5) => group_id generation_id member_id group_instance_id protocol_type protocol_name [assignments] TAG_BUFFER
//   group_id => COMPACT_STRING
//   generation_id => INT32
//   member_id => COMPACT_STRING
//   group_instance_id => COMPACT_NULLABLE_STRING
//   protocol_type => COMPACT_NULLABLE_STRING
//   protocol_name => COMPACT_NULLABLE_STRING
//   assignments => member_id assignment TAG_BUFFER
//     member_id => COMPACT_STRING
//     assignment => COMPACT_BYTES
export const SyncGroupRequestSpec = {
  name: 'SyncGroupRequest',
  apiKey: ApiKey.SyncGroup,
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    {
      name: 'assignments',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'assignment', type: 'bytes', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// SyncGroup Response (Version: 0) => error_code assignment
//   error_code => INT16
//   assignment => BYTES
// SyncGroup Response (Version: 5) => throttle_time_ms error_code protocol_type protocol_name assignment TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
//   protocol_type => COMPACT_NULLABLE_STRING
//   protocol_name => COMPACT_NULLABLE_STRING
//   assignment => COMPACT_BYTES
export const SyncGroupResponseSpec = {
  name: 'SyncGroupResponse',
  apiKey: ApiKey.SyncGroup,
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'assignment', type: 'bytes', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type SyncGroupRequest = MessageValue<typeof SyncGroupRequestSpec>;
export type SyncGroupRequestInput = MessageInput<typeof SyncGroupRequestSpec>;
export type SyncGroupResponse = MessageValue<typeof SyncGroupResponseSpec>;
export type SyncGroupResponseInput = MessageInput<typeof SyncGroupResponseSpec>;
