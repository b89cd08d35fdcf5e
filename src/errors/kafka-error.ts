/**
 * An error a broker reports to a client as a Kafka error code: handlers throw it (or build it) and turn it into the
 * `error_code` field of the partition, group or request it concerns; the connection never dies for it.
 * `code` is the error's name from the protocol guide's table, `errorCode` its wire code, `retriable` whether a
 * client may retry as is.
 */
import { errorCodeInfo, errorCodeInfoByName, KafkaErrorName } from '../protocol/error-codes';

export class KafkaError extends Error {
  readonly code: KafkaErrorName;
  readonly errorCode: number;
  readonly retriable: boolean;

  /** `error`: a name ('NOT_COORDINATOR') or a wire code (16). An unknown code becomes UNKNOWN_SERVER_ERROR. */
  constructor(error: KafkaErrorName | number, message?: string) {
    const info =
      typeof error === 'number'
        ? (errorCodeInfo(error) ?? errorCodeInfoByName('UNKNOWN_SERVER_ERROR'))
        : errorCodeInfoByName(error);
    super(message ?? (info.description || info.name));
    this.name = 'KafkaError';
    this.code = info.name;
    this.errorCode = info.code;
    this.retriable = info.retriable;
  }
}
