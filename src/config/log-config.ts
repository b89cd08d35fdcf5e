/**
 * Per-log (per-partition) configuration, under Kafka's names: the broker-wide default (`log.segment.bytes`) and
 * the topic-level override (`segment.bytes`) map to one field. Defaults and lower bounds are Kafka's.
 */
import { StrataError } from '../errors/strata-error';

export interface LogConfig {
  /** log.segment.bytes / segment.bytes: roll the active segment when the next append would pass this. */
  segmentBytes: number;
  /** log.roll.ms / segment.ms: roll the active segment when its first batch is this old. */
  segmentMs: number;
  /** log.retention.ms / retention.ms: delete segments whose newest timestamp is older; -1 keeps forever. */
  retentionMs: number;
  /** log.retention.bytes / retention.bytes: delete oldest segments while the log exceeds this; -1 no limit. */
  retentionBytes: number;
  /** log.index.interval.bytes / index.interval.bytes: bytes between offset-index entries. */
  indexIntervalBytes: number;
  /** log.index.size.max.bytes / segment.index.bytes: size of each segment's .index and .timeindex maps. */
  segmentIndexBytes: number;
  /** message.max.bytes / max.message.bytes: largest record batch accepted. */
  maxMessageBytes: number;
  /** log.flush.interval.messages / flush.messages: fsync after this many unflushed messages. */
  flushMessages: number;
  /** log.flush.interval.ms / flush.ms: fsync when the oldest unflushed data is this old. */
  flushMs: number;
}

export interface LogProperty {
  field: keyof LogConfig;
  broker: string;
  topic: string;
  default: number;
  min: number;
  max: number;
  /** Kafka's type of the config (DescribeConfigs' config_type): INT or LONG. */
  type: 'int' | 'long';
}

/**
 * Kafka's Long.MAX_VALUE (2^63 - 1), as clients send and show it: the default of flush.messages and flush.ms
 * ("never") and the upper bound of every LONG config. A JS number cannot hold it, so inside Strata it is
 * LONG_MAX below; any long beyond that (up to Long.MAX_VALUE) is read as LONG_MAX, i.e. "never" / "no limit"
 * (2^53 ms is 285,000 years), and LONG_MAX is shown as Long.MAX_VALUE again (formatLogValue).
 */
export const KAFKA_LONG_MAX = '9223372036854775807';
export const KAFKA_LONG_MAX_BIG = 2n ** 63n - 1n;
/** Internal stand-in for Long.MAX_VALUE: the largest exact JS integer, safe in the logs' arithmetic. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MAX = 2 ** 31 - 1;

export const LOG_PROPERTIES: readonly LogProperty[] = [
  { field: 'segmentBytes', broker: 'log.segment.bytes', topic: 'segment.bytes', default: 1 << 30, min: 14, max: INT_MAX, type: 'int' },
  { field: 'segmentMs', broker: 'log.roll.ms', topic: 'segment.ms', default: 7 * 24 * 3600 * 1000, min: 1, max: LONG_MAX, type: 'long' },
  { field: 'retentionMs', broker: 'log.retention.ms', topic: 'retention.ms', default: 7 * 24 * 3600 * 1000, min: -1, max: LONG_MAX, type: 'long' },
  { field: 'retentionBytes', broker: 'log.retention.bytes', topic: 'retention.bytes', default: -1, min: -1, max: LONG_MAX, type: 'long' },
  { field: 'indexIntervalBytes', broker: 'log.index.interval.bytes', topic: 'index.interval.bytes', default: 4096, min: 0, max: INT_MAX, type: 'int' },
  { field: 'segmentIndexBytes', broker: 'log.index.size.max.bytes', topic: 'segment.index.bytes', default: 10 * 1024 * 1024, min: 24, max: INT_MAX, type: 'int' },
  { field: 'maxMessageBytes', broker: 'message.max.bytes', topic: 'max.message.bytes', default: 1048588, min: 0, max: INT_MAX, type: 'int' },
  { field: 'flushMessages', broker: 'log.flush.interval.messages', topic: 'flush.messages', default: LONG_MAX, min: 1, max: LONG_MAX, type: 'long' },
  { field: 'flushMs', broker: 'log.flush.interval.ms', topic: 'flush.ms', default: LONG_MAX, min: 0, max: LONG_MAX, type: 'long' },
];

/**
 * Kafka's coarser broker names of a log config (INT properties, in hours or minutes), lowest precedence first:
 * log.retention.ms beats log.retention.minutes beats log.retention.hours; log.roll.ms beats log.roll.hours.
 */
export const BROKER_ALIASES: Readonly<Partial<Record<keyof LogConfig, readonly { key: string; unitMs: number }[]>>> = {
  retentionMs: [
    { key: 'log.retention.hours', unitMs: 3600_000 },
    { key: 'log.retention.minutes', unitMs: 60_000 },
  ],
  segmentMs: [{ key: 'log.roll.hours', unitMs: 3600_000 }],
};

/** The broker property names that can set `p`, highest precedence first (log.retention.ms, .minutes, .hours). */
export function brokerNames(p: LogProperty): string[] {
  return [p.broker, ...(BROKER_ALIASES[p.field] ?? []).map((a) => a.key).reverse()];
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze(
  Object.fromEntries(LOG_PROPERTIES.map((p) => [p.field, p.default])) as unknown as LogConfig,
);

/** A bound or value as Kafka shows it: LONG_MAX of a LONG config is Long.MAX_VALUE. */
export function formatLogValue(p: LogProperty, value: number): string {
  return p.type === 'long' && value >= LONG_MAX ? KAFKA_LONG_MAX : String(value);
}

function parseValue(p: LogProperty, key: string, raw: string | number): number {
  const text = String(raw).trim();
  let value = typeof raw === 'number' ? raw : text === '' ? NaN : Number(text);
  if (p.max === LONG_MAX && value > LONG_MAX) {
    // A long past 2^53 (Kafka's Long.MAX_VALUE above all): exact as text, and at most Long.MAX_VALUE.
    const isLong = typeof raw === 'number' ? Number.isInteger(raw) && raw <= 2 ** 63 : /^\+?\d+$/.test(text) && BigInt(text) <= KAFKA_LONG_MAX_BIG;
    if (isLong) value = LONG_MAX;
  }
  if (!Number.isSafeInteger(value) || value < p.min || value > p.max) {
    throw new StrataError('ERR_INVALID_CONFIG', `${key}=${raw}: must be an integer in [${p.min}, ${formatLogValue(p, p.max)}]`);
  }
  return value;
}

/**
 * Builds a LogConfig from Kafka properties. `scope` picks which names apply: broker names
 * (`log.segment.bytes`, plus Kafka's `log.retention.hours`/`minutes` and `log.roll.hours` aliases) or topic
 * names (`segment.bytes`). Unknown keys are ignored here (other modules own them); bad values throw.
 */
export function logConfigFrom(
  props: Readonly<Record<string, string | number>>,
  scope: 'broker' | 'topic',
  base: Readonly<LogConfig> = DEFAULT_LOG_CONFIG,
): LogConfig {
  const config: LogConfig = { ...base };
  if (scope === 'broker') {
    for (const p of LOG_PROPERTIES) {
      for (const { key, unitMs } of BROKER_ALIASES[p.field] ?? []) {
        if (props[key] === undefined) continue;
        // Kafka's INT properties; -1 of log.retention.hours/minutes keeps forever.
        const v = parseValue({ ...p, min: p.field === 'retentionMs' ? -1 : 1, max: INT_MAX, type: 'int' }, key, props[key]);
        config[p.field] = v < 0 ? -1 : Math.min(v * unitMs, LONG_MAX);
      }
    }
  }
  for (const p of LOG_PROPERTIES) {
    const key = scope === 'broker' ? p.broker : p.topic;
    if (props[key] !== undefined) config[p.field] = parseValue(p, key, props[key]);
  }
  return config;
}

/** Topic-level overrides of `config` relative to `base`, under topic names (for DescribeConfigs and storage). */
export function topicOverrides(config: Readonly<LogConfig>, base: Readonly<LogConfig>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of LOG_PROPERTIES) if (config[p.field] !== base[p.field]) out[p.topic] = formatLogValue(p, config[p.field]);
  return out;
}
