/**
 * At-most-once and at-least-once, shown with a real consumer (confluent-kafka-python) killed with SIGKILL between
 * its commit and its processing of one message: committing first loses that message and processes nothing twice;
 * processing first redelivers it and loses nothing. (Exactly-once, with transactions, is exactly-once.test.ts.)
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { startBroker } from './helpers/broker-process';

const COUNT = 10;
const CRASH_AT = 5;

function kcatProduce(bootstrap: string, topic: string, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('kcat', ['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-X', 'acks=all'], { timeout: 30_000 }, (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(lines.join('\n') + '\n');
  });
}

/** Runs the consumer; with `killOn`, SIGKILLs it as soon as it prints that line. Returns the values it processed. */
function runConsumer(bootstrap: string, topic: string, mode: string, killOn?: string): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/python3', [path.join(__dirname, 'python', 'confluent_delivery.py'), bootstrap, topic, `g-${topic}`, mode, String(COUNT)], { stdio: ['ignore', 'pipe', 'ignore'] });
    const processed: string[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('processed ')) processed.push(line.slice('processed '.length));
        if (line === killOn) child.kill('SIGKILL');
      }
    });
    child.once('exit', () => resolve(processed));
  });
}

t.test('at-most-once loses the message in flight at a crash; at-least-once redelivers it', async (t) => {
  const broker = await startBroker(t.testdir());
  t.teardown(() => broker.stop('SIGKILL'));
  const values = Array.from({ length: COUNT }, (_, i) => String(i));
  for (const topic of ['amo', 'alo']) await kcatProduce(broker.bootstrap, topic, values);

  const amo = [...(await runConsumer(broker.bootstrap, 'amo', 'at-most-once', `committed ${CRASH_AT}`)), ...(await runConsumer(broker.bootstrap, 'amo', 'at-most-once'))];
  t.same(amo, values.filter((v) => v !== String(CRASH_AT)), 'at-most-once: message 5 was committed, never processed; nothing twice');

  const alo = [...(await runConsumer(broker.bootstrap, 'alo', 'at-least-once', `processed ${CRASH_AT}`)), ...(await runConsumer(broker.bootstrap, 'alo', 'at-least-once'))];
  t.same(alo, [...values.slice(0, CRASH_AT + 1), ...values.slice(CRASH_AT)], 'at-least-once: message 5 processed twice; nothing lost');
});
