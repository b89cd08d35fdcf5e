/**
 * Control records: the single record of a control batch (attributes: transactional + control bits), written by
 * the broker, never handed to consumers as data.
 *
 * Key (all control types): version i16 (0), type i16 (0 ABORT, 1 COMMIT; 2-6 are KRaft's own markers).
 * Value of ABORT / COMMIT, the end transaction marker: version i16 (0), coordinatorEpoch i32.
 * Readers accept higher versions and ignore trailing bytes, as Kafka's do, so a newer writer's marker still
 * reads; a negative version or too few bytes throws StorageError INVALID_RECORD.
 *
 * A transaction marker batch, as Kafka's MemoryRecords.withEndTransactionMarker writes it: uncompressed,
 * CreateTime, baseSequence -1, the transaction's producerId and producerEpoch, one record at offsetDelta 0.
 */
import assert from 'node:assert';
import { StorageError } from '../../errors/storage-error';
import { encodeRecordBatch, NO_PARTITION_LEADER_EPOCH, NO_SEQUENCE } from './record-batch';

export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  LeaderChange = 2,
  SnapshotHeader = 3,
  SnapshotFooter = 4,
  KRaftVersion = 5,
  KRaftVoters = 6,
}

export type TransactionMarkerType = ControlRecordType.Abort | ControlRecordType.Commit;

export const CONTROL_RECORD_KEY_VERSION = 0;
export const CONTROL_RECORD_KEY_SIZE = 4;
export const END_TRANSACTION_MARKER_VERSION = 0;
export const END_TRANSACTION_MARKER_SIZE = 6;

export interface ControlRecordKey {
  version: number;
  /** A ControlRecordType, or a type this broker does not know (kept as read). */
  type: number;
}

export interface EndTransactionMarker {
  type: TransactionMarkerType;
  version: number;
  coordinatorEpoch: number;
}

export interface ControlBatchInput {
  type: TransactionMarkerType;
  coordinatorEpoch: number;
  producerId: bigint | number;
  producerEpoch: number;
  baseOffset?: bigint | number;
  partitionLeaderEpoch?: number;
  /** Milliseconds; defaults to now. */
  timestamp?: number;
}

function invalid(message: string): StorageError {
  return new StorageError(message, { code: 'INVALID_RECORD' });
}

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(CONTROL_RECORD_KEY_SIZE);
  key.writeInt16BE(CONTROL_RECORD_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function decodeControlRecordKey(key: Uint8Array | null): ControlRecordKey {
  if (key === null || key.length < CONTROL_RECORD_KEY_SIZE) {
    throw invalid(`control record key needs ${CONTROL_RECORD_KEY_SIZE} bytes, has ${key === null ? 'none' : key.length}`);
  }
  const view = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  const version = view.readInt16BE(0);
  if (version < 0) throw invalid(`control record key has version ${version}`);
  return { version, type: view.readInt16BE(2) };
}

export function encodeEndTransactionMarkerValue(coordinatorEpoch: number): Buffer {
  assert(Number.isInteger(coordinatorEpoch) && coordinatorEpoch >= -0x80000000 && coordinatorEpoch <= 0x7fffffff);
  const value = Buffer.allocUnsafe(END_TRANSACTION_MARKER_SIZE);
  value.writeInt16BE(END_TRANSACTION_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** Reads a COMMIT / ABORT control record; any other control type throws INVALID_RECORD. */
export function decodeEndTransactionMarker(record: {
  key: Uint8Array | null;
  value: Uint8Array | null;
}): EndTransactionMarker {
  const { type } = decodeControlRecordKey(record.key);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) {
    throw invalid(`control record type ${type} is not a transaction marker`);
  }
  const value = record.value;
  if (value === null || value.length < END_TRANSACTION_MARKER_SIZE) {
    throw invalid(
      `end transaction marker needs ${END_TRANSACTION_MARKER_SIZE} bytes, has ${value === null ? 'none' : value.length}`,
    );
  }
  const view = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const version = view.readInt16BE(0);
  if (version < 0) throw invalid(`end transaction marker has version ${version}`);
  return { type, version, coordinatorEpoch: view.readInt32BE(2) };
}

/** Builds the COMMIT or ABORT marker batch that ends a transaction on one partition. */
export function encodeControlBatch(input: ControlBatchInput): Buffer {
  const timestamp = input.timestamp ?? Date.now();
  return encodeRecordBatch({
    baseOffset: input.baseOffset ?? 0n,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    transactional: true,
    control: true,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: NO_SEQUENCE,
    records: [
      {
        key: encodeControlRecordKey(input.type),
        value: encodeEndTransactionMarkerValue(input.coordinatorEpoch),
        timestamp,
        offsetDelta: 0,
      },
    ],
  });
}
