/** FindCoordinator (key 10): the broker coordinating a group (keyType 0) or transaction (1). */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// FindCoordinator Request (Version: 0) => key
//   key => STRING
// FindCoordinator Request (Version: 4) => key_type [coordinator_keys] TAG_BUFFER
//   key_type => INT8
//   coordinator_keys => COMPACT_STRING
// v4 (KIP-699) batches keys: `key` gives way to `coordinatorKeys`, the top-level result to `coordinators`.
export const FindCoordinatorRequestSpec = {
  name: 'FindCoordinatorRequest',
  apiKey: ApiKey.FindCoordinator,
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'coordinatorKeys', type: '[]string', versions: '4+' },
  ],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// FindCoordinator Response (Version: 0) => error_code node_id host port
//   error_code => INT16
//   node_id => INT32
//   host => STRING
//   port => INT32
// FindCoordinator Response (Version: 4) => throttle_time_ms [coordinators] TAG_BUFFER
//   throttle_time_ms => INT32
//   coordinators => key node_id host port error_code error_message TAG_BUFFER
//     key => COMPACT_STRING
//     node_id => INT32
//     host => COMPACT_STRING
//     port => INT32
//     error_code => INT16
//     error_message => COMPACT_NULLABLE_STRING
export const FindCoordinatorResponseSpec = {
  name: 'FindCoordinatorResponse',
  apiKey: ApiKey.FindCoordinator,
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    {
      name: 'coordinators',
      type: '[]struct',
      versions: '4+',
      fields: [
        { name: 'key', type: 'string', versions: '4+' },
        { name: 'nodeId', type: 'int32', versions: '4+' },
        { name: 'host', type: 'string', versions: '4+' },
        { name: 'port', type: 'int32', versions: '4+' },
        { name: 'errorCode', type: 'int16', versions: '4+' },
        { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export type FindCoordinatorRequest = MessageValue<typeof FindCoordinatorRequestSpec>;
export type FindCoordinatorRequestInput = MessageInput<typeof FindCoordinatorRequestSpec>;
export type FindCoordinatorResponse = MessageValue<typeof FindCoordinatorResponseSpec>;
export type FindCoordinatorResponseInput = MessageInput<typeof FindCoordinatorResponseSpec>;
