import t, { Test } from 'tap';
import {
  ApiKey,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isSupportedVersion,
  KafkaProtocolError,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../src/protocol';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const frameHex = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('hex');

function rejects(t: Test, fn: () => unknown, code: string): void {
  try {
    fn();
    t.fail('did not throw');
  } catch (error) {
    t.ok(error instanceof KafkaProtocolError, String(error));
    t.equal((error as KafkaProtocolError).code, code);
  }
}

t.test('header versions follow each API\'s first flexible version; ApiVersions responses always v0', async (t) => {
  t.equal(requestHeaderVersion(ApiKey.Produce, 8), 1);
  t.equal(requestHeaderVersion(ApiKey.Produce, 9), 2);
  t.equal(requestHeaderVersion(ApiKey.ApiVersions, 2), 1);
  t.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  t.equal(requestHeaderVersion(ApiKey.ApiVersions, 7), 2, 'a future ApiVersions version is still flexible');
  t.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
  t.equal(requestHeaderVersion(ApiKey.SaslHandshake, 1), 1, 'never flexible');
  t.equal(requestHeaderVersion(999, 3), 1, 'undeclared key');
  t.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  t.equal(responseHeaderVersion(ApiKey.Metadata, 8), 0);
  t.equal(responseHeaderVersion(ApiKey.Metadata, 9), 1);
  t.equal(responseHeaderVersion(ApiKey.Fetch, 12), 1);
});

t.test('request header v1: api key, version, correlation id, nullable client id', async (t) => {
  const frame = encodeRequest(ApiKey.Metadata, 1, 7, 'ab', { topics: [] });
  t.equal(frameHex(frame), hex('00000010 0003 0001 00000007 0002 6162 00000000').toString('hex'));
  const header = decodeRequestHeader(Buffer.concat(frame).subarray(4));
  t.strictSame(header, { apiKey: 3, apiVersion: 1, correlationId: 7, clientId: 'ab', headerVersion: 1, headerBytes: 12 });
  const nullClient = decodeRequestHeader(hex('0003 0001 00000007 ffff 00000000'));
  t.equal(nullClient.clientId, null);
  t.equal(nullClient.headerBytes, 10);
});

t.test('ApiVersions v3 request as librdkafka sends it (header v2), answered with response header v0', async (t) => {
  // size | api key 18, version 3, correlation 1, client id "rdkafka" (INT16 length even in v2), no header tags |
  // client_software_name "librdkafka", client_software_version "2.0.2" (compact), no tags.
  const request = hex('00000024 0012 0003 00000001 0007 72646b61666b61 00 0b 6c69627264 6b61666b61 06 322e302e32 00');
  const body = request.subarray(4);
  const header = decodeRequestHeader(body);
  t.strictSame(header, { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka', headerVersion: 2, headerBytes: 18 });
  t.strictSame(decodeRequest(ApiKey.ApiVersions, 3, body, header.headerBytes), {
    clientSoftwareName: 'librdkafka',
    clientSoftwareVersion: '2.0.2',
  });
  t.equal(
    frameHex(encodeRequest(ApiKey.ApiVersions, 3, 1, 'rdkafka', { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' })),
    request.toString('hex'),
    'our encoder writes the same bytes',
  );
  const response = encodeResponse(ApiKey.ApiVersions, 3, 1, {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
    throttleTimeMs: 0,
  });
  // correlation id, then directly the body: no tag buffer in the header.
  t.equal(frameHex(response), hex('00000013 00000001 0000 02 0012 0000 0003 00 00000000 00').toString('hex'));
  const decoded = decodeResponse(ApiKey.ApiVersions, 3, Buffer.concat(response).subarray(4));
  t.equal(decoded.correlationId, 1);
  t.strictSame(decoded.body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
});

t.test('other flexible responses carry a response header v1 tag buffer', async (t) => {
  const response = encodeResponse(ApiKey.Heartbeat, 4, 0x0a0b0c0d, { throttleTimeMs: 0, errorCode: 27 });
  t.equal(frameHex(response), hex('0000000c 0a0b0c0d 00 00000000 001b 00').toString('hex'));
  t.equal(frameHex(encodeResponse(ApiKey.Heartbeat, 3, 5, { throttleTimeMs: 0, errorCode: 27 })), hex('0000000a 00000005 00000000 001b').toString('hex'));
  const withTags = hex('0a0b0c0d 01 03 02 ffff 00000000 001b 00');
  t.equal(decodeResponse(ApiKey.Heartbeat, 4, withTags).body.errorCode, 27, 'unknown header tags skipped');
});

t.test('unsupported versions and unknown keys: the header still decodes, so the server can answer', async (t) => {
  // ApiVersions v4 from a newer client: flexible header (v2), body we do not know.
  const newer = hex('0012 0004 00000009 0003 636c69 00 07 6e6577657374 01 00 00');
  const header = decodeRequestHeader(newer);
  t.strictSame(header, { apiKey: 18, apiVersion: 4, correlationId: 9, clientId: 'cli', headerVersion: 2, headerBytes: 14 });
  t.notOk(isSupportedVersion(ApiKey.ApiVersions, 4));
  rejects(t, () => decodeRequest(ApiKey.ApiVersions, 4, newer, header.headerBytes), 'UNSUPPORTED_VERSION');
  // The answer: error 35 and our ranges in a v0 body, with a v0 header.
  const answer = encodeResponse(ApiKey.ApiVersions, 0, header.correlationId, {
    errorCode: 35,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
  });
  t.equal(frameHex(answer), hex('00000010 00000009 0023 00000001 0012 0000 0003').toString('hex'));

  const unknown = decodeRequestHeader(hex('03e7 0005 0000002a 0003 616263 deadbeef'));
  t.strictSame(unknown, { apiKey: 999, apiVersion: 5, correlationId: 42, clientId: 'abc', headerVersion: 1, headerBytes: 13 });
  const shutdown = decodeRequestHeader(hex('0007 0000 00000005 1234'));
  t.strictSame(shutdown, { apiKey: 7, apiVersion: 0, correlationId: 5, clientId: null, headerVersion: 0, headerBytes: 8 });
  const tagged = decodeRequestHeader(hex('0012 0003 00000001 ffff 01 07 02 aaaa 01 01 00'));
  t.equal(tagged.headerBytes, 15, 'header tags skipped');
  t.equal(decodeRequestHeader(hex('ffff 0001 00000001 ffff 00')).apiKey, -1);
});

t.test('malformed headers: INVALID_REQUEST', async (t) => {
  rejects(t, () => decodeRequestHeader(hex('0012 00')), 'INVALID_REQUEST');
  rejects(t, () => decodeRequestHeader(hex('0003 0001 00000001 0010 61')), 'INVALID_REQUEST');
  rejects(t, () => decodeRequestHeader(hex('0003 0001 00000001 fffe')), 'INVALID_REQUEST');
  rejects(t, () => decodeRequestHeader(hex('0012 0003 00000001 ffff 01 07 05 aa')), 'INVALID_REQUEST');
  rejects(t, () => decodeRequestHeader(hex('')), 'INVALID_REQUEST');
  rejects(t, () => decodeResponse(ApiKey.Heartbeat, 4, hex('0a0b0c')), 'CORRUPT_MESSAGE');
});
