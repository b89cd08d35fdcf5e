/**
 * The one error the wire codecs throw. Decoding faces bytes from the network, so every malformed frame ends here
 * (never in a RangeError from Buffer); encoding throws it for a value that does not fit its field.
 *
 * `code` says which, `errorCode` is the Kafka error code a broker would report for it:
 * - INVALID_REQUEST (42): a request frame is truncated, overruns a length, or is otherwise malformed.
 * - CORRUPT_MESSAGE (2): the same for a response frame (or any other decoded message).
 * - UNSUPPORTED_VERSION (35): the API key or version has no declaration here.
 * - INVALID_VALUE (-1, UNKNOWN_SERVER_ERROR): a value handed to an encoder has the wrong type or range, or is
 *   null where the version does not allow null. A programmer's error on the broker side.
 */
export type ProtocolErrorCode = 'INVALID_REQUEST' | 'CORRUPT_MESSAGE' | 'UNSUPPORTED_VERSION' | 'INVALID_VALUE';

const KAFKA_ERROR_CODES: Readonly<Record<ProtocolErrorCode, number>> = {
  INVALID_REQUEST: 42,
  CORRUPT_MESSAGE: 2,
  UNSUPPORTED_VERSION: 35,
  INVALID_VALUE: -1,
};

export class KafkaProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  /** The Kafka wire error code matching `code`. */
  readonly errorCode: number;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'KafkaProtocolError';
    this.code = code;
    this.errorCode = KAFKA_ERROR_CODES[code];
  }
}
