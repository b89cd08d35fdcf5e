/** `strata quotas alter|describe` against a running broker: set, list, remove, usage and refusal exit codes. */
import t from 'tap';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'strata.js');

// Asynchronous: the broker answering the CLI runs in this process.
function strata(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

t.test('strata quotas alter and describe', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-quotas-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const server = ['--bootstrap-server', `127.0.0.1:${broker.port}`];

  const set = await strata(['quotas', 'alter', '--user', 'alice', '--client-id', 'app', '--add', 'producer_byte_rate=1048576', '--add', 'consumer_byte_rate=2097152', ...server]);
  t.equal(set.code, 0, set.stderr);
  t.match(set.stdout, /altered user=alice,client-id=app/);
  t.equal((await strata(['quotas', 'alter', '--client-default', '--add', 'producer_byte_rate=500', ...server])).code, 0);

  const all = await strata(['quotas', 'describe', ...server, '--json']);
  t.same(JSON.parse(all.stdout), [
    { entity: 'user=alice,client-id=app', quotas: { producer_byte_rate: 1048576, consumer_byte_rate: 2097152 } },
    { entity: 'client-id=<default>', quotas: { producer_byte_rate: 500 } },
  ]);
  const table = await strata(['quotas', 'describe', '--client-default', ...server]);
  t.equal(table.stdout.trim(), 'client-id=<default>  producer_byte_rate=500', 'filtered, human-readable');
  t.equal(broker.quotas.resolve('ANONYMOUS', 'other', 'producer_byte_rate').quota, 500, 'in force in the broker');

  t.equal((await strata(['quotas', 'alter', '--client-default', '--delete', 'producer_byte_rate', ...server])).code, 0);
  t.same(JSON.parse((await strata(['quotas', 'describe', '--client-default', ...server, '--json'])).stdout), []);

  t.equal((await strata(['quotas', 'alter', '--user', 'bob', '--add', 'request_percentage=50', ...server])).code, 0, 'request quotas too');
  t.equal(broker.quotas.resolve('bob', 'any', 'request_percentage').quota, 50);
  const refused = await strata(['quotas', 'alter', '--user', 'bob', '--add', 'connection_creation_rate=5', ...server]);
  t.equal(refused.code, 1, 'a refused change exits 1');
  t.match(refused.stderr, /INVALID_REQUEST/);
  t.equal((await strata(['quotas', 'alter', '--add', 'producer_byte_rate=1', ...server])).code, 2, 'no entity: usage');
  t.equal((await strata(['quotas', 'alter', '--user', 'x', '--user-default', '--add', 'producer_byte_rate=1', ...server])).code, 2);
  t.equal((await strata(['quotas', 'describe'])).code, 2, 'no --bootstrap-server');
});
