import t, { Test } from 'tap';
import {
  ApiKey,
  decodeMessage,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeMessage,
  encodeRequest,
  encodeResponse,
  KafkaProtocolError,
  MessageSpec,
  MetadataResponseSpec,
  ApiVersionsResponseSpec,
  FetchResponseSpec,
} from '../../src/protocol';
import { normalize } from './fixtures/schema-samples';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bytesOf = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('hex');

function rejects(t: Test, fn: () => unknown, code: string, pattern?: RegExp): void {
  try {
    fn();
    t.fail('did not throw');
  } catch (error) {
    t.ok(error instanceof KafkaProtocolError, `KafkaProtocolError (${String(error)})`);
    t.equal((error as KafkaProtocolError).code, code);
    if (pattern !== undefined) t.match((error as Error).message, pattern);
  }
}

// A made-up message exercising what the real ones use: tagged fields of several types, a nullable struct.
const TestSpec = {
  name: 'TestData',
  type: 'data',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'a', type: 'int8', versions: '0+' },
    { name: 'later', type: 'string', versions: '1+', tag: 0, default: 'dflt' },
    { name: 'count', type: 'int32', versions: '1+', tag: 1, default: -1 },
    {
      name: 'leader',
      type: 'struct',
      versions: '1+',
      tag: 2,
      fields: [
        { name: 'id', type: 'int32', versions: '1+', default: -1 },
        { name: 'epoch', type: 'int64', versions: '1+', default: -1 },
      ],
    },
    {
      name: 'maybe',
      type: 'struct',
      versions: '0+',
      nullableVersions: '0+',
      fields: [{ name: 'x', type: 'int16', versions: '0+' }],
    },
  ],
} as const satisfies MessageSpec;

t.test('tagged fields: written by ascending tag only when not default, decoded, defaults otherwise', async (t) => {
  const value = { a: 1, later: 'x', count: 5, leader: { id: 3, epoch: 4n }, maybe: { x: 2 } };
  // a | maybe: present, x, tags | tag count 3 | tag 0, size 2, compact 'x' | tag 1, size 4, int32 | tag 2, 13 bytes
  const expected = '01' + '01 0002 00' + '03' + '00 02 0278' + '01 04 00000005' + '02 0d 00000003 0000000000000004 00';
  t.equal(bytesOf(encodeMessage(TestSpec, 1, value)), hex(expected).toString('hex'));
  t.strictSame(normalize(decodeMessage(TestSpec, 1, hex(expected))), normalize(value));
  const defaults = { a: 1, later: 'dflt', count: -1, leader: { id: -1, epoch: -1n }, maybe: null };
  t.equal(bytesOf(encodeMessage(TestSpec, 1, defaults)), '01ff00', 'no tag written for default values');
  t.equal(bytesOf(encodeMessage(TestSpec, 1, { a: 1, maybe: null })), '01ff00', 'missing tagged fields');
  t.strictSame(normalize(decodeMessage(TestSpec, 1, hex('01ff00'))), normalize(defaults), 'absent tags decode to defaults');
  t.equal(bytesOf(encodeMessage(TestSpec, 0, value)), '01010002', 'v0: not flexible, tagged fields absent');
  t.strictSame(normalize(decodeMessage(TestSpec, 0, hex('01ff'))), normalize(defaults));
});

t.test('unknown tags are skipped; a tag larger than its field is skipped to its end; sizes are bounded', async (t) => {
  // tag 9 (unknown, 3 bytes), tag 1 declared 6 bytes holding an int32 and 2 extra bytes.
  const decoded = decodeMessage(TestSpec, 1, hex('07 ff 02 09 03 aabbcc 01 06 0000002a ffff'));
  t.equal(decoded.a, 7);
  t.equal(decoded.count, 42);
  t.equal(decoded.later, 'dflt');
  t.equal(decoded.maybe, null);
  rejects(t, () => decodeMessage(TestSpec, 1, hex('07 ff 01 09 10 aabb')), 'CORRUPT_MESSAGE', /tagged field 9 .* needs 16 bytes/);
  rejects(t, () => decodeMessage(TestSpec, 1, hex('07 ff 01 01 02 0000')), 'CORRUPT_MESSAGE', /INT32 needs 4 bytes, 2 remain/);

  // A real message: ApiVersions v3 response with unknown tags at the top level and inside an api_keys element.
  const frame = hex('0000 02 0012 0000 0003 01 05 01 aa 00000000 02 00 01 01 05 02 bbbb');
  const response = decodeMessage(ApiVersionsResponseSpec, 3, frame);
  t.strictSame(response.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
  t.strictSame(response.supportedFeatures, [], 'tag 0: an empty compact array');
  t.equal(response.finalizedFeaturesEpoch, -1n);
});

t.test('fields outside a version: decoded as defaults, ignored by encoders', async (t) => {
  const v0 = hex('00000001 00000001 0002 6869 00002328' + '00000001 0000 0001 74 00000000');
  const decoded = decodeMessage(MetadataResponseSpec, 0, v0);
  t.strictSame(normalize(decoded), {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: 'hi', port: 9000, rack: null }],
    clusterId: null,
    controllerId: -1,
    topics: [
      {
        errorCode: 0,
        name: 't',
        topicId: '00000000-0000-0000-0000-000000000000',
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: -2147483648,
      },
    ],
    clusterAuthorizedOperations: -2147483648,
  });
  const withExtras = { ...decoded, throttleTimeMs: 99, clusterId: 'c', controllerId: 4 };
  t.equal(bytesOf(encodeMessage(MetadataResponseSpec, 0, withExtras)), v0.toString('hex'));
});

t.test('nullability follows the version', async (t) => {
  rejects(t, () => encodeRequest(ApiKey.Metadata, 0, 1, null, { topics: null }), 'INVALID_VALUE', /topics: expected a non-null array/);
  const v1 = Buffer.concat(encodeRequest(ApiKey.Metadata, 1, 1, null, { topics: null }));
  t.equal(v1.subarray(-4).toString('hex'), 'ffffffff', 'v1: null array');
  const v9 = Buffer.concat(encodeRequest(ApiKey.Metadata, 9, 1, null, { topics: null }));
  t.equal(v9.subarray(-5).toString('hex'), '0001000000', 'v9: compact null, three booleans, tags');
  rejects(t, () => encodeRequest(ApiKey.Metadata, 9, 1, null, { topics: [{ name: null }] }), 'INVALID_VALUE', /name: expected a non-null string/);
  const v10 = Buffer.concat(encodeRequest(ApiKey.Metadata, 10, 1, null, { topics: [{ name: null, topicId: '0000000000000000000000000000000a'.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-') }] }));
  const header = decodeRequestHeader(v10.subarray(4));
  const request = decodeRequest(ApiKey.Metadata, 10, v10.subarray(4), header.headerBytes);
  t.equal(request.topics?.[0].name, null);
  t.equal(request.topics?.[0].topicId, '00000000-0000-0000-0000-00000000000a');
});

t.test('values that do not fit their field are rejected with INVALID_VALUE, naming the field', async (t) => {
  const base = { errorCode: 0, apiKeys: [] };
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 0, 1, { ...base, errorCode: 40000 }), 'INVALID_VALUE', /ApiVersionsResponse.errorCode: expected an int16, got 40000/);
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 1, 1, { ...base, throttleTimeMs: 1.5 }), 'INVALID_VALUE', /int32/);
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 0, 1, { errorCode: 0, apiKeys: [{ apiKey: 1, minVersion: 0, maxVersion: '3' as never }] }), 'INVALID_VALUE', /apiKeys\[\]\.maxVersion/);
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 0, 1, { errorCode: 0, apiKeys: 'x' as never }), 'INVALID_VALUE', /expected an array/);
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 0, 1.5, base), 'INVALID_VALUE', /correlationId/);
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 3, 1, { ...base, finalizedFeaturesEpoch: 2n ** 63n }), 'INVALID_VALUE', /int64/);
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 3, 1, { ...base, finalizedFeaturesEpoch: 2 ** 53 }), 'INVALID_VALUE', /safe integer/);
  rejects(t, () => encodeResponse(ApiKey.Metadata, 10, 1, { brokers: [], topics: [{ errorCode: 0, name: 'a', partitions: [], topicId: 'nope' }] }), 'INVALID_VALUE', /topicId: expected a UUID/);
  rejects(t, () => encodeRequest(ApiKey.Metadata, 1, 1, null, { topics: [{ name: 'x'.repeat(32768) }] }), 'INVALID_VALUE', /at most 32767 bytes/);
  t.ok(encodeRequest(ApiKey.Metadata, 9, 1, null, { topics: [{ name: 'x'.repeat(40000) }] }), 'compact strings may be longer');
  rejects(t, () => encodeRequest(ApiKey.Produce, 3, 1, null, { acks: 1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records: 'x' as never }] }] }), 'INVALID_VALUE', /records: expected a Buffer or a list of Buffers/);
  t.equal(
    bytesOf(encodeResponse(ApiKey.InitProducerId, 0, 1, { throttleTimeMs: 0, errorCode: 0, producerId: 77, producerEpoch: 1 })),
    bytesOf(encodeResponse(ApiKey.InitProducerId, 0, 1, { throttleTimeMs: 0, errorCode: 0, producerId: 77n, producerEpoch: 1 })),
    'int64 from a number or a bigint',
  );
});

t.test('undeclared API keys and versions: UNSUPPORTED_VERSION', async (t) => {
  rejects(t, () => decodeRequest(ApiKey.Produce, 10, hex('00'), 0), 'UNSUPPORTED_VERSION', /ProduceRequest version 10/);
  rejects(t, () => decodeRequest(ApiKey.Fetch, -1, hex('00'), 0), 'UNSUPPORTED_VERSION');
  rejects(t, () => decodeRequest(ApiKey.OffsetFetch, 8, hex('00'), 0), 'UNSUPPORTED_VERSION');
  rejects(t, () => decodeRequest(999 as ApiKey.Produce, 0, hex('00'), 0), 'UNSUPPORTED_VERSION', /API key 999/);
  rejects(t, () => encodeResponse(ApiKey.ApiVersions, 4, 1, { errorCode: 0, apiKeys: [] }), 'UNSUPPORTED_VERSION');
  t.equal(new KafkaProtocolError('UNSUPPORTED_VERSION', 'x').errorCode, 35);
  t.equal(new KafkaProtocolError('INVALID_REQUEST', 'x').errorCode, 42);
  t.equal(new KafkaProtocolError('CORRUPT_MESSAGE', 'x').errorCode, 2);
});

t.test('Produce records decode as views of the request frame; no copy', async (t) => {
  const batch = Buffer.from('0123456789abcdef', 'hex');
  for (const version of [0, 3, 9]) {
    const frame = Buffer.concat(
      encodeRequest(ApiKey.Produce, version, 1, 'c', {
        acks: 1,
        timeoutMs: 100,
        topicData: [{ name: 't', partitionData: [{ index: 0, records: batch }, { index: 1, records: null }] }],
      }),
    ).subarray(4);
    const header = decodeRequestHeader(frame);
    const request = decodeRequest(ApiKey.Produce, version, frame, header.headerBytes);
    const records = request.topicData[0].partitionData[0].records as Buffer;
    t.ok(records.equals(batch), `v${version}: bytes`);
    t.equal(records.buffer, frame.buffer, `v${version}: same memory as the frame`);
    t.ok(records.byteOffset >= frame.byteOffset && records.byteOffset + records.length <= frame.byteOffset + frame.length);
    t.equal(request.topicData[0].partitionData[1].records, null, `v${version}: null records`);
  }
});

t.test('Fetch responses take records as lists of Buffers and hand the very same Buffers back', async (t) => {
  const parts: Buffer[] = [Buffer.alloc(300, 1), Buffer.alloc(200, 2), Buffer.alloc(100, 3)];
  for (const version of [0, 4, 11, 12]) {
    const chunks = encodeResponse(ApiKey.Fetch, version, 9, {
      throttleTimeMs: 0,
      errorCode: 0,
      responses: [
        {
          topic: 't',
          partitions: [
            { partitionIndex: 0, errorCode: 0, highWatermark: 10n, records: [parts[0], parts[1]] },
            { partitionIndex: 1, errorCode: 0, highWatermark: 11n, abortedTransactions: null, records: parts[2] },
            { partitionIndex: 2, errorCode: 1, highWatermark: -1n, records: null },
          ],
        },
      ],
    });
    for (const part of parts) t.ok(chunks.includes(part), `v${version}: a records Buffer is passed through`);
    const head = chunks.filter((chunk) => !parts.includes(chunk));
    t.ok(head.every((chunk) => chunk.buffer === head[0].buffer), `v${version}: other bytes share one head buffer`);
    const frame = Buffer.concat(chunks);
    t.equal(frame.readInt32BE(0), frame.length - 4);
    const { correlationId, body } = decodeResponse(ApiKey.Fetch, version, frame.subarray(4));
    t.equal(correlationId, 9);
    const partitions = body.responses[0].partitions;
    t.ok(partitions[0].records?.equals(Buffer.concat([parts[0], parts[1]])));
    t.ok(partitions[1].records?.equals(parts[2]));
    t.equal(partitions[2].records, null);
    t.equal(partitions[1].abortedTransactions, version >= 4 ? null : partitions[1].abortedTransactions);
  }
});

t.test('Fetch v12 tagged partition fields on the wire', async (t) => {
  const body = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 't',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 1n,
            lastStableOffset: 1n,
            logStartOffset: 0n,
            currentLeader: { leaderId: 2, leaderEpoch: 3 },
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: null,
          },
        ],
      },
    ],
  };
  const expected =
    '00000000 0000 00000000' + // throttle, error, session
    '02 02 74' + // responses: 1, topic 't'
    '02 00000000 0000 0000000000000001 0000000000000001 0000000000000000' + // partitions: 1, fields
    '01 ffffffff 00' + // aborted transactions: empty, preferred replica, records null
    '01 01 09 00000002 00000003 00' + // tags: 1 field: tag 1 (current leader), 9 bytes
    '00 00'; // topic tags, top-level tags
  t.equal(bytesOf(encodeMessageOf(FetchResponseSpec, 12, body)), hex(expected).toString('hex'));
});

function encodeMessageOf(spec: MessageSpec, version: number, value: unknown): Buffer[] {
  return encodeMessage(spec, version, value as never);
}
