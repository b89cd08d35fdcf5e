/**
 * Client quotas as Kafka has them (KIP-13, KIP-55, KIP-124, KIP-219): producer_byte_rate and consumer_byte_rate
 * (bytes/s), and request_percentage (the share of a request-handling thread's time in percent, measured as Kafka
 * does: each request records its handling time as a percentage of a second, so 100 is one thread's worth), per
 * user, client-id, or (user, client-id), with defaults, resolved in Kafka's order of precedence:
 *   user+client-id, user+default client-id, user, default user+client-id, default user+default client-id,
 *   default user, client-id, default client-id
 * (the broker's static quota.producer.default / quota.consumer.default act as the default client-id's). Each
 * client measured against a quota has its own rate over quota.window.num windows of quota.window.size.seconds,
 * keyed by the entity level the quota was found at (a default applies to each user or client-id separately).
 *
 * Enforcement (KIP-219): the broker records what a request used; if the client's rate is now above its quota, the
 * response still goes out at once, carrying throttle_time_ms = (rate - quota) / quota * window, and the broker
 * then stops reading that connection for that long. Clients that honour the field back off.
 *
 * Quotas set at run time (AlterClientQuotas, `strata quotas`) persist in `client-quotas.json` in the data
 * directory (JSON: entities with user / clientId, null meaning the default, and their quotas), replaced atomically
 * on every change and read at start.
 *
 * Who may call: the broker's request handlers, from the JS thread.
 */
import * as fs from 'node:fs';
import { StrataError } from '../errors/strata-error';
import { writeFileAtomically } from '../storage/atomic-file';
import { SampledRate } from './sampled-rate';

export type QuotaType = 'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage';

export const QUOTA_TYPES: readonly QuotaType[] = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage'];

/** A quota entity: user and client-id each a name, null for "the default", or absent (undefined). */
export interface QuotaEntity {
  user?: string | null;
  clientId?: string | null;
}

export interface QuotaConfig {
  /** quota.window.num */
  samples: number;
  /** quota.window.size.seconds, in ms */
  windowMs: number;
  /** quota.producer.default / quota.consumer.default: bytes/s per client-id, Infinity for none. */
  producerDefault: number;
  consumerDefault: number;
}

export const DEFAULT_QUOTA_CONFIG: Readonly<QuotaConfig> = Object.freeze({ samples: 11, windowMs: 1000, producerDefault: Infinity, consumerDefault: Infinity });

/** The user of a connection without authentication, as Kafka names it. */
export const ANONYMOUS_USER = 'ANONYMOUS';

function entityKey(e: QuotaEntity): string {
  const part = (name: string, v: string | null | undefined) => (v === undefined ? '' : `${name}=${v === null ? '<default>' : v}`);
  return [part('user', e.user), part('client-id', e.clientId)].filter(Boolean).join(',');
}

export interface QuotaMetric {
  type: QuotaType;
  user: string;
  clientId: string;
  /** bytes/s, or percent for request_percentage, over the sampled window */
  rate: number;
  quota: number;
  /** Throttle time handed out so far (ms). */
  throttleTimeMs: number;
}

export interface ThrottleResult {
  throttleTimeMs: number;
  /** The quota the client was measured against (bytes/s, or percent), Infinity when none applies. */
  quota: number;
}

const UNLIMITED: ThrottleResult = Object.freeze({ throttleTimeMs: 0, quota: Infinity });

export class ClientQuotaManager {
  private readonly config: QuotaConfig;
  private readonly quotas = new Map<string, Map<QuotaType, number>>();
  /** How many entities set each quota type (a type nobody set, without a static default, costs no lookup). */
  private readonly typeCounts = new Map<QuotaType, number>();
  private readonly entities = new Map<string, QuotaEntity>();
  private file: string | null = null;
  private readonly rates = new Map<string, SampledRate>();
  /** Throttle time handed out per sensor (for metrics). */
  readonly throttledMs = new Map<string, number>();
  /**
   * Called when a client starts being throttled: its first throttle, or the first after a whole sampled window
   * without one (for a log line per episode, not per response). `throttleTimeMs` is this response's throttle.
   */
  onThrottleStart: ((m: QuotaMetric) => void) | null = null;
  private readonly lastThrottledAt = new Map<string, number>();
  /** What each sensor measures: its quota type and the entity tags it is kept for. */
  private readonly sensorTags = new Map<string, { type: QuotaType; tags: QuotaEntity; quota: number }>();

  constructor(config: Partial<QuotaConfig> = {}, private readonly now: () => number = Date.now) {
    this.config = { ...DEFAULT_QUOTA_CONFIG, ...config };
  }

  /** Reads the persisted quotas (if any) and writes every later change to `file`. */
  persistTo(file: string): void {
    this.file = file;
    if (!fs.existsSync(file)) return;
    let parsed: { version: number; entities: Array<{ entity: QuotaEntity; quotas: Partial<Record<QuotaType, number>> }> };
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new StrataError('ERR_CORRUPT_STATE', `${file}: ${(err as Error).message}`);
    }
    for (const e of parsed.entities ?? []) for (const [type, value] of Object.entries(e.quotas)) this.apply(e.entity, type as QuotaType, value ?? null);
  }

  /** Sets (a number) or removes (null) one quota of an entity; persisted when a file is set. */
  set(entity: QuotaEntity, type: QuotaType, value: number | null): void {
    this.alter([{ entity, type, value }]);
  }

  /** Applies several changes at once, persisted together (AlterClientQuotas). */
  alter(changes: ReadonlyArray<{ entity: QuotaEntity; type: QuotaType; value: number | null }>): void {
    const before = this.allEntities();
    for (const c of changes) this.apply(c.entity, c.type, c.value);
    if (this.file === null) return;
    try {
      writeFileAtomically(this.file, `${JSON.stringify({ version: 1, entities: this.allEntities() }, null, 1)}\n`);
    } catch (err) {
      // Not durable, so not adopted: back to what the file holds.
      this.quotas.clear();
      this.entities.clear();
      this.typeCounts.clear();
      for (const e of before) for (const [type, value] of Object.entries(e.quotas)) this.apply(e.entity, type as QuotaType, value ?? null);
      throw err;
    }
  }

  private apply(entity: QuotaEntity, type: QuotaType, value: number | null): void {
    const key = entityKey(entity);
    let byType = this.quotas.get(key);
    const had = byType?.has(type) === true;
    if (had !== (value !== null)) this.typeCounts.set(type, (this.typeCounts.get(type) ?? 0) + (value === null ? -1 : 1));
    if (value === null) {
      byType?.delete(type);
      if (byType?.size === 0) {
        this.quotas.delete(key);
        this.entities.delete(key);
      }
    } else {
      if (byType === undefined) this.quotas.set(key, (byType = new Map()));
      this.entities.set(key, { ...entity });
      byType.set(type, value);
    }
  }

  /** The quotas set on exactly this entity. */
  quotasOf(entity: QuotaEntity): Partial<Record<QuotaType, number>> {
    return Object.fromEntries(this.quotas.get(entityKey(entity)) ?? []);
  }

  /** Every entity with quotas, as set. */
  allEntities(): Array<{ entity: QuotaEntity; quotas: Partial<Record<QuotaType, number>> }> {
    return [...this.quotas].map(([key, byType]) => ({ entity: this.entities.get(key)!, quotas: Object.fromEntries(byType) }));
  }

  /** The quota that applies to a user and client-id, and the sensor it is measured by. */
  resolve(user: string, clientId: string, type: QuotaType): { quota: number; sensor: string; tags: QuotaEntity } {
    const levels: Array<[QuotaEntity, QuotaEntity]> = [
      [{ user, clientId }, { user, clientId }],
      [{ user, clientId: null }, { user, clientId }],
      [{ user }, { user }],
      [{ user: null, clientId }, { user, clientId }],
      [{ user: null, clientId: null }, { user, clientId }],
      [{ user: null }, { user }],
      [{ clientId }, { clientId }],
      [{ clientId: null }, { clientId }],
    ];
    for (const [entity, tags] of levels) {
      const quota = this.quotas.get(entityKey(entity))?.get(type);
      if (quota !== undefined) return { quota, sensor: `${type}|${entityKey(tags)}`, tags };
    }
    return { quota: this.staticDefault(type), sensor: `${type}|${entityKey({ clientId })}`, tags: { clientId } };
  }

  /** quota.producer.default / quota.consumer.default; Kafka has no static request quota. */
  private staticDefault(type: QuotaType): number {
    if (type === 'producer_byte_rate') return this.config.producerDefault;
    if (type === 'consumer_byte_rate') return this.config.consumerDefault;
    return Infinity;
  }

  private unlimited(type: QuotaType): boolean {
    return (this.typeCounts.get(type) ?? 0) === 0 && this.staticDefault(type) === Infinity;
  }

  /** Whether any client can be over a quota of this type (else record() always answers 0 and need not be called). */
  enforces(type: QuotaType): boolean {
    return !this.unlimited(type);
  }

  /** Records `value` (bytes, or percent of a second) for the client and returns how long to throttle it (0 within its quota). */
  record(user: string, clientId: string, type: QuotaType, value: number): ThrottleResult {
    // Nothing configured (the usual case): no lookup, no allocation on the request path.
    if (this.unlimited(type)) return UNLIMITED;
    const { quota, sensor, tags } = this.resolve(user, clientId, type);
    if (!Number.isFinite(quota)) return { throttleTimeMs: 0, quota };
    const now = this.now();
    let rate = this.rates.get(sensor);
    if (rate === undefined) {
      this.rates.set(sensor, (rate = new SampledRate(this.config.samples, this.config.windowMs, now)));
      this.sensorTags.set(sensor, { type, tags, quota });
    } else {
      this.sensorTags.get(sensor)!.quota = quota;
    }
    rate.record(value, now);
    const observed = rate.rate(now);
    if (observed <= quota) return { throttleTimeMs: 0, quota };
    const window = rate.windowSizeMs(now);
    // Kafka's QuotaUtils.throttleTime, bounded by the whole sampled window.
    const throttleTimeMs = Math.min(Math.round(((observed - quota) / Math.max(quota, 1)) * window), this.config.samples * this.config.windowMs);
    this.throttledMs.set(sensor, (this.throttledMs.get(sensor) ?? 0) + throttleTimeMs);
    const last = this.lastThrottledAt.get(sensor);
    this.lastThrottledAt.set(sensor, now);
    if (this.onThrottleStart !== null && (last === undefined || now - last > this.config.samples * this.config.windowMs)) {
      this.onThrottleStart({ type, user: tags.user ?? '', clientId: tags.clientId ?? '', rate: observed, quota, throttleTimeMs });
    }
    return { throttleTimeMs, quota };
  }

  /**
   * Per quota entity measured so far (as Kafka's quota metrics, tagged by user and client-id, '' where the entity
   * has none): the rate over the sampled window (bytes/s, or percent), the quota, and the throttle time handed out.
   */
  metrics(): QuotaMetric[] {
    const now = this.now();
    const out: QuotaMetric[] = [];
    for (const [sensor, rate] of this.rates) {
      const { type, tags, quota } = this.sensorTags.get(sensor)!;
      out.push({ type, user: tags.user ?? '', clientId: tags.clientId ?? '', rate: rate.rate(now), quota, throttleTimeMs: this.throttledMs.get(sensor) ?? 0 });
    }
    return out;
  }

  /** Takes back bytes recorded for a response that was not sent with them (a throttled fetch drops its data). */
  unrecord(user: string, clientId: string, type: QuotaType, value: number): void {
    if (this.unlimited(type)) return;
    const { sensor } = this.resolve(user, clientId, type);
    this.rates.get(sensor)?.record(-value, this.now());
  }
}
