/**
 * `strata transactions list [--state S ...]` and `strata transactions describe <transactional.id> ...`: the
 * operator's view of transactions through the Kafka APIs ListTransactions and DescribeTransactions (KIP-664), so
 * they work against Strata and any Kafka 3.0+ broker. Human-readable table by default, --json for scripts.
 * Exit codes: 0 ok, 1 a transactional id was not found, 3 the broker could not be reached or refused.
 */
import { ApiKey } from '../protocol/api-key';
import { errorCodeInfo, ErrorCode } from '../protocol/error-codes';
import { WireTransport } from '../client/transport';
import { parseBootstrap, table } from './common';

export interface TransactionsOptions {
  bootstrapServer: string;
  states: string[];
  json: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
}

export async function transactionsCommand(sub: string, ids: string[], o: TransactionsOptions): Promise<number> {
  const { host, port } = parseBootstrap(o.bootstrapServer);
  const transport = await WireTransport.connect(host, port, 'strata-cli');
  try {
    if (sub === 'list') {
      const res = await transport.request(ApiKey.ListTransactions, 0, { stateFilters: o.states, producerIdFilters: [] });
      if (res.errorCode !== ErrorCode.NONE) {
        o.err(`strata transactions: ${errorCodeInfo(res.errorCode)?.name ?? res.errorCode}`);
        return 3;
      }
      const rows = res.transactionStates.map((s) => ({ transactionalId: s.transactionalId, producerId: Number(s.producerId), state: s.transactionState }));
      if (o.json) o.out(JSON.stringify(rows));
      else for (const l of table(['TRANSACTIONAL ID', 'PRODUCER ID', 'STATE'], rows.map((r) => [r.transactionalId, String(r.producerId), r.state]))) o.out(l);
      if (res.unknownStateFilters.length > 0) o.err(`strata transactions: unknown states ignored: ${res.unknownStateFilters.join(', ')}`);
      return 0;
    }
    const res = await transport.request(ApiKey.DescribeTransactions, 0, { transactionalIds: ids });
    let missing = 0;
    const rows = res.transactionStates.map((s) => {
      if (s.errorCode !== ErrorCode.NONE) missing++;
      return {
        transactionalId: s.transactionalId,
        error: s.errorCode === ErrorCode.NONE ? null : (errorCodeInfo(s.errorCode)?.name ?? String(s.errorCode)),
        state: s.transactionState,
        producerId: Number(s.producerId),
        producerEpoch: s.producerEpoch,
        timeoutMs: s.transactionTimeoutMs,
        startTimeMs: Number(s.transactionStartTimeMs),
        partitions: s.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`)),
      };
    });
    if (o.json) o.out(JSON.stringify(rows));
    else {
      const cells = rows.map((r) =>
        r.error
          ? [r.transactionalId, r.error, '', '', '', '']
          : [r.transactionalId, r.state, `${r.producerId}/${r.producerEpoch}`, String(r.timeoutMs), r.startTimeMs < 0 ? '-' : new Date(r.startTimeMs).toISOString(), r.partitions.join(',') || '-'],
      );
      for (const l of table(['TRANSACTIONAL ID', 'STATE', 'PRODUCER ID/EPOCH', 'TIMEOUT MS', 'STARTED', 'PARTITIONS'], cells)) o.out(l);
    }
    return missing > 0 ? 1 : 0;
  } finally {
    transport.close();
  }
}
