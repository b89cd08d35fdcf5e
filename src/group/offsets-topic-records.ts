/**
 * The records of `__consumer_offsets`, in Kafka's own formats (group-coordinator's
 * src/main/resources/common/message/{OffsetCommit,GroupMetadata}{Key,Value}.json), so Kafka's tools and habits
 * (kafka-console-consumer with the offsets formatter, kcat dumps) read them as they read Kafka's.
 *
 * A record's key and value each start with an INT16 version, then the struct of that version:
 *  - key version 0 or 1: OffsetCommitKey  (group, topic, partition)        → value OffsetCommitValue v0-4
 *  - key version 2:      GroupMetadataKey (group)                          → value GroupMetadataValue v0-4
 *  - a null value is a tombstone: the offset, or the group, is gone.
 * Strata writes OffsetCommitKey v1 with OffsetCommitValue v3 (v1 when the commit carried an explicit retention,
 * as Kafka does) and GroupMetadataKey v2 with GroupMetadataValue v3. Reading accepts every version Kafka wrote.
 */
import { decodeMessage, encodeMessage } from '../protocol/codec';
import { MessageSpec, MessageValue } from '../protocol/schema';

// OffsetCommitKey: group => STRING, topic => STRING, partition => INT32 (key versions 0 and 1 are the same)
export const OffsetCommitKeySpec = {
  name: 'OffsetCommitKey',
  type: 'data',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'group', type: 'string', versions: '0+' },
    { name: 'topic', type: 'string', versions: '0+' },
    { name: 'partition', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSpec;

// GroupMetadataKey (version 2): group => STRING
export const GroupMetadataKeySpec = {
  name: 'GroupMetadataKey',
  type: 'data',
  validVersions: '2',
  flexibleVersions: 'none',
  fields: [{ name: 'group', type: 'string', versions: '2' }],
} as const satisfies MessageSpec;

// OffsetCommitValue (version 3): offset => INT64, leader_epoch => INT32, metadata => STRING, commit_timestamp => INT64
// v1 instead carries expire_timestamp => INT64 after commit_timestamp and no leader epoch.
export const OffsetCommitValueSpec = {
  name: 'OffsetCommitValue',
  type: 'data',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'offset', type: 'int64', versions: '0+' },
    { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1 },
    { name: 'metadata', type: 'string', versions: '0+' },
    { name: 'commitTimestamp', type: 'int64', versions: '0+' },
    { name: 'expireTimestamp', type: 'int64', versions: '1', default: -1 },
  ],
} as const satisfies MessageSpec;

// GroupMetadataValue (version 3): protocol_type => STRING, generation => INT32, protocol => NULLABLE_STRING,
//   leader => NULLABLE_STRING, current_state_timestamp => INT64, [members]
//   members => member_id group_instance_id client_id client_host rebalance_timeout session_timeout subscription assignment
export const GroupMetadataValueSpec = {
  name: 'GroupMetadataValue',
  type: 'data',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'protocolType', type: 'string', versions: '0+' },
    { name: 'generation', type: 'int32', versions: '0+' },
    { name: 'protocol', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'leader', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'currentStateTimestamp', type: 'int64', versions: '2+', default: -1 },
    {
      name: 'members',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
        { name: 'clientId', type: 'string', versions: '0+' },
        { name: 'clientHost', type: 'string', versions: '0+' },
        // Absent in v0, where the session timeout served as both.
        { name: 'rebalanceTimeout', type: 'int32', versions: '1+', default: -1 },
        { name: 'sessionTimeout', type: 'int32', versions: '0+' },
        { name: 'subscription', type: 'bytes', versions: '0+' },
        { name: 'assignment', type: 'bytes', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
/** Written instead of v3 when the commit carried an explicit retention (OffsetCommit v2-4), as Kafka does. */
export const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
export const GROUP_METADATA_VALUE_VERSION = 3;

export type OffsetCommitValue = MessageValue<typeof OffsetCommitValueSpec>;
export type GroupMetadataValue = MessageValue<typeof GroupMetadataValueSpec>;

export interface GroupMetadataValueInput {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: readonly {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    rebalanceTimeout: number;
    sessionTimeout: number;
    subscription: Buffer;
    assignment: Buffer;
  }[];
}

export type OffsetsTopicKey =
  | { kind: 'offset'; group: string; topic: string; partition: number }
  | { kind: 'group'; group: string }
  | { kind: 'unknown'; version: number };

/** A coordinator record's key or value: its INT16 version, then the struct (shared with __transaction_state's). */
export function withVersion(version: number, parts: Buffer[]): Buffer {
  const prefix = Buffer.allocUnsafe(2);
  prefix.writeInt16BE(version, 0);
  return Buffer.concat([prefix, ...parts]);
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return withVersion(OFFSET_COMMIT_KEY_VERSION, encodeMessage(OffsetCommitKeySpec, OFFSET_COMMIT_KEY_VERSION, { group, topic, partition }));
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return withVersion(GROUP_METADATA_KEY_VERSION, encodeMessage(GroupMetadataKeySpec, GROUP_METADATA_KEY_VERSION, { group }));
}

export interface OffsetCommitValueInput {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** null: no per-offset expiry (value v3). */
  expireTimestamp: number | null;
}

export function encodeOffsetCommitValue(value: OffsetCommitValueInput): Buffer {
  const version = value.expireTimestamp === null ? OFFSET_COMMIT_VALUE_VERSION : OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY;
  return withVersion(
    version,
    encodeMessage(OffsetCommitValueSpec, version, {
      offset: value.offset,
      leaderEpoch: value.leaderEpoch,
      metadata: value.metadata,
      commitTimestamp: value.commitTimestamp,
      expireTimestamp: value.expireTimestamp ?? -1,
    }),
  );
}

export function encodeGroupMetadataValue(value: GroupMetadataValueInput): Buffer {
  return withVersion(GROUP_METADATA_VALUE_VERSION, encodeMessage(GroupMetadataValueSpec, GROUP_METADATA_VALUE_VERSION, value));
}

/**
 * Decoders throw KafkaProtocolError (CORRUPT_MESSAGE, or UNSUPPORTED_VERSION for a version Kafka never wrote) and
 * RangeError for a record too short to hold its version.
 */
export function decodeOffsetsTopicKey(key: Buffer): OffsetsTopicKey {
  const version = readVersion(key);
  if (version === 0 || version === 1) {
    const k = decodeMessage(OffsetCommitKeySpec, version, key, 2);
    return { kind: 'offset', group: k.group, topic: k.topic, partition: k.partition };
  }
  if (version === GROUP_METADATA_KEY_VERSION) {
    return { kind: 'group', group: decodeMessage(GroupMetadataKeySpec, version, key, 2).group };
  }
  return { kind: 'unknown', version };
}

export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  return decodeMessage(OffsetCommitValueSpec, readVersion(value), value, 2);
}

/** Decodes a GroupMetadataValue; its byte fields view `value`. */
export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  return decodeMessage(GroupMetadataValueSpec, readVersion(value), value, 2);
}

export function readVersion(buf: Buffer): number {
  if (buf.length < 2) throw new RangeError(`record of ${buf.length} bytes has no version`);
  return buf.readInt16BE(0);
}
