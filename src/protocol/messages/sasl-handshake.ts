/** SaslHandshake (key 17): choose a SASL mechanism. Kafka: SaslHandshake{Request,Response}.json. */
import { ApiKey } from '../api-key';
import { MessageInput, MessageSpec, MessageValue } from '../schema';

// Kafka protocol guide grammar, lowest and highest declared version:
// SaslHandshake Request (Version: 0) => mechanism
//   mechanism => STRING
// SaslHandshake Request (Version: 1) => mechanism
//   mechanism => STRING
// v0: the SASL tokens that follow travel as raw size-prefixed frames; v1: inside SaslAuthenticate requests.
export const SaslHandshakeRequestSpec = {
  name: 'SaslHandshakeRequest',
  apiKey: ApiKey.SaslHandshake,
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [{ name: 'mechanism', type: 'string', versions: '0+' }],
} as const satisfies MessageSpec;

// Kafka protocol guide grammar, lowest and highest declared version:
// SaslHandshake Response (Version: 0) => error_code [mechanisms]
//   error_code => INT16
//   mechanisms => STRING
// SaslHandshake Response (Version: 1) => error_code [mechanisms]
//   error_code => INT16
//   mechanisms => STRING
export const SaslHandshakeResponseSpec = {
  name: 'SaslHandshakeResponse',
  apiKey: ApiKey.SaslHandshake,
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type SaslHandshakeRequest = MessageValue<typeof SaslHandshakeRequestSpec>;
export type SaslHandshakeRequestInput = MessageInput<typeof SaslHandshakeRequestSpec>;
export type SaslHandshakeResponse = MessageValue<typeof SaslHandshakeResponseSpec>;
export type SaslHandshakeResponseInput = MessageInput<typeof SaslHandshakeResponseSpec>;
