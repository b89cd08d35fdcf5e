/**
 * FindCoordinator: every group (key type 0) and every transactional id (key type 1) is coordinated by this node,
 * the only one. v4 (KIP-699) looks up several keys at once; earlier versions one. An unknown key type is
 * INVALID_REQUEST, as in Kafka.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

export const findCoordinatorRoute = route(ApiKey.FindCoordinator, 0, 4, (request, { header, broker }) => {
  const known = request.keyType === KEY_TYPE_GROUP || request.keyType === KEY_TYPE_TRANSACTION;
  const lookup = (key: string) =>
    known
      ? { key, nodeId: broker.config.nodeId, host: broker.endpoint.host, port: broker.endpoint.port, errorCode: ErrorCode.NONE, errorMessage: null }
      : { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `unknown coordinator key type ${request.keyType}` };
  if (header.apiVersion >= 4) return { throttleTimeMs: 0, coordinators: request.coordinatorKeys.map(lookup) };
  const { errorCode, errorMessage, nodeId, host, port } = lookup(request.key);
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port, coordinators: [] };
});
