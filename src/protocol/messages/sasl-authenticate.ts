/** SaslAuthenticate (key 36): one SASL token exchange. Kafka: SaslAuthenticate{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// SaslAuthenticate Request (Version: 0) => auth_bytes
//   auth_bytes => BYTES
// SaslAuthenticate Request (Version: 2) => auth_bytes TAG_BUFFER
//   auth_bytes => COMPACT_BYTES
export const SaslAuthenticateRequestSpec = {
  name: 'SaslAuthenticateRequest',
  apiKey: ApiKey.SaslAuthenticate,
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// SaslAuthenticate Response (Version: 0) => error_code error_message auth_bytes
//   error_code => INT16
//   error_message => NULLABLE_STRING
//   auth_bytes => BYTES
// SaslAuthenticate Response (Version: 2) => error_code error_message auth_bytes session_lifetime_ms TAG_BUFFER
//   error_code => INT16
//   error_message => COMPACT_NULLABLE_STRING
//   auth_bytes => COMPACT_BYTES
//   session_lifetime_ms => INT64
export const SaslAuthenticateResponseSpec = {
  name: 'SaslAuthenticateResponse',
  apiKey: ApiKey.SaslAuthenticate,
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0 },
  ],
} as const satisfies MessageSpec;

export type SaslAuthenticateRequest = MessageValue<typeof SaslAuthenticateRequestSpec>;
export type SaslAuthenticateRequestInput = MessageInput<typeof SaslAuthenticateRequestSpec>;
export type SaslAuthenticateResponse = MessageValue<typeof SaslAuthenticateResponseSpec>;
export type SaslAuthenticateResponseInput = MessageInput<typeof SaslAuthenticateResponseSpec>;
