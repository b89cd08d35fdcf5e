/**
 * A member of a classic consumer group (JoinGroup/SyncGroup/Heartbeat/LeaveGroup, Kafka's ConsumerCoordinator with
 * the eager rebalance protocol), so an application (the `strata consume --group` command) shares a topic's
 * partitions with the other members of its group, whatever client they use.
 *
 *   const member = new GroupMember({ transport: coordinator, groupId: 'g', topics: ['in'] });
 *   let partitions = await member.join();            // this generation's assignment
 *   ... fetch them (Consumer.assign / poll); every so often and before rejoining:
 *   if (member.rejoinNeeded) { await member.commit(positions); partitions = await member.join(); }
 *   await member.leave();
 *
 * Wire format: protocol type "consumer"; the subscription and the assignment are Kafka's ConsumerProtocol
 * structures as the Java client, librdkafka and kafkajs write them, at version 0 (every later version starts with
 * the v0 layout, and readers parse that prefix whatever the version):
 *   Subscription => version INT16, topics [STRING], user_data NULLABLE_BYTES
 *   Assignment   => version INT16, [topic STRING, partitions [INT32]], user_data NULLABLE_BYTES
 * Assignors, offered in preference order as JoinGroup protocols: "range" and "roundrobin" as Kafka's RangeAssignor
 * and RoundRobinAssignor compute them (members ordered by member id), and the same round robin under kafkajs's
 * name "RoundRobinAssigner", so a group shared with kafkajs consumers (which offer only that one) agrees on a
 * protocol. The coordinator picks the protocol every member supports by the members' votes; the member it makes
 * leader computes the assignment from every member's subscription and the partition counts (Metadata).
 *
 * Rebalances are eager: a member learns of one from a Heartbeat (or commit) answered REBALANCE_IN_PROGRESS,
 * ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID (`rejoinNeeded`), commits what it consumed, and calls join() again,
 * giving up all its partitions until the new assignment arrives. Heartbeats run on a timer between joins (every
 * heartbeatIntervalMs), never while a JoinGroup or SyncGroup waits.
 *
 * The transport must be this member's own connection to the group coordinator: a JoinGroup is answered only when
 * the rebalance ends, and a Kafka broker serves one connection's requests in order, so fetches sharing it would
 * wait behind it (Kafka's consumer, too, talks to the coordinator on a connection of its own).
 */
import { KafkaError } from '../errors/kafka-error';
import { StrataError } from '../errors/strata-error';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode, errorCodeInfo } from '../protocol/error-codes';
import { KafkaProtocolError } from '../protocol/protocol-error';
import { Reader } from '../protocol/reader';
import type { Transport } from './transport';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
/** The version of the subscription and assignment structures written (every reader accepts 0). */
const CONSUMER_PROTOCOL_VERSION = 0;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupSubscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
}

export interface GroupAssignment {
  version: number;
  partitions: TopicPartition[];
  userData: Buffer | null;
}

/** A member as the leader sees it in the JoinGroup response. */
export interface MemberSubscription {
  memberId: string;
  topics: readonly string[];
}

export type Assignor = (members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>) => Map<string, TopicPartition[]>;

export interface GroupMemberOptions {
  /** This member's own connection to the group coordinator (FindCoordinator). */
  transport: Transport;
  groupId: string;
  topics: readonly string[];
  /** Protocol names in preference order, each a key of ASSIGNORS. Default: range, roundrobin, RoundRobinAssigner. */
  assignors?: readonly string[];
  /** session.timeout.ms: the coordinator drops a member silent this long. Default 10000 (within Kafka's 6000-1800000). */
  sessionTimeoutMs?: number;
  /** How long the coordinator waits for every member to rejoin during a rebalance. Default 60000. */
  rebalanceTimeoutMs?: number;
  /** heartbeat.interval.ms. Default 1000: a rebalance is noticed within about a second. */
  heartbeatIntervalMs?: number;
  /** retry.backoff.ms after a coordinator that is loading or moving. Default 100. */
  retryBackoffMs?: number;
}

export const SESSION_TIMEOUT_MS_DEFAULT = 10_000;
export const REBALANCE_TIMEOUT_MS_DEFAULT = 60_000;
export const HEARTBEAT_INTERVAL_MS_DEFAULT = 1000;
const RETRY_BACKOFF_MS_DEFAULT = 100;
/** Retries of a commit or offset fetch the coordinator answers with a retriable error. */
const COORDINATOR_RETRIES_MAX = 20;

const JOIN_GROUP_VERSION = 7;
const SYNC_GROUP_VERSION = 5;
const HEARTBEAT_VERSION = 4;
const LEAVE_GROUP_VERSION = 4;
const OFFSET_COMMIT_VERSION = 8;
const OFFSET_FETCH_VERSION = 7;
const METADATA_VERSION = 9;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// ConsumerProtocol structures

function writeString(parts: Buffer[], s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  const size = Buffer.allocUnsafe(2);
  size.writeInt16BE(bytes.length);
  parts.push(size, bytes);
}

function int16(v: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(v);
  return b;
}

function int32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v);
  return b;
}

function writeBytes(parts: Buffer[], bytes: Buffer | null): void {
  if (bytes === null) {
    parts.push(int32(-1));
    return;
  }
  parts.push(int32(bytes.length), bytes);
}

/** ConsumerProtocolSubscription v0. An empty (not null) user_data, as kafkajs writes it: every reader takes it. */
export function encodeSubscription(topics: readonly string[], userData: Buffer | null = Buffer.alloc(0)): Buffer {
  const parts = [int16(CONSUMER_PROTOCOL_VERSION), int32(topics.length)];
  for (const t of topics) writeString(parts, t);
  writeBytes(parts, userData);
  return Buffer.concat(parts);
}

/** The v0 prefix of a subscription of any version; throws KafkaError INCONSISTENT_GROUP_PROTOCOL if it does not parse. */
export function decodeSubscription(metadata: Buffer): GroupSubscription {
  try {
    const r = new Reader(metadata, 0, metadata.length, 'CORRUPT_MESSAGE');
    const version = r.readInt16();
    if (version < 0) throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `consumer subscription of version ${version}`);
    const count = r.readArrayCount(false, false, 2, 'topics');
    const topics: string[] = [];
    for (let i = 0; i < count; i++) topics.push(r.readString(false, false) as string);
    // user_data is absent in what some clients write when they have none (and only then).
    const userData = r.remaining >= 4 ? r.readBytes(false, true) : null;
    return { version, topics, userData };
  } catch (err) {
    if (err instanceof KafkaProtocolError) throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `a member's subscription does not parse: ${err.message}`);
    throw err;
  }
}

/** ConsumerProtocolAssignment v0: the partitions grouped by topic (in order of first appearance), each topic's sorted. */
export function encodeAssignment(partitions: readonly TopicPartition[], userData: Buffer | null = Buffer.alloc(0)): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) {
    let list = byTopic.get(p.topic);
    if (list === undefined) byTopic.set(p.topic, (list = []));
    list.push(p.partition);
  }
  const parts = [int16(CONSUMER_PROTOCOL_VERSION), int32(byTopic.size)];
  for (const [topic, list] of byTopic) {
    writeString(parts, topic);
    parts.push(int32(list.length));
    for (const p of list.sort((a, b) => a - b)) parts.push(int32(p));
  }
  writeBytes(parts, userData);
  return Buffer.concat(parts);
}

/**
 * The v0 prefix of an assignment of any version. An empty buffer is an empty assignment: the coordinator hands
 * one to a member the leader left out.
 */
export function decodeAssignment(bytes: Buffer): GroupAssignment {
  if (bytes.length === 0) return { version: CONSUMER_PROTOCOL_VERSION, partitions: [], userData: null };
  try {
    const r = new Reader(bytes, 0, bytes.length, 'CORRUPT_MESSAGE');
    const version = r.readInt16();
    if (version < 0) throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `consumer assignment of version ${version}`);
    const topics = r.readArrayCount(false, false, 6, 'assigned topics');
    const partitions: TopicPartition[] = [];
    for (let i = 0; i < topics; i++) {
      const topic = r.readString(false, false) as string;
      const count = r.readArrayCount(false, false, 4, 'assigned partitions');
      for (let j = 0; j < count; j++) partitions.push({ topic, partition: r.readInt32() });
    }
    const userData = r.remaining >= 4 ? r.readBytes(false, true) : null;
    return { version, partitions, userData };
  } catch (err) {
    if (err instanceof KafkaProtocolError) throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `the assignment does not parse: ${err.message}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Assignors

const byMemberId = (a: MemberSubscription, b: MemberSubscription) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

function emptyAssignment(members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, []]));
}

/**
 * Kafka's RangeAssignor: per topic, its subscribers ordered by member id; with n partitions and c subscribers, the
 * first n % c get n / c + 1 consecutive partitions, the others n / c.
 */
export function assignRange(members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const out = emptyAssignment(members);
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    const subscribers = members.filter((m) => m.topics.includes(topic)).sort(byMemberId);
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((m, i) => {
      const start = per * i + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + length; p++) out.get(m.memberId)!.push({ topic, partition: p });
    });
  }
  return out;
}

/**
 * Kafka's RoundRobinAssignor: every partition of every subscribed topic (topics by name, partitions by number) to
 * the next member in member id order that subscribes to its topic, round and round.
 */
export function assignRoundRobin(members: readonly MemberSubscription[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const out = emptyAssignment(members);
  const sorted = [...members].sort(byMemberId);
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  let next = 0;
  for (const topic of topics) {
    const count = partitionCounts.get(topic) ?? 0;
    for (let p = 0; p < count; p++) {
      while (!sorted[next % sorted.length].topics.includes(topic)) next++;
      out.get(sorted[next % sorted.length].memberId)!.push({ topic, partition: p });
      next++;
    }
  }
  return out;
}

/** The assignors by protocol name; "RoundRobinAssigner" is kafkajs's name for its (same) round robin. */
export const ASSIGNORS: Readonly<Record<string, Assignor>> = {
  range: assignRange,
  roundrobin: assignRoundRobin,
  RoundRobinAssigner: assignRoundRobin,
};

const DEFAULT_ASSIGNORS = ['range', 'roundrobin', 'RoundRobinAssigner'];

// ---------------------------------------------------------------------------------------------------------------

/** Coordinator errors after which the same request is tried again after a backoff. */
const COORDINATOR_RETRIABLE = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]);
/** Errors telling the member its generation is over: rejoin. */
const GENERATION_LOST = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID]);

export class GroupMember {
  private memberIdValue = '';
  private generationIdValue = -1;
  private leaderId = '';
  private protocolNameValue: string | null = null;
  private assigned: TopicPartition[] = [];
  private needsJoin = true;
  private failure: Error | null = null;
  private closed = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight: Promise<void> | null = null;
  private readonly transport: Transport;
  private readonly assignors: readonly string[];
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly retryBackoffMs: number;

  constructor(private readonly options: GroupMemberOptions) {
    this.transport = options.transport;
    this.assignors = options.assignors ?? DEFAULT_ASSIGNORS;
    if (this.assignors.length === 0) throw new StrataError('ERR_INVALID_CONFIG', 'a group member needs at least one assignor');
    for (const a of this.assignors) if (!Object.prototype.hasOwnProperty.call(ASSIGNORS, a)) throw new StrataError('ERR_INVALID_CONFIG', `unknown assignor "${a}" (${Object.keys(ASSIGNORS).join(', ')})`);
    if (options.topics.length === 0) throw new StrataError('ERR_INVALID_CONFIG', 'a group member subscribes to at least one topic');
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? SESSION_TIMEOUT_MS_DEFAULT;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? REBALANCE_TIMEOUT_MS_DEFAULT;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS_DEFAULT;
    this.retryBackoffMs = options.retryBackoffMs ?? RETRY_BACKOFF_MS_DEFAULT;
  }

  get memberId(): string {
    return this.memberIdValue;
  }

  get generationId(): number {
    return this.generationIdValue;
  }

  get isLeader(): boolean {
    return this.memberIdValue !== '' && this.leaderId === this.memberIdValue;
  }

  /** The protocol (assignor) the coordinator chose for the current generation. */
  get protocolName(): string | null {
    return this.protocolNameValue;
  }

  /** This generation's partitions (empty before the first join or when the leader gave this member none). */
  get assignment(): readonly TopicPartition[] {
    return this.assigned;
  }

  /** The group rebalances (or was never joined): commit what was consumed, then join() again. */
  get rejoinNeeded(): boolean {
    return this.needsJoin;
  }

  /** An error that ended the membership (a fenced member, a lost connection), or null. */
  get error(): Error | null {
    return this.failure;
  }

  /** Joins (or rejoins) the group and resolves with this member's partitions once the generation is stable. */
  async join(): Promise<TopicPartition[]> {
    this.stopHeartbeats();
    if (this.heartbeatInFlight !== null) await this.heartbeatInFlight;
    const subscription = encodeSubscription(this.options.topics);
    for (;;) {
      this.check();
      const res = await this.transport.request(ApiKey.JoinGroup, JOIN_GROUP_VERSION, {
        groupId: this.options.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        memberId: this.memberIdValue,
        groupInstanceId: null,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: this.assignors.map((name) => ({ name, metadata: subscription })),
      });
      if (res.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberIdValue = res.memberId; // KIP-394: join again with the id the coordinator handed out
        continue;
      }
      if (res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.resetMembership();
        continue;
      }
      if (COORDINATOR_RETRIABLE.has(res.errorCode) || res.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
        await sleep(this.retryBackoffMs);
        continue;
      }
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, `group ${this.options.groupId}: join: ${errorCodeInfo(res.errorCode)?.description ?? ''}`);
      this.memberIdValue = res.memberId;
      this.generationIdValue = res.generationId;
      this.leaderId = res.leader;
      this.protocolNameValue = res.protocolName;
      const assignments = this.isLeader ? await this.assign(res.protocolName ?? '', res.members) : [];
      const sync = await this.transport.request(ApiKey.SyncGroup, SYNC_GROUP_VERSION, {
        groupId: this.options.groupId,
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: null,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: res.protocolName,
        assignments,
      });
      if (sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.resetMembership();
        continue;
      }
      if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || sync.errorCode === ErrorCode.ILLEGAL_GENERATION) continue;
      if (COORDINATOR_RETRIABLE.has(sync.errorCode)) {
        await sleep(this.retryBackoffMs);
        continue;
      }
      if (sync.errorCode !== ErrorCode.NONE) throw new KafkaError(sync.errorCode, `group ${this.options.groupId}: sync: ${errorCodeInfo(sync.errorCode)?.description ?? ''}`);
      const subscribed = new Set(this.options.topics);
      this.assigned = decodeAssignment(sync.assignment).partitions.filter((p) => subscribed.has(p.topic));
      this.needsJoin = false;
      this.scheduleHeartbeat();
      return this.assigned;
    }
  }

  /** The leader's part: every member's partitions by the chosen assignor, encoded for SyncGroup. */
  private async assign(protocolName: string, members: ReadonlyArray<{ memberId: string; metadata: Buffer }>): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const assignor = Object.prototype.hasOwnProperty.call(ASSIGNORS, protocolName) ? ASSIGNORS[protocolName] : undefined;
    if (assignor === undefined) throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `the coordinator chose assignor "${protocolName}", which this member does not have`);
    const subscriptions = members.map((m) => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata).topics }));
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    const res = await this.transport.request(ApiKey.Metadata, METADATA_VERSION, {
      topics: topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    // A topic that does not exist (yet) gets no partitions; a member subscribing to it rejoins when it appears.
    const counts = new Map<string, number>();
    for (const t of res.topics) if (t.errorCode === ErrorCode.NONE && t.name !== null && t.partitions.length > 0) counts.set(t.name, t.partitions.length);
    const result = assignor(subscriptions, counts);
    return subscriptions.map((s) => ({ memberId: s.memberId, assignment: encodeAssignment(result.get(s.memberId) ?? []) }));
  }

  /** The group's committed offsets of these partitions (null where none). */
  async committed(partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    const byTopic = groupByTopic(partitions);
    for (let attempt = 0; ; attempt++) {
      this.check();
      const res = await this.transport.request(ApiKey.OffsetFetch, OFFSET_FETCH_VERSION, {
        groupId: this.options.groupId,
        topics: [...byTopic].map(([name, list]) => ({ name, partitionIndexes: list })),
        requireStable: true,
      });
      const codes = [res.errorCode, ...res.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))];
      const retry = codes.find((c) => COORDINATOR_RETRIABLE.has(c) || c === ErrorCode.UNSTABLE_OFFSET_COMMIT);
      if (retry !== undefined && attempt < COORDINATOR_RETRIES_MAX) {
        await sleep(this.retryBackoffMs);
        continue;
      }
      const bad = codes.find((c) => c !== ErrorCode.NONE);
      if (bad !== undefined) throw new KafkaError(bad, `group ${this.options.groupId}: committed offsets`);
      const out = new Map<string, number | null>();
      for (const t of res.topics) for (const p of t.partitions) out.set(`${t.name}-${p.partitionIndex}`, p.committedOffset >= 0n ? Number(p.committedOffset) : null);
      return out;
    }
  }

  /**
   * Commits the next offsets to read, in this member's generation. A commit the coordinator refuses because the
   * generation is over (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) throws, and rejoinNeeded is
   * set: the partitions may already be someone else's.
   */
  async commit(offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string }>>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (list === undefined) byTopic.set(o.topic, (list = []));
      list.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1, committedMetadata: '' });
    }
    for (let attempt = 0; ; attempt++) {
      this.check();
      const res = await this.transport.request(ApiKey.OffsetCommit, OFFSET_COMMIT_VERSION, {
        groupId: this.options.groupId,
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: null,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      });
      const codes = res.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
      const bad = codes.find((c) => c !== ErrorCode.NONE);
      if (bad === undefined) return;
      if (GENERATION_LOST.has(bad)) {
        this.needsJoin = true;
        if (bad === ErrorCode.UNKNOWN_MEMBER_ID) this.resetMembership();
      } else if (COORDINATOR_RETRIABLE.has(bad) && attempt < COORDINATOR_RETRIES_MAX) {
        await sleep(this.retryBackoffMs);
        continue;
      }
      throw new KafkaError(bad, `group ${this.options.groupId}: commit: ${errorCodeInfo(bad)?.description ?? ''}`);
    }
  }

  /**
   * Leaves the group (LeaveGroup), so the others rebalance at once instead of after the session timeout. `via`:
   * another connection to the coordinator, for when this member's own is held by a JoinGroup still waiting.
   */
  async leave(via: Transport = this.transport): Promise<void> {
    this.stopHeartbeats();
    const memberId = this.memberIdValue;
    this.resetMembership();
    this.needsJoin = true;
    if (memberId === '') return;
    const res = await via.request(ApiKey.LeaveGroup, LEAVE_GROUP_VERSION, { groupId: this.options.groupId, members: [{ memberId, groupInstanceId: null }] });
    const code = res.errorCode !== ErrorCode.NONE ? res.errorCode : (res.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE);
    // Already gone (expired, or removed by a rebalance): nothing to leave.
    if (code !== ErrorCode.NONE && code !== ErrorCode.UNKNOWN_MEMBER_ID) throw new KafkaError(code, `group ${this.options.groupId}: leave`);
  }

  /** Stops heartbeating and closes the transport (without leaving: see leave()). */
  close(): void {
    this.closed = true;
    this.stopHeartbeats();
    this.transport.close();
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw new StrataError('ERR_CLOSED', 'the group member is closed');
  }

  private resetMembership(): void {
    this.memberIdValue = '';
    this.generationIdValue = -1;
    this.leaderId = '';
    this.assigned = [];
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer !== null) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private scheduleHeartbeat(): void {
    this.stopHeartbeats();
    if (this.closed || this.failure !== null || this.needsJoin) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatTimer = null;
      this.heartbeatInFlight = this.heartbeat().finally(() => {
        this.heartbeatInFlight = null;
        this.scheduleHeartbeat();
      });
    }, this.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    const generationId = this.generationIdValue;
    let code: number;
    try {
      const res = await this.transport.request(ApiKey.Heartbeat, HEARTBEAT_VERSION, {
        groupId: this.options.groupId,
        generationId,
        memberId: this.memberIdValue,
        groupInstanceId: null,
      });
      code = res.errorCode;
    } catch (err) {
      if (!this.closed) this.failure ??= err as Error;
      return;
    }
    if (code === ErrorCode.NONE || COORDINATOR_RETRIABLE.has(code)) return;
    if (generationId !== this.generationIdValue) return; // answered for a generation already left
    if (GENERATION_LOST.has(code)) {
      this.needsJoin = true;
      if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.resetMembership();
      return;
    }
    this.failure ??= new KafkaError(code, `group ${this.options.groupId}: heartbeat`);
  }
}

function groupByTopic(partitions: readonly TopicPartition[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) {
    let list = byTopic.get(p.topic);
    if (list === undefined) byTopic.set(p.topic, (list = []));
    list.push(p.partition);
  }
  return byTopic;
}
