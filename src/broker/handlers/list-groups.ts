/** ListGroups: every group with its protocol type; v4 filters by state (empty filter: all) and reports the state. */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const listGroupsRoute = route(ApiKey.ListGroups, 0, 4, (request, { broker }) => {
  const result = broker.groups.listGroups(request.statesFilter);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode[result.error],
    groups: result.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
  };
});
