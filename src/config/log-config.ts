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

interface Property {
  field: keyof LogConfig;
  broker: string;
  topic: string;
  default: number;
  min: number;
  max: number;
}

const LONG_MAX = Number.MAX_SAFE_INTEGER; // Kafka's Long.MAX_VALUE, as far as a JS number goes
const INT_MAX = 2 ** 31 - 1;

export const LOG_PROPERTIES: readonly Property[] = [
  { field: 'segmentBytes', broker: 'log.segment.bytes', topic: 'segment.bytes', default: 1 << 30, min: 14, max: INT_MAX },
  { field: 'segmentMs', broker: 'log.roll.ms', topic: 'segment.ms', default: 7 * 24 * 3600 * 1000, min: 1, max: LONG_MAX },
  { field: 'retentionMs', broker: 'log.retention.ms', topic: 'retention.ms', default: 7 * 24 * 3600 * 1000, min: -1, max: LONG_MAX },
  { field: 'retentionBytes', broker: 'log.retention.bytes', topic: 'retention.bytes', default: -1, min: -1, max: LONG_MAX },
  { field: 'indexIntervalBytes', broker: 'log.index.interval.bytes', topic: 'index.interval.bytes', default: 4096, min: 0, max: INT_MAX },
  { field: 'segmentIndexBytes', broker: 'log.index.size.max.bytes', topic: 'segment.index.bytes', default: 10 * 1024 * 1024, min: 24, max: INT_MAX },
  { field: 'maxMessageBytes', broker: 'message.max.bytes', topic: 'max.message.bytes', default: 1048588, min: 0, max: INT_MAX },
  { field: 'flushMessages', broker: 'log.flush.interval.messages', topic: 'flush.messages', default: LONG_MAX, min: 1, max: LONG_MAX },
  { field: 'flushMs', broker: 'log.flush.interval.ms', topic: 'flush.ms', default: LONG_MAX, min: 0, max: LONG_MAX },
];

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze(
  Object.fromEntries(LOG_PROPERTIES.map((p) => [p.field, p.default])) as unknown as LogConfig,
);

function parseValue(p: Property, key: string, raw: string | number): number {
  const text = String(raw).trim();
  const value = typeof raw === 'number' ? raw : text === '' ? NaN : Number(text);
  if (!Number.isSafeInteger(value) || value < p.min || value > p.max) {
    throw new StrataError('ERR_INVALID_CONFIG', `${key}=${raw}: must be an integer in [${p.min}, ${p.max}]`);
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
    const hourly: Array<[string, keyof LogConfig, number]> = [
      ['log.retention.hours', 'retentionMs', 3600_000],
      ['log.retention.minutes', 'retentionMs', 60_000],
      ['log.roll.hours', 'segmentMs', 3600_000],
    ];
    for (const [key, field, unit] of hourly) {
      if (props[key] === undefined) continue;
      const p = LOG_PROPERTIES.find((q) => q.field === field)!;
      const v = parseValue({ ...p, min: field === 'retentionMs' ? -1 : 1 }, key, props[key]);
      config[field] = v < 0 ? -1 : v * unit;
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
  for (const p of LOG_PROPERTIES) if (config[p.field] !== base[p.field]) out[p.topic] = String(config[p.field]);
  return out;
}
