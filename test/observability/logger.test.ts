// Structured logs (pino): JSON lines with Kafka-operator events, a pretty mode for terminals, levels; and the
// events a real broker process writes on recovery after a crash and when a client is throttled.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLogger } from '../../src/observability/logger';
import { ApiKey } from '../../src/protocol/api-key';
import { encodeRecordBatch } from '../../src/protocol/records/index';
import { startBroker } from '../interop/helpers/broker-process';
import { RawClient } from '../broker/helpers/raw-client';

t.test('JSON lines: level, time, name, msg and the fields; below the level nothing', async (t) => {
  const lines: string[] = [];
  const log = createLogger('strata', { level: 'info', format: 'json', write: (l) => lines.push(l) });
  log.info('topic created', { topic: 'orders', partitions: 3 });
  log.debug('not shown');
  log.error('storage failure', { code: 'EIO' });
  t.equal(lines.length, 2);
  const first = JSON.parse(lines[0]);
  t.match(first, { level: 30, name: 'strata', msg: 'topic created', topic: 'orders', partitions: 3 });
  t.type(first.time, 'number');
  t.ok(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1), 'one line per event');
  t.match(JSON.parse(lines[1]), { level: 50, msg: 'storage failure', code: 'EIO' });
});

t.test('pretty mode for a terminal: level name, message and fields readable', async (t) => {
  const out: string[] = [];
  const log = createLogger('strata', { level: 'debug', format: 'pretty', write: (l) => out.push(l) });
  log.warn('client throttled', { clientId: 'app', throttleTimeMs: 120 });
  await new Promise((r) => setImmediate(r));
  const text = out.join('');
  t.match(text, /WARN \(strata\): client throttled/);
  t.match(text, /clientId: "app"/);
  t.match(text, /throttleTimeMs: 120/);
  t.throws(() => JSON.parse(text), 'not JSON');
});

t.test('a broker process logs recovery truncation after a crash, and a client throttled once per episode', async (t) => {
  const dir = t.testdir();
  const produce = (bytes: number) => ({
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 'ev', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.alloc(bytes, 0x61) }] }) }] }],
  });
  let broker = await startBroker(dir, { 'quota.producer.default': 10_000, 'quota.window.num': 2 });
  const c = await RawClient.connect(broker.port, 'noisy');
  await c.send(ApiKey.Metadata, 9, { topics: [{ name: 'ev' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  for (let i = 0; i < 4; i++) await c.send(ApiKey.Produce, 9, produce(8_000));
  c.close();
  t.ok(broker.logs.some((l) => l.msg === 'topic created' && l.topic === 'ev'), 'topic created');
  const throttled = broker.logs.filter((l) => l.msg === 'client throttled');
  t.equal(throttled.length, 1, 'one line for the episode, not one per throttled response');
  t.match(throttled[0], { quota: 'producer_byte_rate', clientId: 'noisy', limit: 10_000 });
  t.ok((throttled[0].throttleTimeMs as number) > 0);
  await broker.stop('SIGKILL');

  // A torn tail: garbage right after the last batch of the partition's active segment (the file is longer:
  // blocks allocated ahead of the writer, zeros).
  const segment = path.join(dir, 'ev-0', '00000000000000000000.log');
  const bytes = fs.readFileSync(segment);
  let end = 0;
  while (end + 12 <= bytes.length && bytes.readInt32BE(end + 8) > 0) end += 12 + bytes.readInt32BE(end + 8);
  const garbage = Buffer.from('this is not a record batch, it is a torn write');
  const fd = fs.openSync(segment, 'r+');
  fs.writeSync(fd, garbage, 0, garbage.length, end);
  fs.closeSync(fd);
  broker = await startBroker(dir);
  const line = broker.logs.find((l) => l.msg === 'recovery truncated a log');
  t.ok(line, 'the truncation is logged');
  t.match(line, { topic: 'ev', partition: 0, atOffset: 4, truncatedBytes: garbage.length, segmentsDropped: 0 });
  const msgs = broker.logs.map((l) => l.msg);
  const first = broker.logs.find((l) => l.msg === 'recovering logs after an unclean shutdown');
  t.ok(first, 'the unclean start is announced');
  const loaded = broker.logs.find((l) => l.msg === 'logs loaded');
  t.match(loaded, { cleanShutdown: false, truncatedBytes: garbage.length, logs: first?.logs });
  t.ok((loaded?.segmentsScanned as number) >= 1, 'segments were scanned');
  t.ok(msgs.indexOf('recovering logs after an unclean shutdown') < msgs.indexOf('recovery truncated a log'), 'in order');
  t.ok(msgs.indexOf('recovery truncated a log') < msgs.indexOf('logs loaded'), 'in order');
  t.ok(msgs.indexOf('logs loaded') < msgs.indexOf('broker started'), 'before the broker serves');
  await broker.stop();
});
