/**
 * One classic group's state (Kafka's GroupMetadata): state machine, generation, protocol type and chosen protocol,
 * leader, members (dynamic and static), members that were handed an id but have not joined yet ("pending"),
 * members that have not sent SyncGroup for the current generation, and the group's committed offsets.
 *
 * Invariants:
 *  - the leader is a member whenever there are members, and null when there are none;
 *  - `awaitingJoinCount` is the number of members with a join callback; `supportedProtocols` counts, per protocol
 *    name, the members that support it;
 *  - every static member's instance id maps to its current member id;
 *  - a member that is removed has had its pending JoinGroup / SyncGroup answered (never left hanging).
 * Timers live here but are set and cleared by the GroupCoordinator, the only caller. JS thread only.
 */
import assert from 'node:assert';
import type { CommittedOffset } from './committed-offset';
import { CONSUMER_PROTOCOL_TYPE, subscriptionTopics } from './consumer-protocol';
import type { GroupProtocol, JoinGroupMember, JoinGroupResult, SyncGroupResult, TopicPartition } from './group-api';
import { GroupState, isValidGroupStateTransition } from './group-state';
import type { MemberMetadata } from './member-metadata';

const EMPTY = Buffer.alloc(0);

/** The answer to a JoinGroup that failed, or that must start over (Kafka's JoinGroupResult(memberId, error)). */
export function joinError(memberId: string, error: JoinGroupResult['error']): JoinGroupResult {
  return { error, memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', members: [] };
}

export function syncError(error: SyncGroupResult['error']): SyncGroupResult {
  return { error, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class GroupMetadata {
  readonly groupId: string;
  private _state: GroupState;
  /** When the group entered its state (GroupMetadataValue's currentStateTimestamp); null if unknown (old records). */
  stateTimestampMs: number | null;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** A new member joined during the initial delayed join: the delay may be extended once more. */
  newMemberAdded = false;
  /** The topics the members subscribe to (consumer protocol only); null when not known. */
  subscribedTopics: ReadonlySet<string> | null = null;
  /** topic -> partition -> committed offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** The last GroupMetadataValue written for this group (re-written when the offsets log is compacted). */
  storedValue: Buffer | null = null;

  /** The join phase's deadline; `joinIsInitialDelay` while it is the initial delay, which only its timer ends. */
  joinTimer: NodeJS.Timeout | null = null;
  joinIsInitialDelay = false;
  /** The deadline for members to send SyncGroup after the join phase. */
  syncTimer: NodeJS.Timeout | null = null;

  private readonly members = new Map<string, MemberMetadata>();
  private readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, with their expiry timers. */
  private readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  private readonly pendingSyncMembers = new Set<string>();
  private readonly supportedProtocols = new Map<string, number>();
  private awaitingJoinCount = 0;

  constructor(groupId: string, state: GroupState, nowMs: number | null) {
    this.groupId = groupId;
    this._state = state;
    this.stateTimestampMs = nowMs;
  }

  get state(): GroupState {
    return this._state;
  }

  is(state: GroupState): boolean {
    return this._state === state;
  }

  transitionTo(state: GroupState, nowMs: number): void {
    assert(isValidGroupStateTransition(this._state, state), `group ${this.groupId}: ${this._state} -> ${state}`);
    this._state = state;
    this.stateTimestampMs = nowMs;
  }

  /** Stable, CompletingRebalance and Empty groups may start a rebalance; a rebalancing one already is. */
  canRebalance(): boolean {
    return this._state === 'Stable' || this._state === 'CompletingRebalance' || this._state === 'Empty';
  }

  // ---- members ----

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const member = this.members.get(memberId);
    assert(member !== undefined, `group ${this.groupId} has no member ${memberId}`);
    return member;
  }

  find(memberId: string): MemberMetadata | undefined {
    return this.members.get(memberId);
  }

  allMembers(): MemberMetadata[] {
    return [...this.members.values()];
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  get numAwaitingJoin(): number {
    return this.awaitingJoinCount;
  }

  /** Adds a member; the first one fixes the protocol type and leads. `callback`: its JoinGroup waits. */
  add(member: MemberMetadata, callback: ((result: JoinGroupResult) => void) | null): void {
    assert(!this.members.has(member.memberId), `member ${member.memberId} added twice`);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    assert.equal(member.protocolType, this.protocolType, 'protocol type of a new member');
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.countProtocols(member, 1);
    member.joinCallback = callback;
    if (callback !== null) this.awaitingJoinCount++;
    this.pendingMembers.delete(member.memberId);
  }

  /**
   * Removes a member (or a pending member id). A JoinGroup or SyncGroup it still waits on is answered with
   * UNKNOWN_MEMBER_ID, so it rejoins if it is still alive. The caller clears the member's heartbeat timer.
   */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member !== undefined) {
      this.invokeJoinCallback(member, joinError('', 'UNKNOWN_MEMBER_ID'));
      this.invokeSyncCallback(member, syncError('UNKNOWN_MEMBER_ID'));
      this.members.delete(memberId);
      this.countProtocols(member, -1);
      if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
        this.staticMembers.delete(member.groupInstanceId);
      }
    }
    if (this.leaderId === memberId) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.removePendingMember(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** Replaces a member's protocols and timeouts; `callback` non-null makes it await join (null stops that). */
  updateMember(
    member: MemberMetadata,
    protocols: readonly GroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    callback: ((result: JoinGroupResult) => void) | null,
  ): void {
    this.countProtocols(member, -1);
    member.protocols = protocols;
    this.countProtocols(member, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (member.joinCallback !== null && callback !== null) {
      // The same member joined again (from another connection, its first request given up): answer the old one.
      member.joinCallback(joinError(member.memberId, 'REBALANCE_IN_PROGRESS'));
    }
    if (callback !== null && member.joinCallback === null) this.awaitingJoinCount++;
    else if (callback === null && member.joinCallback !== null) this.awaitingJoinCount--;
    member.joinCallback = callback;
  }

  /** Answers the member's waiting JoinGroup, if any. */
  invokeJoinCallback(member: MemberMetadata, result: JoinGroupResult): boolean {
    const callback = member.joinCallback;
    if (callback === null) return false;
    member.joinCallback = null;
    this.awaitingJoinCount--;
    callback(result);
    return true;
  }

  /** Answers the member's waiting SyncGroup, if any. */
  invokeSyncCallback(member: MemberMetadata, result: SyncGroupResult): boolean {
    const callback = member.syncCallback;
    if (callback === null) return false;
    member.syncCallback = null;
    callback(result);
    return true;
  }

  setSyncCallback(member: MemberMetadata, callback: (result: SyncGroupResult) => void): void {
    if (member.syncCallback !== null) member.syncCallback(syncError('REBALANCE_IN_PROGRESS'));
    member.syncCallback = callback;
  }

  private countProtocols(member: MemberMetadata, delta: 1 | -1): void {
    for (const name of member.protocolNames()) {
      const count = (this.supportedProtocols.get(name) ?? 0) + delta;
      if (count === 0) this.supportedProtocols.delete(name);
      else this.supportedProtocols.set(name, count);
    }
  }

  // ---- static members ----

  hasStaticMember(groupInstanceId: string): boolean {
    return this.staticMembers.has(groupInstanceId);
  }

  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  /** The request names an instance id that belongs to another member id now: the sender is a stale duplicate. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /**
   * Gives a static member a new member id (it restarted and joined without one). Whoever still waits on the old
   * id's JoinGroup or SyncGroup is fenced.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): MemberMetadata {
    const member = this.get(oldMemberId);
    this.invokeJoinCallback(member, joinError(oldMemberId, 'FENCED_INSTANCE_ID'));
    this.invokeSyncCallback(member, syncError('FENCED_INSTANCE_ID'));
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return member;
  }

  // ---- pending members (MEMBER_ID_REQUIRED handed out, JoinGroup with the id not yet received) ----

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  get numPending(): number {
    return this.pendingMembers.size;
  }

  addPendingMember(memberId: string, expiry: NodeJS.Timeout): void {
    this.pendingMembers.set(memberId, expiry);
  }

  removePendingMember(memberId: string): void {
    const timer = this.pendingMembers.get(memberId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pendingMembers.delete(memberId);
  }

  clearPendingMembers(): void {
    for (const timer of this.pendingMembers.values()) clearTimeout(timer);
    this.pendingMembers.clear();
  }

  // ---- join phase ----

  /** Every member rejoined and no handed-out member id is still expected. */
  hasAllMembersJoined(): boolean {
    return this.members.size === this.awaitingJoinCount && this.pendingMembers.size === 0;
  }

  notYetRejoinedMembers(): MemberMetadata[] {
    return this.allMembers().filter((m) => !m.isAwaitingJoin);
  }

  /** The longest rebalance timeout among the members: how long the join phase may last. */
  get rebalanceTimeoutMs(): number {
    let timeout = 0;
    for (const m of this.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs);
    return timeout;
  }

  /** Keeps the leader if it rejoined, else makes the first member that rejoined lead. False if none rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.get(this.leaderId).isAwaitingJoin) return true;
    for (const member of this.members.values()) {
      if (member.isAwaitingJoin) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * May a member join with these protocols? The first member needs a protocol type and at least one protocol;
   * later ones the group's protocol type and at least one protocol every current member supports.
   */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocolNames.length > 0;
    return protocolType === this.protocolType && protocolNames.some((name) => this.supportedProtocols.get(name) === this.members.size);
  }

  /**
   * The protocol for the next generation: among those every member supports, each member votes for its most
   * preferred one and the most votes win; a tie goes to the protocol voted for first (the leader's vote first).
   */
  selectProtocol(): string {
    assert(this.members.size > 0, `cannot select a protocol for the empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.supportedProtocols) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    const ordered = this.leaderId === null ? this.allMembers() : [this.get(this.leaderId), ...this.allMembers().filter((m) => m.memberId !== this.leaderId)];
    for (const member of ordered) {
      const choice = member.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = 0;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }

  /** Ends the join phase: next generation, chosen protocol, CompletingRebalance (or Empty without members). */
  initNextGeneration(nowMs: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', nowMs);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', nowMs);
    }
    this.pendingSyncMembers.clear();
  }

  /** Every member's metadata for the chosen protocol: what the leader assigns from. */
  currentMemberMetadata(): JoinGroupMember[] {
    const protocol = this.protocolName;
    assert(protocol !== null, `group ${this.groupId} has no protocol`);
    return this.allMembers().map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(protocol) }));
  }

  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const member of this.members.values()) {
      const subscribed = subscriptionTopics(member.metadata(this.protocolName));
      if (subscribed === null) return null;
      for (const topic of subscribed) topics.add(topic);
    }
    return topics;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics !== null && this.subscribedTopics.has(topic);
  }

  // ---- sync phase ----

  addPendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.add(memberId);
  }

  removePendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.delete(memberId);
  }

  hasReceivedSyncFromAllMembers(): boolean {
    return this.pendingSyncMembers.size === 0;
  }

  allPendingSyncMembers(): string[] {
    return [...this.pendingSyncMembers];
  }

  // ---- offsets ----

  get offsetCount(): number {
    let count = 0;
    for (const partitions of this.offsets.values()) count += partitions.size;
    return count;
  }

  hasOffsets(): boolean {
    return this.offsets.size > 0;
  }

  offset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  setOffset(topic: string, partition: number, committed: CommittedOffset): void {
    let partitions = this.offsets.get(topic);
    if (partitions === undefined) this.offsets.set(topic, (partitions = new Map()));
    partitions.set(partition, committed);
  }

  /** Removes the offsets of these partitions; returns those that existed. */
  removeOffsets(partitions: readonly TopicPartition[]): TopicPartition[] {
    const removed: TopicPartition[] = [];
    for (const { topic, partition } of partitions) {
      const byPartition = this.offsets.get(topic);
      if (byPartition?.delete(partition)) {
        removed.push({ topic, partition });
        if (byPartition.size === 0) this.offsets.delete(topic);
      }
    }
    return removed;
  }

  removeAllOffsets(): TopicPartition[] {
    const removed: TopicPartition[] = [];
    for (const [topic, partitions] of this.offsets) for (const partition of partitions.keys()) removed.push({ topic, partition });
    this.offsets.clear();
    return removed;
  }

  /**
   * The offsets past retention (Kafka's removeExpiredOffsets), removed: in an Empty group with a protocol type,
   * those older than retention counted from when the group became Empty; in a Stable consumer group that knows
   * its subscription, those of topics nobody subscribes to, counted from their commit; in a group without a
   * protocol type (commits only), each from its commit. An offset committed with an explicit retention expires at
   * its own expiry time instead.
   */
  removeExpiredOffsets(nowMs: number, retentionMs: number): TopicPartition[] {
    let base: ((c: CommittedOffset) => number) | null = null;
    let keepTopics: ReadonlySet<string> = new Set();
    if (this.protocolType !== null && this.is('Empty')) {
      const since = this.stateTimestampMs;
      base = (c) => since ?? c.commitTimestampMs;
    } else if (this.protocolType === CONSUMER_PROTOCOL_TYPE && this.subscribedTopics !== null && this.is('Stable')) {
      base = (c) => c.commitTimestampMs;
      keepTopics = this.subscribedTopics;
    } else if (this.protocolType === null) {
      base = (c) => c.commitTimestampMs;
    }
    if (base === null) return [];
    const expired: TopicPartition[] = [];
    for (const [topic, partitions] of this.offsets) {
      if (keepTopics.has(topic)) continue;
      for (const [partition, committed] of partitions) {
        const due =
          committed.expireTimestampMs !== null ? nowMs >= committed.expireTimestampMs : nowMs - base(committed) >= retentionMs;
        if (due) expired.push({ topic, partition });
      }
    }
    return this.removeOffsets(expired);
  }
}
