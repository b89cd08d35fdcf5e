/** DeleteGroups: groups without members go with their offsets; NON_EMPTY_GROUP and GROUP_ID_NOT_FOUND otherwise. */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

export const deleteGroupsRoute = route(ApiKey.DeleteGroups, 0, 2, (request, { broker }) => ({
  throttleTimeMs: 0,
  results: broker.groups.deleteGroups(request.groupsNames).map((r) => ({ groupId: r.groupId, errorCode: ErrorCode[r.error] })),
}));
