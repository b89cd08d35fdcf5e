import t from 'tap';
import { KafkaError } from '../../src/errors/kafka-error';
import { ErrorCode, errorCodeInfo, errorCodeInfoByName, KafkaErrorName } from '../../src/protocol';

// From the protocol guide's error table: name, code, retriable.
const EXPECTED: Array<[KafkaErrorName, number, boolean]> = [
  ['UNKNOWN_SERVER_ERROR', -1, false],
  ['NONE', 0, false],
  ['OFFSET_OUT_OF_RANGE', 1, false],
  ['CORRUPT_MESSAGE', 2, true],
  ['UNKNOWN_TOPIC_OR_PARTITION', 3, true],
  ['INVALID_FETCH_SIZE', 4, false],
  ['LEADER_NOT_AVAILABLE', 5, true],
  ['NOT_LEADER_OR_FOLLOWER', 6, true],
  ['REQUEST_TIMED_OUT', 7, true],
  ['MESSAGE_TOO_LARGE', 10, false],
  ['COORDINATOR_LOAD_IN_PROGRESS', 14, true],
  ['COORDINATOR_NOT_AVAILABLE', 15, true],
  ['NOT_COORDINATOR', 16, true],
  ['INVALID_TOPIC_EXCEPTION', 17, false],
  ['RECORD_LIST_TOO_LARGE', 18, false],
  ['ILLEGAL_GENERATION', 22, false],
  ['INCONSISTENT_GROUP_PROTOCOL', 23, false],
  ['INVALID_GROUP_ID', 24, false],
  ['UNKNOWN_MEMBER_ID', 25, false],
  ['INVALID_SESSION_TIMEOUT', 26, false],
  ['REBALANCE_IN_PROGRESS', 27, false],
  ['INVALID_COMMIT_OFFSET_SIZE', 28, false],
  ['TOPIC_AUTHORIZATION_FAILED', 29, false],
  ['UNSUPPORTED_SASL_MECHANISM', 33, false],
  ['ILLEGAL_SASL_STATE', 34, false],
  ['UNSUPPORTED_VERSION', 35, false],
  ['TOPIC_ALREADY_EXISTS', 36, false],
  ['INVALID_PARTITIONS', 37, false],
  ['INVALID_REPLICATION_FACTOR', 38, false],
  ['INVALID_CONFIG', 40, false],
  ['NOT_CONTROLLER', 41, true],
  ['INVALID_REQUEST', 42, false],
  ['UNSUPPORTED_FOR_MESSAGE_FORMAT', 43, false],
  ['POLICY_VIOLATION', 44, false],
  ['OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false],
  ['DUPLICATE_SEQUENCE_NUMBER', 46, false],
  ['INVALID_PRODUCER_EPOCH', 47, false],
  ['INVALID_TXN_STATE', 48, false],
  ['INVALID_PRODUCER_ID_MAPPING', 49, false],
  ['INVALID_TRANSACTION_TIMEOUT', 50, false],
  ['CONCURRENT_TRANSACTIONS', 51, true],
  ['SASL_AUTHENTICATION_FAILED', 58, false],
  ['UNKNOWN_PRODUCER_ID', 59, false],
  ['NON_EMPTY_GROUP', 68, false],
  ['GROUP_ID_NOT_FOUND', 69, false],
  ['MEMBER_ID_REQUIRED', 79, false],
  ['GROUP_MAX_SIZE_REACHED', 81, false],
  ['FENCED_INSTANCE_ID', 82, false],
  ['GROUP_SUBSCRIBED_TO_TOPIC', 86, false],
  ['INVALID_RECORD', 87, false],
  ['UNSTABLE_OFFSET_COMMIT', 88, true],
  ['THROTTLING_QUOTA_EXCEEDED', 89, true],
  ['PRODUCER_FENCED', 90, false],
  ['UNKNOWN_TOPIC_ID', 100, true],
];

t.test('error table: codes, names and retriable flags as in the protocol guide', async (t) => {
  for (const [name, code, retriable] of EXPECTED) {
    t.equal(ErrorCode[name], code, name);
    t.strictSame(
      { name: errorCodeInfo(code)?.name, retriable: errorCodeInfo(code)?.retriable },
      { name, retriable },
      `${code}`,
    );
  }
  const codes = Object.values(ErrorCode);
  t.equal(new Set(codes).size, codes.length, 'codes are unique');
  t.equal(codes.length, 121, '-1 through 119');
  t.equal(errorCodeInfo(1000), undefined);
  t.equal(errorCodeInfoByName('NOT_COORDINATOR').description, 'This is not the correct coordinator.');
});

t.test('KafkaError: by name or code, with retriable', async (t) => {
  const byName = new KafkaError('NOT_COORDINATOR');
  t.strictSame([byName.code, byName.errorCode, byName.retriable], ['NOT_COORDINATOR', 16, true]);
  t.equal(byName.message, 'This is not the correct coordinator.');
  t.ok(byName instanceof Error);
  const byCode = new KafkaError(25, 'member m-1 left');
  t.strictSame([byCode.code, byCode.errorCode, byCode.retriable, byCode.message], ['UNKNOWN_MEMBER_ID', 25, false, 'member m-1 left']);
  t.equal(new KafkaError(4242).code, 'UNKNOWN_SERVER_ERROR');
  t.equal(new KafkaError('NONE').message, 'NONE');
});
