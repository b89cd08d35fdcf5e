/**
 * Errors raised by the storage layer, from the native addon (which constructs this very class, handed to it at
 * load time) or from the TypeScript Log. `code` is one of StorageErrorCode; syscall failures carry the errno
 * name (ENOSPC, ENOENT, ...) with `errno`, `syscall` and `path` as Node's own fs errors do.
 */
export type StorageErrorCode =
  | 'ENOSPC'
  | 'ENOENT'
  | 'EEXIST'
  | 'EACCES'
  | 'EPERM'
  | 'EIO'
  | 'EDQUOT'
  | 'EFBIG'
  | 'ENOMEM'
  | 'EMFILE'
  | 'EROFS'
  | 'EINVAL'
  | 'EISDIR'
  | 'EIO_OTHER'
  | 'CORRUPT_MESSAGE'
  | 'INVALID_RECORD'
  | 'MESSAGE_TOO_LARGE'
  | 'OFFSET_OUT_OF_RANGE'
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'INVALID_TXN_STATE'
  | 'PRODUCER_FENCED'
  | 'TRANSACTION_COORDINATOR_FENCED'
  | 'ERR_SEGMENT_CLOSED'
  | 'ERR_SEGMENT_FULL'
  | 'ERR_OFFSET_ORDER'
  | 'ERR_OUT_OF_CAPACITY'
  | 'ERR_INVALID_ARG'
  | 'ERR_LOG_CLOSED'
  | 'ERR_LOG_EXISTS'
  | 'ERR_UNKNOWN_LOG'
  | 'ERR_NAPI';

export interface StorageErrorDetails {
  code: StorageErrorCode;
  errno?: number;
  syscall?: string;
  path?: string;
}

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly errno?: number;
  readonly syscall?: string;
  readonly path?: string;

  constructor(message: string, details: StorageErrorDetails) {
    super(message);
    this.name = 'StorageError';
    this.code = details.code;
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.path !== undefined) this.path = details.path;
  }
}
