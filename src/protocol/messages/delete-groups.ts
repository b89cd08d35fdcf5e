/** DeleteGroups (key 42). Kafka: DeleteGroups{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// DeleteGroups Request (Version: 0) => [groups_names]
//   groups_names => STRING
// DeleteGroups Request (Version: 2) => [groups_names] TAG_BUFFER
//   groups_names => COMPACT_STRING
export const DeleteGroupsRequestSpec = {
  name: 'DeleteGroupsRequest',
  apiKey: ApiKey.DeleteGroups,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'groupsNames', type: '[]string', versions: '0+' }],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// DeleteGroups Response (Version: 0) => throttle_time_ms [results]
//   throttle_time_ms => INT32
//   results => group_id error_code
//     group_id => STRING
//     error_code => INT16
// DeleteGroups Response (Version: 2) => throttle_time_ms [results] TAG_BUFFER
//   throttle_time_ms => INT32
//   results => group_id error_code TAG_BUFFER
//     group_id => COMPACT_STRING
//     error_code => INT16
export const DeleteGroupsResponseSpec = {
  name: 'DeleteGroupsResponse',
  apiKey: ApiKey.DeleteGroups,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type DeleteGroupsRequest = MessageValue<typeof DeleteGroupsRequestSpec>;
export type DeleteGroupsRequestInput = MessageInput<typeof DeleteGroupsRequestSpec>;
export type DeleteGroupsResponse = MessageValue<typeof DeleteGroupsResponseSpec>;
export type DeleteGroupsResponseInput = MessageInput<typeof DeleteGroupsResponseSpec>;
