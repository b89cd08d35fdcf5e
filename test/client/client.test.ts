/**
 * The embedded client (src/client) against a broker, in process (no socket) and over TCP: a transactional
 * consume-transform-produce loop with commits and aborts, read back by read_committed and read_uncommitted
 * consumers; idempotent sends; and the key partitioner checked against kafkajs's (Java-compatible) murmur2.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { Consumer, InProcessTransport, murmur2, partitionForKey, Producer, Transport, WireTransport } from '../../src/client/index';

// kafkajs's DefaultPartitioner hash, the Java client's murmur2 ported (a dev dependency, used as the reference).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer | string) => number;

const INPUTS = 60;

async function startBroker(t: { teardown(fn: () => unknown): void }): Promise<Broker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-client-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return broker;
}

async function drain(consumer: Consumer, expectedAtLeast: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 50; i++) {
    const records = await consumer.poll();
    for (const r of records) seen.push(r.value!.toString());
    if (records.length === 0 && seen.length >= expectedAtLeast) break;
  }
  return seen;
}

for (const kind of ['in-process', 'wire'] as const) {
  t.test(`${kind}: transactional consume-transform-produce; read_committed sees committed work only`, async (t) => {
    const broker = await startBroker(t);
    broker.createTopic('in', 1);
    broker.createTopic('out', 2);
    const connect = async (): Promise<Transport> => (kind === 'in-process' ? new InProcessTransport(broker) : WireTransport.connect('127.0.0.1', broker.port));

    const feeder = await Producer.create({ transport: await connect(), idempotent: true });
    const acks = await feeder.send('in', Array.from({ length: INPUTS }, (_, i) => ({ value: String(i), partition: 0 })));
    t.same(acks.map((a) => a.offset), Array.from({ length: INPUTS }, (_, i) => i), 'idempotent send: offsets in order');
    feeder.close();

    const producer = await Producer.create({ transport: await connect(), transactionalId: `ctp-${kind}` });
    const input = Consumer.create({ transport: await connect(), groupId: 'g', isolationLevel: 'read_committed', maxWaitMs: 50 });
    await input.assign([{ topic: 'in', partition: 0 }]);
    let txn = 0;
    let aborts = 0;
    while (input.position('in', 0)! < INPUTS) {
      const records = await input.poll();
      for (let i = 0; i < records.length; i += 10) {
        const chunk = records.slice(i, i + 10);
        await producer.beginTransaction();
        await producer.send('out', chunk.map((r) => ({ key: r.value, value: `out-${r.value!.toString()}` })));
        const next = chunk[chunk.length - 1].offset + 1;
        await producer.sendOffsets('g', [{ topic: 'in', partition: 0, offset: next }]);
        if (txn++ % 3 === 1) {
          await producer.abort();
          aborts++;
          input.seek('in', 0, (await input.committed('in', 0)) ?? 0);
          break; // re-poll from the committed offset
        }
        await producer.commit();
      }
    }
    t.ok(aborts >= 2, `${aborts} transactions aborted and redone`);
    t.equal(await input.committed('in', 0), INPUTS, 'the group offset committed with the last transaction');

    const read = async (isolationLevel: 'read_committed' | 'read_uncommitted') => {
      const c = Consumer.create({ transport: await connect(), isolationLevel, maxWaitMs: 50 });
      await c.assign([{ topic: 'out', partition: 0 }, { topic: 'out', partition: 1 }]);
      const values = await drain(c, INPUTS);
      c.close();
      return values;
    };
    const committed = await read('read_committed');
    t.same([...committed].sort(), Array.from({ length: INPUTS }, (_, i) => `out-${i}`).sort(), 'read_committed: every output once');
    const uncommitted = await read('read_uncommitted');
    t.ok(uncommitted.length > committed.length, `read_uncommitted also sees the aborted outputs (${uncommitted.length})`);
    // Keys chose the partitions as Kafka's default partitioner would.
    const c0 = Consumer.create({ transport: await connect(), isolationLevel: 'read_committed', maxWaitMs: 50 });
    await c0.assign([{ topic: 'out', partition: 0 }]);
    const inZero = await drain(c0, 1);
    t.ok(inZero.length > 0 && inZero.every((v) => partitionForKey(Buffer.from(v.slice(4)), 2) === 0), `keys hashed to partition 0 are there (${inZero.length})`);
    c0.close();
    input.close();
    producer.close();
  });
}

t.test('a fenced transactional producer gets a typed error', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('f', 1);
  const a = await Producer.create({ transport: new InProcessTransport(broker), transactionalId: 'same' });
  await a.beginTransaction();
  await a.send('f', [{ value: 'a' }]);
  const b = await Producer.create({ transport: new InProcessTransport(broker), transactionalId: 'same' });
  await t.rejects(a.send('f', [{ value: 'zombie' }]), { name: 'KafkaError', code: 'INVALID_PRODUCER_EPOCH' });
  await t.rejects(a.commit(), { name: 'KafkaError', code: 'PRODUCER_FENCED' });
  await b.beginTransaction();
  await b.send('f', [{ value: 'b' }]);
  await b.commit();
  const c = Consumer.create({ transport: new InProcessTransport(broker), maxWaitMs: 50 });
  await c.assign([{ topic: 'f', partition: 0 }]);
  t.same(await drain(c, 1), ['b']);
});

t.test('murmur2 matches the Java client (via kafkajs) on random keys', async (t) => {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 2000; i++) {
    const key = Buffer.alloc(rand() % 40);
    for (let j = 0; j < key.length; j++) key[j] = rand() & 0xff;
    if (murmur2(key) !== kafkajsMurmur2(key)) {
      t.fail(`key ${key.toString('hex')}: ${murmur2(key)} vs ${kafkajsMurmur2(key)}`);
      return;
    }
  }
  t.pass('2000 keys agree');
});
