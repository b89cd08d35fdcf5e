/**
 * The group coordinator for classic (JoinGroup/SyncGroup) groups and committed offsets, following Kafka's
 * GroupCoordinator.scala and GroupMetadataManager.scala: the same states, the same checks in the same order, the
 * same errors, so kafkajs, librdkafka and kafka-python behave as against Kafka.
 *
 * Rebalance: a member joining (or leaving, or missing its session deadline) moves the group to PreparingRebalance.
 * JoinGroup responses are held until every known member has rejoined or the longest rebalance timeout passes
 * (members that did not rejoin are dropped, static ones kept); a new group first waits
 * group.initial.rebalance.delay.ms, extended while members keep arriving. Then the generation advances, a
 * protocol every member supports is chosen by the members' votes, the first member leads and gets every member's
 * metadata, and the group waits in CompletingRebalance for the leader's SyncGroup, whose assignment is stored and
 * handed to every member (Stable). Heartbeats answer REBALANCE_IN_PROGRESS while a rebalance is on, which is how
 * members learn to rejoin.
 *
 * State: every group in memory; committed offsets and each group's last stored metadata (on SyncGroup of the
 * leader, when a group becomes Empty, on a static member's id change) in `__consumer_offsets` partition 0, replayed
 * by load(). A commit is acknowledged once its batch is appended. All work runs on the JS thread: no locks.
 *
 * Bounds: group.max.size members per group and as many outstanding member ids; session timeouts within
 * group.min/max.session.timeout.ms; offset metadata within offset.metadata.max.bytes; one commit's batch within
 * the offsets log's max.message.bytes; the offsets log rewritten once garbage outgrows the live state.
 */
import assert from 'node:assert';
import { randomUUID } from 'node:crypto';
import { StorageError } from '../errors/storage-error';
import type { Logger } from '../observability/logger';
import type { KafkaErrorName } from '../protocol/error-codes';
import type { Log } from '../storage/log';
import type { CommittedOffset } from './committed-offset';
import type {
  CommitOffsetsParams,
  DeleteGroupResult,
  DeleteOffsetsResult,
  FetchOffsetsResult,
  GroupDescription,
  GroupProtocol,
  HeartbeatParams,
  JoinGroupParams,
  JoinGroupResult,
  LeaveGroupResult,
  ListGroupsResult,
  MemberIdentity,
  PartitionError,
  SyncGroupParams,
  SyncGroupResult,
  TopicPartition,
} from './group-api';
import { GroupMetadata, joinError, syncError } from './group-metadata';
import { GROUP_STATES } from './group-state';
import { MemberMetadata } from './member-metadata';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsTopicKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  GroupMetadataValue,
} from './offsets-topic-records';
import { OffsetsTopicRecord, OffsetsTopicStore, TxnProducer } from './offsets-topic-store';

export interface GroupCoordinatorConfig {
  /** group.initial.rebalance.delay.ms */
  groupInitialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  groupMaxSessionTimeoutMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms (default 600000) */
  offsetsRetentionCheckIntervalMs?: number;
  /** offset.metadata.max.bytes (default 4096; Kafka counts characters) */
  offsetMetadataMaxBytes?: number;
  /** How long a new member's first JoinGroup may wait for the join phase (Kafka: 5 minutes, fixed). */
  newMemberJoinTimeoutMs?: number;
  /** The offsets log is rewritten once this many records (and more than the live state) accumulated (default 100000). */
  offsetsLogRewriteRecordsMin?: number;
}

export interface GroupCoordinatorOptions {
  /** Partition 0 of __consumer_offsets, opened by its owner, which also closes it. Must not have retention. */
  offsetsLog: Log;
  config: GroupCoordinatorConfig;
  logger: Logger;
  /** Clock for commit and state timestamps and offset expiry (timers use real time). */
  now?: () => number;
  /** Called after every append to the offsets log (e.g. to wake fetches of __consumer_offsets). */
  onAppend?: () => void;
}

export const OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT = 600_000;
export const OFFSET_METADATA_MAX_BYTES_DEFAULT = 4096;
export const NEW_MEMBER_JOIN_TIMEOUT_MS_DEFAULT = 5 * 60_000;
export const OFFSETS_LOG_REWRITE_RECORDS_MIN_DEFAULT = 100_000;

type Status = 'loading' | 'active' | 'closed';

const EMPTY = Buffer.alloc(0);
const STATE_NAMES = new Map(GROUP_STATES.map((s) => [s.toLowerCase(), s]));

/**
 * A transactional commit awaiting its transaction's end, with `order`: its place among all commits in the log's
 * order (a plain commit appended after it wins over it, as Kafka compares the records' log offsets).
 */
type PendingOffset = CommittedOffset & { order: number };
/** group -> topic -> partition -> offset: one producer's transactional commits awaiting its transaction's end. */
type PendingOffsets = Map<string, Map<string, Map<number, PendingOffset>>>;

function commitKey(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

function pendingSet<V>(pending: Map<string, Map<string, Map<number, V>>>, group: string, topic: string, partition: number, committed: V): void {
  let byTopic = pending.get(group);
  if (byTopic === undefined) pending.set(group, (byTopic = new Map()));
  let byPartition = byTopic.get(topic);
  if (byPartition === undefined) byTopic.set(topic, (byPartition = new Map()));
  byPartition.set(partition, committed);
}

function forEachPending(pending: PendingOffsets, visit: (group: string, topic: string, partition: number, offset: PendingOffset, byPartition: Map<number, PendingOffset>) => void): void {
  for (const [group, byTopic] of pending) {
    for (const [topic, byPartition] of byTopic) for (const [partition, offset] of byPartition) visit(group, topic, partition, offset, byPartition);
  }
}

export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  /** TxnOffsetCommit: producer id -> its offsets, applied by its COMMIT marker, dropped by its ABORT. */
  private readonly pendingTxnOffsets = new Map<number, PendingOffsets>();
  /** The epoch each pending producer wrote with (a rewrite writes its records again under it). */
  private readonly pendingTxnEpochs = new Map<number, number>();
  /** Order (see PendingOffset) of the last plain commit of each group/topic/partition; none: before any pending. */
  private readonly plainCommitOrder = new Map<string, number>();
  private commitOrder = 0;
  private readonly store: OffsetsTopicStore;
  private readonly config: Required<GroupCoordinatorConfig>;
  private readonly log: Logger;
  private readonly now: () => number;
  private status: Status = 'loading';
  private retentionTimer: NodeJS.Timeout | null = null;
  private rewriteThreshold: number;

  constructor(options: GroupCoordinatorOptions) {
    const c = options.config;
    assert(c.groupMaxSize >= 1, 'group.max.size must be at least 1');
    assert(c.groupMinSessionTimeoutMs <= c.groupMaxSessionTimeoutMs, 'group.min.session.timeout.ms > group.max.session.timeout.ms');
    this.config = {
      offsetsRetentionCheckIntervalMs: OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT,
      offsetMetadataMaxBytes: OFFSET_METADATA_MAX_BYTES_DEFAULT,
      newMemberJoinTimeoutMs: NEW_MEMBER_JOIN_TIMEOUT_MS_DEFAULT,
      offsetsLogRewriteRecordsMin: OFFSETS_LOG_REWRITE_RECORDS_MIN_DEFAULT,
      ...c,
    };
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.store = new OffsetsTopicStore(options.offsetsLog, this.now, options.onAppend);
    this.rewriteThreshold = this.config.offsetsLogRewriteRecordsMin;
  }

  // ---- lifecycle ----

  /**
   * Replays the offsets log into memory (Kafka's doLoadGroupsAndOffsets): the last record of each key wins, a null
   * value removes it. Groups with stored members come back Stable, each member on a fresh session timeout; groups
   * known only by offsets come back Empty. Until load() returns, requests get COORDINATOR_LOAD_IN_PROGRESS.
   */
  load(): void {
    assert(this.status === 'loading', 'load() runs once, before close()');
    const groupValues = new Map<string, Buffer>();
    const offsets = new Map<string, Map<string, Map<number, CommittedOffset>>>();
    let skipped = 0;
    const count = this.store.replay((key, value, txnProducerId, txnProducerEpoch) => {
      let k: ReturnType<typeof decodeOffsetsTopicKey>;
      try {
        k = decodeOffsetsTopicKey(key);
      } catch {
        skipped++;
        return;
      }
      if (k.kind === 'unknown') {
        skipped++;
        return;
      }
      if (k.kind === 'group') {
        if (value === null) groupValues.delete(k.group);
        else groupValues.set(k.group, Buffer.from(value));
        return;
      }
      let byTopic = offsets.get(k.group);
      if (value === null) {
        byTopic?.get(k.topic)?.delete(k.partition);
        return;
      }
      let v: ReturnType<typeof decodeOffsetCommitValue>;
      try {
        v = decodeOffsetCommitValue(value);
      } catch {
        skipped++;
        return;
      }
      const committed: CommittedOffset = {
        offset: v.offset,
        leaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestampMs: Number(v.commitTimestamp),
        expireTimestampMs: v.expireTimestamp === -1n ? null : Number(v.expireTimestamp),
      };
      const order = ++this.commitOrder;
      if (txnProducerId >= 0) {
        let pending = this.pendingTxnOffsets.get(txnProducerId);
        if (pending === undefined) this.pendingTxnOffsets.set(txnProducerId, (pending = new Map()));
        this.pendingTxnEpochs.set(txnProducerId, txnProducerEpoch);
        pendingSet(pending, k.group, k.topic, k.partition, { ...committed, order });
        return;
      }
      this.plainCommitOrder.set(commitKey(k.group, k.topic, k.partition), order);
      pendingSet(offsets, k.group, k.topic, k.partition, committed);
    }, (producerId, commit) => {
      const pending = this.pendingTxnOffsets.get(producerId);
      this.pendingTxnOffsets.delete(producerId);
      this.pendingTxnEpochs.delete(producerId);
      if (!commit || pending === undefined) return;
      this.forEachWinning(pending, (group, topic, partition, committed) => pendingSet(offsets, group, topic, partition, committed));
    });
    for (const [groupId, stored] of groupValues) {
      let value: GroupMetadataValue;
      try {
        value = decodeGroupMetadataValue(stored);
      } catch (error) {
        this.log.warn('skipping an unreadable group metadata record', { groupId, error: String(error) });
        continue;
      }
      const group = this.restoreGroup(groupId, value);
      group.storedValue = stored;
      this.groups.set(groupId, group);
    }
    for (const [groupId, byTopic] of offsets) {
      let group = this.groups.get(groupId);
      for (const [topic, byPartition] of byTopic) {
        for (const [partition, committed] of byPartition) {
          if (group === undefined) this.groups.set(groupId, (group = new GroupMetadata(groupId, 'Empty', null)));
          group.setOffset(topic, partition, committed);
        }
      }
    }
    if (skipped > 0 || this.store.skippedBatches > 0) this.log.warn('offsets log records skipped on load', { skipped, batches: this.store.skippedBatches });
    this.status = 'active';
    for (const group of this.groups.values()) {
      for (const member of group.allMembers()) this.scheduleHeartbeatExpiration(group, member);
      if (group.size > this.config.groupMaxSize) {
        this.prepareRebalance(group, `freshly loaded group is over capacity (${this.config.groupMaxSize})`);
      }
    }
    this.log.info('group coordinator loaded', { groups: this.groups.size, records: count });
    this.retentionTimer = setInterval(() => this.expireOffsets(), this.config.offsetsRetentionCheckIntervalMs);
    this.retentionTimer.unref();
    this.maybeRewriteLog();
  }

  private restoreGroup(groupId: string, value: GroupMetadataValue): GroupMetadata {
    const state = value.members.length > 0 ? 'Stable' : 'Empty';
    const timestamp = value.currentStateTimestamp === -1n ? null : Number(value.currentStateTimestamp);
    const group = new GroupMetadata(groupId, state, timestamp);
    group.generationId = value.generation;
    group.protocolType = value.protocolType === '' ? null : value.protocolType;
    group.protocolName = value.protocol;
    for (const m of value.members) {
      const member = new MemberMetadata({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        protocolType: value.protocolType,
        protocols: [{ name: value.protocol ?? '', metadata: m.subscription }],
      });
      member.assignment = m.assignment;
      group.add(member, null);
    }
    group.leaderId = value.leader !== null && group.has(value.leader) ? value.leader : group.leaderId;
    group.subscribedTopics = group.computeSubscribedTopics();
    return group;
  }

  /** Stops every timer and answers every waiting JoinGroup / SyncGroup with NOT_COORDINATOR. Idempotent. */
  close(): void {
    if (this.status === 'closed') return;
    this.status = 'closed';
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    for (const group of this.groups.values()) {
      for (const member of group.allMembers()) {
        group.invokeJoinCallback(member, joinError(member.memberId, 'NOT_COORDINATOR'));
        group.invokeSyncCallback(member, syncError('NOT_COORDINATOR'));
        this.clearHeartbeat(member);
      }
      this.clearGroupTimers(group);
    }
  }

  // ---- JoinGroup ----

  /** JoinGroup. Resolves when the join phase ends (or at once with an error, MEMBER_ID_REQUIRED, ...). */
  joinGroup(params: JoinGroupParams): Promise<JoinGroupResult> {
    return new Promise((resolve) => this.handleJoinGroup(params, resolve));
  }

  private handleJoinGroup(p: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    const statusError = this.validateGroupStatus(p.groupId, false);
    if (statusError !== null) return respond(joinError(p.memberId, statusError));
    if (p.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || p.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return respond(joinError(p.memberId, 'INVALID_SESSION_TIMEOUT'));
    }
    const isUnknownMember = p.memberId === '';
    let group = this.groups.get(p.groupId);
    if (group === undefined) {
      if (!isUnknownMember) return respond(joinError(p.memberId, 'UNKNOWN_MEMBER_ID'));
      group = new GroupMetadata(p.groupId, 'Empty', this.now());
      this.groups.set(p.groupId, group);
    }
    if (!this.acceptJoiningMember(group, p.memberId)) {
      const member = group.find(p.memberId);
      group.remove(p.memberId);
      if (member !== undefined) this.clearHeartbeat(member);
      respond(joinError('', 'GROUP_MAX_SIZE_REACHED'));
    } else if (isUnknownMember) {
      this.doNewMemberJoinGroup(group, p, respond);
    } else {
      this.doCurrentMemberJoinGroup(group, p, respond);
    }
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
    this.maybeDropUnusedGroup(group);
  }

  /**
   * Room for the member? Empty groups take anyone; rebalancing ones a member already rejoining or up to
   * group.max.size rejoined members (so the last to rejoin of an oversized group are the ones turned away);
   * others their members or up to group.max.size members.
   */
  private acceptJoiningMember(group: GroupMetadata, memberId: string): boolean {
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numAwaitingJoin < this.config.groupMaxSize;
      case 'CompletingRebalance':
      case 'Stable':
        return group.has(memberId) || group.size < this.config.groupMaxSize;
    }
  }

  private doNewMemberJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    if (group.is('Dead')) return respond(joinError('', 'COORDINATOR_NOT_AVAILABLE'));
    if (!group.supportsProtocols(p.protocolType, protocolNames(p.protocols))) {
      return respond(joinError('', 'INCONSISTENT_GROUP_PROTOCOL'));
    }
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(p.groupInstanceId);
      if (oldMemberId !== undefined) {
        this.updateStaticMemberAndRebalance(group, oldMemberId, newMemberId, p, respond);
      } else {
        this.addMemberAndRebalance(group, newMemberId, p, respond);
      }
    } else if (p.requireKnownMemberId) {
      // KIP-394: the id is handed out first and the member joins with it, so a client that never gets the
      // response leaves no orphan member behind. Bounded like members are.
      if (group.numPending >= this.config.groupMaxSize) return respond(joinError('', 'GROUP_MAX_SIZE_REACHED'));
      const expiry = setTimeout(() => this.onExpirePendingMember(group, newMemberId), p.sessionTimeoutMs);
      group.addPendingMember(newMemberId, expiry);
      respond({ ...joinError(newMemberId, 'MEMBER_ID_REQUIRED') });
    } else {
      this.addMemberAndRebalance(group, newMemberId, p, respond);
    }
  }

  private doCurrentMemberJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    if (group.is('Dead')) return respond(joinError(p.memberId, 'COORDINATOR_NOT_AVAILABLE'));
    if (!group.supportsProtocols(p.protocolType, protocolNames(p.protocols))) {
      return respond(joinError(p.memberId, 'INCONSISTENT_GROUP_PROTOCOL'));
    }
    if (group.isPendingMember(p.memberId)) {
      // Pending ids are only handed to dynamic members; a static member must join without one.
      if (p.groupInstanceId !== null) return respond(joinError('', 'UNKNOWN_MEMBER_ID'));
      return this.addMemberAndRebalance(group, p.memberId, p, respond);
    }
    if (group.isStaticMemberFenced(p.groupInstanceId, p.memberId)) {
      return respond(joinError(p.memberId, 'FENCED_INSTANCE_ID'));
    }
    if (!group.has(p.memberId) || (p.groupInstanceId !== null && !group.hasStaticMember(p.groupInstanceId))) {
      return respond(joinError(p.memberId, 'UNKNOWN_MEMBER_ID'));
    }
    const member = group.get(p.memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p, respond, 'member rejoining during PreparingRebalance');
      case 'CompletingRebalance':
        if (member.matches(p.protocols)) {
          // It lost the JoinGroup response: the same generation's answer again.
          return respond(this.joinResult(group, member));
        }
        return this.updateMemberAndRebalance(group, member, p, respond, 'member metadata changed during CompletingRebalance');
      case 'Stable':
        if (group.isLeader(p.memberId)) {
          // The leader rejoins to have the assignment redone (e.g. partitions were added): rebalance.
          return this.updateMemberAndRebalance(group, member, p, respond, 'leader rejoining during Stable');
        }
        if (!member.matches(p.protocols)) {
          return this.updateMemberAndRebalance(group, member, p, respond, 'member metadata changed during Stable');
        }
        return respond({ ...this.joinResult(group, member), members: [] });
      case 'Empty':
      case 'Dead':
        this.log.warn('rejoining member of a group in an unexpected state', { groupId: group.groupId, memberId: p.memberId, state: group.state });
        return respond(joinError(p.memberId, 'UNKNOWN_MEMBER_ID'));
    }
  }

  /** The current generation as the member should see it: the leader gets every member's metadata. */
  private joinResult(group: GroupMetadata, member: MemberMetadata): JoinGroupResult {
    return {
      error: 'NONE',
      memberId: member.memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      members: group.isLeader(member.memberId) ? group.currentMemberMetadata() : [],
    };
  }

  private addMemberAndRebalance(group: GroupMetadata, memberId: string, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    group.removePendingMember(memberId);
    const member = new MemberMetadata({
      memberId,
      groupInstanceId: p.groupInstanceId,
      clientId: p.clientId,
      clientHost: p.clientHost,
      rebalanceTimeoutMs: p.rebalanceTimeoutMs,
      sessionTimeoutMs: p.sessionTimeoutMs,
      protocolType: p.protocolType,
      protocols: p.protocols,
    });
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, respond);
    // A new member cannot heartbeat before its JoinGroup returns; if its client gave up and retries, the retry
    // is another new member. Bound the wait so such leftovers go.
    this.scheduleHeartbeatExpiration(group, member, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance(group, `adding member ${memberId}`);
  }

  private updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
    reason: string,
  ): void {
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, respond);
    this.maybePrepareRebalance(group, `${reason} (${member.memberId})`);
  }

  /**
   * A static member rejoined without its member id (it restarted): it takes over the old member's place under a
   * new id; the old id is fenced. A Stable group whose protocol choice stays the same does not rebalance: the
   * replacement is stored and the member keeps its assignment (it is told the old leader id, so a restarted
   * leader does not compute an assignment the stable group would ignore).
   */
  private updateStaticMemberAndRebalance(
    group: GroupMetadata,
    oldMemberId: string,
    newMemberId: string,
    p: JoinGroupParams,
    respond: (r: JoinGroupResult) => void,
  ): void {
    const instanceId = p.groupInstanceId as string;
    const currentLeader = group.leaderId;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.scheduleHeartbeatExpiration(group, member);
    const old = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, respond);
    switch (group.state) {
      case 'Stable': {
        if (group.protocolName !== group.selectProtocol()) {
          this.maybePrepareRebalance(group, `static member ${instanceId} rejoined with a change of protocol`);
          return;
        }
        const assignments = new Map(group.allMembers().map((m) => [m.memberId, m.assignment]));
        const error = this.storeGroup(group, assignments);
        if (error !== 'NONE') {
          group.updateMember(member, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null);
          group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.scheduleHeartbeatExpiration(group, member);
          respond({ ...joinError('', error), generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName, leaderId: currentLeader ?? '' });
          return;
        }
        group.invokeJoinCallback(member, {
          error: 'NONE',
          memberId: newMemberId,
          generationId: group.generationId,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          leaderId: currentLeader ?? '',
          members: [],
        });
        return;
      }
      case 'CompletingRebalance':
        // The leader may be assigning to the old id already: start over so the new id gets an assignment.
        this.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`);
        return;
      case 'PreparingRebalance':
        return;
      case 'Empty':
      case 'Dead':
        assert.fail(`group ${group.groupId} in ${group.state} has static member ${instanceId}`);
    }
  }

  private onExpirePendingMember(group: GroupMetadata, memberId: string): void {
    if (!group.isPendingMember(memberId) || this.groups.get(group.groupId) !== group) return;
    this.log.info('pending member expired before joining', { groupId: group.groupId, memberId });
    group.removePendingMember(memberId);
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
    this.maybeDropUnusedGroup(group);
  }

  // ---- rebalance mechanics ----

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, 'REBALANCE_IN_PROGRESS');
    this.clearSyncTimer(group);
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.now());
    this.log.info('preparing to rebalance group', { groupId: group.groupId, generationId: group.generationId, reason });
    if (wasEmpty) {
      const delay = this.config.groupInitialRebalanceDelayMs;
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      this.scheduleJoinDeadline(group, group.rebalanceTimeoutMs);
      this.tryCompleteJoin(group);
    }
  }

  /**
   * The initial delay of a new group's first rebalance: it ends only by time; while members keep arriving it is
   * extended by up to the delay again, within the rebalance timeout (Kafka's InitialDelayedJoin).
   */
  private scheduleInitialJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    this.clearJoinTimer(group);
    group.joinIsInitialDelay = true;
    group.joinTimer = setTimeout(() => {
      group.joinTimer = null;
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.config.groupInitialRebalanceDelayMs, remainingMs);
        this.scheduleInitialJoin(group, next, Math.max(remainingMs - next, 0));
      } else {
        this.completeJoin(group);
      }
    }, delayMs);
  }

  private scheduleJoinDeadline(group: GroupMetadata, timeoutMs: number): void {
    this.clearJoinTimer(group);
    group.joinTimer = setTimeout(() => {
      group.joinTimer = null;
      this.completeJoin(group);
    }, timeoutMs);
  }

  private tryCompleteJoin(group: GroupMetadata): void {
    if (!group.is('PreparingRebalance') || group.joinIsInitialDelay) return;
    if (group.hasAllMembersJoined()) this.completeJoin(group);
  }

  /** The end of the join phase (Kafka's onCompleteJoin). */
  private completeJoin(group: GroupMetadata): void {
    this.clearJoinTimer(group);
    if (this.status === 'closed' || !group.is('PreparingRebalance') || this.groups.get(group.groupId) !== group) return;
    for (const member of group.notYetRejoinedMembers()) {
      if (member.isStatic) continue;
      this.log.info('member did not rejoin in time, removed', { groupId: group.groupId, memberId: member.memberId });
      group.remove(member.memberId);
      this.clearHeartbeat(member);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that did not rejoin are left: wait again; their session timeouts will remove them.
      this.log.warn('no member rejoined, waiting another rebalance timeout', { groupId: group.groupId });
      this.scheduleJoinDeadline(group, group.rebalanceTimeoutMs);
      return;
    }
    group.initNextGeneration(this.now());
    if (group.is('Empty')) {
      this.log.info('group is empty', { groupId: group.groupId, generationId: group.generationId });
      const error = this.storeGroup(group, new Map());
      if (error !== 'NONE') this.log.warn('failed to store the empty group', { groupId: group.groupId, error });
      return;
    }
    this.log.info('group rebalanced', {
      groupId: group.groupId,
      generationId: group.generationId,
      protocol: group.protocolName,
      members: group.size,
    });
    for (const member of group.allMembers()) {
      group.invokeJoinCallback(member, this.joinResult(group, member));
      this.scheduleHeartbeatExpiration(group, member);
      member.isNew = false;
      group.addPendingSyncMember(member.memberId);
    }
    this.schedulePendingSync(group);
  }

  /** Members that do not send SyncGroup within the rebalance timeout are removed and the group rebalances. */
  private schedulePendingSync(group: GroupMetadata): void {
    this.clearSyncTimer(group);
    const generationId = group.generationId;
    group.syncTimer = setTimeout(() => {
      group.syncTimer = null;
      this.onExpirePendingSync(group, generationId);
    }, group.rebalanceTimeoutMs);
  }

  private onExpirePendingSync(group: GroupMetadata, generationId: number): void {
    if (this.status === 'closed' || this.groups.get(group.groupId) !== group || generationId !== group.generationId) return;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
    if (group.hasReceivedSyncFromAllMembers()) return;
    const pending = group.allPendingSyncMembers();
    this.log.info('members did not send SyncGroup in time, removed', { groupId: group.groupId, members: pending });
    for (const memberId of pending) {
      const member = group.find(memberId);
      group.remove(memberId);
      if (member !== undefined) this.clearHeartbeat(member);
    }
    this.prepareRebalance(group, 'pending SyncGroup expired');
  }

  private removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.removePendingSyncMember(memberId);
    if (group.hasReceivedSyncFromAllMembers()) this.clearSyncTimer(group);
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, error: KafkaErrorName): void {
    assert(group.is('CompletingRebalance'));
    for (const member of group.allMembers()) member.assignment = EMPTY;
    this.propagateAssignment(group, error);
  }

  private propagateAssignment(group: GroupMetadata, error: KafkaErrorName): void {
    const ok = error === 'NONE';
    for (const member of group.allMembers()) {
      const answered = group.invokeSyncCallback(member, {
        error,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: member.assignment,
      });
      // Its session may have lapsed while it waited: give it a full one from now.
      if (answered) this.scheduleHeartbeatExpiration(group, member);
    }
  }

  // ---- SyncGroup ----

  /** SyncGroup. Resolves when the member's assignment is known (a follower waits for the leader's). */
  syncGroup(params: SyncGroupParams): Promise<SyncGroupResult> {
    return new Promise((resolve) => this.handleSyncGroup(params, resolve));
  }

  private handleSyncGroup(p: SyncGroupParams, respond: (r: SyncGroupResult) => void): void {
    const statusError = this.validateGroupStatus(p.groupId, false);
    // While loading, the rebalance's state is lost: REBALANCE_IN_PROGRESS sends the member back to JoinGroup.
    if (statusError === 'COORDINATOR_LOAD_IN_PROGRESS') return respond(syncError('REBALANCE_IN_PROGRESS'));
    if (statusError !== null) return respond(syncError(statusError));
    const group = this.groups.get(p.groupId);
    if (group === undefined) return respond(syncError('UNKNOWN_MEMBER_ID'));
    const invalid = this.validateSyncGroup(group, p);
    if (invalid !== null) return respond(syncError(invalid));
    switch (group.state) {
      case 'Empty':
        return respond(syncError('UNKNOWN_MEMBER_ID'));
      case 'PreparingRebalance':
        return respond(syncError('REBALANCE_IN_PROGRESS'));
      case 'CompletingRebalance': {
        const member = group.get(p.memberId);
        group.setSyncCallback(member, respond);
        this.removePendingSyncMember(group, p.memberId);
        if (!group.isLeader(p.memberId)) return;
        const assignments = new Map<string, Buffer>();
        for (const m of group.allMembers()) assignments.set(m.memberId, EMPTY);
        const given = new Set<string>();
        for (const a of p.assignments) {
          if (assignments.has(a.memberId)) {
            assignments.set(a.memberId, Buffer.from(a.assignment));
            given.add(a.memberId);
          }
        }
        if (given.size < group.size) {
          this.log.warn('leader gave no assignment to some members: they get an empty one', {
            groupId: group.groupId,
            generationId: group.generationId,
            missing: group.allMembers().map((m) => m.memberId).filter((id) => !given.has(id)),
          });
        }
        const error = this.storeGroup(group, assignments);
        if (error !== 'NONE') {
          this.resetAndPropagateAssignmentError(group, error);
          this.maybePrepareRebalance(group, `storing the assignment failed: ${error}`);
          return;
        }
        for (const m of group.allMembers()) m.assignment = assignments.get(m.memberId) ?? EMPTY;
        this.propagateAssignment(group, 'NONE');
        group.transitionTo('Stable', this.now());
        this.log.info('group stable', { groupId: group.groupId, generationId: group.generationId });
        return;
      }
      case 'Stable': {
        this.removePendingSyncMember(group, p.memberId);
        const member = group.get(p.memberId);
        respond({ error: 'NONE', protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
        this.scheduleHeartbeatExpiration(group, member);
        return;
      }
      case 'Dead':
        assert.fail(`group ${group.groupId} is Dead but still registered`);
    }
  }

  private validateSyncGroup(group: GroupMetadata, p: SyncGroupParams): KafkaErrorName | null {
    if (group.is('Dead')) return 'COORDINATOR_NOT_AVAILABLE';
    const memberError = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (memberError !== null) return memberError;
    if (p.generationId !== group.generationId) return 'ILLEGAL_GENERATION';
    if (p.protocolType !== null && p.protocolType !== group.protocolType) return 'INCONSISTENT_GROUP_PROTOCOL';
    if (p.protocolName !== null && p.protocolName !== group.protocolName) return 'INCONSISTENT_GROUP_PROTOCOL';
    return null;
  }

  /**
   * The member is who it says: a static member's instance id must map to this member id (else it is a fenced
   * duplicate), a dynamic member must be in the group.
   */
  private validateCurrentMember(group: GroupMetadata, memberId: string, groupInstanceId: string | null): KafkaErrorName | null {
    if (groupInstanceId !== null) {
      const current = group.currentStaticMemberId(groupInstanceId);
      if (current === undefined) return 'UNKNOWN_MEMBER_ID';
      if (current !== memberId) {
        this.log.info('static member fenced', { groupId: group.groupId, memberId, groupInstanceId, currentMemberId: current });
        return 'FENCED_INSTANCE_ID';
      }
      return null;
    }
    return group.has(memberId) ? null : 'UNKNOWN_MEMBER_ID';
  }

  // ---- Heartbeat ----

  /**
   * Heartbeat: renews the member's session. REBALANCE_IN_PROGRESS while the group rebalances tells the member to
   * rejoin.
   */
  heartbeat(p: HeartbeatParams): KafkaErrorName {
    const statusError = this.validateGroupStatus(p.groupId, false);
    if (statusError === 'COORDINATOR_LOAD_IN_PROGRESS') return 'NONE';
    if (statusError !== null) return statusError;
    const group = this.groups.get(p.groupId);
    if (group === undefined) return 'UNKNOWN_MEMBER_ID';
    if (group.is('Dead')) return 'COORDINATOR_NOT_AVAILABLE';
    const memberError = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
    if (memberError !== null) return memberError;
    if (p.generationId !== group.generationId) return 'ILLEGAL_GENERATION';
    switch (group.state) {
      case 'Empty':
        return 'UNKNOWN_MEMBER_ID';
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleHeartbeatExpiration(group, group.get(p.memberId));
        return 'NONE';
      case 'PreparingRebalance':
        this.scheduleHeartbeatExpiration(group, group.get(p.memberId));
        return 'REBALANCE_IN_PROGRESS';
      case 'Dead':
        return 'COORDINATOR_NOT_AVAILABLE';
    }
  }

  /** (Re)starts the member's session deadline: `timeoutMs` from now (default its session timeout). */
  private scheduleHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
    if (this.status === 'closed') return;
    if (member.heartbeatTimer !== null && member.heartbeatTimeoutMs === timeoutMs) {
      member.heartbeatTimer.refresh();
      return;
    }
    this.clearHeartbeat(member);
    member.heartbeatTimeoutMs = timeoutMs;
    member.heartbeatTimer = setTimeout(() => {
      member.heartbeatTimer = null;
      this.onExpireHeartbeat(group, member);
    }, timeoutMs);
  }

  private clearHeartbeat(member: MemberMetadata): void {
    if (member.heartbeatTimer !== null) clearTimeout(member.heartbeatTimer);
    member.heartbeatTimer = null;
  }

  private onExpireHeartbeat(group: GroupMetadata, member: MemberMetadata): void {
    if (this.status === 'closed' || this.groups.get(group.groupId) !== group) return;
    if (group.find(member.memberId) !== member || member.heartbeatExcused()) return;
    this.log.info('member session expired, removed', { groupId: group.groupId, memberId: member.memberId });
    this.removeMemberAndUpdateGroup(group, member, `member ${member.memberId} session expired`);
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    group.remove(member.memberId);
    this.clearHeartbeat(member);
    switch (group.state) {
      case 'Dead':
      case 'Empty':
        return;
      case 'Stable':
      case 'CompletingRebalance':
        return this.maybePrepareRebalance(group, reason);
      case 'PreparingRebalance':
        return this.tryCompleteJoin(group);
    }
  }

  // ---- LeaveGroup ----

  /**
   * LeaveGroup (v3+: several members; by member id, or by instance id alone for an administrative removal of a
   * static member). Each leaving member's error is reported on its own.
   */
  leaveGroup(groupId: string, members: readonly MemberIdentity[]): LeaveGroupResult {
    const statusError = this.validateGroupStatus(groupId, false);
    if (statusError !== null) return { error: statusError, members: [] };
    const group = this.groups.get(groupId);
    if (group === undefined) {
      return { error: 'NONE', members: members.map((m) => ({ ...m, error: 'UNKNOWN_MEMBER_ID' as const })) };
    }
    if (group.is('Dead')) return { error: 'COORDINATOR_NOT_AVAILABLE', members: [] };
    const results = members.map((leaving) => {
      const { memberId, groupInstanceId } = leaving;
      let error: KafkaErrorName;
      if (memberId === '') {
        const current = groupInstanceId === null ? undefined : group.currentStaticMemberId(groupInstanceId);
        if (current === undefined) {
          error = 'UNKNOWN_MEMBER_ID';
        } else {
          this.removeMemberAndUpdateGroup(group, group.get(current), `static member ${groupInstanceId} removed by LeaveGroup`);
          error = 'NONE';
        }
      } else if (group.isPendingMember(memberId)) {
        group.removePendingMember(memberId);
        if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
        error = 'NONE';
      } else {
        error = this.validateCurrentMember(group, memberId, groupInstanceId) ?? 'NONE';
        if (error === 'NONE') this.removeMemberAndUpdateGroup(group, group.get(memberId), `member ${memberId} left`);
      }
      if (error === 'NONE') this.log.info('member left the group', { groupId, memberId, groupInstanceId });
      return { memberId, groupInstanceId, error };
    });
    return { error: 'NONE', members: results };
  }

  // ---- OffsetCommit ----

  /**
   * OffsetCommit. Returns one error per entry of `params.offsets`, in order. A commit with generation -1, member id
   * '' and no instance id needs no membership but only succeeds while the group has no members.
   */
  commitOffsets(p: CommitOffsetsParams): PartitionError[] {
    const all = (error: KafkaErrorName): PartitionError[] => p.offsets.map((o) => ({ topic: o.topic, partition: o.partition, error }));
    const statusError = this.validateGroupStatus(p.groupId, true);
    if (statusError !== null) return all(statusError);
    if (p.offsets.length === 0) return [];
    let group = this.groups.get(p.groupId);
    if (group === undefined) {
      // A group that does not use the coordinator for membership may still store offsets; any other commit
      // comes from a generation that no longer exists.
      if (p.generationId >= 0) return all('ILLEGAL_GENERATION');
      group = new GroupMetadata(p.groupId, 'Empty', this.now());
      this.groups.set(p.groupId, group);
    }
    const invalid = this.validateOffsetCommit(group, p);
    if (invalid !== null) {
      this.maybeDropUnusedGroup(group);
      return all(invalid);
    }
    switch (group.state) {
      case 'Empty': {
        const result = this.storeOffsets(group, p);
        this.maybeDropUnusedGroup(group);
        return result;
      }
      case 'Stable':
      case 'PreparingRebalance':
        // Allowed while preparing a rebalance: the heartbeat's REBALANCE_IN_PROGRESS tells the member to rejoin.
        this.scheduleHeartbeatExpiration(group, group.get(p.memberId));
        return this.storeOffsets(group, p);
      case 'CompletingRebalance':
        // The member knows the new generation but has no assignment yet.
        return all('REBALANCE_IN_PROGRESS');
      case 'Dead':
        return all('COORDINATOR_NOT_AVAILABLE');
    }
  }

  private validateOffsetCommit(group: GroupMetadata, p: CommitOffsetsParams): KafkaErrorName | null {
    if (group.is('Dead')) return 'COORDINATOR_NOT_AVAILABLE';
    if (p.generationId >= 0 || p.memberId !== '' || p.groupInstanceId !== null) {
      const memberError = this.validateCurrentMember(group, p.memberId, p.groupInstanceId);
      if (memberError !== null) return memberError;
      return p.generationId === group.generationId ? null : 'ILLEGAL_GENERATION';
    }
    // Without membership, only while the group has no members.
    return group.is('Empty') ? null : 'UNKNOWN_MEMBER_ID';
  }

  private storeOffsets(group: GroupMetadata, p: CommitOffsetsParams): PartitionError[] {
    const nowMs = this.now();
    const expireTimestampMs = p.retentionTimeMs === -1 ? null : nowMs + p.retentionTimeMs;
    const maxLength = this.config.offsetMetadataMaxBytes;
    const accepted: { topic: string; partition: number; committed: CommittedOffset }[] = [];
    const records: OffsetsTopicRecord[] = [];
    for (const o of p.offsets) {
      const metadata = o.metadata ?? '';
      if (metadata.length > maxLength) continue;
      const committed: CommittedOffset = {
        offset: o.offset,
        leaderEpoch: o.leaderEpoch,
        metadata,
        commitTimestampMs: o.commitTimestampMs === -1 ? nowMs : o.commitTimestampMs,
        expireTimestampMs,
      };
      accepted.push({ topic: o.topic, partition: o.partition, committed });
      records.push({ key: encodeOffsetCommitKey(group.groupId, o.topic, o.partition), value: this.offsetValue(committed) });
    }
    let error: KafkaErrorName = 'NONE';
    if (records.length > 0) {
      error = this.append(records, 'commit');
      if (error === 'NONE') {
        const order = ++this.commitOrder;
        for (const a of accepted) {
          group.setOffset(a.topic, a.partition, a.committed);
          this.plainCommitOrder.set(commitKey(group.groupId, a.topic, a.partition), order);
        }
        this.maybeRewriteLog();
      }
    }
    return p.offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      error: (o.metadata ?? '').length > maxLength ? 'OFFSET_METADATA_TOO_LARGE' : error,
    }));
  }

  private offsetValue(c: CommittedOffset): Buffer {
    return encodeOffsetCommitValue({
      offset: c.offset,
      leaderEpoch: c.leaderEpoch,
      metadata: c.metadata,
      commitTimestamp: c.commitTimestampMs,
      expireTimestamp: c.expireTimestampMs,
    });
  }

  // ---- TxnOffsetCommit (KIP-98, KIP-447) ----

  /**
   * TxnOffsetCommit: offsets committed inside the producer's transaction. Written now, in a transactional batch
   * of that producer (so a restart replays them as pending), visible to OffsetFetch only once the transaction
   * coordinator writes the COMMIT marker (completeTxnOffsets); an ABORT drops them. With v3+ member fields the
   * member and generation are checked as for OffsetCommit (KIP-447 fencing of zombie consumers).
   */
  commitTxnOffsets(p: CommitOffsetsParams & { producerId: number; producerEpoch: number }): PartitionError[] {
    const all = (error: KafkaErrorName): PartitionError[] => p.offsets.map((o) => ({ topic: o.topic, partition: o.partition, error }));
    const statusError = this.validateGroupStatus(p.groupId, true);
    if (statusError !== null) return all(statusError);
    if (p.offsets.length === 0) return [];
    let group = this.groups.get(p.groupId);
    if (group !== undefined && (p.generationId >= 0 || p.memberId !== '' || p.groupInstanceId !== null)) {
      const invalid = this.validateOffsetCommit(group, p);
      if (invalid !== null) return all(invalid);
    } else if (group === undefined) {
      if (p.generationId >= 0) return all('ILLEGAL_GENERATION');
      group = new GroupMetadata(p.groupId, 'Empty', this.now());
      this.groups.set(p.groupId, group);
    }
    if (group.is('Dead')) return all('COORDINATOR_NOT_AVAILABLE');
    const nowMs = this.now();
    const maxLength = this.config.offsetMetadataMaxBytes;
    const accepted: { topic: string; partition: number; committed: CommittedOffset }[] = [];
    const records: OffsetsTopicRecord[] = [];
    for (const o of p.offsets) {
      const metadata = o.metadata ?? '';
      if (metadata.length > maxLength) continue;
      const committed: CommittedOffset = { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata, commitTimestampMs: nowMs, expireTimestampMs: null };
      accepted.push({ topic: o.topic, partition: o.partition, committed });
      records.push({ key: encodeOffsetCommitKey(group.groupId, o.topic, o.partition), value: this.offsetValue(committed) });
    }
    let error: KafkaErrorName = 'NONE';
    if (records.length > 0) {
      try {
        this.store.append(records, { producerId: p.producerId, producerEpoch: p.producerEpoch });
      } catch (err) {
        this.log.error('offsets log append failed', { kind: 'txn-commit', error: String(err) });
        error = err instanceof StorageError && (err.code === 'INVALID_PRODUCER_EPOCH' || err.code === 'PRODUCER_FENCED') ? 'PRODUCER_FENCED' : 'NOT_COORDINATOR';
      }
      if (error === 'NONE') {
        let pending = this.pendingTxnOffsets.get(p.producerId);
        if (pending === undefined) this.pendingTxnOffsets.set(p.producerId, (pending = new Map()));
        this.pendingTxnEpochs.set(p.producerId, p.producerEpoch);
        const order = ++this.commitOrder;
        for (const a of accepted) pendingSet(pending, group.groupId, a.topic, a.partition, { ...a.committed, order });
      }
    }
    return p.offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      error: (o.metadata ?? '').length > maxLength ? 'OFFSET_METADATA_TOO_LARGE' : error,
    }));
  }

  /**
   * The producer's transaction ended (its marker is in the offsets log): a commit makes its offsets the groups'
   * committed offsets, an abort forgets them.
   */
  completeTxnOffsets(producerId: number, commit: boolean): void {
    const pending = this.pendingTxnOffsets.get(producerId);
    this.pendingTxnOffsets.delete(producerId);
    this.pendingTxnEpochs.delete(producerId);
    if (pending === undefined || !commit) return;
    this.forEachWinning(pending, (groupId, topic, partition, committed) => {
      let group = this.groups.get(groupId);
      if (group === undefined) this.groups.set(groupId, (group = new GroupMetadata(groupId, 'Empty', this.now())));
      group.setOffset(topic, partition, committed);
    });
    this.maybeRewriteLog();
  }

  /** A plain commit of the same partition was appended after this transactional one: it wins. */
  private overridden(group: string, topic: string, partition: number, p: PendingOffset): boolean {
    return (this.plainCommitOrder.get(commitKey(group, topic, partition)) ?? -1) > p.order;
  }

  /** The committed transaction's offsets that no later plain commit of the same partition overrides. */
  private forEachWinning(pending: PendingOffsets, apply: (group: string, topic: string, partition: number, committed: CommittedOffset) => void): void {
    forEachPending(pending, (group, topic, partition, p) => {
      if (this.overridden(group, topic, partition, p)) return;
      const { order: _order, ...committed } = p;
      apply(group, topic, partition, committed);
    });
  }

  /** The records of open transactions' offset commits, per producer, for a rewrite to carry over. */
  private pendingTxnRecords(): Array<{ txn: TxnProducer; records: OffsetsTopicRecord[] }> {
    return [...this.pendingTxnOffsets].map(([producerId, pending]) => {
      const records: OffsetsTopicRecord[] = [];
      forEachPending(pending, (groupId, topic, partition, committed) => records.push({ key: encodeOffsetCommitKey(groupId, topic, partition), value: this.offsetValue(committed) }));
      return { txn: { producerId, producerEpoch: this.pendingTxnEpochs.get(producerId) ?? 0 }, records };
    });
  }

  private hasPendingTxnOffset(groupId: string, topic: string, partition: number): boolean {
    for (const pending of this.pendingTxnOffsets.values()) if (pending.get(groupId)?.get(topic)?.has(partition)) return true;
    return false;
  }

  // ---- OffsetFetch ----

  /**
   * OffsetFetch: the committed offsets of these partitions (all the group has when `partitions` is null), -1 for
   * none, whatever the group's state. `requireStable` (v7, KIP-447) answers UNSTABLE_OFFSET_COMMIT (retriable) for
   * partitions with a transactional commit whose transaction is still open.
   */
  fetchOffsets(groupId: string, partitions: readonly TopicPartition[] | null, requireStable = false): FetchOffsetsResult {
    const statusError = this.validateGroupStatus(groupId, true);
    if (statusError !== null) return { error: statusError, offsets: [] };
    const group = this.groups.get(groupId);
    const wanted: TopicPartition[] = [];
    if (partitions !== null) {
      wanted.push(...partitions);
    } else if (group !== undefined) {
      for (const [topic, byPartition] of group.offsets) for (const partition of byPartition.keys()) wanted.push({ topic, partition });
    }
    return {
      error: 'NONE',
      offsets: wanted.map(({ topic, partition }) => {
        if (requireStable && this.hasPendingTxnOffset(groupId, topic, partition)) {
          return { topic, partition, offset: -1n, leaderEpoch: -1, metadata: '', error: 'UNSTABLE_OFFSET_COMMIT' };
        }
        const committed = group?.offset(topic, partition);
        if (committed === undefined) return { topic, partition, offset: -1n, leaderEpoch: -1, metadata: '', error: 'NONE' };
        return { topic, partition, offset: committed.offset, leaderEpoch: committed.leaderEpoch, metadata: committed.metadata, error: 'NONE' };
      }),
    };
  }

  // ---- DescribeGroups / ListGroups ----

  /** DescribeGroups for one group: an unknown group is reported Dead, without error, as Kafka does. */
  describeGroup(groupId: string): GroupDescription {
    const statusError = this.validateGroupStatus(groupId, true);
    if (statusError !== null) return { error: statusError, groupId, state: '', protocolType: '', protocolData: '', members: [] };
    const group = this.groups.get(groupId);
    if (group === undefined) return { error: 'NONE', groupId, state: 'Dead', protocolType: '', protocolData: '', members: [] };
    const stable = group.is('Stable');
    const protocol = group.protocolName ?? '';
    return {
      error: 'NONE',
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? protocol : '',
      members: group.allMembers().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadata(protocol) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /** ListGroups; `statesFilter` (v4, matched without regard to case) keeps groups in those states, empty keeps all. */
  listGroups(statesFilter: readonly string[] = []): ListGroupsResult {
    if (this.status === 'closed') return { error: 'COORDINATOR_NOT_AVAILABLE', groups: [] };
    if (this.status === 'loading') return { error: 'COORDINATOR_LOAD_IN_PROGRESS', groups: [] };
    const states = new Set(statesFilter.map((s) => STATE_NAMES.get(s.toLowerCase()) ?? s));
    const groups = [...this.groups.values()]
      .filter((g) => states.size === 0 || states.has(g.state))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
    return { error: 'NONE', groups };
  }

  // ---- DeleteGroups / OffsetDelete ----

  /** DeleteGroups: only groups without members (Empty) go, with their offsets; tombstones are written. */
  deleteGroups(groupIds: readonly string[]): DeleteGroupResult[] {
    return groupIds.map((groupId) => {
      const statusError = this.validateGroupStatus(groupId, true);
      if (statusError !== null) return { groupId, error: statusError };
      const group = this.groups.get(groupId);
      if (group === undefined || group.is('Dead')) return { groupId, error: 'GROUP_ID_NOT_FOUND' };
      if (!group.is('Empty')) return { groupId, error: 'NON_EMPTY_GROUP' };
      group.transitionTo('Dead', this.now());
      const removed = this.cleanupGroup(group, (g) => g.removeAllOffsets());
      this.log.info('group deleted', { groupId, offsets: removed });
      return { groupId, error: 'NONE' };
    });
  }

  /**
   * OffsetDelete: an Empty group loses the offsets; a consumer group with members loses those of topics none of
   * its members subscribes to (GROUP_SUBSCRIBED_TO_TOPIC for the others); other groups with members refuse
   * (NON_EMPTY_GROUP). A group left Empty without offsets is deleted.
   */
  deleteOffsets(groupId: string, partitions: readonly TopicPartition[]): DeleteOffsetsResult {
    const statusError = this.validateGroupStatus(groupId, false);
    if (statusError !== null) return { error: statusError, partitions: [] };
    const group = this.groups.get(groupId);
    if (group === undefined || group.is('Dead')) return { error: 'GROUP_ID_NOT_FOUND', partitions: [] };
    let eligible: TopicPartition[];
    const results: PartitionError[] = [];
    if (group.is('Empty')) {
      eligible = [...partitions];
    } else if (group.protocolType === 'consumer') {
      eligible = [];
      for (const tp of partitions) {
        if (group.isSubscribedToTopic(tp.topic)) results.push({ ...tp, error: 'GROUP_SUBSCRIBED_TO_TOPIC' });
        else eligible.push(tp);
      }
    } else {
      return { error: 'NON_EMPTY_GROUP', partitions: [] };
    }
    if (eligible.length > 0) {
      this.cleanupGroup(group, (g) => g.removeOffsets(eligible));
      for (const tp of eligible) results.push({ topic: tp.topic, partition: tp.partition, error: 'NONE' });
    }
    const order = new Map(partitions.map((tp, i) => [`${tp.partition}\0${tp.topic}`, i]));
    results.sort((a, b) => (order.get(`${a.partition}\0${a.topic}`) ?? 0) - (order.get(`${b.partition}\0${b.topic}`) ?? 0));
    return { error: 'NONE', partitions: results };
  }

  /**
   * Removes offsets past retention from every group (run every offsets.retention.check.interval.ms, and by
   * tests) and deletes groups left Empty without offsets. Returns the number of offsets removed.
   */
  expireOffsets(): number {
    if (this.status !== 'active') return 0;
    const nowMs = this.now();
    let removed = 0;
    for (const group of [...this.groups.values()]) {
      removed += this.cleanupGroup(group, (g) => g.removeExpiredOffsets(nowMs, this.config.offsetsRetentionMs));
    }
    if (removed > 0) this.log.info('expired offsets removed', { offsets: removed });
    return removed;
  }

  /**
   * Removes the offsets `select` picks, marks an Empty group without offsets Dead, and writes the tombstones (for
   * the offsets and, for a Dead group, its metadata). Returns how many offsets went.
   */
  private cleanupGroup(group: GroupMetadata, select: (g: GroupMetadata) => TopicPartition[]): number {
    const removed = select(group);
    if (group.is('Empty') && !group.hasOffsets()) group.transitionTo('Dead', this.now());
    const dead = group.is('Dead');
    const records: OffsetsTopicRecord[] = removed.map((tp) => ({ key: encodeOffsetCommitKey(group.groupId, tp.topic, tp.partition), value: null }));
    // A group that never stored metadata and has no offsets left needs no tombstone.
    if (dead && (group.storedValue !== null || removed.length > 0)) records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
    if (dead) {
      this.clearGroupTimers(group);
      group.storedValue = null;
      if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
    }
    const error = this.append(records, 'tombstones');
    if (error !== 'NONE') this.log.error('failed to write tombstones', { groupId: group.groupId, error });
    else this.maybeRewriteLog();
    return removed.length;
  }

  /** Forgets a group nothing refers to (created by a failed first JoinGroup or commit), as if it never existed. */
  private maybeDropUnusedGroup(group: GroupMetadata): void {
    if (group.is('Empty') && group.generationId === 0 && group.size === 0 && group.numPending === 0 && !group.hasOffsets() && group.storedValue === null) {
      this.clearGroupTimers(group);
      if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
    }
  }

  // ---- persistence ----

  /** Stores the group's metadata with these assignments (Kafka's storeGroup); returns the error for the caller. */
  private storeGroup(group: GroupMetadata, assignments: ReadonlyMap<string, Buffer>): KafkaErrorName {
    const protocol = group.protocolName;
    const value = encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.stateTimestampMs ?? -1,
      members: group.allMembers().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY : m.metadata(protocol),
        assignment: assignments.get(m.memberId) ?? EMPTY,
      })),
    });
    const error = this.append([{ key: encodeGroupMetadataKey(group.groupId), value }], 'group');
    if (error === 'NONE') {
      group.storedValue = value;
      this.maybeRewriteLog();
    }
    return error;
  }

  /** Appends, mapping storage failures to what Kafka answers for them (per kind of write). */
  private append(records: OffsetsTopicRecord[], kind: 'commit' | 'group' | 'tombstones'): KafkaErrorName {
    if (records.length === 0) return 'NONE';
    try {
      this.store.append(records);
    } catch (error) {
      this.log.error('offsets log append failed', { kind, error: String(error) });
      if (!(error instanceof StorageError)) return 'UNKNOWN_SERVER_ERROR';
      if (error.code === 'MESSAGE_TOO_LARGE' || error.code === 'CORRUPT_MESSAGE' || error.code === 'INVALID_RECORD') {
        return kind === 'commit' ? 'INVALID_COMMIT_OFFSET_SIZE' : 'UNKNOWN_SERVER_ERROR';
      }
      // KAFKA_STORAGE_ERROR becomes NOT_COORDINATOR: the client looks the coordinator up again and retries.
      return 'NOT_COORDINATOR';
    }
    return 'NONE';
  }

  /**
   * Rewrites the offsets log once it holds more garbage than live records. Called only after the memory state
   * took in what was appended: the rewrite's snapshot is taken from memory, and the segments before it go.
   */
  private maybeRewriteLog(): void {
    if (this.store.recordsSinceRewrite < this.rewriteThreshold) return;
    let live = 0;
    for (const group of this.groups.values()) live += group.offsetCount + (group.storedValue === null ? 0 : 1);
    if (this.store.recordsSinceRewrite < live) {
      this.rewriteThreshold = live;
      return;
    }
    try {
      // Pending commits a later plain commit overrides could never apply: not carried over. The rest are written
      // after every plain commit, as their order says; the plain orders are then all "before".
      for (const pending of this.pendingTxnOffsets.values()) {
        forEachPending(pending, (group, topic, partition, p, byPartition) => {
          if (this.overridden(group, topic, partition, p)) byPartition.delete(partition);
        });
      }
      this.store.rewrite(this.liveRecords(), this.pendingTxnRecords());
      this.plainCommitOrder.clear();
      this.log.info('offsets log rewritten', { records: live });
    } catch (error) {
      this.log.error('offsets log rewrite failed', { error: String(error) });
    }
    this.rewriteThreshold = Math.max(this.config.offsetsLogRewriteRecordsMin, live);
  }

  private *liveRecords(): Generator<OffsetsTopicRecord> {
    for (const group of this.groups.values()) {
      if (group.storedValue !== null) yield { key: encodeGroupMetadataKey(group.groupId), value: group.storedValue };
      for (const [topic, byPartition] of group.offsets) {
        for (const [partition, committed] of byPartition) {
          yield { key: encodeOffsetCommitKey(group.groupId, topic, partition), value: this.offsetValue(committed) };
        }
      }
    }
  }

  // ---- helpers ----

  /**
   * Kafka's validateGroupStatus: OffsetCommit, OffsetFetch, DescribeGroups and DeleteGroups accept the empty group
   * id (offsets of old clients), the other APIs need a non-empty one.
   */
  private validateGroupStatus(groupId: string, allowEmptyId: boolean): KafkaErrorName | null {
    if (!allowEmptyId && groupId === '') return 'INVALID_GROUP_ID';
    if (this.status === 'closed') return 'COORDINATOR_NOT_AVAILABLE';
    if (this.status === 'loading') return 'COORDINATOR_LOAD_IN_PROGRESS';
    return null;
  }

  private clearJoinTimer(group: GroupMetadata): void {
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.joinTimer = null;
    group.joinIsInitialDelay = false;
  }

  private clearSyncTimer(group: GroupMetadata): void {
    if (group.syncTimer !== null) clearTimeout(group.syncTimer);
    group.syncTimer = null;
  }

  private clearGroupTimers(group: GroupMetadata): void {
    this.clearJoinTimer(group);
    this.clearSyncTimer(group);
    group.clearPendingMembers();
  }
}

function protocolNames(protocols: readonly GroupProtocol[]): string[] {
  return protocols.map((p) => p.name);
}
