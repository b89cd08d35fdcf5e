/**
 * Request and response headers.
 *
 *   Request Header v0 => request_api_key request_api_version correlation_id
 *     request_api_key => INT16
 *     request_api_version => INT16
 *     correlation_id => INT32
 *   Request Header v1 => request_api_key request_api_version correlation_id client_id
 *     client_id => NULLABLE_STRING
 *   Request Header v2 => request_api_key request_api_version correlation_id client_id TAG_BUFFER
 *     client_id => NULLABLE_STRING
 *   Response Header v0 => correlation_id
 *     correlation_id => INT32
 *   Response Header v1 => correlation_id TAG_BUFFER
 *
 * Requests of an API's flexible versions use header v2, the others v1 (v0 only for ControlledShutdown v0);
 * responses of flexible versions use header v1, the others v0. client_id stays a (non-compact) NULLABLE_STRING
 * even in v2. Exception: ApiVersions responses always use header v0, so that a client that sent a version the
 * broker does not know can still read the error (KIP-511).
 */
import { apiDefinition } from './apis';
import { ApiKey } from './api-key';
import { KafkaProtocolError } from './protocol-error';
import { Reader } from './reader';

export type RequestHeaderVersion = 0 | 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly headerVersion: RequestHeaderVersion;
  /** Bytes the header takes: the body starts at frame[start + headerBytes]. */
  readonly headerBytes: number;
}

/**
 * The request header version of an API version. For an API key without a declaration: v1 (its tag buffer, if any,
 * is then left unread; the server should only answer it with an error).
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): RequestHeaderVersion {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  const definition = apiDefinition(apiKey);
  if (definition === undefined) return 1;
  return apiVersion >= definition.flexibleVersionMin ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): ResponseHeaderVersion {
  if (apiKey === ApiKey.ApiVersions) return 0;
  const definition = apiDefinition(apiKey);
  if (definition === undefined) return 0;
  return apiVersion >= definition.flexibleVersionMin ? 1 : 0;
}

/**
 * Decodes the request header at frame[start] (`frame`: one request without its size prefix). Works for any API key
 * and version, declared or not, so that the server can answer UNSUPPORTED_VERSION with the right correlation id.
 * Throws KafkaProtocolError INVALID_REQUEST if the header itself is truncated or malformed.
 */
export function decodeRequestHeader(frame: Buffer, start = 0): RequestHeader {
  const reader = new Reader(frame, start, frame.length, 'INVALID_REQUEST');
  const apiKey = reader.readInt16();
  const apiVersion = reader.readInt16();
  const correlationId = reader.readInt32();
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const clientId = headerVersion >= 1 ? reader.readString(false, true) : null;
  if (headerVersion === 2) reader.skipTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId, headerVersion, headerBytes: reader.position - start };
}

export interface ResponseHeader {
  readonly correlationId: number;
  readonly headerBytes: number;
}

/** Decodes a response header of the given version at frame[start]; throws CORRUPT_MESSAGE if malformed. */
export function decodeResponseHeader(
  frame: Buffer,
  headerVersion: ResponseHeaderVersion,
  start = 0,
): ResponseHeader {
  const reader = new Reader(frame, start, frame.length, 'CORRUPT_MESSAGE');
  const correlationId = reader.readInt32();
  if (headerVersion === 1) reader.skipTaggedFields();
  return { correlationId, headerBytes: reader.position - start };
}

export function assertInt32(value: number, what: string): void {
  if ((value | 0) !== value) throw new KafkaProtocolError('INVALID_VALUE', `${what}: expected an int32, got ${value}`);
}
