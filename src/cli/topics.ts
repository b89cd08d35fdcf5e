/**
 * `strata topics create|list|describe|alter|delete`: topic administration through the Kafka APIs only (Metadata,
 * CreateTopics, DeleteTopics, CreatePartitions, ListOffsets, DescribeConfigs, IncrementalAlterConfigs), as Kafka's
 * kafka-topics does it, so it works against Strata and any Kafka 2.4+ broker (VERSIONS below).
 *   strata topics create <name> [--partitions N] [--replication-factor R] [--config key=value ...] [--if-not-exists]
 *   strata topics list [--include-internal] [--json]
 *   strata topics describe [<name> ...] [--include-internal] [--json]
 *   strata topics alter <name> [--partitions N] [--config key=value ...] [--delete-config key ...]
 *   strata topics delete <name> ... [--if-exists]
 * each with --bootstrap-server host:port [--timeout-ms N]. Requests go where Kafka wants them (see Cluster in
 * configs.ts): creation, deletion and new partitions to the controller, ListOffsets to each partition's leader.
 * Internal topics (__consumer_offsets, __transaction_state: Metadata's is_internal) are left out of list and of
 * describe without names unless --include-internal. Tables by default, one JSON document with --json.
 * Exit codes: 0 ok, 1 the broker refused or a topic is not there (TOPIC_ALREADY_EXISTS unless --if-not-exists,
 * UNKNOWN_TOPIC_OR_PARTITION unless --if-exists), 2 usage, 3 the broker could not be reached or did not answer.
 */
import { parseArgs } from 'node:util';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-codes';
import { table, usageError } from './common';
import {
  alterConfigs,
  alterSummary,
  Cluster,
  describeConfigs,
  errorName,
  isOverride,
  kafkaErrorText,
  parseAssignments,
  parseTimeout,
  RefusedError,
  RESOURCE_TOPIC,
  runCommand,
  VERSIONS as CONFIG_VERSIONS,
} from './configs';

export const usage: string[] = [
  '  topics create <name> [--partitions N] [--replication-factor R] [--config key=value ...] [--if-not-exists] --bootstrap-server host:port',
  "                                             Create a topic (CreateTopics); unset counts take the broker's defaults",
  '  topics list [--include-internal] --bootstrap-server host:port [--json]',
  '                                             Topics and their partition counts (Metadata)',
  '  topics describe [<name> ...] [--include-internal] --bootstrap-server host:port [--json]',
  '                                             Partitions with leader, start and end offsets; non-default configs',
  '  topics alter <name> [--partitions N] [--config key=value ...] [--delete-config key ...] --bootstrap-server host:port',
  '                                             Add partitions (CreatePartitions), set or remove configs',
  '  topics delete <name> ... [--if-exists] --bootstrap-server host:port',
  '                                             Delete topics and their data (DeleteTopics)',
];

/** API versions used: each accepted by Kafka from the release named to 4.x, and declared by Strata's handlers. */
const VERSIONS = {
  ...CONFIG_VERSIONS,
  /** Kafka 2.4: the first flexible version; -1 partitions / replication factor (KIP-464), the counts in the answer. */
  CreateTopics: 5,
  /** Kafka 2.4. */
  DeleteTopics: 4,
  /** Kafka 2.4. */
  CreatePartitions: 2,
  /** Kafka 0.10.1: one offset per partition (4.x dropped v0). */
  ListOffsets: 1,
} as const;

const EARLIEST = -2;
const LATEST = -1;
const NO_REPLICA = -1;
const PARTITIONS_MAX = 1_000_000;
const REPLICATION_FACTOR_MAX = 32_767;

function count(flag: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) usageError(`${flag} ${raw}: expected an integer in [1, ${max}]`);
  return n;
}

function names(positionals: string[], what: string): string[] {
  if (positionals.length === 0) usageError(`${what} needs a topic name`);
  const seen = new Set<string>();
  for (const n of positionals) {
    if (n === '') usageError('a topic name cannot be empty');
    if (seen.has(n)) usageError(`topic ${n} is given twice`);
    seen.add(n);
  }
  return positionals;
}

const refused = (message: string) => {
  console.error(`strata topics: ${message}`);
  return 1;
};

async function create(cluster: Cluster, name: string, partitions: number | undefined, replicationFactor: number | undefined, configs: Map<string, string>, ifNotExists: boolean): Promise<number> {
  const res = await cluster.request(
    ApiKey.CreateTopics,
    VERSIONS.CreateTopics,
    {
      topics: [
        {
          name,
          numPartitions: partitions ?? -1,
          replicationFactor: replicationFactor ?? -1,
          assignments: [],
          configs: [...configs].map(([k, value]) => ({ name: k, value })),
        },
      ],
      timeoutMs: cluster.timeoutMs,
      validateOnly: false,
    },
    await cluster.controllerNode(),
  );
  const r = res.topics[0];
  if (r === undefined) return refused(`${name}: the broker answered without the topic`);
  if (r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && ifNotExists) {
    console.log(`topic ${name} already exists`);
    return 0;
  }
  if (r.errorCode !== ErrorCode.NONE) return refused(kafkaErrorText(r.errorCode, r.errorMessage));
  console.log(`created topic ${name}: ${r.numPartitions} partition${r.numPartitions === 1 ? '' : 's'}, replication factor ${r.replicationFactor}`);
  return 0;
}

async function list(cluster: Cluster, includeInternal: boolean, json: boolean): Promise<number> {
  const res = await cluster.metadata(null);
  const rows = res.topics
    .filter((t) => includeInternal || !t.isInternal)
    .map((t) => ({ name: t.name ?? '', partitions: t.partitions.length, internal: t.isInternal }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (json) console.log(JSON.stringify(rows));
  else for (const l of table(['TOPIC', 'PARTITIONS'], rows.map((r) => [r.name, String(r.partitions)]))) console.log(l);
  return 0;
}

interface PartitionRow {
  partition: number;
  leader: number;
  replicas: number[];
  startOffset: number | null;
  endOffset: number | null;
  error: string | null;
}

interface TopicDescription {
  name: string;
  error: string | null;
  internal: boolean;
  replicationFactor: number;
  partitions: PartitionRow[];
  /** Configs that are not Kafka's defaults, by name. */
  configs: Record<string, string | null>;
}

/** Earliest and latest offsets of each partition, asked of its leader (Kafka answers NOT_LEADER_OR_FOLLOWER elsewhere). */
async function fillOffsets(cluster: Cluster, topics: TopicDescription[]): Promise<void> {
  const byLeader = new Map<number, Map<string, PartitionRow[]>>();
  for (const t of topics) {
    for (const p of t.partitions) {
      if (p.error !== null) continue;
      if (p.leader === NO_REPLICA || !cluster.nodeIds().includes(p.leader)) {
        p.error = errorName(ErrorCode.LEADER_NOT_AVAILABLE);
        continue;
      }
      const ofLeader = byLeader.get(p.leader) ?? new Map<string, PartitionRow[]>();
      byLeader.set(p.leader, ofLeader);
      ofLeader.set(t.name, [...(ofLeader.get(t.name) ?? []), p]);
    }
  }
  const asks: Promise<void>[] = [];
  for (const [leader, ofLeader] of byLeader) {
    for (const timestamp of [EARLIEST, LATEST]) {
      const body = {
        replicaId: NO_REPLICA,
        topics: [...ofLeader].map(([name, parts]) => ({ name, partitions: parts.map((p) => ({ partitionIndex: p.partition, timestamp })) })),
      };
      asks.push(
        cluster.request(ApiKey.ListOffsets, VERSIONS.ListOffsets, body, leader).then((res) => {
          for (const rt of res.topics) {
            for (const rp of rt.partitions) {
              const p = ofLeader.get(rt.name)?.find((x) => x.partition === rp.partitionIndex);
              if (p === undefined) continue;
              if (rp.errorCode !== ErrorCode.NONE) p.error ??= errorName(rp.errorCode);
              else if (timestamp === EARLIEST) p.startOffset = Number(rp.offset);
              else p.endOffset = Number(rp.offset);
            }
          }
        }),
      );
    }
  }
  await Promise.all(asks);
}

async function describe(cluster: Cluster, wanted: string[], includeInternal: boolean, json: boolean): Promise<number> {
  const res = await cluster.metadata(wanted.length > 0 ? wanted : null);
  const found = res.topics
    .filter((t) => wanted.length > 0 || includeInternal || !t.isInternal)
    .map(
      (t): TopicDescription => ({
        name: t.name ?? '',
        error: t.errorCode === ErrorCode.NONE ? null : errorName(t.errorCode),
        internal: t.isInternal,
        replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            replicas: p.replicaNodes,
            startOffset: null,
            endOffset: null,
            error: p.errorCode === ErrorCode.NONE ? null : errorName(p.errorCode),
          }))
          .sort((a, b) => a.partition - b.partition),
        configs: {},
      }),
    );
  // Kafka answers each named topic, with its error; a missing answer is reported as not found.
  const missing = (name: string): TopicDescription => ({ name, error: errorName(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), internal: false, replicationFactor: 0, partitions: [], configs: {} });
  const topics = wanted.length > 0 ? wanted.map((n) => found.find((t) => t.name === n) ?? missing(n)) : found.sort((a, b) => (a.name < b.name ? -1 : 1));
  const present = topics.filter((t) => t.error === null);
  await Promise.all([
    fillOffsets(cluster, present),
    ...present.map(async (t) => {
      try {
        const configs = await describeConfigs(cluster, RESOURCE_TOPIC, t.name);
        t.configs = Object.fromEntries(configs.filter(isOverride).map((c) => [c.name, c.value]));
      } catch (err) {
        if (!(err instanceof RefusedError)) throw err;
        t.error = err.message;
      }
    }),
  ]);
  let failures = 0;
  for (const t of topics) {
    if (t.error !== null) {
      failures++;
      console.error(`strata topics: ${t.name}: ${t.error}`);
    }
    for (const p of t.partitions) {
      if (p.error === null) continue;
      failures++;
      console.error(`strata topics: ${t.name}-${p.partition}: ${p.error}`);
    }
  }
  if (json) console.log(JSON.stringify(topics.map((t) => (t.error !== null && t.partitions.length === 0 ? { name: t.name, error: t.error } : t))));
  else {
    const shown = topics.filter((t) => t.partitions.length > 0 || t.error === null);
    shown.forEach((t, i) => {
      if (i > 0) console.log('');
      const configs = Object.entries(t.configs).map(([k, v]) => `${k}=${v ?? ''}`).join(',');
      console.log(`Topic: ${t.name}  Partitions: ${t.partitions.length}  ReplicationFactor: ${t.replicationFactor}  Configs: ${configs || '-'}`);
      const cell = (n: number | null) => (n === null ? '-' : String(n));
      const rows = t.partitions.map((p) => [String(p.partition), p.leader === NO_REPLICA ? '-' : String(p.leader), cell(p.startOffset), cell(p.endOffset)]);
      for (const l of table(['PARTITION', 'LEADER', 'START-OFFSET', 'END-OFFSET'], rows)) console.log(l);
    });
  }
  return failures > 0 ? 1 : 0;
}

async function alter(cluster: Cluster, name: string, partitions: number | undefined, set: Map<string, string>, remove: string[]): Promise<number> {
  if (partitions !== undefined) {
    const res = await cluster.request(
      ApiKey.CreatePartitions,
      VERSIONS.CreatePartitions,
      { topics: [{ name, count: partitions, assignments: null }], timeoutMs: cluster.timeoutMs, validateOnly: false },
      await cluster.controllerNode(),
    );
    const r = res.results[0];
    if (r === undefined) return refused(`${name}: the broker answered without the topic`);
    if (r.errorCode !== ErrorCode.NONE) return refused(kafkaErrorText(r.errorCode, r.errorMessage));
    console.log(`altered topic ${name}: ${partitions} partitions`);
  }
  if (set.size > 0 || remove.length > 0) {
    try {
      await alterConfigs(cluster, RESOURCE_TOPIC, name, set, remove);
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      return refused(err.message);
    }
    console.log(`altered topic ${name}: ${alterSummary(set, remove)}`);
  }
  return 0;
}

async function remove(cluster: Cluster, topics: string[], ifExists: boolean): Promise<number> {
  const res = await cluster.request(ApiKey.DeleteTopics, VERSIONS.DeleteTopics, { topicNames: topics, timeoutMs: cluster.timeoutMs }, await cluster.controllerNode());
  let failures = 0;
  for (const name of topics) {
    const r = res.responses.find((x) => x.name === name);
    if (r === undefined) {
      failures += refused(`${name}: the broker answered without the topic`);
    } else if (r.errorCode === ErrorCode.NONE) {
      console.log(`deleted topic ${name}`);
    } else if (r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && ifExists) {
      console.log(`topic ${name} does not exist`);
    } else {
      failures += refused(`${name}: ${kafkaErrorText(r.errorCode, r.errorMessage)}`);
    }
  }
  return failures > 0 ? 1 : 0;
}

const SUBCOMMANDS = ['create', 'list', 'describe', 'alter', 'delete'];

export function run(argv: string[]): Promise<number> {
  return runCommand('topics', async () => {
    const [sub, ...rest] = argv;
    if (sub === undefined || !SUBCOMMANDS.includes(sub)) usageError(`use one of ${SUBCOMMANDS.join(', ')} (strata help)`);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        partitions: { type: 'string' },
        'replication-factor': { type: 'string' },
        config: { type: 'string', multiple: true, default: [] },
        'delete-config': { type: 'string', multiple: true, default: [] },
        'if-not-exists': { type: 'boolean', default: false },
        'if-exists': { type: 'boolean', default: false },
        'include-internal': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'bootstrap-server': { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
    });
    // Each subcommand's own options; any other is a usage error rather than silently ignored.
    const allowed: Record<string, string[]> = {
      create: ['partitions', 'replication-factor', 'config', 'if-not-exists'],
      list: ['include-internal', 'json'],
      describe: ['include-internal', 'json'],
      alter: ['partitions', 'config', 'delete-config'],
      delete: ['if-exists'],
    };
    const given = (Object.keys(values) as Array<keyof typeof values>).filter((k) => {
      const v = values[k];
      return k !== 'bootstrap-server' && k !== 'timeout-ms' && (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false);
    });
    const foreign = given.find((k) => !allowed[sub].includes(k));
    if (foreign !== undefined) usageError(`--${foreign} does not apply to "topics ${sub}"`);
    const partitions = count('--partitions', values.partitions, PARTITIONS_MAX);
    const replicationFactor = count('--replication-factor', values['replication-factor'], REPLICATION_FACTOR_MAX);
    const set = parseAssignments('--config', values.config ?? []);
    const deleted = values['delete-config'] ?? [];
    for (const key of deleted) if (set.has(key)) usageError(`${key} is both set and deleted`);
    let topics: string[] = [];
    if (sub === 'list') {
      if (positionals.length > 0) usageError(`unexpected argument "${positionals[0]}"`);
    } else if (sub === 'describe') {
      if (positionals.length > 0) topics = names(positionals, 'describe');
    } else {
      topics = names(positionals, sub);
      if ((sub === 'create' || sub === 'alter') && topics.length > 1) usageError(`${sub} takes one topic, not ${topics.length}`);
    }
    if (sub === 'alter' && partitions === undefined && set.size === 0 && deleted.length === 0) {
      usageError('alter needs --partitions N, --config key=value or --delete-config key');
    }
    const cluster = Cluster.of(values['bootstrap-server'], parseTimeout(values['timeout-ms']));
    try {
      if (sub === 'create') return await create(cluster, topics[0], partitions, replicationFactor, set, values['if-not-exists'] ?? false);
      if (sub === 'list') return await list(cluster, values['include-internal'] ?? false, values.json ?? false);
      if (sub === 'describe') return await describe(cluster, topics, values['include-internal'] ?? false, values.json ?? false);
      if (sub === 'alter') return await alter(cluster, topics[0], partitions, set, deleted);
      return await remove(cluster, topics, values['if-exists'] ?? false);
    } finally {
      cluster.close();
    }
  });
}
