/**
 * `strata configs describe|alter` against a broker in this process, over the Kafka protocol: a topic's configs
 * set, read back (SOURCE DYNAMIC_TOPIC_CONFIG, in force in its logs) and deleted (back to the broker's value), a
 * broker's configs (STATIC_BROKER_CONFIG from its properties, DEFAULT_CONFIG with --all), refusals and unknown
 * resources exit 1, usage 2, an unreachable broker 3.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import * as configs from '../../src/cli/configs';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'strata.js');

// Asynchronous: the broker answering the CLI runs in this process.
function strata(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** run() of the command in this process, its console output captured (for argument checks: no Node start each). */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (line: string) => out.push(line);
  console.error = (line: string) => err.push(line);
  try {
    return { code: await configs.run(args), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

interface Row {
  name: string;
  value: string | null;
  source: string;
}

const rowsOf = (stdout: string) => JSON.parse(stdout) as Row[];
const find = (rows: Row[], name: string) => rows.find((r) => r.name === name);

t.test('strata configs describe and alter', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-configs-'));
  // log.segment.bytes in the broker's properties: a topic's segment.bytes then comes from STATIC_BROKER_CONFIG.
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'log.segment.bytes': 1 << 20 }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const server = ['--bootstrap-server', `127.0.0.1:${broker.port}`];
  broker.createTopic('cfg', 2);
  const log = broker.partitionLog('cfg', 1)!;
  const defaultRetentionMs = broker.config.log.retentionMs;

  const [plain, all] = await Promise.all([strata(['configs', 'describe', '--topic', 'cfg', ...server]), strata(['configs', 'describe', '--topic', 'cfg', '--all', ...server, '--json'])]);
  t.equal(plain.code, 0, plain.stderr);
  t.same(
    plain.stdout.trim().split('\n').map((l) => l.split(/\s+/)),
    [
      ['NAME', 'VALUE', 'SOURCE'],
      ['segment.bytes', String(broker.config.log.segmentBytes), 'STATIC_BROKER_CONFIG'],
    ],
    "only what is not Kafka's default",
  );
  t.equal(broker.config.log.segmentBytes, 1 << 20);
  const everything = rowsOf(all.stdout);
  t.match(find(everything, 'retention.ms'), { value: String(defaultRetentionMs), source: 'DEFAULT_CONFIG' }, '--all: the defaults too');
  t.same(everything.map((r) => r.name), [...everything.map((r) => r.name)].sort(), 'sorted by name');
  // Kafka's Long.MAX_VALUE defaults as Kafka shows them, not JS's 2^53 - 1; and a value Kafka's tools send.
  t.match(find(everything, 'flush.ms'), { value: '9223372036854775807', source: 'DEFAULT_CONFIG' }, 'Long.MAX_VALUE');
  t.match(find(everything, 'flush.messages'), { value: '9223372036854775807', source: 'DEFAULT_CONFIG' });
  broker.createTopic('never', 1);
  const never = await strata(['configs', 'alter', '--topic', 'never', '--set', 'retention.ms=9223372036854775807', ...server]);
  t.equal(never.code, 0, never.stderr);
  t.equal(broker.partitionLog('never', 0)!.logConfig.retentionMs, Number.MAX_SAFE_INTEGER, 'kept "forever"');
  const neverRows = rowsOf((await strata(['configs', 'describe', '--topic', 'never', ...server, '--json'])).stdout);
  t.match(find(neverRows, 'retention.ms'), { value: '9223372036854775807', source: 'DYNAMIC_TOPIC_CONFIG' });

  const set = await strata(['configs', 'alter', '--topic', 'cfg', '--set', 'retention.ms=60000', '--set', 'cleanup.policy=compact,delete', ...server]);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /altered topic cfg: set retention\.ms=60000, cleanup\.policy=compact,delete/);
  t.same(broker.topics.get('cfg')?.configs, { 'retention.ms': '60000', 'cleanup.policy': 'compact,delete' });
  t.equal(log.logConfig.retentionMs, 60_000, 'in force in the logs');
  const [readBack, readBackTable] = await Promise.all([strata(['configs', 'describe', '--topic', 'cfg', ...server, '--json']), strata(['topics', 'describe', 'cfg', ...server])]);
  const after = rowsOf(readBack.stdout);
  t.match(find(after, 'retention.ms'), { value: '60000', source: 'DYNAMIC_TOPIC_CONFIG' });
  t.match(find(after, 'cleanup.policy'), { value: 'compact,delete', source: 'DYNAMIC_TOPIC_CONFIG' });
  t.match(readBackTable.stdout, /Configs: .*retention\.ms=60000/, 'strata topics describe shows them too');

  const removed = await strata(['configs', 'alter', '--topic', 'cfg', '--delete', 'retention.ms', ...server]);
  t.equal(removed.code, 0, removed.stderr);
  t.same(broker.topics.get('cfg')?.configs, { 'cleanup.policy': 'compact,delete' });
  t.equal(log.logConfig.retentionMs, defaultRetentionMs, "back to the broker's value");
  const [gone, goneAll, badValue, badName, unknownDescribe, unknownAlter] = await Promise.all([
    strata(['configs', 'describe', '--topic', 'cfg', ...server, '--json']),
    strata(['configs', 'describe', '--topic', 'cfg', '--all', ...server, '--json']),
    strata(['configs', 'alter', '--topic', 'cfg', '--set', 'retention.ms=soon', ...server]),
    strata(['configs', 'alter', '--topic', 'cfg', '--set', 'no.such.config=1', ...server]),
    strata(['configs', 'describe', '--topic', 'nope', ...server]),
    strata(['configs', 'alter', '--topic', 'nope', '--set', 'retention.ms=1', ...server]),
  ]);
  t.notOk(find(rowsOf(gone.stdout), 'retention.ms'));
  t.match(find(rowsOf(goneAll.stdout), 'retention.ms'), { value: String(defaultRetentionMs), source: 'DEFAULT_CONFIG' });
  t.equal(badValue.code, 1, 'a refused value exits 1');
  t.match(badValue.stderr, /^strata configs: INVALID_CONFIG: retention\.ms=soon[^\n]*\n$/);
  t.equal(badName.code, 1);
  t.match(badName.stderr, /^strata configs: INVALID_CONFIG: [^\n]*no\.such\.config[^\n]*\n$/);
  t.same(broker.topics.get('cfg')?.configs, { 'cleanup.policy': 'compact,delete' }, 'refused changes change nothing');
  t.equal(unknownDescribe.code, 1, 'an unknown topic exits 1');
  t.match(unknownDescribe.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  t.equal(unknownAlter.code, 1);
  t.match(unknownAlter.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  t.notOk(broker.topics.get('nope'));

  const node = String(broker.config.nodeId);
  const [ofBootstrap, byId, noSuchBroker, brokerAlter] = await Promise.all([
    strata(['configs', 'describe', '--broker', ...server]),
    strata(['configs', 'describe', '--broker', node, '--all', ...server, '--json']),
    strata(['configs', 'describe', '--broker', '99', ...server]),
    strata(['configs', 'alter', '--broker', node, '--set', 'log.retention.ms=1', ...server]),
  ]);
  t.equal(ofBootstrap.code, 0, ofBootstrap.stderr);
  t.match(ofBootstrap.stdout, new RegExp(`\\nlog\\.dirs\\s+${broker.config.logDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+STATIC_BROKER_CONFIG\\n`));
  t.match(ofBootstrap.stdout, new RegExp(`\\nlog\\.segment\\.bytes\\s+${1 << 20}\\s+STATIC_BROKER_CONFIG\\n`));
  t.notMatch(ofBootstrap.stdout, /DEFAULT_CONFIG/, 'non-default only');
  t.match(find(rowsOf(byId.stdout), 'num.partitions'), { value: String(broker.config.numPartitions), source: 'DEFAULT_CONFIG' });
  t.match(find(rowsOf(byId.stdout), 'log.flush.interval.ms'), { value: '9223372036854775807', source: 'DEFAULT_CONFIG' });
  t.equal(noSuchBroker.code, 1, 'a broker not in the cluster exits 1');
  t.match(noSuchBroker.stderr, /no broker 99/);
  t.equal(brokerAlter.code, 1, 'Strata refuses to alter broker configs: exits 1');
  t.match(brokerAlter.stderr, /^strata configs: INVALID_REQUEST: [^\n]+\n$/);
});

t.test('usage errors exit 2, an unreachable broker 3', async (t) => {
  const server = ['--bootstrap-server', '127.0.0.1:9'];
  const usage: string[][] = [
    [],
    ['frob', ...server],
    ['describe', ...server],
    ['describe', '--topic', 't', '--broker', '1', ...server],
    ['describe', '--topic', '', ...server],
    ['describe', '--broker', 'one', ...server],
    ['describe', '--topic', 't', 'extra', ...server],
    ['describe', '--topic', 't', '--set', 'a=1', ...server],
    ['describe', '--topic', 't'],
    ['describe', '--topic', 't', '--timeout-ms', '0', ...server],
    ['alter', '--topic', 't', ...server],
    ['alter', '--topic', 't', '--set', 'novalue', ...server],
    ['alter', '--topic', 't', '--set', 'a=1', '--set', 'a=2', ...server],
    ['alter', '--topic', 't', '--set', 'a=1', '--delete', 'a', ...server],
    ['alter', '--topic', 't', '--set', 'a=1', '--all', ...server],
    ['alter', '--broker', '--set', 'a=1', ...server],
    ['alter', '--topic', 't', '--set', 'a=1', '--bogus', ...server],
  ];
  for (const args of usage) {
    const r = await inProcess(args);
    t.equal(r.code, 2, `configs ${args.join(' ')}: ${r.stderr}`);
    t.match(r.stderr, /^strata configs: [^\n]+$/, 'one line');
  }
  const closed = net.createServer();
  const closedPort = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as net.AddressInfo).port)));
  await new Promise((resolve) => closed.close(resolve));
  const [viaCli, refused] = await Promise.all([
    strata(['configs', 'describe', '--topic', 't', '--broker', '1', ...server]),
    strata(['configs', 'describe', '--broker', '--bootstrap-server', `127.0.0.1:${closedPort}`]),
  ]);
  t.equal(viaCli.code, 2, 'the real CLI exits 2 too');
  t.match(viaCli.stderr, /^strata configs: name one resource/);
  t.equal(refused.code, 3, 'a closed port exits 3');
  t.match(refused.stderr, /^strata configs: cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
});
