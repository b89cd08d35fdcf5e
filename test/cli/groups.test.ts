/**
 * `strata groups list|describe|reset-offsets|delete` against a broker in this process and a real kafkajs consumer
 * group: members and lag while it runs (from real committed and end offsets), reset refused while it is active and
 * checked against OffsetFetch once it is not, --to-datetime/--by-duration against real record timestamps, progress
 * over many partitions, delete, and exit codes 1/2/3.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { InProcessTransport, Producer } from '../../src/client/index';
import { ApiKey } from '../../src/protocol/api-key';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'strata.js');

// Asynchronous: the broker answering the CLI runs in this process.
function strata(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'groups', ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface DescribedOffset {
  topic: string;
  partition: number;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  clientId: string | null;
}

t.test('strata groups against a kafkajs consumer group', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-groups-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'group.initial.rebalance.delay.ms': 0 }, { logger: silentLogger });
  const admin = new InProcessTransport(broker);
  const producer = await Producer.create({ transport: new InProcessTransport(broker) });
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], clientId: 'workers-client', logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
  const consumer = kafka.consumer({ groupId: 'workers', sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
  let consumerConnected = false;
  t.teardown(async () => {
    if (consumerConnected) await consumer.disconnect().catch(() => {});
    await producer.close();
    admin.close();
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const server = `127.0.0.1:${broker.port}`;

  /** The group's committed offsets as the coordinator has them, by "topic-partition" (not through the CLI). */
  async function committed(group: string): Promise<Record<string, number>> {
    const res = await admin.request(ApiKey.OffsetFetch, 7, { groupId: group, topics: null, requireStable: false });
    const out: Record<string, number> = {};
    for (const topic of res.topics) for (const p of topic.partitions) if (p.committedOffset >= 0n) out[`${topic.name}-${p.partitionIndex}`] = Number(p.committedOffset);
    return out;
  }
  async function groupState(group: string): Promise<string> {
    const res = await admin.request(ApiKey.DescribeGroups, 5, { groups: [group] });
    return res.groups[0].groupState;
  }

  // Partition 0: records one second apart from a fixed past time; partition 1: one minute apart, ending a minute ago.
  broker.createTopic('orders', 2);
  const base = Date.UTC(2024, 0, 1, 12, 0, 0);
  const now = Date.now();
  await producer.send('orders', Array.from({ length: 10 }, (_, i) => ({ value: `a${i}`, partition: 0, timestamp: base + i * 1000 })));
  await producer.send('orders', Array.from({ length: 10 }, (_, i) => ({ value: `b${i}`, partition: 1, timestamp: now - (10 - i) * 60_000 })));

  // A live group that has read everything but has not committed yet.
  const seen: string[] = [];
  await consumer.connect();
  consumerConnected = true;
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await waitFor(() => seen.length >= 20, 60_000, 'the consumer to read 20 records');
  await waitFor(async () => (await groupState('workers')) === 'Stable', 60_000, 'a Stable group');

  await t.test('list shows the live group with its protocol type and state', async (t) => {
    const list = await strata(['list', '--bootstrap-server', server]);
    t.equal(list.code, 0, list.stderr);
    t.match(list.stdout, /^GROUP\s+PROTOCOL TYPE\s+STATE\n/);
    t.match(list.stdout, /\nworkers\s+consumer\s+Stable\n/);
    const json = await strata(['list', '--bootstrap-server', server, '--json']);
    t.same(JSON.parse(json.stdout), [{ groupId: 'workers', protocolType: 'consumer', state: 'Stable' }]);
  });

  await t.test('describe before any commit: assigned partitions without offsets', async (t) => {
    const res = await strata(['describe', 'workers', 'nosuch', '--bootstrap-server', server]);
    t.equal(res.code, 1, 'one of the groups does not exist');
    t.equal(res.stderr, "strata groups: consumer group 'nosuch' does not exist\n");
    t.match(res.stdout, /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID\n/);
    t.match(res.stdout, /\nworkers\s+orders\s+0\s+-\s+10\s+-\s+workers-client-\S+\s+\/127\.0\.0\.1\s+workers-client\n/);
    t.match(res.stdout, /\nworkers\s+orders\s+1\s+-\s+10\s+-\s+workers-client-\S+/);
  });

  await consumer.commitOffsets([
    { topic: 'orders', partition: 0, offset: '6' },
    { topic: 'orders', partition: 1, offset: '4' },
  ]);
  t.same(await committed('workers'), { 'orders-0': 6, 'orders-1': 4 }, 'the consumer committed part of what it read');

  await t.test('describe a running group: members, assignment and lag', async (t) => {
    const json = await strata(['describe', 'workers', '--bootstrap-server', server, '--json']);
    t.equal(json.code, 0, json.stderr);
    const [g] = JSON.parse(json.stdout);
    t.match(g, { group: 'workers', state: 'Stable', protocolType: 'consumer', protocol: /\S/, coordinator: { nodeId: broker.config.nodeId, host: '127.0.0.1', port: broker.port } });
    t.equal(g.members.length, 1);
    t.match(g.members[0], { memberId: /^workers-client-/, clientId: 'workers-client', host: '/127.0.0.1' });
    t.same(g.members[0].assignment, [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }], 'assignment decoded from the consumer protocol bytes');
    const memberId = g.members[0].memberId;
    t.same(
      g.offsets.map((o: DescribedOffset) => [o.topic, o.partition, o.currentOffset, o.logEndOffset, o.lag, o.consumerId, o.clientId]),
      [
        ['orders', 0, 6, 10, 4, memberId, 'workers-client'],
        ['orders', 1, 4, 10, 6, memberId, 'workers-client'],
      ],
    );

    // More records: the log end offset and the lag follow the log.
    await producer.send('orders', Array.from({ length: 5 }, (_, i) => ({ value: `a${10 + i}`, partition: 0, timestamp: base + (10 + i) * 1000 })));
    const table = await strata(['describe', 'workers', '--bootstrap-server', server]);
    t.match(table.stdout, new RegExp(`\\nworkers\\s+orders\\s+0\\s+6\\s+15\\s+9\\s+${memberId}\\s+/127\\.0\\.0\\.1\\s+workers-client\\n`));
    t.match(table.stdout, new RegExp(`\\nworkers\\s+orders\\s+1\\s+4\\s+10\\s+6\\s+${memberId}`));

    const members = await strata(['describe', 'workers', '--members', '--bootstrap-server', server]);
    t.equal(members.code, 0, members.stderr);
    t.match(members.stdout, /^GROUP\s+CONSUMER-ID\s+GROUP-INSTANCE-ID\s+HOST\s+CLIENT-ID\s+#PARTITIONS\s+ASSIGNMENT\n/);
    t.match(members.stdout, new RegExp(`\\nworkers\\s+${memberId}\\s+-\\s+/127\\.0\\.0\\.1\\s+workers-client\\s+2\\s+orders\\(0,1\\)\\n`));
    const state = await strata(['describe', 'workers', '--state', '--bootstrap-server', server]);
    t.match(state.stdout, new RegExp(`\\nworkers\\s+127\\.0\\.0\\.1:${broker.port} \\(${broker.config.nodeId}\\)\\s+\\S+\\s+Stable\\s+1\\n`));
  });

  await t.test('reset-offsets and delete refuse a live group', async (t) => {
    for (const mode of ['--dry-run', '--execute']) {
      const res = await strata(['reset-offsets', 'workers', '--topic', 'orders', '--to-earliest', mode, '--bootstrap-server', server]);
      t.equal(res.code, 1, `${mode}: exit 1`);
      t.equal(res.stderr, "strata groups: Assignments can only be reset if the group 'workers' is inactive, but the current state is Stable.\n");
      t.equal(res.stdout, '');
    }
    const del = await strata(['delete', 'workers', '--bootstrap-server', server]);
    t.equal(del.code, 1);
    t.match(del.stderr, /group 'workers' could not be deleted: NON_EMPTY_GROUP/);
    t.same(await committed('workers'), { 'orders-0': 6, 'orders-1': 4 }, 'nothing changed');
    t.equal(await groupState('workers'), 'Stable');
  });

  await consumer.disconnect();
  consumerConnected = false;
  await waitFor(async () => (await groupState('workers')) === 'Empty', 60_000, 'the group to become Empty');

  await t.test('an empty group: describe without members, dry runs change nothing', async (t) => {
    const desc = await strata(['describe', 'workers', '--bootstrap-server', server]);
    t.equal(desc.code, 0, desc.stderr);
    t.match(desc.stderr, /consumer group 'workers' has no active members/);
    t.match(desc.stdout, /\nworkers\s+orders\s+0\s+6\s+15\s+9\s+-\s+-\s+-\n/);

    const dry = await strata(['reset-offsets', 'workers', '--topic', 'orders', '--to-earliest', '--bootstrap-server', server]);
    t.equal(dry.code, 0, dry.stderr);
    t.equal(dry.stdout, 'GROUP    TOPIC   PARTITION  NEW-OFFSET\nworkers  orders  0          0\nworkers  orders  1          0\n');
    const shift = await strata(['reset-offsets', 'workers', '--topic', 'orders', '--shift-by', '-2', '--dry-run', '--bootstrap-server', server, '--json']);
    t.equal(shift.code, 0, shift.stderr);
    t.same(JSON.parse(shift.stdout), [
      { group: 'workers', topic: 'orders', partition: 0, currentOffset: 6, newOffset: 4 },
      { group: 'workers', topic: 'orders', partition: 1, currentOffset: 4, newOffset: 2 },
    ]);
    t.same(await committed('workers'), { 'orders-0': 6, 'orders-1': 4 }, 'dry runs committed nothing');
  });

  await t.test('--execute commits, clamped to the log', async (t) => {
    const one = await strata(['reset-offsets', 'workers', '--topic', 'orders:1', '--to-offset', '3', '--execute', '--bootstrap-server', server]);
    t.equal(one.code, 0, one.stderr);
    t.equal(one.stdout, 'GROUP    TOPIC   PARTITION  NEW-OFFSET\nworkers  orders  1          3\n');
    t.same(await committed('workers'), { 'orders-0': 6, 'orders-1': 3 }, 'only the partition named changed');

    const high = await strata(['reset-offsets', 'workers', '--topic', 'orders:1', '--to-offset', '100', '--execute', '--bootstrap-server', server]);
    t.equal(high.code, 0, high.stderr);
    t.same(await committed('workers'), { 'orders-0': 6, 'orders-1': 10 }, '--to-offset past the end is the log end');
    const back = await strata(['reset-offsets', 'workers', '--topic', 'orders', '--shift-by', '-100', '--execute', '--bootstrap-server', server]);
    t.equal(back.code, 0, back.stderr);
    t.same(await committed('workers'), { 'orders-0': 0, 'orders-1': 0 }, '--shift-by before the start is the log start');

    const latest = await strata(['reset-offsets', 'workers', '--all-topics', '--to-latest', '--execute', '--bootstrap-server', server, '--json']);
    t.equal(latest.code, 0, latest.stderr);
    t.same(JSON.parse(latest.stdout).map((r: { newOffset: number }) => r.newOffset), [15, 10]);
    t.same(await committed('workers'), { 'orders-0': 15, 'orders-1': 10 }, '--all-topics: every partition with a committed offset');

    const desc = await strata(['describe', 'workers', '--bootstrap-server', server, '--json']);
    t.same(JSON.parse(desc.stdout)[0].offsets.map((o: DescribedOffset) => o.lag), [0, 0], 'describe sees the new offsets');
  });

  await t.test('--to-datetime and --by-duration pick offsets from record timestamps', async (t) => {
    // Partition 0's record i has timestamp base + i s: the first at or after base + 3.5 s is offset 4.
    const at = new Date(base + 3500).toISOString();
    const dt = await strata(['reset-offsets', 'workers', '--topic', 'orders:0', '--to-datetime', at, '--execute', '--bootstrap-server', server]);
    t.equal(dt.code, 0, dt.stderr);
    t.equal(dt.stdout, 'GROUP    TOPIC   PARTITION  NEW-OFFSET\nworkers  orders  0          4\n');
    t.same(await committed('workers'), { 'orders-0': 4, 'orders-1': 10 });
    const exact = await strata(['reset-offsets', 'workers', '--topic', 'orders:0', '--to-datetime', '2024-01-01T12:00:07.000+00:00', '--bootstrap-server', server, '--json']);
    t.equal(JSON.parse(exact.stdout)[0].newOffset, 7, 'a record exactly at the time is included (offset zone form)');
    const after = await strata(['reset-offsets', 'workers', '--topic', 'orders:0', '--to-datetime', '2030-01-01T00:00:00Z', '--bootstrap-server', server, '--json']);
    t.equal(JSON.parse(after.stdout)[0].newOffset, 15, 'no record at or after the time: the log end');

    // Partition 1's record i is (10 - i) minutes old: 5 min 30 s ago falls between records 4 and 5.
    const dur = await strata(['reset-offsets', 'workers', '--topic', 'orders:1', '--by-duration', 'PT5M30S', '--execute', '--bootstrap-server', server]);
    t.equal(dur.code, 0, dur.stderr);
    t.match(dur.stdout, /\nworkers\s+orders\s+1\s+5\n/);
    t.same(await committed('workers'), { 'orders-0': 4, 'orders-1': 5 });
  });

  await t.test('a new group over many partitions: progress lines, offsets committed', async (t) => {
    broker.createTopic('wide', 120, { 'segment.bytes': String(64 * 1024) });
    await producer.send('wide', Array.from({ length: 120 }, (_, p) => ({ value: 'x', partition: p })));
    const quiet = await strata(['reset-offsets', 'bulk', '--topic', 'wide', '--to-latest', '--bootstrap-server', server]);
    t.equal(quiet.code, 0, quiet.stderr);
    t.equal(quiet.stderr, '', 'no progress when stderr is not a terminal');
    const res = await strata(['reset-offsets', 'bulk', '--topic', 'wide', '--to-earliest', '--execute', '--progress', '--bootstrap-server', server]);
    t.equal(res.code, 0, res.stderr);
    t.equal(res.stderr, 'reset 100/120 partitions\nreset 120/120 partitions\n');
    t.equal(res.stdout.trimEnd().split('\n').length, 121, 'a header and 120 rows');
    const offsets = await committed('bulk');
    t.equal(Object.keys(offsets).length, 120);
    t.ok(Object.values(offsets).every((o) => o === 0));
    const shifted = await strata(['reset-offsets', 'bulk', '--all-topics', '--shift-by', '1', '--execute', '--bootstrap-server', server]);
    t.equal(shifted.code, 0, shifted.stderr);
    t.ok(Object.values(await committed('bulk')).every((o) => o === 1), 'each partition shifted by one (its one record)');
    const list = await strata(['list', '--bootstrap-server', server]);
    t.match(list.stdout, /\nbulk\s+-\s+Empty\n/, 'a group with offsets only: Empty, no protocol type');
  });

  await t.test('delete: empty groups go, unknown ones are reported', async (t) => {
    const del = await strata(['delete', 'workers', 'bulk', '--bootstrap-server', server]);
    t.equal(del.code, 0, del.stderr);
    t.equal(del.stdout, "deleted group 'workers'\ndeleted group 'bulk'\n");
    t.same(await committed('workers'), {}, 'the offsets went with the group');
    const list = await strata(['list', '--bootstrap-server', server, '--json']);
    t.same(JSON.parse(list.stdout), []);
    const again = await strata(['delete', 'workers', '--bootstrap-server', server, '--json']);
    t.equal(again.code, 1);
    t.same(JSON.parse(again.stdout), [{ group: 'workers', error: 'GROUP_ID_NOT_FOUND' }]);
    t.match(again.stderr, /group 'workers' could not be deleted: GROUP_ID_NOT_FOUND/);
    const desc = await strata(['describe', 'workers', '--bootstrap-server', server]);
    t.equal(desc.code, 1, 'describe of a group that does not exist exits 1');
    t.equal(desc.stderr, "strata groups: consumer group 'workers' does not exist\n");
  });

  await t.test('exit codes: 1 refused or not found, 2 usage, 3 unreachable', async (t) => {
    const refused: Array<[string[], RegExp]> = [
      [['reset-offsets', 'g', '--topic', 'nosuch', '--to-earliest'], /topic 'nosuch' does not exist/],
      [['reset-offsets', 'g', '--topic', 'orders:7', '--to-earliest'], /topic 'orders' has no partition 7/],
      [['reset-offsets', 'g', '--topic', 'orders', '--shift-by', '1'], /Cannot shift offset for partition orders-0 since there is no current committed offset/],
    ];
    // Independent invocations, run side by side to keep the test short.
    const refusedRuns = await Promise.all(refused.map(([args]) => strata([...args, '--bootstrap-server', server])));
    refused.forEach(([args, message], i) => {
      t.equal(refusedRuns[i].code, 1, args.join(' '));
      t.match(refusedRuns[i].stderr, message);
    });
    const usage: string[][] = [
      ['describe'],
      ['bogus'],
      ['describe', 'g', '--bogus'],
      ['reset-offsets', 'g', '--topic', 'orders'],
      ['reset-offsets', 'g', '--to-earliest'],
      ['reset-offsets', 'g', '--all-topics', '--to-earliest', '--to-latest'],
      ['reset-offsets', 'g', '--all-topics', '--to-earliest', '--dry-run', '--execute'],
      ['reset-offsets', 'g', '--all-topics', '--to-datetime', 'yesterday'],
      ['reset-offsets', 'g', '--all-topics', '--by-duration', '15m'],
    ];
    const usageRuns = await Promise.all(usage.map((args) => strata([...args, '--bootstrap-server', server])));
    usage.forEach((args, i) => {
      t.equal(usageRuns[i].code, 2, args.join(' '));
      t.match(usageRuns[i].stderr, /^strata groups: [^\n]+\n$/, 'one line');
    });
    const [bare, badServer, unreachable] = await Promise.all([
      strata(['list']),
      strata(['list', '--bootstrap-server', 'nohostport']),
      strata(['describe', 'g', '--bootstrap-server', '127.0.0.1:1']),
    ]);
    t.equal(bare.code, 2, 'no --bootstrap-server');
    t.equal(badServer.code, 2, 'a bad --bootstrap-server');
    t.match(badServer.stderr, /^strata groups: bad --bootstrap-server "nohostport"/);
    t.equal(unreachable.code, 3, 'a broker that cannot be reached exits 3');
    t.equal(unreachable.stderr, 'strata groups: cannot reach the broker at 127.0.0.1:1: ECONNREFUSED\n');
  });
});
