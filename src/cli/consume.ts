/**
 * `strata consume <topic>`: prints a topic's records, over the Kafka protocol with the embedded Consumer, so it works
 * against any Kafka-compatible broker (as kafka-console-consumer and kcat -C).
 *
 * Where to start: --from-beginning (the log start), --offset N (that offset, clamped to the log; -N: N before the
 * end), --offset earliest|latest, --from-timestamp MS|ISO-8601 (the first record at or after it, by ListOffsets;
 * the end if none), default latest (only new records). --partition N (repeatable) limits it to those partitions,
 * default all of them (Metadata).
 *
 * --group G: a real member of the consumer group G (client/group-member.ts: JoinGroup/SyncGroup/Heartbeat with
 * the "consumer" protocol, range or roundrobin assignment), sharing the topic's partitions with the group's other
 * members, whatever their client; rebalances are followed. A partition starts at the group's committed offset,
 * or where the start options above say when it has none. Printed records are committed: every 5 s, before a
 * rebalance hands partitions over, and at exit, so a later run with the same group continues after them.
 * --group excludes --partition (the group decides the partitions).
 *
 * Output: the value and a newline per record, or --format FMT with kcat's tokens: %t topic, %p partition,
 * %o offset, %k key, %s value, %T timestamp (ms), %h headers (k=v,k2=v2), %K key length, %S value length (-1 for
 * null), %% a percent, \n \t \r \\ (nothing added: end FMT with \n for lines); keys and values as their raw bytes,
 * null as nothing. --json: one JSON object per line, {topic, partition, offset, timestamp, key, value, headers:
 * [{key, value}]}, keys and values as UTF-8 strings (or null), base64 with --binary.
 *
 * --isolation-level: read_uncommitted by default (as kafka-console-consumer), read_committed hides aborted
 * transactions and stops at the last stable offset.
 *
 * Stops after --max-messages N, after --timeout-ms T without a new record, or at SIGINT/SIGTERM (or a closed
 * stdout): commits (with --group), leaves the group, closes, exit 0. Prints "consumed N records" to stderr.
 * Exit codes: 0 stopped as asked, 1 the topic or partition does not exist or the broker refused (the last commit
 * included), 2 usage, 3 the broker cannot be reached.
 */
import { parseArgs } from 'node:util';
import { KafkaError } from '../errors/kafka-error';
import { ApiKey } from '../protocol/api-key';
import { ErrorCode } from '../protocol/error-codes';
import { Consumer } from '../client/consumer';
import type { ConsumerRecord, IsolationLevel } from '../client/consumer';
import { GroupMember } from '../client/group-member';
import type { TopicPartition } from '../client/group-member';
import { WireTransport } from '../client/transport';
import type { Transport } from '../client/transport';
import { intOption, joinNegativeValues, parseBootstrap, usageError } from './common';
import { exitCodeOf, partitionCount, unescape } from './produce';

export const usage: string[] = [
  '  consume <topic> --bootstrap-server host:port [--from-beginning | --offset N|-N|earliest|latest |',
  '          --from-timestamp MS|ISO] [--partition N ...] [--group G [--assignor range|roundrobin]]',
  '          [--max-messages N] [--timeout-ms MS] [--isolation-level read_uncommitted|read_committed]',
  '          [--format FMT | --json [--binary]]',
  '                                             Print records (default from the end, the value per line); FMT',
  '                                             tokens %t %p %o %k %s %T %h %K %S %% \\n \\t. --group joins the',
  '                                             group, shares its partitions, commits what was printed',
];

const FETCH_WAIT_MS = 500;
/** auto.commit.interval.ms of Kafka's consumer. */
const COMMIT_INTERVAL_MS = 5000;
const IDLE_WAIT_MS = 200;
const LIST_OFFSETS_VERSION = 4;
const FIND_COORDINATOR_VERSION = 3;
const EARLIEST = -2n;
const LATEST = -1n;
const INT32_MAX = 2 ** 31 - 1;


type Start = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; timestampMs: number };

function parseStart(values: { 'from-beginning'?: boolean; offset?: string; 'from-timestamp'?: string }): Start {
  const given = [values['from-beginning'] ? '--from-beginning' : null, values.offset !== undefined ? '--offset' : null, values['from-timestamp'] !== undefined ? '--from-timestamp' : null].filter((x) => x !== null);
  if (given.length > 1) usageError(`${given.join(' and ')} exclude each other`);
  if (values['from-beginning']) return { kind: 'earliest' };
  if (values.offset !== undefined) {
    if (values.offset === 'earliest' || values.offset === 'beginning') return { kind: 'earliest' };
    if (values.offset === 'latest' || values.offset === 'end') return { kind: 'latest' };
    if (!/^-?\d+$/.test(values.offset) || !Number.isSafeInteger(Number(values.offset))) usageError(`--offset must be a number, -N, earliest or latest, not "${values.offset}"`);
    return { kind: 'offset', offset: Number(values.offset) };
  }
  const ts = values['from-timestamp'];
  if (ts !== undefined) {
    const ms = /^\d+$/.test(ts) ? Number(ts) : /^\d{4}-\d\d-\d\d/.test(ts) ? Date.parse(ts) : NaN;
    if (!Number.isSafeInteger(ms) || ms < 0) usageError(`--from-timestamp must be milliseconds since the epoch or an ISO-8601 date, not "${ts}"`);
    return { kind: 'timestamp', timestampMs: ms };
  }
  return { kind: 'latest' };
}

type Part = { literal: Buffer } | { token: string };

/** A --format string as literal runs and tokens; an unknown %x is a usage error (a typo, not output). */
export function compileFormat(format: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '\\' && i + 1 < format.length && 'ntr\\'.includes(format[i + 1])) {
      literal += unescape(format.slice(i, i + 2));
      i++;
    } else if (c === '%') {
      const t = format[i + 1];
      if (t === '%') literal += '%';
      else if (t !== undefined && 'tpokshTKS'.includes(t)) {
        if (literal !== '') parts.push({ literal: Buffer.from(literal) });
        literal = '';
        parts.push({ token: t });
      } else usageError(`--format: unknown token "%${t ?? ''}" (%t %p %o %k %s %T %h %K %S %%)`);
      i++;
    } else literal += c;
  }
  if (literal !== '') parts.push({ literal: Buffer.from(literal) });
  return parts;
}

const EMPTY = Buffer.alloc(0);

function render(parts: Part[], r: ConsumerRecord, out: Buffer[]): void {
  for (const p of parts) {
    if ('literal' in p) {
      out.push(p.literal);
      continue;
    }
    switch (p.token) {
      case 't': out.push(Buffer.from(r.topic)); break;
      case 'p': out.push(Buffer.from(String(r.partition))); break;
      case 'o': out.push(Buffer.from(String(r.offset))); break;
      case 'k': out.push(r.key ?? EMPTY); break;
      case 's': out.push(r.value ?? EMPTY); break;
      case 'T': out.push(Buffer.from(String(r.timestamp))); break;
      case 'K': out.push(Buffer.from(String(r.key === null ? -1 : r.key.length))); break;
      case 'S': out.push(Buffer.from(String(r.value === null ? -1 : r.value.length))); break;
      case 'h':
        r.headers.forEach((h, i) => {
          if (i > 0) out.push(Buffer.from(','));
          out.push(Buffer.from(h.key));
          if (h.value !== null) out.push(Buffer.from('='), h.value);
        });
        break;
    }
  }
}

function json(r: ConsumerRecord, binary: boolean): string {
  const text = (b: Buffer | null) => (b === null ? null : b.toString(binary ? 'base64' : 'utf8'));
  return JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: text(r.key),
    value: text(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: text(h.value) })),
  });
}

/** ListOffsets of some partitions of one topic at a timestamp (-2 earliest, -1 latest): offset per partition, -1 where none. */
async function listOffsets(transport: Transport, topic: string, partitions: readonly number[], timestamp: bigint, isolation: IsolationLevel): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (partitions.length === 0) return out;
  const res = await transport.request(ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
    replicaId: -1,
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) }],
  });
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw new KafkaError(p.errorCode, `${topic}-${p.partitionIndex}: list offsets`);
      out.set(p.partitionIndex, Number(p.offset));
    }
  }
  for (const p of partitions) if (!out.has(p)) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${p}: no offset in the answer`);
  return out;
}

/** Where each partition starts by the start options. */
async function startOffsets(transport: Transport, topic: string, partitions: readonly number[], start: Start, isolation: IsolationLevel): Promise<Map<number, number>> {
  switch (start.kind) {
    case 'earliest':
      return listOffsets(transport, topic, partitions, EARLIEST, isolation);
    case 'latest':
      return listOffsets(transport, topic, partitions, LATEST, isolation);
    case 'timestamp': {
      const found = await listOffsets(transport, topic, partitions, BigInt(start.timestampMs), isolation);
      const none = partitions.filter((p) => found.get(p)! < 0);
      const ends = await listOffsets(transport, topic, none, LATEST, isolation);
      for (const p of none) found.set(p, ends.get(p)!);
      return found;
    }
    case 'offset': {
      const first = await listOffsets(transport, topic, partitions, EARLIEST, isolation);
      const end = await listOffsets(transport, topic, partitions, LATEST, isolation);
      const out = new Map<number, number>();
      for (const p of partitions) {
        const wanted = start.offset < 0 ? end.get(p)! + start.offset : start.offset;
        out.set(p, Math.min(Math.max(wanted, first.get(p)!), end.get(p)!));
      }
      return out;
    }
  }
}

async function findCoordinator(transport: Transport, groupId: string): Promise<{ host: string; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const res = await transport.request(ApiKey.FindCoordinator, FIND_COORDINATOR_VERSION, { key: groupId, keyType: 0, coordinatorKeys: [] });
    if (res.errorCode === ErrorCode.NONE) return { host: res.host, port: res.port };
    if (res.errorCode !== ErrorCode.COORDINATOR_NOT_AVAILABLE || attempt >= 20) throw new KafkaError(res.errorCode, `group ${groupId}: find coordinator`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const key = (topic: string, partition: number) => `${topic}-${partition}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, ['--offset', '--from-timestamp']),
    allowPositionals: true,
    strict: true,
    options: {
      'bootstrap-server': { type: 'string' },
      'from-beginning': { type: 'boolean', default: false },
      offset: { type: 'string' },
      'from-timestamp': { type: 'string' },
      partition: { type: 'string', multiple: true, default: [] },
      group: { type: 'string' },
      assignor: { type: 'string' },
      'max-messages': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'isolation-level': { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
      binary: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1 || positionals[0] === '') usageError('consume needs one topic: strata consume <topic> --bootstrap-server host:port');
  const topic = positionals[0];
  if (!values['bootstrap-server']) usageError('consume needs --bootstrap-server host:port');
  const { host, port } = parseBootstrap(values['bootstrap-server']);
  const start = parseStart(values);
  const wanted = [...new Set((values.partition ?? []).map((p) => intOption('partition', p, 0, INT32_MAX)!))];
  const groupId = values.group;
  if (groupId === '') usageError('--group cannot be empty');
  if (groupId !== undefined && wanted.length > 0) usageError('--group and --partition exclude each other: the group assigns the partitions');
  if (values.assignor !== undefined && groupId === undefined) usageError('--assignor goes with --group');
  if (values.assignor !== undefined && values.assignor !== 'range' && values.assignor !== 'roundrobin') usageError(`--assignor must be range or roundrobin, not "${values.assignor}"`);
  const maxMessages = intOption('max-messages', values['max-messages'], 1, Number.MAX_SAFE_INTEGER);
  const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 1, INT32_MAX);
  const isolation = (values['isolation-level'] ?? 'read_uncommitted') as IsolationLevel;
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') usageError(`--isolation-level must be read_uncommitted or read_committed, not "${values['isolation-level']}"`);
  if (values.format !== undefined && values.json) usageError('--format and --json exclude each other');
  if (values.binary && !values.json) usageError('--binary goes with --json');
  const parts = compileFormat(values.format ?? '%s\\n');
  const binary = values.binary ?? false;
  const asJson = values.json ?? false;
  // The chosen assignor first; the others (and kafkajs's name for round robin) still offered, so a group whose
  // other members prefer another one agrees.
  const assignors = values.assignor === 'roundrobin' ? ['roundrobin', 'range', 'RoundRobinAssigner'] : ['range', 'roundrobin', 'RoundRobinAssigner'];

  // ---- stopping: a signal, a closed stdout, max-messages, timeout ----
  let stopping = false;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const stop = () => {
    stopping = true;
    wake();
  };
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130); // a second Ctrl-C: the user does not want to wait for the commit
    stop();
  };
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') console.error(`strata consume: stdout: ${err.message}`);
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);
  /** Waits for `p` unless stopping (or the deadline, ms since the epoch) comes first: then resolves undefined. */
  const unlessStopped = async <T>(p: Promise<T>, deadlineMs?: number): Promise<T | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const late = deadlineMs === undefined ? [] : [new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), Math.max(0, deadlineMs - Date.now()))))];
    try {
      return await Promise.race([p, stopped.then(() => undefined), ...late]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };

  let transport: WireTransport | null = null;
  let member: GroupMember | null = null;
  let coordinator: { host: string; port: number } | null = null;
  let consumed = 0;
  const startMs = Date.now();
  let exitCode = 0;
  /** The next offset to print per assigned partition: what a commit stores. */
  let positions = new Map<string, TopicPartition & { offset: number }>();
  const committed = new Map<string, number>();

  /** A JoinGroup waits on the member's connection: anything sent there now would wait behind it. */
  let joinPending = false;
  const commitPrinted = async (): Promise<void> => {
    if (member === null || member.generationId < 0 || joinPending) return;
    const changed = [...positions.values()].filter((p) => committed.get(key(p.topic, p.partition)) !== p.offset);
    if (changed.length === 0) return;
    await member.commit(changed);
    for (const p of changed) committed.set(key(p.topic, p.partition), p.offset);
  };

  try {
    try {
      transport = await WireTransport.connect(host, port, 'strata-cli');
    } catch (err) {
      return exitCodeOf(err, 'consume');
    }
    const t = transport;
    const count = await partitionCount(t, topic, false);
    for (const p of wanted) if (p >= count) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} has ${count} partitions, no partition ${p}`);
    const consumer = Consumer.create({ transport: t, isolationLevel: isolation, maxWaitMs: Math.min(FETCH_WAIT_MS, timeoutMs ?? FETCH_WAIT_MS) });

    /** Assigns these partitions at the group's committed offsets, else by the start options. */
    const assign = async (partitions: readonly number[]): Promise<void> => {
      let from = new Map<number, number>();
      committed.clear();
      if (member !== null && partitions.length > 0) {
        const known = await member.committed(partitions.map((partition) => ({ topic, partition })));
        for (const p of partitions) {
          const c = known.get(key(topic, p));
          if (c !== null && c !== undefined) {
            from.set(p, c);
            committed.set(key(topic, p), c);
          }
        }
      }
      const rest = partitions.filter((p) => !from.has(p));
      const byStart = await startOffsets(t, topic, rest, start, isolation);
      from = new Map([...from, ...byStart]);
      positions = new Map(partitions.map((p) => [key(topic, p), { topic, partition: p, offset: from.get(p)! }]));
      await consumer.assign(partitions.map((p) => ({ topic, partition: p, offset: from.get(p)! })));
    };

    if (groupId !== undefined) {
      coordinator = await findCoordinator(t, groupId);
      const own = await WireTransport.connect(coordinator.host, coordinator.port, 'strata-cli');
      member = new GroupMember({ transport: own, groupId, topics: [topic], assignors });
    } else {
      await assign(wanted.length > 0 ? wanted : Array.from({ length: count }, (_, p) => p));
    }

    let lastRecordMs = Date.now();
    let lastCommitMs = Date.now();
    while (!stopping) {
      if (member !== null) {
        if (member.error !== null) throw member.error;
        if (member.rejoinNeeded) {
          // Eager rebalance: what was printed is committed before the partitions go back to the group.
          try {
            await commitPrinted();
          } catch (err) {
            if (!(err instanceof KafkaError)) throw err;
          }
          joinPending = true;
          const joining = member.join().finally(() => (joinPending = false));
          joining.catch(() => {}); // when stopping wins the race, the join's failure at close is expected
          const assigned = await unlessStopped(joining, timeoutMs !== undefined ? lastRecordMs + timeoutMs : undefined);
          if (assigned === undefined) break;
          await assign(assigned.filter((p) => p.topic === topic).map((p) => p.partition));
          lastCommitMs = Date.now();
        }
      }
      let records: ConsumerRecord[] = [];
      if (positions.size === 0) await unlessStopped(new Promise((r) => setTimeout(r, IDLE_WAIT_MS)));
      else records = await consumer.poll();
      const out: Buffer[] = [];
      let all = true;
      for (const r of records) {
        const at = positions.get(key(r.topic, r.partition));
        if (at === undefined) continue;
        if (asJson) out.push(Buffer.from(`${json(r, binary)}\n`));
        else render(parts, r, out);
        at.offset = r.offset + 1;
        consumed++;
        if (maxMessages !== undefined && consumed >= maxMessages) {
          all = r === records[records.length - 1];
          stopping = true;
          break;
        }
      }
      // Every record returned was printed: the positions also move past what the consumer skipped (markers, aborted).
      if (all) for (const p of positions.values()) p.offset = consumer.position(p.topic, p.partition) ?? p.offset;
      if (records.length > 0) lastRecordMs = Date.now();
      if (out.length > 0 && !process.stdout.write(Buffer.concat(out))) {
        await unlessStopped(new Promise<void>((resolve) => process.stdout.once('drain', () => resolve())));
      }
      if (timeoutMs !== undefined && Date.now() - lastRecordMs >= timeoutMs) break;
      if (member !== null && Date.now() - lastCommitMs >= COMMIT_INTERVAL_MS) {
        lastCommitMs = Date.now();
        try {
          await commitPrinted();
        } catch (err) {
          if (!(err instanceof KafkaError)) throw err; // a rebalance began: the next turn rejoins
        }
      }
    }
    if (member !== null) {
      try {
        await commitPrinted();
      } catch (err) {
        exitCode = exitCodeOf(err, 'consume');
      }
    }
  } catch (err) {
    exitCode = exitCodeOf(err, 'consume');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (member !== null) await leave(member, coordinator!, joinPending);
    transport?.close();
  }
  console.error(`consumed ${consumed} records from ${topic} in ${Date.now() - startMs} ms`);
  return exitCode;
}

/** Leaves the group; on a fresh connection if the member's own is held by a JoinGroup still waiting. */
async function leave(member: GroupMember, coordinator: { host: string; port: number }, joinPending: boolean): Promise<void> {
  try {
    if (member.memberId !== '') {
      if (joinPending) {
        const via = await WireTransport.connect(coordinator.host, coordinator.port, 'strata-cli');
        try {
          await member.leave(via);
        } finally {
          via.close();
        }
      } else {
        await member.leave();
      }
    }
  } catch (err) {
    console.error(`strata consume: leaving the group: ${(err as Error).message}`);
  } finally {
    member.close();
  }
}
