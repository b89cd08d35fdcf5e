/**
 * JoinGroup: the member joins (or rejoins) its group; the response waits for the join phase to end (see
 * GroupCoordinator). v0 has no rebalance timeout (the session timeout serves), v4+ dynamic members first get
 * MEMBER_ID_REQUIRED with their id, v5+ carries group.instance.id, v7 the protocol type in the response.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { route } from '../handler';

/** The client's address as Kafka reports it (InetAddress.toString: "/127.0.0.1"), IPv4-mapped IPv6 unwrapped. */
export function clientHost(remoteAddress: string): string {
  return `/${remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress}`;
}

export const joinGroupRoute = route(ApiKey.JoinGroup, 0, 7, async (request, { header, connection, broker }) => {
  const version = header.apiVersion;
  const result = await broker.groups.joinGroup({
    groupId: request.groupId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: header.clientId ?? '',
    clientHost: clientHost(connection.remoteAddress),
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: version === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
    protocolType: request.protocolType,
    // Copied: the member keeps them for its lifetime, the request frame should not live that long.
    protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
    requireKnownMemberId: version >= 4 && request.groupInstanceId === null,
  });
  // Before v7 the protocol name is not nullable: '' stands for none; from v7 null does.
  const protocolName = version >= 7 ? result.protocolName || null : (result.protocolName ?? '');
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode[result.error],
    generationId: result.generationId,
    protocolType: result.protocolType,
    protocolName,
    leader: result.leaderId,
    memberId: result.memberId,
    members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
});
