import assert from 'node:assert';
import t from 'tap';
import fc from 'fast-check';
import {
  decodeMessage,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  DeclaredApiKey,
  encodeMessage,
  encodeRequest,
  encodeResponse,
  inVersionRange,
  MessageSpec,
} from '../../src/protocol';
import { defaultOf, messageArbitrary, messageCases, normalize, sampleMessage, Struct } from './fixtures/schema-samples';

const cases = messageCases();

function encodeBody(spec: MessageSpec, version: number, value: Struct): Buffer {
  return Buffer.concat(encodeMessage(spec, version, value as never));
}

t.test('every API, every version, request and response: non-default value in every present field', async (t) => {
  t.ok(cases.length > 250, `${cases.length} (API, version, direction) cases`);
  for (const c of cases) {
    const name = `${c.apiName} ${c.kind} v${c.version}`;
    const sample = sampleMessage(c.spec, c.version, c.apiKey * 100 + c.version);
    for (const field of c.spec.fields) {
      if (!inVersionRange(field.versions, c.version)) continue;
      t.not(normalize(sample[field.name]), normalize(defaultOf(field, c.version)), `${name}: ${field.name} not default`);
    }
    const bytes = encodeBody(c.spec, c.version, sample);
    const decoded = decodeMessage(c.spec, c.version, bytes) as Struct;
    t.strictSame(normalize(decoded), normalize(sample), `${name}: decode(encode(x)) = x`);
    t.ok(encodeBody(c.spec, c.version, decoded).equals(bytes), `${name}: encode(decode(b)) = b`);
  }
});

t.test('whole frames: encodeRequest -> decodeRequestHeader -> decodeRequest, encodeResponse -> decodeResponse', async (t) => {
  for (const c of cases) {
    const name = `${c.apiName} ${c.kind} v${c.version}`;
    const sample = sampleMessage(c.spec, c.version, 7 + c.version);
    const apiKey = c.apiKey as DeclaredApiKey;
    if (c.kind === 'request') {
      const frame = Buffer.concat(encodeRequest(apiKey, c.version, 0x01020304, 'client-ü', sample as never));
      t.equal(frame.readInt32BE(0), frame.length - 4, `${name}: size prefix`);
      const body = frame.subarray(4);
      const header = decodeRequestHeader(body);
      t.match(header, { apiKey, apiVersion: c.version, correlationId: 0x01020304, clientId: 'client-ü' }, name);
      t.equal(header.headerVersion, c.flexible ? 2 : 1, `${name}: header version`);
      const decoded = decodeRequest(apiKey, c.version, body, header.headerBytes);
      t.strictSame(normalize(decoded), normalize(sample), `${name}: body`);
    } else {
      const frame = Buffer.concat(encodeResponse(apiKey, c.version, -5, sample as never));
      t.equal(frame.readInt32BE(0), frame.length - 4, `${name}: size prefix`);
      const decoded = decodeResponse(apiKey, c.version, frame.subarray(4));
      t.equal(decoded.correlationId, -5, `${name}: correlation id`);
      t.strictSame(normalize(decoded.body), normalize(sample), `${name}: body`);
    }
  }
});

t.test('property: any value of any declared message survives encode/decode, and re-encodes to the same bytes', async (t) => {
  const arbitrary = fc
    .constantFrom(...cases)
    .chain((c) => messageArbitrary(c.spec, c.version).map((value) => ({ c, value })));
  fc.assert(
    fc.property(arbitrary, ({ c, value }) => {
      const bytes = encodeBody(c.spec, c.version, value);
      const decoded = decodeMessage(c.spec, c.version, bytes) as Struct;
      assert.deepStrictEqual(normalize(decoded), normalize(value), `${c.apiName} ${c.kind} v${c.version}`);
      assert.ok(encodeBody(c.spec, c.version, decoded).equals(bytes), 're-encoded bytes differ');
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 random messages');
});
