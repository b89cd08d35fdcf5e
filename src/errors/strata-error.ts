/**
 * Strata's own errors outside storage I/O: a string `code` from one closed list, so callers branch on codes,
 * never on messages.
 */
export type StrataErrorCode = 'ERR_INVALID_CONFIG' | 'ERR_INVALID_ARG' | 'ERR_INVALID_TOPIC' | 'ERR_CLOSED' | 'ERR_CORRUPT_STATE';

export class StrataError extends Error {
  readonly code: StrataErrorCode;

  constructor(code: StrataErrorCode, message: string) {
    super(message);
    this.name = 'StrataError';
    this.code = code;
  }
}
