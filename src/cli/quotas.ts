/**
 * `strata quotas describe|alter`: client quotas through the Kafka APIs DescribeClientQuotas / AlterClientQuotas
 * (as Kafka's kafka-configs uses them), so they work against Strata and any Kafka 2.6+ broker.
 *   strata quotas describe [--user U | --user-default] [--client-id C | --client-default] --bootstrap-server h:p [--json]
 *   strata quotas alter [entity flags] [--add key=value ...] [--delete key ...] --bootstrap-server h:p
 * Exit codes: 0 ok, 1 the broker refused a change, 2 usage, 3 the broker could not be reached.
 */
import { ApiKey } from '../protocol/api-key';
import { errorCodeInfo, ErrorCode } from '../protocol/error-codes';
import { WireTransport } from '../client/transport';
import { parseBootstrap } from './common';

export interface QuotasOptions {
  bootstrapServer: string;
  user?: string;
  userDefault: boolean;
  clientId?: string;
  clientDefault: boolean;
  add: string[];
  delete: string[];
  json: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
}

function usage(message: string): never {
  throw Object.assign(new Error(message), { code: 'ERR_INVALID_CONFIG' });
}

function entityOf(o: QuotasOptions): Array<{ entityType: string; entityName: string | null }> {
  if (o.user !== undefined && o.userDefault) usage('--user and --user-default exclude each other');
  if (o.clientId !== undefined && o.clientDefault) usage('--client-id and --client-default exclude each other');
  const parts: Array<{ entityType: string; entityName: string | null }> = [];
  if (o.user !== undefined || o.userDefault) parts.push({ entityType: 'user', entityName: o.userDefault ? null : o.user! });
  if (o.clientId !== undefined || o.clientDefault) parts.push({ entityType: 'client-id', entityName: o.clientDefault ? null : o.clientId! });
  return parts;
}

const label = (e: Array<{ entityType: string; entityName: string | null }>) => e.map((p) => `${p.entityType}=${p.entityName ?? '<default>'}`).join(',');

export async function quotasCommand(sub: string, o: QuotasOptions): Promise<number> {
  const { host, port } = parseBootstrap(o.bootstrapServer);
  const entity = entityOf(o);
  const ops: Array<{ key: string; value: number; remove: boolean }> = [];
  if (sub === 'alter') {
    for (const a of o.add) {
      const [key, raw] = a.split('=');
      const value = Number(raw);
      if (!key || raw === undefined || !Number.isFinite(value)) usage(`--add ${a}: expected key=number`);
      ops.push({ key, value, remove: false });
    }
    for (const key of o.delete) ops.push({ key, value: 0, remove: true });
    if (entity.length === 0) usage('alter needs an entity (--user, --user-default, --client-id, --client-default)');
    if (ops.length === 0) usage('alter needs --add key=value or --delete key');
  }
  const transport = await WireTransport.connect(host, port, 'strata-cli');
  try {
    if (sub === 'alter') {
      const res = await transport.request(ApiKey.AlterClientQuotas, 1, { entries: [{ entity, ops }], validateOnly: false });
      const r = res.entries[0];
      if (r.errorCode !== ErrorCode.NONE) {
        o.err(`strata quotas: ${errorCodeInfo(r.errorCode)?.name ?? r.errorCode}: ${r.errorMessage ?? ''}`);
        return 1;
      }
      o.out(`altered ${label(entity)}`);
      return 0;
    }
    const components = entity.map((p) => ({ entityType: p.entityType, matchType: p.entityName === null ? 1 : 0, match: p.entityName }));
    const res = await transport.request(ApiKey.DescribeClientQuotas, 1, { components, strict: false });
    if (res.errorCode !== ErrorCode.NONE) {
      o.err(`strata quotas: ${errorCodeInfo(res.errorCode)?.name ?? res.errorCode}: ${res.errorMessage ?? ''}`);
      return 1;
    }
    const rows = (res.entries ?? []).map((e) => ({ entity: label(e.entity), quotas: Object.fromEntries(e.values.map((v) => [v.key, v.value])) }));
    if (o.json) o.out(JSON.stringify(rows));
    else for (const r of rows) o.out(`${r.entity}  ${Object.entries(r.quotas).map(([k, v]) => `${k}=${v}`).join(',')}`);
    return 0;
  } finally {
    transport.close();
  }
}
