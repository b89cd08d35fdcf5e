/**
 * ApiVersions: the broker's supported ranges, from the router table. An unsupported ApiVersions version is
 * answered (by the dispatcher) with UNSUPPORTED_VERSION in a v0-shaped body, so clients retry lower.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route, Route } from '../handler';

export function apiVersionsBody(routes: readonly Route[], errorCode = ErrorCode.NONE) {
  return {
    errorCode,
    apiKeys: routes
      .map((r) => ({ apiKey: r.apiKey, minVersion: r.minVersion, maxVersion: r.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey),
    throttleTimeMs: 0,
  };
}

export function apiVersionsRoute(routes: () => readonly Route[]): Route<ApiKey.ApiVersions> {
  return route(ApiKey.ApiVersions, 0, 3, () => apiVersionsBody(routes()));
}
