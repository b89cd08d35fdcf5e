/**
 * Exact bytes worked out by hand from the protocol guide's grammar and primitive types, independent of the codec.
 */
import t from 'tap';
import {
  ApiKey,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from '../../src/protocol';
import { normalize } from './fixtures/schema-samples';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const frameHex = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('hex');

t.test('Metadata v0 request for topic "foo"', async (t) => {
  // size 19 | key 3, version 0, correlation 1, client id null | [topics]: 1, "foo"
  const bytes = hex('00000013 0003 0000 00000001 ffff 00000001 0003 666f6f');
  t.equal(frameHex(encodeRequest(ApiKey.Metadata, 0, 1, null, { topics: [{ name: 'foo' }] })), bytes.toString('hex'));
  const header = decodeRequestHeader(bytes.subarray(4));
  t.strictSame(normalize(decodeRequest(ApiKey.Metadata, 0, bytes.subarray(4), header.headerBytes)), {
    topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: 'foo' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
});

t.test('Produce v3 and v9 requests with one 4-byte record set', async (t) => {
  const body = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from('abcd') }] }],
  };
  // v3: header v1 (client id "c") | transactional_id null, acks -1, timeout 1000 | 1 topic "t" | 1 partition 0,
  // records: INT32 4 + bytes.
  const v3 = hex('0000002a 0000 0003 00000002 0001 63 ffff ffff 000003e8 00000001 0001 74 00000001 00000000 00000004 61626364');
  t.equal(frameHex(encodeRequest(ApiKey.Produce, 3, 2, 'c', body)), v3.toString('hex'));
  // v9: header v2 (+ empty tag buffer) | compact null, acks, timeout | compact arrays (n+1), compact string,
  // COMPACT_RECORDS (length + 1), a tag buffer closing each struct.
  const v9 = hex('00000023 0000 0009 00000002 0001 63 00 00 ffff 000003e8 02 02 74 02 00000000 05 61626364 00 00 00');
  t.equal(frameHex(encodeRequest(ApiKey.Produce, 9, 2, 'c', body)), v9.toString('hex'));
  for (const [version, bytes] of [[3, v3], [9, v9]] as const) {
    const header = decodeRequestHeader(bytes.subarray(4));
    t.strictSame(normalize(decodeRequest(ApiKey.Produce, version, bytes.subarray(4), header.headerBytes)), normalize(body));
  }
});

t.test('Produce v8 response with a record error', async (t) => {
  const body = {
    responses: [
      {
        name: 't',
        partitionResponses: [
          {
            index: 1,
            errorCode: 87,
            baseOffset: -1n,
            logAppendTimeMs: -1n,
            logStartOffset: 5n,
            recordErrors: [{ batchIndex: 2, batchIndexErrorMessage: 'bad' }],
            errorMessage: null,
          },
        ],
      },
    ],
    throttleTimeMs: 0,
  };
  const bytes = hex(
    '00000040 00000003' +
      '00000001 0001 74 00000001' +
      '00000001 0057 ffffffffffffffff ffffffffffffffff 0000000000000005' +
      '00000001 00000002 0003 626164 ffff' +
      '00000000',
  );
  t.equal(frameHex(encodeResponse(ApiKey.Produce, 8, 3, body)), bytes.toString('hex'));
  t.strictSame(normalize(decodeResponse(ApiKey.Produce, 8, bytes.subarray(4)).body), normalize(body));
});

t.test('FindCoordinator v0 and v4 responses', async (t) => {
  const v0 = hex('00000016 00000001 0000 00000003 0006 62726f6b6572 00002384');
  t.equal(frameHex(encodeResponse(ApiKey.FindCoordinator, 0, 1, { nodeId: 3, host: 'broker', port: 9092, errorCode: 0 })), v0.toString('hex'));
  const v4Body = {
    throttleTimeMs: 0,
    coordinators: [{ key: 'g', nodeId: 3, host: 'b', port: 9092, errorCode: 0, errorMessage: null }],
  };
  // header v1 (tags) | throttle | compact array of 1 | key "g", node, host "b", port, error, null message, tags | tags
  const v4 = hex('0000001b 00000001 00 00000000 02 0267 00000003 0262 00002384 0000 00 00 00');
  t.equal(frameHex(encodeResponse(ApiKey.FindCoordinator, 4, 1, v4Body)), v4.toString('hex'));
  t.strictSame(decodeResponse(ApiKey.FindCoordinator, 4, v4.subarray(4)).body.coordinators, v4Body.coordinators);
});

t.test('AddPartitionsToTxn v0 and v3 requests', async (t) => {
  const body = { transactionalId: 'tx', producerId: 5n, producerEpoch: 1, topics: [{ name: 't', partitions: [0, 3] }] };
  // v0: header v1 (client id "c") | "tx", producer id 5, epoch 1 | 1 topic "t" | [partitions]: 2, 0, 3
  const v0 = hex('0000002c 0018 0000 00000002 0001 63 0002 7478 0000000000000005 0001 00000001 0001 74 00000002 00000000 00000003');
  t.equal(frameHex(encodeRequest(ApiKey.AddPartitionsToTxn, 0, 2, 'c', body)), v0.toString('hex'));
  // v3: header v2 (+ empty tag buffer) | compact strings and arrays (n+1), a tag buffer closing each struct.
  const v3 = hex('00000027 0018 0003 00000002 0001 63 00 03 7478 0000000000000005 0001 02 02 74 03 00000000 00000003 00 00');
  t.equal(frameHex(encodeRequest(ApiKey.AddPartitionsToTxn, 3, 2, 'c', body)), v3.toString('hex'));
  for (const [version, bytes] of [[0, v0], [3, v3]] as const) {
    const header = decodeRequestHeader(bytes.subarray(4));
    t.strictSame(normalize(decodeRequest(ApiKey.AddPartitionsToTxn, version, bytes.subarray(4), header.headerBytes)), normalize(body));
  }
});

t.test('ListTransactions v0 response', async (t) => {
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    unknownStateFilters: ['X'],
    transactionStates: [{ transactionalId: 'tx', producerId: 5n, transactionState: 'Ongoing' }],
  };
  // header v1 (tags) | throttle, error | compact [unknown_state_filters]: "X" | compact [transaction_states]:
  // "tx", producer id 5, "Ongoing", tags | tags
  const bytes = hex('00000024 00000001 00 00000000 0000 02 0258 02 037478 0000000000000005 084f6e676f696e67 00 00');
  t.equal(frameHex(encodeResponse(ApiKey.ListTransactions, 0, 1, body)), bytes.toString('hex'));
  t.strictSame(normalize(decodeResponse(ApiKey.ListTransactions, 0, bytes.subarray(4)).body), normalize(body));
});

t.test('DescribeClientQuotas v1 response: a FLOAT64 quota value', async (t) => {
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    entries: [{ entity: [{ entityType: 'user', entityName: null }], values: [{ key: 'producer_byte_rate', value: 1048576 }] }],
  };
  // header v1 (tags) | throttle, error, null message | compact [entries]: 1 | [entity]: 1, "user", null name, tags |
  // [values]: 1, "producer_byte_rate", 2^20 as an IEEE 754 double (exponent 1023 + 20 = 0x413), tags | tags | tags
  const bytes = hex(
    '00000034 00000001 00 00000000 0000 00 02 02 0575736572 00 00 02 1370726f64756365725f627974655f72617465 4130000000000000 00 00 00',
  );
  t.equal(frameHex(encodeResponse(ApiKey.DescribeClientQuotas, 1, 1, body)), bytes.toString('hex'));
  t.strictSame(decodeResponse(ApiKey.DescribeClientQuotas, 1, bytes.subarray(4)).body, body);
});

t.test('AlterClientQuotas v0 request: a fractional FLOAT64 value and a default entity', async (t) => {
  const body = {
    entries: [
      { entity: [{ entityType: 'client-id', entityName: null }], ops: [{ key: 'request_percentage', value: 1.5, remove: false }] },
    ],
    validateOnly: true,
  };
  // header v1 (client id "c") | [entries]: 1 | [entity]: 1, "client-id", null name | [ops]: 1, "request_percentage",
  // 1.5 (0x3ff8...), remove false | validate_only true
  const bytes = hex(
    '00000042 0031 0000 00000002 0001 63 00000001 00000001 0009636c69656e742d6964 ffff 00000001 0012726571756573745f70657263656e74616765 3ff8000000000000 00 01',
  );
  t.equal(frameHex(encodeRequest(ApiKey.AlterClientQuotas, 0, 2, 'c', body)), bytes.toString('hex'));
  const header = decodeRequestHeader(bytes.subarray(4));
  t.strictSame(decodeRequest(ApiKey.AlterClientQuotas, 0, bytes.subarray(4), header.headerBytes), body);
});
