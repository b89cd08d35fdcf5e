/**
 * One member of a classic group (Kafka's MemberMetadata): its identity, timeouts, the protocols it supports in
 * its order of preference, its assignment, and the JoinGroup / SyncGroup responses it is waiting for.
 *
 * A member "awaits join" while its JoinGroup response is held back for the join phase to end, and "awaits sync"
 * while its SyncGroup response waits for the leader's assignment. Owned by its GroupMetadata, which keeps the
 * count of members awaiting join in step with `joinCallback`: only the group sets or clears the callbacks.
 */
import assert from 'node:assert';
import type { GroupProtocol, JoinGroupResult, SyncGroupResult } from './group-api';

const EMPTY = Buffer.alloc(0);

export interface MemberMetadataInit {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: readonly GroupProtocol[];
}

export class MemberMetadata {
  /** Changes only when a static member rejoins and gets a new id (GroupMetadata.replaceStaticMember). */
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  readonly protocolType: string;
  protocols: readonly GroupProtocol[];
  assignment: Buffer = EMPTY;
  /** Joined during the current rebalance and not yet through a completed join phase. */
  isNew = false;
  joinCallback: ((result: JoinGroupResult) => void) | null = null;
  syncCallback: ((result: SyncGroupResult) => void) | null = null;
  /** The session timeout timer (set by the coordinator). */
  heartbeatTimer: NodeJS.Timeout | null = null;
  heartbeatTimeoutMs = 0;

  constructor(init: MemberMetadataInit) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.joinCallback !== null;
  }

  get isAwaitingSync(): boolean {
    return this.syncCallback !== null;
  }

  /** The distinct protocol names, in order of preference. */
  protocolNames(): string[] {
    return [...new Set(this.protocols.map((p) => p.name))];
  }

  /** The member's metadata for `protocol`, which it must support. */
  metadata(protocol: string): Buffer {
    const found = this.protocols.find((p) => p.name === protocol);
    assert(found !== undefined, `member ${this.memberId} does not support protocol ${protocol}`);
    return found.metadata;
  }

  /** Same protocols, same order, same metadata bytes: a rejoin that changes nothing. */
  matches(protocols: readonly GroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    for (let i = 0; i < protocols.length; i++) {
      if (protocols[i].name !== this.protocols[i].name || !protocols[i].metadata.equals(this.protocols[i].metadata)) return false;
    }
    return true;
  }

  /** The member's vote: its most preferred protocol among `candidates` (which all members support). */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name));
    assert(choice !== undefined, `member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }

  /**
   * Whether the member may miss its session deadline without being removed (Kafka's hasSatisfiedHeartbeat when the
   * deadline passes): a member waiting in a rebalance is covered by the rebalance's own timeouts, except a new one,
   * which must complete its first join in time.
   */
  heartbeatExcused(): boolean {
    if (this.isNew) return false;
    return this.isAwaitingJoin || this.isAwaitingSync;
  }
}
