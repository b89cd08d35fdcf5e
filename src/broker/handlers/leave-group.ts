/**
 * LeaveGroup: v0-2 one member by id; v3+ (KIP-345) a batch of members by member id, or by group.instance.id
 * alone (an administrator removing a static member), each with its own error. Before v3 the only error field
 * carries the group's error or else the first member's, as Kafka's LeaveGroupResponse does.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const leaveGroupRoute = route(ApiKey.LeaveGroup, 0, 4, (request, { header, broker }) => {
  const batched = header.apiVersion >= 3;
  const leaving = batched
    ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
    : [{ memberId: request.memberId, groupInstanceId: null }];
  const result = broker.groups.leaveGroup(request.groupId, leaving);
  if (!batched) {
    const error = result.error !== 'NONE' ? result.error : (result.members.find((m) => m.error !== 'NONE')?.error ?? 'NONE');
    return { throttleTimeMs: 0, errorCode: ErrorCode[error], members: [] };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode[result.error],
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode[m.error] })),
  };
});
