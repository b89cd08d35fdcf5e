/**
 * Any error a handler meets, as the Kafka error code a client acts on. KafkaError carries its own; storage errors
 * map to Kafka's meaning (a full or failing disk is KAFKA_STORAGE_ERROR, retriable); anything else is a bug and
 * becomes UNKNOWN_SERVER_ERROR (logged), never a dropped connection.
 */
import { KafkaError } from '../errors/kafka-error';
import { StorageError } from '../errors/storage-error';
import { StrataError } from '../errors/strata-error';
import { ErrorCode, KafkaErrorName } from '../protocol/error-codes';
import type { Logger } from '../observability/logger';

const STORAGE_TO_KAFKA: Record<string, number> = {
  CORRUPT_MESSAGE: ErrorCode.CORRUPT_MESSAGE,
  INVALID_RECORD: ErrorCode.INVALID_RECORD,
  MESSAGE_TOO_LARGE: ErrorCode.MESSAGE_TOO_LARGE,
  OFFSET_OUT_OF_RANGE: ErrorCode.OFFSET_OUT_OF_RANGE,
  UNSUPPORTED_COMPRESSION_TYPE: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  OUT_OF_ORDER_SEQUENCE_NUMBER: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  INVALID_PRODUCER_EPOCH: ErrorCode.INVALID_PRODUCER_EPOCH,
  INVALID_TXN_STATE: ErrorCode.INVALID_TXN_STATE,
  PRODUCER_FENCED: ErrorCode.PRODUCER_FENCED,
  TRANSACTION_COORDINATOR_FENCED: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
  ERR_LOG_CLOSED: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ERR_SEGMENT_CLOSED: ErrorCode.NOT_LEADER_OR_FOLLOWER,
};

export function kafkaErrorCode(err: unknown, log?: Logger): number {
  if (err instanceof KafkaError) return err.errorCode;
  if (err instanceof StorageError) {
    const mapped = STORAGE_TO_KAFKA[err.code];
    if (mapped !== undefined) return mapped;
    log?.error('storage failure', { code: err.code, err: err.message });
    return ErrorCode.KAFKA_STORAGE_ERROR;
  }
  if (err instanceof StrataError && err.code === 'ERR_INVALID_CONFIG') return ErrorCode.INVALID_CONFIG;
  if (err instanceof StrataError && err.code === 'ERR_INVALID_TOPIC') return ErrorCode.INVALID_TOPIC_EXCEPTION;
  log?.error('unexpected error in a request handler', { err: (err as Error)?.stack ?? String(err) });
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * PRODUCER_FENCED (90) is newer than some request versions: Kafka answers INVALID_PRODUCER_EPOCH (47) to
 * clients below the version that knows it (EndTxn, AddPartitionsToTxn, AddOffsetsToTxn < 2; InitProducerId < 4),
 * which older clients (kafkajs 2.2.4 among them) treat as the fencing it is.
 */
export function fencedCompatible(error: KafkaErrorName, apiVersion: number, producerFencedSince: number): number {
  return error === 'PRODUCER_FENCED' && apiVersion < producerFencedSince ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode[error];
}
