/**
 * DescribeGroups: state, protocol and members of each group; an unknown group is reported Dead without error, as
 * Kafka does. Member metadata and assignments are only shown for Stable groups. Without an authorizer every
 * operation a group supports is authorized (READ, DELETE, DESCRIBE), reported when asked (v3+).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

/** Kafka's AclOperation codes READ (3), DELETE (6), DESCRIBE (8) as a bit field. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);
/** "Not requested" (Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const describeGroupsRoute = route(ApiKey.DescribeGroups, 0, 5, (request, { broker }) => ({
  throttleTimeMs: 0,
  groups: request.groups.map((groupId) => {
    const d = broker.groups.describeGroup(groupId);
    return {
      errorCode: ErrorCode[d.error],
      groupId,
      groupState: d.state,
      protocolType: d.protocolType,
      protocolData: d.protocolData,
      members: d.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
      authorizedOperations: request.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
    };
  }),
}));
