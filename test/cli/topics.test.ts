/**
 * `strata topics create|list|describe|alter|delete` against a broker in this process, over the Kafka protocol: a
 * round trip checked against the broker's topics and logs (partition counts, configs in force, start and end
 * offsets) and through later CLI calls, --json, the exit codes (1 refused or not found, 2 usage, 3 unreachable or
 * silent), and that creation, deletion and ListOffsets go to the addresses Metadata advertises.
 */
import t, { Test } from 'tap';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { InProcessTransport, Producer } from '../../src/client/index';
import * as topics from '../../src/cli/topics';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'strata.js');

// Asynchronous: the broker answering the CLI runs in this process.
function strata(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function startBroker(t: Test, props: Record<string, string | number> = {}): Promise<Broker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-topics-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...props }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return broker;
}

/** run() of the command in this process, its console output captured (no await in between that another test could use). */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (line: string) => out.push(line);
  console.error = (line: string) => err.push(line);
  try {
    return { code: await topics.run(args), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const listen = (server: net.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));

t.test('create, list, describe, alter and delete a topic', async (t) => {
  // num.partitions 2, not Kafka's 1: a create without --partitions must take the broker's default.
  const broker = await startBroker(t, { 'num.partitions': 2 });
  const server = ['--bootstrap-server', `127.0.0.1:${broker.port}`];

  const created = await strata(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=3600000', ...server]);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /created topic orders: 3 partitions, replication factor 1/);
  t.equal(broker.topics.get('orders')?.partitions, 3);
  t.same(broker.topics.get('orders')?.configs, { 'retention.ms': '3600000' });
  t.equal(broker.partitionLog('orders', 2)?.logConfig.retentionMs, 3_600_000, 'the config is in force in the logs');

  const [again, ifNotExists, defaults, replicated] = await Promise.all([
    strata(['topics', 'create', 'orders', '--partitions', '5', ...server]),
    strata(['topics', 'create', 'orders', '--partitions', '5', '--if-not-exists', ...server]),
    strata(['topics', 'create', 'defaults', ...server]),
    strata(['topics', 'create', 'replicated', '--replication-factor', '2', ...server]),
  ]);
  t.equal(again.code, 1, 'an existing topic exits 1');
  t.match(again.stderr, /^strata topics: TOPIC_ALREADY_EXISTS: .*orders.*\n$/);
  t.equal(ifNotExists.code, 0, '... or 0 with --if-not-exists');
  t.equal(broker.topics.get('orders')?.partitions, 3, 'and it is left as it was');
  t.equal(defaults.code, 0, defaults.stderr);
  t.equal(broker.topics.get('defaults')?.partitions, broker.config.numPartitions, "no --partitions: the broker's num.partitions");
  t.equal(replicated.code, 1, 'a refused replication factor exits 1');
  t.match(replicated.stderr, /INVALID_REPLICATION_FACTOR/);
  t.notOk(broker.topics.get('replicated'));

  // Data in orders-1, its first two records deleted: START-OFFSET and END-OFFSET are the log's.
  const producer = await Producer.create({ transport: new InProcessTransport(broker) });
  await producer.send('orders', ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value, partition: 1 })));
  await producer.close();
  const log = broker.partitionLog('orders', 1)!;
  log.deleteRecordsBefore(2);
  t.not(log.logStartOffset, 0);
  t.not(log.highWatermark, log.logStartOffset);

  const userTopics = broker.topics.list().filter((x) => !x.internal).map((x) => ({ name: x.name, partitions: x.partitions, internal: false })).sort((a, b) => a.name.localeCompare(b.name));
  const [list, withInternal, described, describedJson, missing, all] = await Promise.all([
    strata(['topics', 'list', ...server]),
    strata(['topics', 'list', '--include-internal', ...server, '--json']),
    strata(['topics', 'describe', 'orders', ...server]),
    strata(['topics', 'describe', 'orders', ...server, '--json']),
    strata(['topics', 'describe', 'orders', 'nope', ...server, '--json']),
    strata(['topics', 'describe', ...server, '--json']),
  ]);
  t.equal(list.code, 0, list.stderr);
  t.same(list.stdout.trim().split('\n').map((l) => l.split(/\s+/)), [['TOPIC', 'PARTITIONS'], ...userTopics.map((x) => [x.name, String(x.partitions)])], 'internal topics left out');
  const listed = JSON.parse(withInternal.stdout) as Array<{ name: string; partitions: number; internal: boolean }>;
  t.same(listed.filter((x) => !x.internal), userTopics, '--json');
  const internal = listed.filter((x) => x.internal).map((x) => x.name);
  t.same(internal, broker.topics.list().filter((x) => x.internal).map((x) => x.name).sort(), '--include-internal');
  t.ok(internal.includes('__consumer_offsets'));

  t.equal(described.code, 0, described.stderr);
  t.match(described.stdout, /^Topic: orders  Partitions: 3  ReplicationFactor: 1  Configs: retention.ms=3600000\nPARTITION\s+LEADER\s+START-OFFSET\s+END-OFFSET\n/);
  const node = broker.config.nodeId;
  t.match(described.stdout, new RegExp(`\\n1\\s+${node}\\s+${log.logStartOffset}\\s+${log.highWatermark}\\n`), 'partition 1: the log start offset and high watermark');
  t.match(described.stdout, new RegExp(`\\n0\\s+${node}\\s+0\\s+0\\n`));
  const [orders] = JSON.parse(describedJson.stdout);
  t.same(
    orders.partitions.map((p: { partition: number; leader: number; startOffset: number; endOffset: number }) => [p.partition, p.leader, p.startOffset, p.endOffset]),
    [0, 1, 2].map((p) => [p, node, broker.partitionLog('orders', p)!.logStartOffset, broker.partitionLog('orders', p)!.highWatermark]),
  );
  t.same(orders.configs, { 'retention.ms': '3600000' });
  t.equal(missing.code, 1, 'an unknown topic exits 1');
  t.match(missing.stderr, /nope: UNKNOWN_TOPIC_OR_PARTITION/);
  t.match(JSON.parse(missing.stdout), [{ name: 'orders', error: null }, { name: 'nope', error: 'UNKNOWN_TOPIC_OR_PARTITION' }]);
  t.notOk(broker.topics.get('nope'), 'describe does not auto-create (auto.create.topics.enable is on)');
  t.same(JSON.parse(all.stdout).map((x: { name: string }) => x.name), userTopics.map((x) => x.name), 'describe without names: every topic but the internal ones');

  const altered = await strata(['topics', 'alter', 'orders', '--partitions', '5', '--config', 'segment.ms=60000', '--delete-config', 'retention.ms', ...server]);
  t.equal(altered.code, 0, altered.stderr);
  t.equal(broker.topics.get('orders')?.partitions, 5);
  t.same(broker.topics.get('orders')?.configs, { 'segment.ms': '60000' });
  t.ok(broker.partitionLog('orders', 4), 'the new partitions have logs');
  t.equal(log.logConfig.segmentMs, 60_000, 'the set config is in force');
  t.equal(log.logConfig.retentionMs, broker.config.log.retentionMs, "the deleted one is back to the broker's");
  const after = JSON.parse((await strata(['topics', 'describe', 'orders', ...server, '--json'])).stdout)[0];
  t.equal(after.partitions.length, 5);
  t.same(after.configs, { 'segment.ms': '60000' });

  const [fewer, unknownTopic, badConfig] = await Promise.all([
    strata(['topics', 'alter', 'orders', '--partitions', '2', ...server]),
    strata(['topics', 'alter', 'nope', '--partitions', '2', ...server]),
    strata(['topics', 'alter', 'orders', '--config', 'no.such.config=1', ...server]),
  ]);
  t.equal(fewer.code, 1);
  t.match(fewer.stderr, /INVALID_PARTITIONS/);
  t.equal(unknownTopic.code, 1);
  t.match(unknownTopic.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  t.equal(badConfig.code, 1);
  t.match(badConfig.stderr, /^strata topics: INVALID_CONFIG: .*no\.such\.config/);
  t.equal(broker.topics.get('orders')?.partitions, 5);
  t.same(broker.topics.get('orders')?.configs, { 'segment.ms': '60000' }, 'a refused alter changes nothing');

  const deleted = await strata(['topics', 'delete', 'orders', 'nope', ...server]);
  t.equal(deleted.code, 1, 'one unknown topic among them exits 1');
  t.match(deleted.stdout, /deleted topic orders/);
  t.match(deleted.stderr, /nope: UNKNOWN_TOPIC_OR_PARTITION/);
  t.notOk(broker.topics.get('orders'));
  t.notOk(broker.partitionLog('orders', 0), 'its logs are gone');
  const [ifExists, internalDelete] = await Promise.all([
    strata(['topics', 'delete', 'orders', '--if-exists', ...server]),
    strata(['topics', 'delete', '__consumer_offsets', ...server]),
  ]);
  t.equal(ifExists.code, 0, '--if-exists');
  t.equal(internalDelete.code, 1, 'the broker refuses to delete an internal topic');
  t.ok(broker.topics.get('__consumer_offsets'));
});

t.test('usage errors exit 2, an unreachable or silent broker 3', async (t) => {
  const broker = await startBroker(t);
  const server = ['--bootstrap-server', `127.0.0.1:${broker.port}`];
  const closed = net.createServer();
  const closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  // Reads and never answers; reading also sees the CLI's close, so the server can close.
  const silent = net.createServer((socket) => socket.on('error', () => {}).resume());
  const silentPort = await listen(silent);
  t.teardown(() => new Promise((resolve) => silent.close(resolve)));

  // The argument checks run in this process (each CLI process costs a Node start); two go through the real CLI.
  const usage: string[][] = [
    ['topics'],
    ['topics', 'frob', ...server],
    ['topics', 'list'],
    ['topics', 'list', '--bootstrap-server', 'no-port'],
    ['topics', 'list', 'extra', ...server],
    ['topics', 'list', '--bogus', ...server],
    ['topics', 'list', '--if-exists', ...server],
    ['topics', 'create', ...server],
    ['topics', 'create', 'a', 'b', ...server],
    ['topics', 'create', 'a', '--partitions', '0', ...server],
    ['topics', 'create', 'a', '--partitions', 'x', ...server],
    ['topics', 'create', 'a', '--config', 'novalue', ...server],
    ['topics', 'alter', 'a', ...server],
    ['topics', 'alter', 'a', '--config', 'x=1', '--delete-config', 'x', ...server],
    ['topics', 'delete', ...server],
    ['topics', 'delete', 'a', 'a', ...server],
    ['topics', 'list', '--timeout-ms', '-5', ...server],
  ];
  for (const args of usage) {
    const r = await inProcess(args.slice(1));
    t.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.match(r.stderr, /^strata topics: [^\n]+$/, 'one line');
  }
  const [unknownOption, noServer, refused, silentRun] = await Promise.all([
    strata(['topics', 'list', '--bogus', ...server]),
    strata(['topics', 'create', 'a']),
    strata(['topics', 'list', '--bootstrap-server', `127.0.0.1:${closedPort}`]),
    strata(['topics', 'list', '--bootstrap-server', `127.0.0.1:${silentPort}`, '--timeout-ms', '200']),
  ]);
  t.equal(unknownOption.code, 2, 'an unknown option exits 2');
  t.match(unknownOption.stderr, /^strata topics: Unknown option '--bogus'[^\n]*\n$/);
  t.equal(noServer.code, 2, 'no --bootstrap-server exits 2');
  t.match(noServer.stderr, /--bootstrap-server host:port is needed/);
  t.notOk(broker.topics.get('a'), 'nothing was created');
  t.equal(refused.code, 3, 'a closed port exits 3');
  t.match(refused.stderr, /^strata topics: cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  t.equal(silentRun.code, 3, 'a broker that does not answer exits 3');
  t.match(silentRun.stderr, /no answer from 127\.0\.0\.1:\d+ within 200 ms/);
});

t.test("creation, deletion and ListOffsets go to the advertised addresses of the controller and the leaders", async (t) => {
  // A forwarder the broker advertises: connections through it were routed by Metadata, not sent to the bootstrap.
  let routed = 0;
  let target = 0;
  const forwarder = net.createServer((socket) => {
    routed++;
    const upstream = net.connect(target, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  const forwarderPort = await listen(forwarder);
  t.teardown(() => new Promise((resolve) => forwarder.close(resolve)));
  const broker = await startBroker(t, { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${forwarderPort}` });
  target = broker.port;
  const server = ['--bootstrap-server', `127.0.0.1:${broker.port}`];

  const runs: Array<[string[], boolean]> = [
    [['topics', 'create', 'routed', '--partitions', '2'], true],
    [['topics', 'list'], false],
    [['topics', 'describe', 'routed'], true],
    [['topics', 'alter', 'routed', '--partitions', '3'], true],
    [['topics', 'delete', 'routed'], true],
  ];
  for (const [args, throughLeader] of runs) {
    routed = 0;
    const r = await strata([...args, ...server]);
    t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    t.equal(routed > 0, throughLeader, `${args.join(' ')}: ${throughLeader ? 'through' : 'not through'} the advertised address`);
  }
  t.notOk(broker.topics.get('routed'), 'the requests took effect');
});
