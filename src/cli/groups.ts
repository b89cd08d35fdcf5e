/**
 * `strata groups list|describe|reset-offsets|delete`: consumer groups in the shape of Kafka's kafka-consumer-groups,
 * over the Kafka protocol only, so it works against Strata and any Kafka 2.4+ broker:
 *  - versions are negotiated (ApiVersions) within what this codec declares and the broker supports;
 *  - ListGroups goes to every broker (each lists the groups it coordinates), group requests to the coordinator
 *    FindCoordinator names, ListOffsets to each partition's leader (Metadata).
 * reset-offsets follows ConsumerGroupCommand: the group must be inactive (Empty, or Dead: not existing yet), offsets
 * given explicitly or by shift are clamped to [log start, log end], a timestamp with no record at or after it
 * resets to the log end, and the commit is a "simple" one (generation -1, member id '') that the coordinator
 * only accepts while the group has no members. Dry run unless --execute.
 * Exit codes: 0 ok, 1 refused or not found (unknown group, live group, broker error), 2 usage, 3 the broker cannot be
 * reached, did not answer in time, or answered with a retriable (coordinator not available) error.
 */
import { parseArgs } from 'node:util';
import { ApiKey } from '../protocol/api-key';
import { apiDefinition, type DeclaredApiKey, type RequestInputOf, type ResponseOf } from '../protocol/apis';
import { errorCodeInfo, ErrorCode } from '../protocol/error-codes';
import { KafkaProtocolError } from '../protocol/protocol-error';
import { Reader } from '../protocol/reader';
import { WireTransport } from '../client/transport';
import { parseBootstrap, table, joinNegativeValues } from './common';

const DESCRIPTION = ' '.repeat(45);

export const usage: string[] = [
  '  groups list --bootstrap-server host:port [--json]',
  `${DESCRIPTION}Consumer groups, protocol type and state (ListGroups on every broker)`,
  '  groups describe <group> ... --bootstrap-server host:port [--members | --state] [--json]',
  `${DESCRIPTION}Per partition: committed offset, log end offset, lag, owning member;`,
  `${DESCRIPTION}--members: members and assignments; --state: coordinator and state`,
  '  groups reset-offsets <group> (--topic T[:p,p] ... | --all-topics) --bootstrap-server host:port',
  '          (--to-earliest | --to-latest | --to-current | --to-offset N | --shift-by N |',
  '          --to-datetime ISO | --by-duration PnDTnHnMnS) [--dry-run | --execute] [--progress] [--json]',
  `${DESCRIPTION}New offsets of an inactive group, clamped to the log; committed only`,
  `${DESCRIPTION}with --execute (the default is a dry run)`,
  '  groups delete <group> ... --bootstrap-server host:port [--json]',
  `${DESCRIPTION}Remove groups without members, with their offsets (DeleteGroups).`,
  `${DESCRIPTION}Every groups command takes --timeout MS (default 30000)`,
];

/** A line for stderr and the exit code it ends with. */
class GroupsError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3,
  ) {
    super(message);
  }
}

const usageError = (message: string): never => {
  throw new GroupsError(message, 2);
};

const errorName = (code: number) => errorCodeInfo(code)?.name ?? `error ${code}`;

/** A broker's error code: retriable ones (coordinator loading or moving) exit 3, the others are refusals (1). */
function brokerError(what: string, code: number): GroupsError {
  return new GroupsError(`${what}: ${errorName(code)}`, errorCodeInfo(code)?.retriable ? 3 : 1);
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Partitions per ListOffsets / OffsetCommit round of reset-offsets. */
const RESET_CHUNK_PARTITIONS = 100;
/** Progress lines go to stderr when more partitions than this are reset (and stderr is a TTY, or --progress). */
const PROGRESS_PARTITIONS_MIN = 50;
const LATEST = -1n;
const EARLIEST = -2n;
const KEY_TYPE_GROUP = 0;
const CONSUMER_PROTOCOL_TYPE = 'consumer';
const RETRY_BACKOFF_MS = 100;

/**
 * The lowest version of each API this command can use (the fields it relies on exist from there); the highest is
 * the codec's declared maximum, lowered to the broker's.
 */
const VERSION_MIN: Partial<Record<DeclaredApiKey, number>> = {
  [ApiKey.Metadata]: 1, // null topics = all
  [ApiKey.FindCoordinator]: 1, // key_type
  [ApiKey.ListGroups]: 0,
  [ApiKey.DescribeGroups]: 0,
  [ApiKey.OffsetFetch]: 2, // null topics = all, top-level error code
  [ApiKey.ListOffsets]: 1, // a single offset, timestamps
  [ApiKey.OffsetCommit]: 2, // generation and member id, no per-partition timestamp
  [ApiKey.DeleteGroups]: 0,
};

interface TopicPartition {
  topic: string;
  partition: number;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const byTopicPartition = (a: TopicPartition, b: TopicPartition) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition);

/** Connections to the cluster: the bootstrap broker, then any broker by host:port, with negotiated versions. */
class Cluster {
  private readonly connections = new Map<string, Promise<WireTransport>>();
  private versions = new Map<number, { min: number; max: number }>();

  private constructor(
    private readonly bootstrap: { host: string; port: number },
    private readonly timeoutMs: number,
  ) {}

  static async open(server: string, timeoutMs: number): Promise<Cluster> {
    const cluster = new Cluster(parseBootstrap(server), timeoutMs);
    try {
      const transport = await cluster.connect(cluster.bootstrap.host, cluster.bootstrap.port);
      const res = await cluster.timed(`${server}: ApiVersions`, transport.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'strata-cli', clientSoftwareVersion: '1' }));
      if (res.errorCode !== ErrorCode.NONE) throw brokerError(`${server}: ApiVersions`, res.errorCode);
      cluster.versions = new Map(res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    } catch (err) {
      cluster.close();
      throw err;
    }
    return cluster;
  }

  /** The highest version both sides support. */
  version(apiKey: DeclaredApiKey): number {
    const ours = apiDefinition(apiKey)!;
    const theirs = this.versions.get(apiKey);
    const min = Math.max(VERSION_MIN[apiKey] ?? ours.minVersion, ours.minVersion, theirs?.min ?? Infinity);
    const max = Math.min(ours.maxVersion, theirs?.max ?? -1);
    if (theirs === undefined || max < min) throw new GroupsError(`the broker does not support ${ours.name} v${VERSION_MIN[apiKey] ?? ours.minVersion}-${ours.maxVersion}`, 1);
    return max;
  }

  connect(host: string, port: number): Promise<WireTransport> {
    const key = `${host}:${port}`;
    let connection = this.connections.get(key);
    if (connection === undefined) {
      connection = this.timed(`${key}: connect`, WireTransport.connect(host, port, 'strata-cli')).catch((err: NodeJS.ErrnoException) => {
        if (err instanceof GroupsError) throw err;
        throw new GroupsError(`cannot reach the broker at ${key}: ${err.code ?? err.message}`, 3);
      });
      this.connections.set(key, connection);
    }
    return connection;
  }

  /** One request to the broker at `to` (the bootstrap broker by default). */
  async request<K extends DeclaredApiKey>(apiKey: K, body: RequestInputOf<K>, to = this.bootstrap): Promise<ResponseOf<K>> {
    const transport = await this.connect(to.host, to.port);
    const name = apiDefinition(apiKey)!.name;
    return this.timed(`${to.host}:${to.port}: ${name}`, transport.request(apiKey, this.version(apiKey), body)).catch((err: NodeJS.ErrnoException) => {
      if (err instanceof GroupsError) throw err;
      throw new GroupsError(`${to.host}:${to.port}: ${name}: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' '), 3);
    });
  }

  private timed<T>(what: string, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GroupsError(`${what}: no answer in ${this.timeoutMs} ms`, 3)), this.timeoutMs);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  metadata(topics: string[] | null) {
    return this.request(ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  }

  /** The group's coordinator (FindCoordinator, retried while the coordinator is loading or moving). */
  async coordinator(groupId: string): Promise<{ nodeId: number; host: string; port: number }> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const v = this.version(ApiKey.FindCoordinator);
      const res = await this.request(ApiKey.FindCoordinator, { key: groupId, keyType: KEY_TYPE_GROUP, coordinatorKeys: [groupId] });
      const c = v >= 4 ? res.coordinators[0] : res;
      if (c === undefined) throw new GroupsError(`FindCoordinator for group '${groupId}': no answer for the group`, 1);
      if (c.errorCode === ErrorCode.NONE) return { nodeId: c.nodeId, host: c.host, port: c.port };
      if (!errorCodeInfo(c.errorCode)?.retriable || Date.now() + RETRY_BACKOFF_MS > deadline) throw brokerError(`FindCoordinator for group '${groupId}'`, c.errorCode);
      await new Promise((r) => setTimeout(r, RETRY_BACKOFF_MS));
    }
  }

  close(): void {
    for (const c of this.connections.values()) c.then((t) => t.close(), () => {});
  }
}

// ---- ConsumerProtocolAssignment ----

/**
 * The partitions of a "consumer" protocol assignment (ConsumerProtocolAssignment: version INT16, [topic STRING
 * [partition INT32]], user_data BYTES, ...; every version starts with the v0 layout). An empty buffer is an empty
 * assignment (the coordinator's answer before the first SyncGroup); null when it does not parse.
 */
function assignedPartitions(bytes: Buffer): TopicPartition[] | null {
  if (bytes.length === 0) return [];
  try {
    const r = new Reader(bytes, 0, bytes.length, 'CORRUPT_MESSAGE');
    if (r.readInt16() < 0) return null;
    const topics = r.readArrayCount(false, false, 6, 'assigned topics');
    const out: TopicPartition[] = [];
    for (let i = 0; i < topics; i++) {
      const topic = r.readString(false, false) as string;
      const count = r.readArrayCount(false, false, 4, 'assigned partitions');
      for (let j = 0; j < count; j++) out.push({ topic, partition: r.readInt32() });
    }
    return out;
  } catch (err) {
    if (err instanceof KafkaProtocolError) return null;
    throw err;
  }
}

/** Kafka's rendering of an assignment: `orders(0,1),audit(2)`. */
function formatAssignment(partitions: TopicPartition[] | null): string {
  if (partitions === null) return '?';
  const byTopic = new Map<string, number[]>();
  for (const p of [...partitions].sort(byTopicPartition)) {
    const list = byTopic.get(p.topic) ?? [];
    list.push(p.partition);
    byTopic.set(p.topic, list);
  }
  return [...byTopic].map(([topic, list]) => `${topic}(${list.join(',')})`).join(',') || '-';
}

// ---- shared lookups ----

interface GroupInfo {
  groupId: string;
  coordinator: { nodeId: number; host: string; port: number };
  state: string;
  protocolType: string;
  protocol: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; host: string; assignment: TopicPartition[] | null }[];
}

async function describeGroup(cluster: Cluster, groupId: string): Promise<GroupInfo> {
  const coordinator = await cluster.coordinator(groupId);
  const res = await cluster.request(ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }, coordinator);
  const g = res.groups.find((x) => x.groupId === groupId);
  if (g === undefined) throw new GroupsError(`DescribeGroups: no answer for group '${groupId}'`, 1);
  if (g.errorCode !== ErrorCode.NONE) throw brokerError(`group '${groupId}'`, g.errorCode);
  const consumer = g.protocolType === CONSUMER_PROTOCOL_TYPE;
  return {
    groupId,
    coordinator,
    state: g.groupState,
    protocolType: g.protocolType,
    protocol: g.protocolData,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: consumer ? assignedPartitions(m.memberAssignment) : null,
    })),
  };
}

/** Committed offsets of every partition the group has one for (OffsetFetch, all topics). */
async function committedOffsets(cluster: Cluster, groupId: string, coordinator: { host: string; port: number }): Promise<Map<string, bigint>> {
  const res = await cluster.request(ApiKey.OffsetFetch, { groupId, topics: null, requireStable: false }, coordinator);
  if (res.errorCode !== ErrorCode.NONE) throw brokerError(`OffsetFetch for group '${groupId}'`, res.errorCode);
  const out = new Map<string, bigint>();
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw brokerError(`OffsetFetch for group '${groupId}', ${t.name}-${p.partitionIndex}`, p.errorCode);
      if (p.committedOffset >= 0n) out.set(tpKey(t.name, p.partitionIndex), p.committedOffset);
    }
  }
  return out;
}

/** Partition leaders and partition counts of the topics asked for (UNKNOWN_TOPIC_OR_PARTITION: not in `topics`). */
async function topicLayout(cluster: Cluster, names: string[]) {
  const res = await cluster.metadata(names);
  const brokers = new Map(res.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
  const topics = new Map<string, Map<number, { host: string; port: number } | null>>();
  for (const t of res.topics) {
    if (t.name === null) continue;
    if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
    if (t.errorCode !== ErrorCode.NONE) throw brokerError(`Metadata for topic ${t.name}`, t.errorCode);
    topics.set(t.name, new Map(t.partitions.map((p) => [p.partitionIndex, brokers.get(p.leaderId) ?? null])));
  }
  return topics;
}

type Layout = Awaited<ReturnType<typeof topicLayout>>;

/**
 * ListOffsets for `timestamp` (LATEST, EARLIEST or a time in ms), each partition asked of its leader. Offsets are
 * -1n where the broker has none for the timestamp; a partition's error is in `errors`.
 */
async function listOffsets(cluster: Cluster, layout: Layout, partitions: TopicPartition[], timestamp: bigint) {
  const offsets = new Map<string, bigint>();
  const errors = new Map<string, string>();
  const byLeader = new Map<string, { leader: { host: string; port: number }; topics: Map<string, number[]> }>();
  for (const p of partitions) {
    const leader = layout.get(p.topic)?.get(p.partition);
    if (leader === undefined) {
      errors.set(tpKey(p.topic, p.partition), 'UNKNOWN_TOPIC_OR_PARTITION');
      continue;
    }
    if (leader === null) {
      errors.set(tpKey(p.topic, p.partition), 'LEADER_NOT_AVAILABLE');
      continue;
    }
    const key = `${leader.host}:${leader.port}`;
    let entry = byLeader.get(key);
    if (entry === undefined) byLeader.set(key, (entry = { leader, topics: new Map() }));
    const list = entry.topics.get(p.topic) ?? [];
    list.push(p.partition);
    entry.topics.set(p.topic, list);
  }
  await Promise.all(
    [...byLeader.values()].map(async ({ leader, topics }) => {
      const res = await cluster.request(
        ApiKey.ListOffsets,
        {
          replicaId: -1,
          isolationLevel: 0,
          topics: [...topics].map(([name, list]) => ({ name, partitions: list.map((partitionIndex) => ({ partitionIndex, timestamp, currentLeaderEpoch: -1 })) })),
        },
        leader,
      );
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) errors.set(tpKey(t.name, p.partitionIndex), errorName(p.errorCode));
          else offsets.set(tpKey(t.name, p.partitionIndex), p.offset);
        }
      }
    }),
  );
  return { offsets, errors };
}

const cell = (v: bigint | null | undefined) => (v === null || v === undefined ? '-' : String(v));
const num = (v: bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));

// ---- list ----

async function listCommand(cluster: Cluster, json: boolean): Promise<number> {
  const meta = await cluster.metadata([]);
  const found = new Map<string, { groupId: string; protocolType: string; state: string | null }>();
  const withState = cluster.version(ApiKey.ListGroups) >= 4;
  for (const b of meta.brokers) {
    const res = await cluster.request(ApiKey.ListGroups, { statesFilter: [] }, b);
    if (res.errorCode !== ErrorCode.NONE) throw brokerError(`ListGroups on broker ${b.nodeId} (${b.host}:${b.port})`, res.errorCode);
    for (const g of res.groups) found.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: withState ? g.groupState : null });
  }
  const rows = [...found.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  if (json) console.log(JSON.stringify(rows));
  else {
    const header = withState ? ['GROUP', 'PROTOCOL TYPE', 'STATE'] : ['GROUP', 'PROTOCOL TYPE'];
    for (const l of table(header, rows.map((r) => (withState ? [r.groupId, r.protocolType || '-', r.state ?? '-'] : [r.groupId, r.protocolType || '-'])))) console.log(l);
  }
  return 0;
}

// ---- describe ----

interface OffsetRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: bigint | null;
  logEndOffset: bigint | null;
  lag: bigint | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

async function describeOffsets(cluster: Cluster, g: GroupInfo): Promise<OffsetRow[]> {
  const committed = await committedOffsets(cluster, g.groupId, g.coordinator);
  const owner = new Map<string, GroupInfo['members'][number]>();
  const partitions: TopicPartition[] = [];
  for (const m of g.members) {
    for (const p of m.assignment ?? []) {
      owner.set(tpKey(p.topic, p.partition), m);
      partitions.push(p);
    }
  }
  for (const key of committed.keys()) {
    if (owner.has(key)) continue;
    const [topic, partition] = key.split('\u0000');
    partitions.push({ topic, partition: Number(partition) });
  }
  partitions.sort(byTopicPartition);
  const layout = await topicLayout(cluster, [...new Set(partitions.map((p) => p.topic))]);
  const end = await listOffsets(cluster, layout, partitions, LATEST);
  for (const [key, error] of end.errors) {
    const [topic, partition] = key.split('\u0000');
    console.error(`strata groups: log end offset of ${topic}-${partition}: ${error}`);
  }
  return partitions.map((p) => {
    const key = tpKey(p.topic, p.partition);
    const current = committed.get(key) ?? null;
    const logEnd = end.offsets.get(key) ?? null;
    const m = owner.get(key);
    return {
      group: g.groupId,
      topic: p.topic,
      partition: p.partition,
      currentOffset: current,
      logEndOffset: logEnd,
      // As Kafka's tool: negative when the committed offset is past the log end (the log was truncated).
      lag: current !== null && logEnd !== null ? logEnd - current : null,
      consumerId: m?.memberId ?? null,
      host: m?.host ?? null,
      clientId: m?.clientId ?? null,
    };
  });
}

async function describeCommand(cluster: Cluster, groups: string[], mode: 'offsets' | 'members' | 'state', json: boolean): Promise<number> {
  let missing = 0;
  const described: { info: GroupInfo; offsets: OffsetRow[] }[] = [];
  for (const groupId of groups) {
    const info = await describeGroup(cluster, groupId);
    if (info.state === 'Dead') {
      console.error(`strata groups: consumer group '${groupId}' does not exist`);
      missing++;
      continue;
    }
    if (info.members.length === 0 && !json && mode !== 'state') console.error(`strata groups: consumer group '${groupId}' has no active members`);
    described.push({ info, offsets: json || mode === 'offsets' ? await describeOffsets(cluster, info) : [] });
  }
  if (json) {
    const out = described.map(({ info, offsets }) => ({
      group: info.groupId,
      state: info.state,
      protocolType: info.protocolType,
      protocol: info.protocol,
      coordinator: info.coordinator,
      members: info.members,
      offsets: offsets.map((o) => ({ ...o, currentOffset: num(o.currentOffset), logEndOffset: num(o.logEndOffset), lag: num(o.lag) })),
    }));
    console.log(JSON.stringify(out));
  } else if (mode === 'offsets') {
    const rows = described.flatMap((d) => d.offsets);
    const header = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'];
    const cells = rows.map((r) => [r.group, r.topic, String(r.partition), cell(r.currentOffset), cell(r.logEndOffset), cell(r.lag), r.consumerId ?? '-', r.host ?? '-', r.clientId ?? '-']);
    if (described.length > 0) for (const l of table(header, cells)) console.log(l);
  } else if (mode === 'members') {
    const header = ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'ASSIGNMENT'];
    const cells = described.flatMap(({ info }) =>
      info.members.map((m) => [info.groupId, m.memberId, m.groupInstanceId ?? '-', m.host, m.clientId, m.assignment === null ? '?' : String(m.assignment.length), formatAssignment(m.assignment)]),
    );
    if (described.length > 0) for (const l of table(header, cells)) console.log(l);
  } else {
    const header = ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'];
    const cells = described.map(({ info }) => [info.groupId, `${info.coordinator.host}:${info.coordinator.port} (${info.coordinator.nodeId})`, info.protocol || '-', info.state, String(info.members.length)]);
    if (described.length > 0) for (const l of table(header, cells)) console.log(l);
  }
  return missing > 0 ? 1 : 0;
}

// ---- reset-offsets ----

type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'shift'; by: bigint }
  | { kind: 'timestamp'; timestampMs: number };

const INTEGER = /^[+-]?\d+$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Java's Duration.parse subset Kafka documents for --by-duration: PnDTnHnMnS. */
function parseDurationMs(text: string): number | null {
  const m = DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T') || m.slice(1).every((x) => x === undefined)) return null;
  const [d, h, min, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return Math.round((((d * 24 + h) * 60 + min) * 60 + s) * 1000);
}

/** ISO-8601 date and time; without a zone it is local time, as in Kafka's tool. */
function parseDatetimeMs(text: string): number | null {
  if (!ISO_DATETIME.test(text)) return null;
  const normalized = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isFinite(ms) ? ms : null;
}

function resetSpecOf(values: Record<string, string | boolean | string[] | undefined>): ResetSpec {
  const given = ['to-earliest', 'to-latest', 'to-current', 'to-offset', 'shift-by', 'to-datetime', 'by-duration'].filter((k) => values[k] !== undefined && values[k] !== false);
  if (given.length !== 1) usageError(`reset-offsets needs exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration${given.length > 1 ? ` (got --${given.join(', --')})` : ''}`);
  const value = values[given[0]] as string;
  switch (given[0]) {
    case 'to-earliest':
      return { kind: 'earliest' };
    case 'to-latest':
      return { kind: 'latest' };
    case 'to-current':
      return { kind: 'current' };
    case 'to-offset':
      if (!/^\d+$/.test(value)) usageError(`--to-offset ${value}: expected an offset (an integer >= 0)`);
      return { kind: 'offset', offset: BigInt(value) };
    case 'shift-by':
      if (!INTEGER.test(value)) usageError(`--shift-by ${value}: expected an integer (negative to go back)`);
      return { kind: 'shift', by: BigInt(value) };
    case 'to-datetime': {
      const ms = parseDatetimeMs(value);
      if (ms === null || ms < 0) usageError(`--to-datetime ${value}: expected YYYY-MM-DDTHH:mm:SS.sss, optionally with Z or +HH:MM`);
      return { kind: 'timestamp', timestampMs: ms! };
    }
    default: {
      const ms = parseDurationMs(value);
      if (ms === null) usageError(`--by-duration ${value}: expected PnDTnHnMnS (e.g. PT15M, P1DT2H)`);
      return { kind: 'timestamp', timestampMs: Math.max(0, Date.now() - ms!) };
    }
  }
}

function parseTopicArg(arg: string): { topic: string; partitions: number[] | null } {
  const i = arg.lastIndexOf(':');
  if (i < 0) {
    if (arg === '') usageError('--topic needs a topic name');
    return { topic: arg, partitions: null };
  }
  const topic = arg.slice(0, i);
  const list = arg.slice(i + 1).split(',');
  if (topic === '' || list.some((p) => !/^\d+$/.test(p))) usageError(`--topic ${arg}: expected topic or topic:partition,partition`);
  return { topic, partitions: [...new Set(list.map(Number))].sort((a, b) => a - b) };
}

const clamp = (v: bigint, low: bigint, high: bigint) => (v < low ? low : v > high ? high : v);

interface ResetOptions {
  topics: string[];
  allTopics: boolean;
  spec: ResetSpec;
  execute: boolean;
  progress: boolean;
  json: boolean;
}

async function resetCommand(cluster: Cluster, groupId: string, o: ResetOptions): Promise<number> {
  const info = await describeGroup(cluster, groupId);
  if (info.state !== 'Empty' && info.state !== 'Dead') {
    throw new GroupsError(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${info.state}.`, 1);
  }
  const committed = info.state === 'Dead' ? new Map<string, bigint>() : await committedOffsets(cluster, groupId, info.coordinator);
  let partitions: TopicPartition[];
  let layout: Layout;
  if (o.allTopics) {
    partitions = [...committed.keys()].map((k) => {
      const [topic, partition] = k.split('\u0000');
      return { topic, partition: Number(partition) };
    });
    layout = await topicLayout(cluster, [...new Set(partitions.map((p) => p.topic))]);
  } else {
    const asked = o.topics.map(parseTopicArg);
    layout = await topicLayout(cluster, [...new Set(asked.map((a) => a.topic))]);
    const seen = new Set<string>();
    partitions = [];
    for (const a of asked) {
      const known = layout.get(a.topic);
      if (known === undefined) throw new GroupsError(`topic '${a.topic}' does not exist`, 1);
      for (const partition of a.partitions ?? [...known.keys()]) {
        if (!known.has(partition)) throw new GroupsError(`topic '${a.topic}' has no partition ${partition}`, 1);
        if (!seen.has(tpKey(a.topic, partition))) partitions.push({ topic: a.topic, partition });
        seen.add(tpKey(a.topic, partition));
      }
    }
  }
  partitions.sort(byTopicPartition);
  if (o.spec.kind === 'shift') {
    const without = partitions.find((p) => !committed.has(tpKey(p.topic, p.partition)));
    if (without !== undefined) throw new GroupsError(`Cannot shift offset for partition ${without.topic}-${without.partition} since there is no current committed offset`, 1);
  }

  const showProgress = partitions.length > PROGRESS_PARTITIONS_MIN && (o.progress || process.stderr.isTTY === true);
  const results: { group: string; topic: string; partition: number; currentOffset: bigint | null; newOffset: bigint }[] = [];
  for (let start = 0; start < partitions.length; start += RESET_CHUNK_PARTITIONS) {
    const chunk = partitions.slice(start, start + RESET_CHUNK_PARTITIONS);
    const [earliest, latest, atTime] = await Promise.all([
      listOffsets(cluster, layout, chunk, EARLIEST),
      listOffsets(cluster, layout, chunk, LATEST),
      o.spec.kind === 'timestamp' ? listOffsets(cluster, layout, chunk, BigInt(o.spec.timestampMs)) : null,
    ]);
    for (const lookup of [earliest, latest, atTime]) {
      const failed = lookup?.errors.entries().next().value;
      if (failed !== undefined) throw new GroupsError(`ListOffsets for ${failed[0].replace('\u0000', '-')}: ${failed[1]}`, 1);
    }
    const computed = chunk.map((p) => {
      const key = tpKey(p.topic, p.partition);
      const low = earliest.offsets.get(key)!;
      const high = latest.offsets.get(key)!;
      const current = committed.get(key) ?? null;
      let next: bigint;
      switch (o.spec.kind) {
        case 'earliest':
          next = low;
          break;
        case 'latest':
          next = high;
          break;
        case 'current':
          next = current ?? high;
          break;
        case 'offset':
          next = clamp(o.spec.offset, low, high);
          break;
        case 'shift':
          next = clamp(current! + o.spec.by, low, high);
          break;
        case 'timestamp': {
          const found = atTime!.offsets.get(key) ?? -1n;
          next = found >= 0n ? found : high;
          break;
        }
      }
      return { group: groupId, topic: p.topic, partition: p.partition, currentOffset: current, newOffset: next };
    });
    if (o.execute) await commit(cluster, info, computed, results.length);
    results.push(...computed);
    if (showProgress) console.error(`${o.execute ? 'reset' : 'computed'} ${results.length}/${partitions.length} partitions`);
  }

  if (o.json) console.log(JSON.stringify(results.map((r) => ({ ...r, currentOffset: num(r.currentOffset), newOffset: Number(r.newOffset) }))));
  else for (const l of table(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], results.map((r) => [r.group, r.topic, String(r.partition), String(r.newOffset)]))) console.log(l);
  if (partitions.length === 0) console.error(`strata groups: no partitions to reset for group '${groupId}'`);
  return 0;
}

/** One OffsetCommit outside group management (generation -1, member id ''): refused once the group has members. */
async function commit(cluster: Cluster, info: GroupInfo, offsets: { topic: string; partition: number; newOffset: bigint }[], doneBefore: number): Promise<void> {
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string }[]>();
  for (const p of offsets) {
    const list = byTopic.get(p.topic) ?? [];
    list.push({ partitionIndex: p.partition, committedOffset: p.newOffset, committedLeaderEpoch: -1, committedMetadata: '' });
    byTopic.set(p.topic, list);
  }
  const res = await cluster.request(
    ApiKey.OffsetCommit,
    { groupId: info.groupId, generationId: -1, memberId: '', groupInstanceId: null, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) },
    info.coordinator,
  );
  const already = doneBefore > 0 ? ` (${doneBefore} partitions were reset before)` : '';
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.NONE) continue;
      if (p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || p.errorCode === ErrorCode.ILLEGAL_GENERATION) {
        throw new GroupsError(`Assignments can only be reset if the group '${info.groupId}' is inactive: a member joined${already}`, 1);
      }
      throw brokerError(`OffsetCommit of ${t.name}-${p.partitionIndex} for group '${info.groupId}'${already}`, p.errorCode);
    }
  }
}

// ---- delete ----

async function deleteCommand(cluster: Cluster, groups: string[], json: boolean): Promise<number> {
  const results: { group: string; error: string | null }[] = [];
  for (const groupId of [...new Set(groups)]) {
    const coordinator = await cluster.coordinator(groupId);
    const res = await cluster.request(ApiKey.DeleteGroups, { groupsNames: [groupId] }, coordinator);
    const r = res.results.find((x) => x.groupId === groupId);
    if (r === undefined) throw new GroupsError(`DeleteGroups: no answer for group '${groupId}'`, 1);
    results.push({ group: groupId, error: r.errorCode === ErrorCode.NONE ? null : errorName(r.errorCode) });
  }
  if (json) console.log(JSON.stringify(results));
  for (const r of results) {
    if (r.error !== null) console.error(`strata groups: group '${r.group}' could not be deleted: ${r.error}`);
    else if (!json) console.log(`deleted group '${r.group}'`);
  }
  return results.some((r) => r.error !== null) ? 1 : 0;
}

// ---- arguments ----

const COMMON = {
  'bootstrap-server': { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const OPTIONS = {
  list: { ...COMMON },
  describe: { ...COMMON, members: { type: 'boolean', default: false }, state: { type: 'boolean', default: false } },
  'reset-offsets': {
    ...COMMON,
    topic: { type: 'string', multiple: true },
    'all-topics': { type: 'boolean', default: false },
    'to-earliest': { type: 'boolean', default: false },
    'to-latest': { type: 'boolean', default: false },
    'to-current': { type: 'boolean', default: false },
    'to-offset': { type: 'string' },
    'shift-by': { type: 'string' },
    'to-datetime': { type: 'string' },
    'by-duration': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    execute: { type: 'boolean', default: false },
    progress: { type: 'boolean', default: false },
  },
  delete: { ...COMMON },
} as const;

type Sub = keyof typeof OPTIONS;

async function runParsed(argv: string[]): Promise<number> {
  const sub = argv[0] as Sub;
  if (!Object.prototype.hasOwnProperty.call(OPTIONS, sub)) {
    if (argv[0] === undefined || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      console.log(usage.join('\n'));
      return argv[0] === undefined ? 2 : 0;
    }
    return usageError(`unknown subcommand "${argv[0]}": use list, describe, reset-offsets or delete`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv.slice(1), ['--shift-by', '--to-offset']), options: OPTIONS[sub], allowPositionals: true, strict: true });
  } catch (err) {
    return usageError(`${sub}: ${(err as Error).message.split('\n')[0].replace(/\. To specify .*$/, '')}`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const groups = parsed.positionals;
  if (values.help) {
    console.log(usage.join('\n'));
    return 0;
  }
  if (sub === 'list' && groups.length > 0) usageError(`list: unexpected argument "${groups[0]}"`);
  if ((sub === 'describe' || sub === 'delete') && groups.length === 0) usageError(`${sub}: name at least one group`);
  if (sub === 'reset-offsets' && groups.length !== 1) usageError('reset-offsets: name exactly one group');
  if (values.members && values.state) usageError('describe: --members and --state exclude each other');
  const server = values['bootstrap-server'] as string | undefined;
  if (!server) usageError(`${sub}: --bootstrap-server host:port is needed`);
  const timeoutText = (values.timeout as string | undefined) ?? String(DEFAULT_TIMEOUT_MS);
  const timeoutMs = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutMs <= 0) usageError(`--timeout ${timeoutText}: expected milliseconds > 0`);

  let reset: ResetOptions | undefined;
  if (sub === 'reset-offsets') {
    const topics = (values.topic as string[] | undefined) ?? [];
    if ((topics.length > 0) === (values['all-topics'] === true)) usageError('reset-offsets needs either --topic T[:p,p] ... or --all-topics');
    if (values['dry-run'] && values.execute) usageError('reset-offsets: --dry-run and --execute exclude each other');
    reset = { topics, allTopics: values['all-topics'] === true, spec: resetSpecOf(values), execute: values.execute === true, progress: values.progress === true, json: values.json === true };
    for (const t of topics) parseTopicArg(t);
  }

  const cluster = await Cluster.open(server!, timeoutMs);
  try {
    const json = values.json === true;
    switch (sub) {
      case 'list':
        return await listCommand(cluster, json);
      case 'describe':
        return await describeCommand(cluster, groups, values.members ? 'members' : values.state ? 'state' : 'offsets', json);
      case 'reset-offsets':
        return await resetCommand(cluster, groups[0], reset!);
      case 'delete':
        return await deleteCommand(cluster, groups, json);
    }
  } finally {
    cluster.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await runParsed(argv);
  } catch (err) {
    const usageFailure = (err as NodeJS.ErrnoException).code === 'ERR_INVALID_CONFIG';
    if (!(err instanceof GroupsError) && !usageFailure) throw err;
    console.error(`strata groups: ${(err as Error).message}`);
    return err instanceof GroupsError ? err.exitCode : 2;
  }
}
