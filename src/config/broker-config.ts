/**
 * Broker configuration under Kafka's property names, from a `.properties` file, `--override key=value` pairs and
 * the environment (`STRATA_` + the name upper-cased with dots as underscores: STRATA_LOG_DIRS). Later sources win:
 * file < environment < overrides. Every value is checked at start; a bad one stops start-up with a message that
 * names the key and the allowed range. Log defaults (`log.segment.bytes`, `log.retention.ms`, ...) are parsed by
 * log-config.ts from the same properties.
 */
import * as fs from 'node:fs';
import { DEFAULT_LOG_CONFIG, KAFKA_LONG_MAX, KAFKA_LONG_MAX_BIG, LONG_MAX, LogConfig, logConfigFrom } from './log-config';
import { StrataError } from '../errors/strata-error';

export interface Listener {
  name: string;
  host: string;
  port: number;
}

export interface BrokerConfig {
  /** node.id / broker.id */
  nodeId: number;
  /** listeners: where the broker binds, e.g. PLAINTEXT://127.0.0.1:9092 (port 0: any free port) */
  listeners: Listener[];
  /** advertised.listeners: what Metadata tells clients; defaults to listeners */
  advertisedListeners: Listener[];
  /** log.dirs (first entry; one data directory per broker here) */
  logDir: string;
  /** num.partitions: partitions of auto-created topics */
  numPartitions: number;
  /** auto.create.topics.enable */
  autoCreateTopics: boolean;
  /** default.replication.factor: must be 1 until replication lands */
  defaultReplicationFactor: number;
  /** socket.request.max.bytes: largest request frame accepted */
  socketRequestMaxBytes: number;
  /** group.initial.rebalance.delay.ms */
  groupInitialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** log.retention.check.interval.ms */
  logRetentionCheckIntervalMs: number;
  /** producer.id.expiration.ms: a partition forgets an idempotent producer idle this long (Kafka: 1 day) */
  producerIdExpirationMs: number;
  /** producer.id.expiration.check.interval.ms */
  producerIdExpirationCheckIntervalMs: number;
  /** transaction.max.timeout.ms: the largest transaction.timeout.ms a producer may ask for */
  transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms: an idle transactional id is forgotten after this */
  transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  transactionAbortTimedOutIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  transactionRemoveExpiredIntervalMs: number;
  /** quota.producer.default / quota.consumer.default: bytes/s per client-id; Long.MAX (the default) for none */
  quotaProducerDefault: number;
  quotaConsumerDefault: number;
  /** quota.window.num, quota.window.size.seconds */
  quotaWindowNum: number;
  quotaWindowSizeSeconds: number;
  /**
   * strata.durable.acks (Strata's own; Kafka has no such setting): answer acks=-1 Produce requests only once their
   * batches are on disk (fdatasync), with the fsyncs shared by every request waiting at the time (group commit).
   * Default false: acknowledged once in the page cache, flushing left to the OS and log.flush.interval.*, as Kafka.
   */
  durableAcks: boolean;
  /**
   * strata.produce.coalesce (Strata's own): Produce requests queued together on a connection are appended in one
   * pass (one write per partition). Default true; false serves them one at a time (for comparison in benchmarks).
   */
  produceCoalesce: boolean;
  /** strata.metrics.port: Prometheus GET /metrics on this port (0: any free one); -1 (the default) for none. */
  metricsPort: number;
  /** strata.metrics.host: where the metrics listener binds (default 127.0.0.1). */
  metricsHost: string;
  /** Defaults of every partition log (log.segment.bytes, log.retention.ms, message.max.bytes, ...). */
  log: LogConfig;
  /** Every property as given, for DescribeConfigs. */
  raw: Record<string, string>;
}

const INT_MAX = 2 ** 31 - 1;

interface IntProperty {
  key: string;
  field: keyof BrokerConfig;
  default: number;
  min: number;
  max: number;
  unit?: number;
  aliases?: string[];
  /** A Kafka LONG: values up to Long.MAX_VALUE are taken, beyond LONG_MAX read as LONG_MAX ("no limit"). */
  long?: boolean;
}

const INT_PROPERTIES: IntProperty[] = [
  { key: 'node.id', field: 'nodeId', default: 1, min: 0, max: INT_MAX, aliases: ['broker.id'] },
  { key: 'num.partitions', field: 'numPartitions', default: 1, min: 1, max: 100_000 },
  { key: 'default.replication.factor', field: 'defaultReplicationFactor', default: 1, min: 1, max: 1 },
  { key: 'socket.request.max.bytes', field: 'socketRequestMaxBytes', default: 104_857_600, min: 1024, max: INT_MAX },
  { key: 'group.initial.rebalance.delay.ms', field: 'groupInitialRebalanceDelayMs', default: 3000, min: 0, max: INT_MAX },
  { key: 'group.min.session.timeout.ms', field: 'groupMinSessionTimeoutMs', default: 6000, min: 0, max: INT_MAX },
  { key: 'group.max.session.timeout.ms', field: 'groupMaxSessionTimeoutMs', default: 1_800_000, min: 0, max: INT_MAX },
  { key: 'group.max.size', field: 'groupMaxSize', default: INT_MAX, min: 1, max: INT_MAX },
  { key: 'offsets.retention.minutes', field: 'offsetsRetentionMs', default: 10080, min: 1, max: INT_MAX, unit: 60_000 },
  { key: 'log.retention.check.interval.ms', field: 'logRetentionCheckIntervalMs', default: 300_000, min: 1, max: LONG_MAX , long: true },
  { key: 'producer.id.expiration.ms', field: 'producerIdExpirationMs', default: 86_400_000, min: 1, max: INT_MAX },
  { key: 'producer.id.expiration.check.interval.ms', field: 'producerIdExpirationCheckIntervalMs', default: 600_000, min: 1, max: INT_MAX },
  { key: 'transaction.max.timeout.ms', field: 'transactionMaxTimeoutMs', default: 900_000, min: 1, max: INT_MAX },
  { key: 'transactional.id.expiration.ms', field: 'transactionalIdExpirationMs', default: 604_800_000, min: 1, max: INT_MAX },
  { key: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', field: 'transactionAbortTimedOutIntervalMs', default: 10_000, min: 1, max: INT_MAX },
  { key: 'transaction.remove.expired.transaction.cleanup.interval.ms', field: 'transactionRemoveExpiredIntervalMs', default: 3_600_000, min: 1, max: INT_MAX },
  { key: 'quota.producer.default', field: 'quotaProducerDefault', default: LONG_MAX, min: 1, max: LONG_MAX , long: true },
  { key: 'quota.consumer.default', field: 'quotaConsumerDefault', default: LONG_MAX, min: 1, max: LONG_MAX , long: true },
  { key: 'quota.window.num', field: 'quotaWindowNum', default: 11, min: 1, max: INT_MAX },
  { key: 'quota.window.size.seconds', field: 'quotaWindowSizeSeconds', default: 1, min: 1, max: INT_MAX },
  { key: 'strata.metrics.port', field: 'metricsPort', default: -1, min: -1, max: 65535 },
];

const LISTENER = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[^\]]+\]|[^:/]*):(\d{1,5})$/;

function invalid(key: string, value: string, why: string): never {
  throw new StrataError('ERR_INVALID_CONFIG', `${key}=${value}: ${why}`);
}

export function parseListeners(key: string, value: string): Listener[] {
  const out: Listener[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = LISTENER.exec(part);
    if (!m) invalid(key, value, 'expected a list of NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092');
    const port = Number(m[3]);
    if (port > 65535) invalid(key, value, 'port must be in [0, 65535]');
    let host = m[2];
    if (host.startsWith('[')) host = host.slice(1, -1);
    out.push({ name: m[1], host, port });
  }
  if (out.length === 0) invalid(key, value, 'at least one listener is needed');
  return out;
}

/** Parses Java .properties text: `key=value`, `key: value` or `key value`; # and ! comments; \ continuations. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].replace(/^\s+/, '');
    const m = /^((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$/.exec(line);
    const unescape = (s: string) => s.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', f: '\f' })[c] ?? c);
    if (m) out[unescape(m[1])] = unescape(m[2].trimEnd());
    else out[unescape(line.trimEnd())] = '';
  }
  return out;
}

export function readPropertiesFile(file: string): Record<string, string> {
  try {
    return parseProperties(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StrataError('ERR_INVALID_CONFIG', `cannot read config file ${file}: ${(err as Error).message}`);
  }
}

/** STRATA_LOG_DIRS=... → log.dirs=... */
export function propertiesFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('STRATA_') || value === undefined) continue;
    out[name.slice('STRATA_'.length).toLowerCase().replace(/_/g, '.')] = value;
  }
  return out;
}

/** Parses `key=value` override strings (`--override` arguments). */
export function parseOverrides(overrides: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new StrataError('ERR_INVALID_CONFIG', `override "${o}": expected key=value`);
    out[o.slice(0, eq).trim()] = o.slice(eq + 1).trim();
  }
  return out;
}

export function brokerConfigFrom(props: Readonly<Record<string, string | number | boolean>>): BrokerConfig {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) raw[k] = String(v);
  const config: Record<string, unknown> = {};
  for (const p of INT_PROPERTIES) {
    const key = [p.key, ...(p.aliases ?? [])].find((k) => raw[k] !== undefined);
    if (key === undefined) {
      config[p.field] = p.default * (p.unit ?? 1);
      continue;
    }
    const text = raw[key].trim();
    let value = text === '' ? NaN : Number(text);
    if (p.long && /^\d{1,19}$/.test(text) && value > LONG_MAX && BigInt(text) <= KAFKA_LONG_MAX_BIG) value = LONG_MAX;
    if (!Number.isSafeInteger(value) || value < p.min || value > p.max) {
      invalid(key, raw[key], `must be an integer in [${p.min}, ${p.long && p.max === LONG_MAX ? KAFKA_LONG_MAX : p.max}]`);
    }
    config[p.field] = value * (p.unit ?? 1);
  }
  const bool = (key: string, dflt: boolean): boolean => {
    const v = raw[key];
    if (v === undefined) return dflt;
    if (v.trim() === 'true') return true;
    if (v.trim() === 'false') return false;
    return invalid(key, v, 'must be true or false');
  };
  const listeners = parseListeners('listeners', raw.listeners ?? 'PLAINTEXT://127.0.0.1:9092');
  const advertised = raw['advertised.listeners'] ? parseListeners('advertised.listeners', raw['advertised.listeners']) : listeners;
  const logDirs = (raw['log.dirs'] ?? raw['log.dir'] ?? './data').split(',').map((d) => d.trim()).filter(Boolean);
  if (logDirs.length !== 1) invalid('log.dirs', raw['log.dirs'] ?? '', 'exactly one directory is supported');
  return {
    ...(config as Pick<BrokerConfig, (typeof INT_PROPERTIES)[number]['field']>),
    listeners,
    advertisedListeners: advertised,
    logDir: logDirs[0],
    autoCreateTopics: bool('auto.create.topics.enable', true),
    durableAcks: bool('strata.durable.acks', false),
    produceCoalesce: bool('strata.produce.coalesce', true),
    metricsHost: (raw['strata.metrics.host'] ?? '127.0.0.1').trim(),
    log: logConfigFrom(raw, 'broker', DEFAULT_LOG_CONFIG),
    raw,
  } as BrokerConfig;
}
