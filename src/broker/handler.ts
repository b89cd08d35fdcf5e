/**
 * What a request handler sees and returns. One handler per API (broker/handlers/<api>.ts); the router is a
 * table from API key to handler and the version range the broker advertises for it.
 */
import type { DeclaredApiKey, RequestOf, ResponseInputOf } from '../protocol/apis';
import type { RequestHeader } from '../protocol/header';
import type { ConnectionInfo } from '../server/connection';
import type { BrokerContext } from './broker-context';

export interface RequestContext {
  readonly header: RequestHeader;
  readonly connection: ConnectionInfo;
  readonly broker: BrokerContext;
}

/** A handler returns the response body, or null when Kafka sends none (Produce with acks=0). */
export type Handler<K extends DeclaredApiKey> = (
  request: RequestOf<K>,
  context: RequestContext,
) => Promise<ResponseInputOf<K> | null> | ResponseInputOf<K> | null;

export interface Route<K extends DeclaredApiKey = DeclaredApiKey> {
  apiKey: K;
  /** The versions the broker advertises and serves: only those implemented in full. */
  minVersion: number;
  maxVersion: number;
  handle: Handler<K>;
}

/** Ties a handler to its API key with full typing. */
export function route<K extends DeclaredApiKey>(apiKey: K, minVersion: number, maxVersion: number, handle: Handler<K>): Route<K> {
  return { apiKey, minVersion, maxVersion, handle };
}
