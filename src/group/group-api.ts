/**
 * What the GroupCoordinator takes and answers, in the coordinator's terms (not the wire's): handlers translate
 * requests into these and results into response bodies of the version asked. Errors are Kafka error names
 * ('NONE', 'ILLEGAL_GENERATION', ...), turned into wire codes by the handlers.
 */
import type { KafkaErrorName } from '../protocol/error-codes';
import type { GroupState } from './group-state';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupParams {
  groupId: string;
  /** '' for a member joining for the first time. */
  memberId: string;
  /** group.instance.id of a static member (JoinGroup v5+), else null. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** JoinGroup v0 has none: pass the session timeout, as Kafka does. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  /** In the member's order of preference. */
  protocols: readonly GroupProtocol[];
  /** JoinGroup v4+: a dynamic member without a member id first gets MEMBER_ID_REQUIRED and a generated id. */
  requireKnownMemberId: boolean;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  error: KafkaErrorName;
  /** The member's id: generated for a new member, '' when it must forget its id. */
  memberId: string;
  /** -1 with an error. */
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  /** '' when there is none. */
  leaderId: string;
  /** Every member's metadata for the chosen protocol; only the leader gets them. */
  members: JoinGroupMember[];
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface SyncGroupParams extends MemberIdentity {
  groupId: string;
  generationId: number;
  /** SyncGroup v5+; null when not sent. */
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignment; empty from followers. */
  assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  error: KafkaErrorName;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatParams extends MemberIdentity {
  groupId: string;
  generationId: number;
}

export interface LeaveGroupResult {
  /** A group-level error; member errors are in `members`. */
  error: KafkaErrorName;
  members: (MemberIdentity & { error: KafkaErrorName })[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface PartitionError extends TopicPartition {
  error: KafkaErrorName;
}

export interface OffsetCommitEntry extends TopicPartition {
  offset: bigint;
  /** -1 when none. */
  leaderEpoch: number;
  /** null: no metadata (stored as ''). */
  metadata: string | null;
  /** OffsetCommit v1's explicit commit timestamp; -1: the time of the commit. */
  commitTimestampMs: number;
}

export interface CommitOffsetsParams extends MemberIdentity {
  groupId: string;
  /** -1 (with memberId '' and no instance id): a commit outside group management ("simple" consumer). */
  generationId: number;
  /** OffsetCommit v2-4's retention_time_ms; -1: the broker's offsets.retention.minutes. */
  retentionTimeMs: number;
  offsets: readonly OffsetCommitEntry[];
}

export interface FetchedOffset extends TopicPartition {
  /** -1 when the group has no offset for the partition. */
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  error: KafkaErrorName;
}

export interface FetchOffsetsResult {
  error: KafkaErrorName;
  offsets: FetchedOffset[];
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Only for a Stable group: the member's metadata for the chosen protocol, and its assignment. */
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  error: KafkaErrorName;
  groupId: string;
  /** Dead for a group that does not exist; '' with an error. */
  state: GroupState | '';
  protocolType: string;
  /** The chosen protocol, for a Stable group only ('' otherwise). */
  protocolData: string;
  members: GroupMemberDescription[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface ListGroupsResult {
  error: KafkaErrorName;
  groups: GroupListing[];
}

export interface DeleteGroupResult {
  groupId: string;
  error: KafkaErrorName;
}

export interface DeleteOffsetsResult {
  error: KafkaErrorName;
  partitions: PartitionError[];
}
