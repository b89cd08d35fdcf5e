/**
 * AlterClientQuotas (v0-1, KIP-546): sets or removes producer_byte_rate / consumer_byte_rate / request_percentage
 * of user, client-id or (user, client-id) entities (a null name: the default). Valid entries are applied together
 * and persisted; each entry gets its own error. ip entities (connection-rate quotas) are not supported
 * (UNSUPPORTED_VERSION would mislead: INVALID_REQUEST).
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { QUOTA_TYPES, QuotaEntity, QuotaType } from '../../quota/client-quota-manager';
import { route } from '../handler';
import { errorMessage } from '../error-mapping';

const KEYS = new Set<string>(QUOTA_TYPES);

export const alterClientQuotasRoute = route(ApiKey.AlterClientQuotas, 0, 1, (request, { broker }) => {
  const changes: Array<{ entity: QuotaEntity; type: QuotaType; value: number | null }> = [];
  const results = request.entries.map((e) => {
    const answer = (errorCode: number, message: string | null = null) => ({ errorCode, errorMessage: message, entity: e.entity });
    const entity: QuotaEntity = {};
    for (const part of e.entity) {
      if (part.entityType === 'user' && entity.user === undefined) entity.user = part.entityName;
      else if (part.entityType === 'client-id' && entity.clientId === undefined) entity.clientId = part.entityName;
      else return answer(ErrorCode.INVALID_REQUEST, `entity type ${part.entityType} is unknown or repeated (user and client-id are supported)`);
    }
    if (entity.user === undefined && entity.clientId === undefined) return answer(ErrorCode.INVALID_REQUEST, 'an entity needs a user or a client-id');
    const mine: typeof changes = [];
    for (const op of e.ops) {
      if (!KEYS.has(op.key)) return answer(ErrorCode.INVALID_REQUEST, `quota ${op.key} is not supported (${QUOTA_TYPES.join(', ')})`);
      if (!op.remove && !(Number.isFinite(op.value) && op.value > 0)) return answer(ErrorCode.INVALID_REQUEST, `${op.key} must be a positive number (${op.key === 'request_percentage' ? 'percent' : 'bytes/s'})`);
      mine.push({ entity, type: op.key as QuotaType, value: op.remove ? null : op.value });
    }
    changes.push(...mine);
    return answer(ErrorCode.NONE);
  });
  if (!request.validateOnly && changes.length > 0) {
    try {
      broker.quotas.alter(changes);
      broker.log.info('client quotas altered', { changes: changes.length });
    } catch (err) {
      broker.log.error('client quotas could not be saved', { err: errorMessage(err) });
      for (const r of results) if (r.errorCode === ErrorCode.NONE) Object.assign(r, { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: errorMessage(err) });
    }
  }
  return { throttleTimeMs: 0, entries: results };
});
