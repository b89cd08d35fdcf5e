/**
 * Hostile frames: random bytes and mutated valid frames of every declared request (and response) only ever make the
 * decoders throw KafkaProtocolError, never RangeError or anything else, and claimed lengths never drive allocation.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  ApiKey,
  DeclaredApiKey,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isDeclaredApiKey,
  isSupportedVersion,
  KafkaProtocolError,
} from '../../src/protocol';
import { messageCases, sampleMessage } from './fixtures/schema-samples';

const cases = messageCases();
const requestFrames = cases
  .filter((c) => c.kind === 'request')
  .map((c) => Buffer.concat(encodeRequest(c.apiKey as DeclaredApiKey, c.version, 1, 'fuzz', sampleMessage(c.spec, c.version, 3) as never)).subarray(4));
const responseFrames = cases
  .filter((c) => c.kind === 'response')
  .map((c) => ({
    apiKey: c.apiKey as DeclaredApiKey,
    version: c.version,
    frame: Buffer.concat(encodeResponse(c.apiKey as DeclaredApiKey, c.version, 1, sampleMessage(c.spec, c.version, 5) as never)).subarray(4),
  }));

/** What a server does with a frame; returns the error code, or 'ok'. Any other exception escapes. */
function serve(frame: Buffer): string {
  try {
    const header = decodeRequestHeader(frame);
    if (!isDeclaredApiKey(header.apiKey) || !isSupportedVersion(header.apiKey, header.apiVersion)) return 'unsupported';
    decodeRequest(header.apiKey, header.apiVersion, frame, header.headerBytes);
    return 'ok';
  } catch (error) {
    if (error instanceof KafkaProtocolError && (error.code === 'INVALID_REQUEST' || error.code === 'UNSUPPORTED_VERSION')) {
      return error.code;
    }
    throw error;
  }
}

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'length'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x7fffffff, -1, -2, 0x7fff, 0xffff, 0x80000000 | 0, 0x10000000),
  }),
);

function mutate(frame: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(frame);
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === 'set') out[at] = m.value;
    else if (m.kind === 'truncate') out = out.subarray(0, at);
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
    else if (at + 4 <= out.length) out.writeInt32BE(m.value | 0, at);
  }
  return out;
}

t.test('the sample frames are valid to begin with', async (t) => {
  for (const frame of requestFrames) t.equal(serve(frame), 'ok');
});

t.test('random bytes: only typed protocol errors', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      serve(Buffer.from(bytes));
    }),
    { numRuns: 5000 },
  );
  // Random bodies behind valid headers of every declared request.
  fc.assert(
    fc.property(fc.constantFrom(...requestFrames), fc.uint8Array({ maxLength: 80 }), (frame, body) => {
      const header = decodeRequestHeader(frame);
      serve(Buffer.concat([frame.subarray(0, header.headerBytes), Buffer.from(body)]));
    }),
    { numRuns: 5000 },
  );
  t.pass('no other exception');
});

t.test('mutated valid requests: only typed protocol errors', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...requestFrames), fc.array(mutation, { minLength: 1, maxLength: 4 }), (frame, mutations) => {
      serve(mutate(frame, mutations));
    }),
    { numRuns: 10000 },
  );
  t.pass('no other exception');
});

t.test('mutated valid responses: only CORRUPT_MESSAGE', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...responseFrames), fc.array(mutation, { minLength: 1, maxLength: 4 }), (c, mutations) => {
      try {
        decodeResponse(c.apiKey, c.version, mutate(c.frame, mutations));
      } catch (error) {
        if (!(error instanceof KafkaProtocolError && error.code === 'CORRUPT_MESSAGE')) throw error;
      }
    }),
    { numRuns: 5000 },
  );
  t.pass('no other exception');
});

t.test('huge claimed lengths in small frames fail fast, without allocating', async (t) => {
  const header = '0003 0000 00000001 ffff'; // Metadata v0, correlation 1, null client id
  const claims: Array<[string, string, string]> = [
    ['array of 2^31-1 topics in a 20-byte frame', '0003 0000 00000001 ffff 7fffffff' + '00'.repeat(10), 'topics'],
    ['string of 32767 bytes', header + '00000001 7fff 6162', 'string'],
    ['compact array of 2^32-2 elements', '0003 0009 00000001 ffff 00 ffffffff0f' + '00'.repeat(12), 'topics'],
    ['produce records of 2^31-1 bytes', '0000 0003 00000001 ffff ffff ffff 00000064 00000001 0001 74 00000001 00000000 7fffffff 00', 'bytes'],
    ['fetch partitions of 2^31-1 elements', '0001 0004 00000001 ffff ffffffff 00000000 00000000 00000000 00 00000001 0001 74 7fffffff 0000', 'partitions'],
  ];
  const before = process.memoryUsage().arrayBuffers;
  for (const [name, bytes, what] of claims) {
    const frame = Buffer.from(bytes.replace(/\s+/g, ''), 'hex');
    t.ok(frame.length <= 40, `${name}: ${frame.length}-byte frame`);
    const started = process.hrtime.bigint();
    try {
      const header = decodeRequestHeader(frame);
      decodeRequest(header.apiKey as ApiKey.Metadata, header.apiVersion, frame, header.headerBytes);
      t.fail(`${name}: decoded`);
    } catch (error) {
      t.ok(error instanceof KafkaProtocolError, `${name}: ${String(error)}`);
      t.equal((error as KafkaProtocolError).code, 'INVALID_REQUEST');
      t.match((error as Error).message, what);
    }
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    t.ok(elapsedMs < 50, `${name}: failed in ${elapsedMs.toFixed(2)} ms`);
  }
  t.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, 'no large buffer allocated');
});
