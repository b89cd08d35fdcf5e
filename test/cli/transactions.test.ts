/**
 * `strata transactions list|describe` against a running broker: tables, --json, exit codes (1 for an unknown
 * transactional id, 2 for usage, 3 for a broker that cannot be reached).
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { InProcessTransport, Producer } from '../../src/client/index';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'strata.js');

// Asynchronous: the broker answering the CLI runs in this process.
function strata(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

t.test('strata transactions list and describe', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cli-txn-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  broker.createTopic('orders', 2);
  const open = await Producer.create({ transport: new InProcessTransport(broker), transactionalId: 'open-one', transactionTimeoutMs: 45_000 });
  await open.beginTransaction();
  await open.send('orders', [{ value: 'x', partition: 1 }]);
  const done = await Producer.create({ transport: new InProcessTransport(broker), transactionalId: 'done-one' });
  await done.beginTransaction();
  await done.send('orders', [{ value: 'y', partition: 0 }]);
  await done.commit();
  const server = `127.0.0.1:${broker.port}`;

  const list = await strata(['transactions', 'list', '--bootstrap-server', server]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /TRANSACTIONAL ID\s+PRODUCER ID\s+STATE/);
  t.match(list.stdout, /open-one\s+\d+\s+Ongoing/);
  t.match(list.stdout, /done-one\s+\d+\s+CompleteCommit/);
  const ongoing = await strata(['transactions', 'list', '--state', 'Ongoing', '--bootstrap-server', server, '--json']);
  t.same(JSON.parse(ongoing.stdout).map((r: { transactionalId: string }) => r.transactionalId), ['open-one'], '--state filters, --json parses');

  const describe = await strata(['transactions', 'describe', 'open-one', '--bootstrap-server', server, '--json']);
  t.equal(describe.code, 0, describe.stderr);
  t.match(JSON.parse(describe.stdout), [{ transactionalId: 'open-one', state: 'Ongoing', timeoutMs: 45_000, partitions: ['orders-1'], error: null }]);
  const missing = await strata(['transactions', 'describe', 'open-one', 'nobody', '--bootstrap-server', server]);
  t.equal(missing.code, 1, 'an unknown transactional id exits 1');
  t.match(missing.stdout, /nobody\s+TRANSACTIONAL_ID_NOT_FOUND/);

  t.equal((await strata(['transactions', 'describe', '--bootstrap-server', server])).code, 2, 'describe needs an id');
  t.equal((await strata(['transactions', 'list'])).code, 2, 'no --bootstrap-server');
  const unreachable = await strata(['transactions', 'list', '--bootstrap-server', '127.0.0.1:1']);
  t.equal(unreachable.code, 3, 'a broker that cannot be reached exits 3');
  t.match(unreachable.stderr, /ECONNREFUSED/);
  open.close();
  done.close();
});
