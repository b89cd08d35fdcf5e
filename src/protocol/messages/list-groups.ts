/** ListGroups (key 16). Kafka: ListGroups{Request,Response}.json (v5 adds group types; not declared). */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// ListGroups Request (Version: 0) =>
// ListGroups Request (Version: 4) => [states_filter] TAG_BUFFER
//   states_filter => COMPACT_STRING
export const ListGroupsRequestSpec = {
  name: 'ListGroupsRequest',
  apiKey: ApiKey.ListGroups,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [{ name: 'statesFilter', type: '[]string', versions: '4+' }],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// ListGroups Response (Version: 0) => error_code [groups]
//   error_code => INT16
//   groups => group_id protocol_type
//     group_id => STRING
//     protocol_type => STRING
// ListGroups Response (Version: 4) => throttle_time_ms error_code [groups] TAG_BUFFER
//   throttle_time_ms => INT32
//   error_code => INT16
//   groups => group_id protocol_type group_state TAG_BUFFER
//     group_id => COMPACT_STRING
//     protocol_type => COMPACT_STRING
//     group_state => COMPACT_STRING
export const ListGroupsResponseSpec = {
  name: 'ListGroupsResponse',
  apiKey: ApiKey.ListGroups,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '4+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type ListGroupsRequest = MessageValue<typeof ListGroupsRequestSpec>;
export type ListGroupsRequestInput = MessageInput<typeof ListGroupsRequestSpec>;
export type ListGroupsResponse = MessageValue<typeof ListGroupsResponseSpec>;
export type ListGroupsResponseInput = MessageInput<typeof ListGroupsResponseSpec>;
