/**
 * DescribeClientQuotas (v0-1, KIP-546): the quotas set on entities matching the filter. Each component names an
 * entity type (user, client-id) and a match: 0 exactly this name, 1 the default, 2 any specified name (not the
 * default); `strict` also excludes entities with types the filter does not name. Values are bytes/s.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import type { QuotaEntity } from '../../quota/client-quota-manager';
import { route } from '../handler';

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

function nameOf(entity: QuotaEntity, type: string): string | null | undefined {
  return type === 'user' ? entity.user : type === 'client-id' ? entity.clientId : undefined;
}

export const describeClientQuotasRoute = route(ApiKey.DescribeClientQuotas, 0, 1, (request, { broker }) => {
  const fail = (errorMessage: string) => ({ throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage, entries: null });
  for (const c of request.components) {
    if (c.entityType !== 'user' && c.entityType !== 'client-id') return fail(`unknown entity type ${c.entityType}`);
    if (c.matchType !== MATCH_EXACT && c.matchType !== MATCH_DEFAULT && c.matchType !== MATCH_SPECIFIED) return fail(`unknown match type ${c.matchType}`);
    if (c.matchType === MATCH_EXACT && c.match === null) return fail('an exact match needs a name');
  }
  const named = new Set(request.components.map((c) => c.entityType));
  const entries = broker.quotas
    .allEntities()
    .filter(({ entity }) =>
      request.components.every((c) => {
        const name = nameOf(entity, c.entityType);
        if (c.matchType === MATCH_EXACT) return name === c.match;
        if (c.matchType === MATCH_DEFAULT) return name === null;
        return typeof name === 'string';
      }),
    )
    .filter(({ entity }) => !request.strict || (['user', 'client-id'] as const).every((type) => nameOf(entity, type) === undefined || named.has(type)))
    .map(({ entity, quotas }) => ({
      entity: [
        ...(entity.user !== undefined ? [{ entityType: 'user', entityName: entity.user }] : []),
        ...(entity.clientId !== undefined ? [{ entityType: 'client-id', entityName: entity.clientId }] : []),
      ],
      values: Object.entries(quotas).map(([key, value]) => ({ key, value: value as number })),
    }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
});
