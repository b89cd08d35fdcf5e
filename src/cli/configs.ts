/**
 * `strata configs describe|alter`: a topic's or a broker's configs through the Kafka APIs DescribeConfigs and
 * IncrementalAlterConfigs (as Kafka's kafka-configs uses them), so they work against Strata and any Kafka 2.3+ broker.
 *   strata configs describe --topic T | --broker [id] [--all] --bootstrap-server h:p [--json]
 *   strata configs alter --topic T | --broker id [--set key=value ...] [--delete key ...] --bootstrap-server h:p
 * `describe` lists NAME VALUE SOURCE, only what is not Kafka's default (DEFAULT_CONFIG) unless --all; --broker
 * without an id means the bootstrap server. Both take --timeout-ms N (30000) for each request.
 * Exit codes: 0 ok, 1 the broker refused or the topic or broker is not there, 2 usage, 3 the broker could not be
 * reached or did not answer in time.
 *
 * Also here, for `strata topics`: Cluster (connections to the nodes a request must go to, as Kafka's admin client
 * routes them), the shared error handling of the two commands, and the DescribeConfigs/IncrementalAlterConfigs calls.
 */
import { parseArgs } from 'node:util';
import { ApiKey } from '../protocol/api-key';
import type { DeclaredApiKey, RequestInputOf, ResponseOf } from '../protocol/apis';
import { errorCodeInfo, ErrorCode } from '../protocol/error-codes';
import { WireTransport } from '../client/transport';
import { parseBootstrap, table, usageError } from './common';

export const usage: string[] = [
  '  configs describe --topic T|--broker [id] [--all] --bootstrap-server host:port [--json]',
  "                                             NAME VALUE SOURCE of a topic's or broker's configs, non-default unless --all",
  '  configs alter --topic T|--broker id [--set key=value ...] [--delete key ...] --bootstrap-server host:port',
  '                                             Set or remove configs (IncrementalAlterConfigs)',
  '                                             (topics and configs: --timeout-ms N per request, default 30000)',
];

/**
 * API versions used, each accepted by every Kafka from the one named to 4.x (which dropped DescribeConfigs v0) and
 * declared by Strata's handlers.
 */
export const VERSIONS = {
  /** Kafka 1.1: config_source instead of is_default. */
  DescribeConfigs: 1,
  /** Kafka 2.3 (KIP-339). */
  IncrementalAlterConfigs: 0,
  /** Kafka 1.0: allow_auto_topic_creation (false here: looking at a topic never creates it). */
  Metadata: 4,
} as const;

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
const OP_SET = 0;
const OP_DELETE = 1;
const SOURCE_DEFAULT = 5;
const TIMEOUT_MS_DEFAULT = 30_000;
const TIMEOUT_MS_MAX = 3_600_000;

/** DescribeConfigs' config_source, by the names of Kafka's ConfigEntry.ConfigSource. */
const SOURCES: Record<number, string> = {
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'CLIENT_METRICS_CONFIG',
  8: 'GROUP_CONFIG',
};

/** "NAME: message" of a Kafka error code (the code's description when the broker sent no message). */
export function kafkaErrorText(code: number, message: string | null | undefined): string {
  const info = errorCodeInfo(code);
  return `${info?.name ?? `error code ${code}`}: ${message || info?.description || ''}`.trimEnd();
}

export function errorName(code: number): string {
  return errorCodeInfo(code)?.name ?? String(code);
}

/** --timeout-ms, a positive integer of milliseconds. */
export function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return TIMEOUT_MS_DEFAULT;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1 || ms > TIMEOUT_MS_MAX) usageError(`--timeout-ms ${raw}: expected milliseconds in [1, ${TIMEOUT_MS_MAX}]`);
  return ms;
}

/** key=value (the value may hold further '='); each key once. */
export function parseAssignments(flag: string, items: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) usageError(`${flag} ${item}: expected key=value`);
    const key = item.slice(0, i);
    if (out.has(key)) usageError(`${flag}: ${key} is given twice`);
    out.set(key, item.slice(i + 1));
  }
  return out;
}

/**
 * Runs a command's body: usage errors (ours, parseArgs') print one line and exit 2, anything else (a broker that
 * cannot be reached, closes the connection or does not answer in time) one line and 3.
 */
export async function runCommand(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // One line: parseArgs' messages run over several.
    console.error(`strata ${command}: ${e.message.replace(/\s*\n\s*/g, ' ').trim()}`);
    return e.code === 'ERR_INVALID_CONFIG' || (e.code?.startsWith('ERR_PARSE_ARGS_') ?? false) ? 2 : 3;
  }
}

interface Address {
  host: string;
  port: number;
}

/** A failure to talk to a broker at all (exit 3), as opposed to an error the broker answered with. */
function unreachable(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Connections to a cluster: the bootstrap server, and the nodes some requests must reach (the controller for topic
 * creation and deletion, a partition's leader for ListOffsets, a broker for its own configs), at the addresses
 * Metadata advertises. Connections open on first use, one per address; every request has a deadline (timeoutMs),
 * after which all connections close. close() when done, or the open sockets keep the process alive.
 */
export class Cluster {
  private readonly connections = new Map<string, Promise<WireTransport>>();
  private nodes = new Map<number, Address>();
  private controller = -1;
  private known = false;
  private closed = false;

  constructor(
    readonly bootstrap: Address,
    readonly timeoutMs: number,
  ) {}

  static of(bootstrapServer: string | undefined, timeoutMs: number): Cluster {
    if (!bootstrapServer) usageError('--bootstrap-server host:port is needed');
    return new Cluster(parseBootstrap(bootstrapServer), timeoutMs);
  }

  /** Sends to the bootstrap server, or to node `nodeId` (which must be in the last Metadata's brokers). */
  async request<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>, nodeId?: number): Promise<ResponseOf<K>> {
    let address = this.bootstrap;
    if (nodeId !== undefined) {
      const node = this.nodes.get(nodeId);
      if (node === undefined) throw new Error(`node ${nodeId} is not in the cluster's metadata`);
      address = node;
    }
    const transport = await this.connection(address);
    const key = `${address.host}:${address.port}`;
    return this.deadline(transport.request(apiKey, version, body), key).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ETIMEDOUT') throw err;
      throw unreachable(err.code === 'ERR_CLOSED' ? `${key} closed the connection` : `${key}: ${err.message}`, err.code ?? 'ERR_CLOSED');
    });
  }

  /** Metadata for these topics (null: all), never creating one; also learns the brokers and the controller. */
  async metadata(topics: readonly string[] | null): Promise<ResponseOf<ApiKey.Metadata>> {
    const res = await this.request(ApiKey.Metadata, VERSIONS.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    this.nodes = new Map(res.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    this.controller = res.controllerId;
    this.known = true;
    return res;
  }

  /** The node ids Metadata listed (after metadata()). */
  nodeIds(): number[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  /** The controller's node id, where CreateTopics, DeleteTopics and CreatePartitions go; undefined: the bootstrap server. */
  async controllerNode(): Promise<number | undefined> {
    if (!this.known) await this.metadata([]);
    return this.nodes.has(this.controller) ? this.controller : undefined;
  }

  /** The node id of the bootstrap server: the broker advertising its address, or the only broker; else undefined. */
  async bootstrapNode(): Promise<number | undefined> {
    if (!this.known) await this.metadata([]);
    for (const [id, a] of this.nodes) if (a.host === this.bootstrap.host && a.port === this.bootstrap.port) return id;
    return this.nodes.size === 1 ? [...this.nodes.keys()][0] : undefined;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.then((t) => t.close(), () => {});
  }

  private connection(a: Address): Promise<WireTransport> {
    const key = `${a.host}:${a.port}`;
    let c = this.connections.get(key);
    if (c === undefined) {
      c = WireTransport.connect(a.host, a.port, 'strata-cli').catch((err: NodeJS.ErrnoException) => {
        throw unreachable(`cannot connect to ${key}: ${err.code ?? err.message}`, err.code ?? 'ECONNREFUSED');
      });
      // A connection that completes after close() (a deadline passed) is closed at once.
      c.then((t) => this.closed && t.close(), () => {});
      this.connections.set(key, c);
    }
    return this.deadline(c, key);
  }

  private deadline<T>(p: Promise<T>, key: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Rejected before the connections close, so the race reports the timeout rather than the close.
        reject(unreachable(`no answer from ${key} within ${this.timeoutMs} ms`, 'ETIMEDOUT'));
        this.close();
      }, this.timeoutMs);
    });
    return Promise.race([p, expired]).finally(() => clearTimeout(timer));
  }
}

/** The broker answered with an error (exit 1). */
export class RefusedError extends Error {
  constructor(
    message: string,
    readonly errorCode = ErrorCode.UNKNOWN_SERVER_ERROR,
  ) {
    super(message);
  }
}

export interface ConfigRow {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  sensitive: boolean;
}

/** One resource's configs by DescribeConfigs, sorted by name; throws a Kafka error's text (exit 1) as RefusedError. */
export async function describeConfigs(cluster: Cluster, resourceType: number, resourceName: string, nodeId?: number): Promise<ConfigRow[]> {
  const res = await cluster.request(
    ApiKey.DescribeConfigs,
    VERSIONS.DescribeConfigs,
    { resources: [{ resourceType, resourceName, configurationKeys: null }], includeSynonyms: false },
    nodeId,
  );
  const r = res.results[0];
  if (r === undefined) throw new RefusedError('the broker answered without the resource');
  if (r.errorCode !== ErrorCode.NONE) throw new RefusedError(kafkaErrorText(r.errorCode, r.errorMessage), r.errorCode);
  return r.configs
    .map((c) => ({ name: c.name, value: c.value, source: SOURCES[c.configSource] ?? 'UNKNOWN', readOnly: c.readOnly, sensitive: c.isSensitive }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether a config differs from Kafka's default (what describe shows without --all). */
export const isOverride = (c: ConfigRow): boolean => c.source !== SOURCES[SOURCE_DEFAULT];

/** SET and DELETE operations on one resource by IncrementalAlterConfigs; throws RefusedError when refused. */
export async function alterConfigs(
  cluster: Cluster,
  resourceType: number,
  resourceName: string,
  set: ReadonlyMap<string, string>,
  remove: readonly string[],
  nodeId?: number,
): Promise<void> {
  const configs = [
    ...[...set].map(([name, value]) => ({ name, configOperation: OP_SET, value })),
    ...remove.map((name) => ({ name, configOperation: OP_DELETE, value: null })),
  ];
  const res = await cluster.request(ApiKey.IncrementalAlterConfigs, VERSIONS.IncrementalAlterConfigs, { resources: [{ resourceType, resourceName, configs }], validateOnly: false }, nodeId);
  const r = res.responses[0];
  if (r === undefined) throw new RefusedError('the broker answered without the resource');
  if (r.errorCode !== ErrorCode.NONE) throw new RefusedError(kafkaErrorText(r.errorCode, r.errorMessage), r.errorCode);
}

const valueText = (c: ConfigRow) => (c.value !== null ? c.value : c.sensitive ? '(sensitive)' : '(null)');

/** Describes what was changed, for the line printed after an alter. */
export function alterSummary(set: ReadonlyMap<string, string>, remove: readonly string[]): string {
  return [...(set.size > 0 ? [`set ${[...set].map(([k, v]) => `${k}=${v}`).join(', ')}`] : []), ...(remove.length > 0 ? [`deleted ${remove.join(', ')}`] : [])].join('; ');
}

// `--broker` alone (last, or before another option) means the bootstrap server's broker: parseArgs has no
// optional values, so it becomes `--broker=`.
function bareBroker(argv: readonly string[]): string[] {
  return argv.map((a, i) => (a === '--broker' && (i + 1 === argv.length || argv[i + 1].startsWith('-')) ? '--broker=' : a));
}

export function run(argv: string[]): Promise<number> {
  return runCommand('configs', async () => {
    const [sub, ...rest] = argv;
    if (sub !== 'describe' && sub !== 'alter') usageError('use "describe" or "alter" (strata help)');
    const { values, positionals } = parseArgs({
      args: bareBroker(rest),
      allowPositionals: true,
      strict: true,
      options: {
        topic: { type: 'string' },
        broker: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        set: { type: 'string', multiple: true, default: [] },
        delete: { type: 'string', multiple: true, default: [] },
        'bootstrap-server': { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
    });
    if (positionals.length > 0) usageError(`unexpected argument "${positionals[0]}"`);
    if ((values.topic === undefined) === (values.broker === undefined)) usageError('name one resource: --topic T or --broker [id]');
    if (values.topic === '') usageError('--topic needs a topic name');
    if (values.broker !== undefined && values.broker !== '' && !/^\d+$/.test(values.broker)) usageError(`--broker ${values.broker}: expected a node id`);
    const set = parseAssignments('--set', values.set ?? []);
    const remove = values.delete ?? [];
    if (sub === 'describe') {
      if (set.size > 0 || remove.length > 0) usageError('--set and --delete belong to "configs alter"');
    } else {
      if (values.all || values.json) usageError('--all and --json belong to "configs describe"');
      if (values.broker === '') usageError('alter needs the broker id: --broker <id>');
      if (set.size === 0 && remove.length === 0) usageError('alter needs --set key=value or --delete key');
      for (const key of remove) if (set.has(key)) usageError(`${key} is both set and deleted`);
    }
    const cluster = Cluster.of(values['bootstrap-server'], parseTimeout(values['timeout-ms']));
    try {
      let resourceType = RESOURCE_TOPIC;
      let resourceName = values.topic ?? '';
      let nodeId: number | undefined;
      let label = `topic ${resourceName}`;
      if (values.broker !== undefined) {
        // Kafka answers for a broker's configs on that broker only: the request goes to its advertised address.
        resourceType = RESOURCE_BROKER;
        await cluster.metadata([]);
        nodeId = values.broker === '' ? await cluster.bootstrapNode() : Number(values.broker);
        if (nodeId === undefined) usageError(`name the broker: --broker <id> (brokers: ${cluster.nodeIds().join(', ')})`);
        if (!cluster.nodeIds().includes(nodeId)) {
          console.error(`strata configs: no broker ${nodeId} in the cluster (brokers: ${cluster.nodeIds().join(', ')})`);
          return 1;
        }
        resourceName = String(nodeId);
        label = `broker ${nodeId}`;
      }
      try {
        if (sub === 'alter') {
          await alterConfigs(cluster, resourceType, resourceName, set, remove, nodeId);
          console.log(`altered ${label}: ${alterSummary(set, remove)}`);
          return 0;
        }
        const rows = (await describeConfigs(cluster, resourceType, resourceName, nodeId)).filter((c) => values.all || isOverride(c));
        if (values.json) console.log(JSON.stringify(rows));
        else for (const l of table(['NAME', 'VALUE', 'SOURCE'], rows.map((c) => [c.name, valueText(c), c.source]))) console.log(l);
        return 0;
      } catch (err) {
        if (!(err instanceof RefusedError)) throw err;
        console.error(`strata configs: ${err.message}`);
        return 1;
      }
    } finally {
      cluster.close();
    }
  });
}
