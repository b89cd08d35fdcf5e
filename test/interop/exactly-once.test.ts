/**
 * Exactly-once under crashes: a consume-transform-produce worker (librdkafka via confluent-kafka-python, and kafkajs)
 * runs while the
 * broker is killed with SIGKILL at random moments and restarted on the same port, and the worker itself is killed
 * inside open transactions whose outputs are already written (its next incarnation fences and aborts them). At the end a
 * read_committed consumer sees the output of every input exactly once and in order, and nothing of the
 * transactions that were aborted (they are in the log, visible to read_uncommitted).
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { startBroker } from './helpers/broker-process';

const TOTAL = 400;
/** Seconds the worker waits inside each transaction, so kills land in open transactions too. */
const PAUSE = 0.08;
const KILLS = 8;

async function kcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function consume(bootstrap: string, topic: string, isolation: string): Promise<string[]> {
  const out = await kcat(['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\n']);
  return out.split('\n').filter(Boolean);
}

interface WorkerSpec {
  name: string;
  command: string;
  args: string[];
  group: string;
}

const WORKERS: WorkerSpec[] = [
  { name: 'confluent-kafka (librdkafka)', command: '/usr/bin/python3', args: [path.join(__dirname, 'python', 'confluent_ctp.py')], group: 'ctp' },
  { name: 'kafkajs', command: process.execPath, args: [path.join(__dirname, 'workers', 'kafkajs-ctp.cjs')], group: 'ctp-js' },
];

for (const spec of WORKERS)
t.test(`${spec.name} consume-transform-produce stays exactly-once across SIGKILLs of the broker and of the worker`, async (t) => {
  const dir = t.testdir();
  let broker = await startBroker(dir, { 'group.initial.rebalance.delay.ms': 0, 'log.segment.bytes': 16384 });
  const port = broker.port;
  t.teardown(() => broker.stop('SIGKILL'));
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'ctp-in', '-p', '0'], Array.from({ length: TOTAL }, (_, i) => `${i}`).join('\n') + '\n');
  await kcat(['-b', broker.bootstrap, '-P', '-t', 'ctp-out', '-p', '0'], ''); // auto-creates the output topic
  t.equal((await consume(broker.bootstrap, 'ctp-in', 'read_committed')).length, TOTAL);

  // The worker is a process of its own: some crashes kill it too, in the middle of an open transaction.
  const startWorker = () => {
    const child = spawn(spec.command, [...spec.args, broker.bootstrap, String(TOTAL), String(PAUSE)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const w = { child, stdout: '', stderr: '', exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))), opened: () => {} };
    child.stdout.on('data', (c: Buffer) => {
      w.stdout += c.toString();
      if (c.toString().includes('open ')) w.opened();
    });
    child.stderr.on('data', (c: Buffer) => (w.stderr += c.toString()));
    return w;
  };
  let worker = startWorker();
  t.teardown(() => worker.child.kill('SIGKILL'));
  const restartBroker = async () => {
    await broker.stop('SIGKILL');
    broker = await startBroker(dir, { 'group.initial.rebalance.delay.ms': 0, 'log.segment.bytes': 16384 }, port);
  };

  let brokerKills = 0;
  let workerKills = 0;
  for (let i = 0; i < KILLS && worker.child.exitCode === null; i++) {
    if (i % 2 === 0) {
      // The broker alone, at a random moment: the worker must ride it out.
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
      if (worker.child.exitCode !== null) break;
      await restartBroker();
      brokerKills++;
    } else {
      // The worker inside an open transaction whose outputs are written (and every other time the broker too).
      await new Promise<void>((resolve) => (worker.opened = resolve));
      worker.child.kill('SIGKILL');
      await worker.exited;
      workerKills++;
      if (i % 4 === 3) {
        await restartBroker();
        brokerKills++;
      }
      worker = startWorker();
    }
  }
  const code = await worker.exited;
  t.equal(code, 0, `worker finished: ${worker.stderr.slice(-600)}`);
  const stats = JSON.parse(worker.stdout.trim().split('\n').pop()!) as { position: number };
  t.equal(stats.position, TOTAL, 'every input consumed and committed');
  t.ok(brokerKills >= 3 && workerKills >= 2, `${brokerKills} broker kills, ${workerKills} worker kills mid-transaction`);

  const committed = await consume(broker.bootstrap, 'ctp-out', 'read_committed');
  t.same(committed, Array.from({ length: TOTAL }, (_, i) => `out-${i}`), 'read_committed: each output exactly once, in order');
  const uncommitted = await consume(broker.bootstrap, 'ctp-out', 'read_uncommitted');
  t.ok(uncommitted.length > committed.length, `read_uncommitted also sees the ${uncommitted.length - committed.length} outputs of the killed workers' aborted transactions`);
});
