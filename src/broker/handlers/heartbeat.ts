/** Heartbeat: keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const heartbeatRoute = route(ApiKey.Heartbeat, 0, 4, (request, { broker }) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode[
    broker.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
    })
  ],
}));
