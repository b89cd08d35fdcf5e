/**
 * Whole requests and responses: header + body, by API key and version.
 *
 * Frames: a request or response on the wire is [INT32 size][header][body]. Decoders take the bytes after the size
 * prefix (the server's framing strips it); encoders return the whole size-prefixed frame as a list of Buffers:
 * one head Buffer with the size, header and every non-records byte, interleaved with the caller's records Buffers,
 * uncopied, ready for a vectored write (socket.cork + writes, or writev).
 */
import { apiDefinition, DeclaredApiKey, RequestInputOf, RequestOf, ResponseInputOf, ResponseOf } from './apis';
import { compileMessage, decodeWithPlan, EncodeContext, MessagePlan, sizeWithPlan, writeWithPlan } from './codec';
import { assertInt32, decodeResponseHeader, requestHeaderVersion, responseHeaderVersion } from './header';
import { KafkaProtocolError } from './protocol-error';
import { Reader } from './reader';
import { Writer } from './writer';

const INT32_MAX = 0x7fffffff;
const INT16_MAX = 0x7fff;

function planOf(apiKey: number, apiVersion: number, kind: 'request' | 'response'): MessagePlan {
  const definition = apiDefinition(apiKey);
  if (definition === undefined) {
    throw new KafkaProtocolError('UNSUPPORTED_VERSION', `API key ${apiKey} is not supported`);
  }
  return compileMessage(definition[kind], apiVersion);
}

function frameSizeChecked(size: number): number {
  if (size > INT32_MAX) throw new KafkaProtocolError('INVALID_VALUE', `frame of ${size} bytes exceeds INT32`);
  return size;
}

/**
 * Decodes a request body from frame[offset, frame.length) (`offset`: usually decodeRequestHeader's headerBytes).
 * Produce's records are subarrays of `frame`. Throws UNSUPPORTED_VERSION for an undeclared API key or version,
 * INVALID_REQUEST for malformed bytes. Bytes after the body are ignored, as Kafka does.
 */
export function decodeRequest<K extends DeclaredApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
  offset: number,
): RequestOf<K> {
  const plan = planOf(apiKey, apiVersion, 'request');
  return decodeWithPlan(plan, new Reader(frame, offset, frame.length, 'INVALID_REQUEST')) as RequestOf<K>;
}

/**
 * Encodes a response: [size][correlation id][tag buffer if header v1][body], records Buffers passed through.
 * Throws UNSUPPORTED_VERSION for an undeclared version, INVALID_VALUE for a body that does not fit it.
 */
export function encodeResponse<K extends DeclaredApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseInputOf<K>,
): Buffer[] {
  const plan = planOf(apiKey, apiVersion, 'response');
  assertInt32(correlationId, 'correlationId');
  const headerSize = responseHeaderVersion(apiKey, apiVersion) === 1 ? 5 : 4;
  const context = new EncodeContext();
  const size = frameSizeChecked(headerSize + sizeWithPlan(plan, body, context));
  const writer = new Writer(4 + size - context.externalBytes);
  writer.writeInt32(size);
  writer.writeInt32(correlationId);
  if (headerSize === 5) writer.writeUnsignedVarint(0);
  writeWithPlan(plan, body, writer, context);
  return writer.finish();
}

/** Encodes a request: [size][request header v1 or v2][body]. For clients and tests. */
export function encodeRequest<K extends DeclaredApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestInputOf<K>,
): Buffer[] {
  const plan = planOf(apiKey, apiVersion, 'request');
  assertInt32(correlationId, 'correlationId');
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const clientIdBytes = clientId === null ? 0 : Buffer.byteLength(clientId, 'utf8');
  if (clientIdBytes > INT16_MAX) throw new KafkaProtocolError('INVALID_VALUE', 'clientId is longer than INT16');
  const headerSize = 8 + (headerVersion >= 1 ? 2 + clientIdBytes : 0) + (headerVersion === 2 ? 1 : 0);
  const context = new EncodeContext();
  const size = frameSizeChecked(headerSize + sizeWithPlan(plan, body, context));
  const writer = new Writer(4 + size - context.externalBytes);
  writer.writeInt32(size);
  writer.writeInt16(apiKey);
  writer.writeInt16(apiVersion);
  writer.writeInt32(correlationId);
  if (headerVersion >= 1) {
    if (clientId === null) {
      writer.writeInt16(-1);
    } else {
      writer.writeInt16(clientIdBytes);
      writer.writeUtf8(clientId, clientIdBytes);
    }
  }
  if (headerVersion === 2) writer.writeUnsignedVarint(0);
  writeWithPlan(plan, body, writer, context);
  return writer.finish();
}

export interface DecodedResponse<B> {
  readonly correlationId: number;
  readonly body: B;
}

/**
 * Decodes a response (header and body) from frame[offset, frame.length), `frame` without its size prefix.
 * Throws UNSUPPORTED_VERSION for an undeclared version, CORRUPT_MESSAGE for malformed bytes.
 */
export function decodeResponse<K extends DeclaredApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
  offset = 0,
): DecodedResponse<ResponseOf<K>> {
  const plan = planOf(apiKey, apiVersion, 'response');
  const header = decodeResponseHeader(frame, responseHeaderVersion(apiKey, apiVersion), offset);
  const reader = new Reader(frame, offset + header.headerBytes, frame.length, 'CORRUPT_MESSAGE');
  return { correlationId: header.correlationId, body: decodeWithPlan(plan, reader) as ResponseOf<K> };
}
