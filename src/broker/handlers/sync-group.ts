/**
 * SyncGroup: the leader hands in the assignment, every member gets its own; followers wait for the leader's.
 * v5+ must name the protocol type and name (INCONSISTENT_GROUP_PROTOCOL otherwise, as Kafka checks).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const syncGroupRoute = route(ApiKey.SyncGroup, 0, 5, async (request, { header, broker }) => {
  if (header.apiVersion >= 5 && (request.protocolType === null || request.protocolName === null)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, assignment: Buffer.alloc(0) };
  }
  const result = await broker.groups.syncGroup({
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    protocolType: request.protocolType,
    protocolName: request.protocolName,
    assignments: request.assignments,
  });
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode[result.error],
    protocolType: result.protocolType,
    protocolName: result.protocolName,
    assignment: result.assignment,
  };
});
