/**
 * The embedded producer's batching (src/client/producer.ts, producer-batch.ts) against a real broker, in process and
 * over TCP: batches fill to batch.size, linger sends a partial batch, every codec round-trips, keys land where
 * Kafka's murmur2 partitioner puts them, null keys stick to a partition until its batch is done, acks 0/1/-1, the
 * in-flight limit, and retries that neither duplicate nor reorder (faults injected by a wrapping transport).
 */
import t from 'tap';
import { ApiKey } from '../../src/protocol/api-key';
import { CompressionType } from '../../src/protocol/records/compression';
import { murmur2, partitionForKey, Producer, Transport } from '../../src/client/index';
import type { CompressionName, RecordMetadata } from '../../src/client/index';
import type { DeclaredApiKey, RequestInputOf, ResponseOf } from '../../src/protocol/apis';
import { connect, KINDS, logBatches, readAll, sleep, startBroker } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Partitioners } = require('kafkajs') as { Partitioners: { DefaultPartitioner: () => (args: { topic: string; partitionMetadata: Array<{ partitionId: number }>; message: { key: Buffer | string | null } }) => number } };

const value100 = (i: number) => `${String(i).padStart(6, '0')}-${'v'.repeat(93)}`;

type Fault = 'forward' | 'lose-ack' | 'drop-network' | 'drop-invalid';

/**
 * Passes requests through, counting the Produce requests outstanding; `fault(n)` decides what happens to the n-th
 * Produce request (1-based): forwarded, forwarded with its answer replaced by a retriable error (a lost ack), not
 * forwarded and failed as a network error, or not forwarded and answered INVALID_RECORD.
 */
class FaultyTransport implements Transport {
  produceRequests = 0;
  outstanding = 0;
  maxOutstanding = 0;

  constructor(
    private readonly inner: Transport,
    private readonly fault: (n: number) => Fault = () => 'forward',
    private readonly delayMs = 0,
  ) {}

  request<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<ResponseOf<K>> {
    if (apiKey !== ApiKey.Produce) return this.inner.request(apiKey, version, body);
    const n = ++this.produceRequests;
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const action = this.fault(n);
    const produce = body as RequestInputOf<typeof ApiKey.Produce>;
    const answerAll = (errorCode: number) => ({
      responses: produce.topicData.map((td) => ({
        name: td.name,
        partitionResponses: td.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: 'injected' })),
      })),
      throttleTimeMs: 0,
    });
    const run = async (): Promise<ResponseOf<K>> => {
      if (this.delayMs > 0) await sleep(this.delayMs);
      if (action === 'drop-network') throw new Error('injected network failure');
      if (action === 'drop-invalid') return answerAll(87) as unknown as ResponseOf<K>;
      const res = await this.inner.request(apiKey, version, body);
      return (action === 'lose-ack' ? answerAll(6) : res) as ResponseOf<K>;
    };
    const p = run();
    p.then(
      () => this.outstanding--,
      () => this.outstanding--,
    );
    return p;
  }

  requestNoResponse<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<void> {
    return this.inner.requestNoResponse(apiKey, version, body);
  }

  close(): void {
    this.inner.close();
  }
}

for (const kind of KINDS) {
  t.test(`${kind}: batches fill to batch.size; the last, partial one goes at flush`, async (t) => {
    const broker = await startBroker(t);
    broker.createTopic('b', 1);
    const batchSize = 2048;
    const producer = await Producer.create({ transport: await connect(broker, kind), batchSize, lingerMs: 60_000 });
    const sends = Array.from({ length: 200 }, (_, i) => producer.send('b', [{ value: value100(i) }]));
    await producer.flush();
    const acks = (await Promise.all(sends)).flat();
    t.same(acks.map((a) => a.offset), Array.from({ length: 200 }, (_, i) => i), 'offsets in send order');
    const batches = logBatches(broker, 'b', 0);
    t.ok(batches.length > 5, `${batches.length} batches`);
    const recordBytes = 110; // an encoded 100-byte value record
    for (const b of batches.slice(0, -1)) t.ok(b.size <= batchSize && b.size > batchSize - recordBytes, `batch of ${b.recordCount} records, ${b.size} bytes: full`);
    t.equal(batches.reduce((n, b) => n + b.recordCount, 0), 200);
    t.ok(batches[batches.length - 1].size <= batchSize);
    await producer.close();
  });

  t.test(`${kind}: linger.ms sends a partial batch once it expires, not before`, async (t) => {
    const broker = await startBroker(t);
    broker.createTopic('l', 1);
    const lingerMs = 1000;
    const producer = await Producer.create({ transport: await connect(broker, kind), lingerMs });
    const started = Date.now();
    const sent = producer.send('l', [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    await sleep(100);
    t.equal(broker.partitionLog('l', 0)!.logEndOffset, 0, 'nothing sent before linger.ms');
    const acks = await sent;
    t.ok(Date.now() - started >= lingerMs - 5, `acknowledged after ${Date.now() - started} ms`);
    t.same(acks.map((a) => a.offset), [0, 1, 2]);
    const batches = logBatches(broker, 'l', 0);
    t.same(batches.map((b) => b.recordCount), [3], 'one partial batch of the three records');
    await producer.close();
  });

  t.test(`${kind}: every compression codec round-trips through the broker and a consumer`, async (t) => {
    const broker = await startBroker(t);
    const codecs: Array<[CompressionName, CompressionType]> = [
      ['none', CompressionType.None],
      ['gzip', CompressionType.Gzip],
      ['snappy', CompressionType.Snappy],
      ['lz4', CompressionType.Lz4],
      ['zstd', CompressionType.Zstd],
    ];
    for (const [name, type] of codecs) {
      const topic = `z-${name}`;
      broker.createTopic(topic, 1);
      const producer = await Producer.create({ transport: await connect(broker, kind), compression: name, batchSize: 8192, lingerMs: 0 });
      const records = Array.from({ length: 300 }, (_, i) => ({
        key: i % 7 === 0 ? null : `k${i}`,
        value: i % 11 === 0 ? null : value100(i),
        headers: [{ key: 'h', value: i % 2 === 0 ? Buffer.from([i & 0xff, 0, 255]) : null }],
        partition: 0,
      }));
      await producer.send(topic, records.slice(0, 150));
      await producer.send(topic, records.slice(150));
      const batches = logBatches(broker, topic, 0);
      t.ok(batches.length >= 2 && batches.every((b) => b.compression === type), `${name}: ${batches.length} batches, all of codec ${type}`);
      if (type !== CompressionType.None) t.ok(batches[0].size < 8192 / 4, `${name}: compressed (${batches[0].size} bytes for ${batches[0].recordCount} records)`);
      const read = await readAll(broker, topic, 0, 300);
      t.same(
        read.map((r) => [r.offset, r.key, r.value, r.headers[0].value === null ? null : Buffer.from(r.headers[0].value, 'latin1').length]),
        records.map((r, i) => [i, r.key, r.value, r.headers[0].value === null ? null : 3]),
        `${name}: keys, values and headers read back`,
      );
      await producer.close();
    }
  });

  t.test(`${kind}: acks=0, 1 and -1`, async (t) => {
    const broker = await startBroker(t);
    for (const acks of [0, 1, -1] as const) {
      const topic = `acks${acks}`;
      broker.createTopic(topic, 1);
      const producer = await Producer.create({ transport: await connect(broker, kind), acks, batchSize: 1024 });
      const results = (await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send(topic, [{ value: value100(i) }])))).flat();
      if (acks === 0) t.ok(results.every((r) => r.offset === -1), 'acks=0: offsets unknown (-1)');
      else t.same(results.map((r) => r.offset), Array.from({ length: 50 }, (_, i) => i), `acks=${acks}: offsets`);
      const read = await readAll(broker, topic, 0, 50);
      t.same(read.map((r) => r.value), Array.from({ length: 50 }, (_, i) => value100(i)), `acks=${acks}: all written once, in order`);
      await producer.close();
    }
    await t.rejects(Producer.create({ transport: await connect(broker, kind), acks: 1, idempotent: true }), { code: 'ERR_INVALID_CONFIG' }, 'idempotence needs acks=-1');
  });
}

// Published murmur2 values of Kafka's Java client: UtilsTest.testMurmur2 and librdkafka's unittest_murmur2 (which
// checks its rd_murmur2 against the Java results).
const MURMUR2_VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['kafka', 0xd067cf64 | 0],
  ['giberish123456789', 0x8f552b0c | 0],
  ['1234', 0x9fc97b14 | 0],
  ['234', 0xe7c009ca | 0],
  ['34', 0x873930da | 0],
  ['4', 0x5a4b5ca1 | 0],
  ['PreAmbleWillBeRemoved,ThePrePartThatIs', 0x78424f1c | 0],
  ['reAmbleWillBeRemoved,ThePrePartThatIs', 0x4a62b377 | 0],
  ['eAmbleWillBeRemoved,ThePrePartThatIs', 0xe0e4e09e | 0],
  ['AmbleWillBeRemoved,ThePrePartThatIs', 0x62b8b43f | 0],
  ['', 0x106e08d9],
];

t.test('murmur2 gives the Java client\'s published values', async (t) => {
  for (const [key, hash] of MURMUR2_VECTORS) t.equal(murmur2(Buffer.from(key)), hash, JSON.stringify(key));
  // A key viewed inside a larger buffer (the producer hashes string keys in a reused buffer).
  const inside = Buffer.from('xxkafkayy');
  t.equal(murmur2(inside, 2, 7), 0xd067cf64 | 0);
});

t.test('keyed records land on Kafka\'s default-partitioner partition', async (t) => {
  const broker = await startBroker(t);
  const partitions = 7;
  broker.createTopic('keys', partitions);
  const producer = await Producer.create({ transport: await connect(broker, 'in-process'), lingerMs: 0 });
  const kafkajs = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId }));
  const acks = await producer.send('keys', MURMUR2_VECTORS.map(([key]) => ({ key, value: key })));
  const bufferAcks = await producer.send('keys', MURMUR2_VECTORS.map(([key]) => ({ key: Buffer.from(key), value: key })));
  MURMUR2_VECTORS.forEach(([key, hash], i) => {
    const expected = (hash & 0x7fffffff) % partitions;
    t.equal(acks[i].partition, expected, `${JSON.stringify(key)} → ${expected}`);
    t.equal(bufferAcks[i].partition, expected, 'the same for a Buffer key');
    t.equal(kafkajs({ topic: 'keys', partitionMetadata, message: { key } }), expected, 'kafkajs agrees');
    t.equal(partitionForKey(key, partitions), expected);
  });
  for (let p = 0; p < partitions; p++) {
    const expected = MURMUR2_VECTORS.filter(([, hash]) => (hash & 0x7fffffff) % partitions === p).map(([key]) => key);
    const read = await readAll(broker, 'keys', p, expected.length * 2);
    t.same(read.map((r) => r.value), [...expected, ...expected], `partition ${p} holds its keys`);
  }
  await producer.close();
});

t.test('null keys stick to one partition until its batch is full or sent (KIP-480)', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('sticky', 3);
  const producer = await Producer.create({ transport: await connect(broker, 'in-process'), batchSize: 1024, lingerMs: 60_000 });
  const sends = Array.from({ length: 100 }, (_, i) => producer.send('sticky', [{ value: value100(i) }]));
  await producer.flush();
  const partitions = (await Promise.all(sends)).map((r) => r[0].partition);
  const runs: Array<{ partition: number; count: number }> = [];
  for (const p of partitions) {
    if (runs.length > 0 && runs[runs.length - 1].partition === p) runs[runs.length - 1].count++;
    else runs.push({ partition: p, count: 1 });
  }
  t.ok(runs.length > 3, `${runs.length} runs`);
  const full = runs[0].count;
  t.ok(full > 1 && runs.slice(0, -1).every((r) => r.count === full), `every run but the last is one full batch (${runs.map((r) => r.count).join(',')})`);
  t.ok(runs.slice(1).every((r, i) => r.partition === (runs[i].partition + 1) % 3), 'then the next partition');
  for (let p = 0; p < 3; p++) {
    const counts = logBatches(broker, 'sticky', p).map((b) => b.recordCount);
    t.ok(counts.slice(0, -1).every((n) => n === full), `partition ${p}: full batches (${counts.join(',')})`);
  }

  // A batch sent by linger also moves the sticky partition on.
  const lingering = await Producer.create({ transport: await connect(broker, 'in-process'), lingerMs: 5 });
  const a = (await lingering.send('sticky', [{ value: 'a' }, { value: 'b' }]))[1].partition;
  const b = (await lingering.send('sticky', [{ value: 'c' }]))[0].partition;
  const c = (await lingering.send('sticky', [{ value: 'd' }]))[0].partition;
  t.same([b, c], [(a + 1) % 3, (a + 2) % 3], 'one partition per sent batch');
  await producer.close();
  await lingering.close();
});

t.test('max.in.flight.requests.per.connection bounds the Produce requests outstanding', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('f', 1);
  for (const limit of [1, 3]) {
    const transport = new FaultyTransport(await connect(broker, 'in-process'), () => 'forward', 5);
    const producer = await Producer.create({ transport, batchSize: 512, lingerMs: 0, maxInFlightRequestsPerConnection: limit });
    await Promise.all(Array.from({ length: 200 }, (_, i) => producer.send('f', [{ value: value100(i) }])));
    t.equal(transport.maxOutstanding, limit, `limit ${limit}: at most and at some point ${limit} requests outstanding (${transport.produceRequests} requests)`);
    await producer.close();
  }
  await t.rejects(Producer.create({ transport: await connect(broker, 'in-process'), idempotent: true, maxInFlightRequestsPerConnection: 6 }), { code: 'ERR_INVALID_CONFIG' }, 'idempotence allows 5 at most');
});

async function sendAll(producer: Producer, topic: string, count: number): Promise<Array<RecordMetadata | Error>> {
  return Promise.all(Array.from({ length: count }, (_, i) => producer.send(topic, [{ value: value100(i), partition: 0 }]).then((r) => r[0], (err: Error) => err)));
}

t.test('idempotent retries after lost acks write every record once, in order', async (t) => {
  const broker = await startBroker(t);
  for (const idempotent of [true, false]) {
    const topic = `lost-${idempotent}`;
    broker.createTopic(topic, 1);
    const transport = new FaultyTransport(await connect(broker, 'in-process'), (n) => (n % 3 === 1 ? 'lose-ack' : 'forward'), 2);
    const producer = await Producer.create({ transport, idempotent, batchSize: 1024, lingerMs: 0, retryBackoffMs: 1, maxInFlightRequestsPerConnection: 5 });
    const results = await sendAll(producer, topic, 300);
    const errors = [...new Set(results.filter((r) => r instanceof Error).map((e) => (e as Error).message))];
    t.same(errors, [], `idempotent=${idempotent}: every send acknowledged`);
    const read = await readAll(broker, topic, 0, 400);
    if (idempotent) {
      t.same(read.map((r) => r.value), Array.from({ length: 300 }, (_, i) => value100(i)), 'each record once, in order');
      t.same(results.map((r) => (r as RecordMetadata).offset), read.map((r) => r.offset), 'the offsets reported are where they are');
    } else {
      t.ok(read.length > 300, `without idempotence the retries duplicate (${read.length} records): the check above can fail`);
    }
    await producer.close();
  }
});

t.test('a batch lost in flight: the later batches are refused, retried and written in order', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('gap', 1);
  const transport = new FaultyTransport(await connect(broker, 'in-process'), (n) => (n === 2 || n === 7 ? 'drop-network' : 'forward'), 2);
  const producer = await Producer.create({ transport, idempotent: true, batchSize: 1024, lingerMs: 0, retryBackoffMs: 1 });
  const results = await sendAll(producer, 'gap', 300);
  t.ok(results.every((r) => !(r instanceof Error)), 'every send acknowledged');
  const read = await readAll(broker, 'gap', 0, 300);
  t.same(read.map((r) => r.value), Array.from({ length: 300 }, (_, i) => value100(i)), 'each record once, in send order');
  t.ok(transport.produceRequests > 300 / 9 + 2, `${transport.produceRequests} requests: the refused ones were sent again`);
  await producer.close();
});

t.test('a batch failed for good: its records fail, the batches after it are renumbered and written', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('lost', 1);
  const transport = new FaultyTransport(await connect(broker, 'in-process'), (n) => (n === 2 ? 'drop-invalid' : 'forward'), 2);
  const producer = await Producer.create({ transport, idempotent: true, batchSize: 1024, lingerMs: 0, retryBackoffMs: 1 });
  const results = await sendAll(producer, 'lost', 300);
  const failed = results.flatMap((r, i) => (r instanceof Error ? [i] : []));
  t.ok(failed.length > 0 && results.filter((r) => r instanceof Error).every((e) => (e as { code?: string }).code === 'INVALID_RECORD'), `${failed.length} records failed with INVALID_RECORD`);
  t.same(failed, Array.from({ length: failed.length }, (_, i) => failed[0] + i), 'one batch: consecutive records');
  const read = await readAll(broker, 'lost', 0, 300);
  t.same(read.map((r) => r.value), Array.from({ length: 300 }, (_, i) => i).filter((i) => !failed.includes(i)).map(value100), 'the others once, in order');
  // The producer goes on: its sequences match the broker's.
  t.equal((await producer.send('lost', [{ value: 'after', partition: 0 }]))[0].offset, read.length);
  await producer.close();
});

t.test('transactions: commit flushes pending batches; abort drops the unsent ones', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('tx', 2);
  const producer = await Producer.create({ transport: await connect(broker, 'in-process'), transactionalId: 'tx-batching', lingerMs: 60_000 });
  await producer.beginTransaction();
  const sent = Array.from({ length: 10 }, (_, i) => producer.send('tx', [{ key: `k${i}`, value: `c${i}` }]));
  await producer.commit();
  t.equal((await Promise.all(sent)).length, 10, 'commit waited for every batch');
  const committed = [...(await readAll(broker, 'tx', 0, 10, 'read_committed')), ...(await readAll(broker, 'tx', 1, 10, 'read_committed'))];
  t.same(committed.map((r) => r.value).sort(), Array.from({ length: 10 }, (_, i) => `c${i}`).sort(), 'read_committed sees them');

  await producer.beginTransaction();
  const dropped = producer.send('tx', [{ key: 'k0', value: 'dropped' }]);
  await producer.abort();
  await t.rejects(dropped, { code: 'INVALID_TXN_STATE' }, 'the unsent batch fails');
  const all = [...(await readAll(broker, 'tx', 0, 100)), ...(await readAll(broker, 'tx', 1, 100))];
  t.notOk(all.some((r) => r.value === 'dropped'), 'never written');

  await producer.beginTransaction();
  const next = producer.send('tx', [{ key: 'k0', value: 'next' }]);
  await producer.commit(); // linger.ms is a minute: commit sends it
  await next;
  const after = [...(await readAll(broker, 'tx', 0, 100, 'read_committed')), ...(await readAll(broker, 'tx', 1, 100, 'read_committed'))];
  t.ok(after.some((r) => r.value === 'next'), 'the next transaction commits');
  await producer.close();
});

t.test('transactions: a failed batch makes commit fail; abort recovers', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('txf', 1);
  const transport = new FaultyTransport(await connect(broker, 'in-process'), (n) => (n === 1 ? 'drop-invalid' : 'forward'));
  const producer = await Producer.create({ transport, transactionalId: 'tx-fail', lingerMs: 0 });
  await producer.beginTransaction();
  await t.rejects(producer.send('txf', [{ value: 'bad' }]), { code: 'INVALID_RECORD' });
  await t.rejects(producer.commit(), { code: 'INVALID_RECORD' }, 'commit refuses a transaction with a failed batch');
  await producer.abort();
  await producer.beginTransaction();
  await producer.send('txf', [{ value: 'good' }]);
  await producer.commit();
  t.same((await readAll(broker, 'txf', 0, 1, 'read_committed')).map((r) => r.value), ['good']);
  await producer.close();
});

t.test('flush() sends lingering batches; close() flushes; options are checked', async (t) => {
  const broker = await startBroker(t);
  broker.createTopic('fl', 1);
  const producer = await Producer.create({ transport: await connect(broker, 'in-process'), lingerMs: 60_000 });
  const sent = producer.send('fl', [{ value: 'x' }]);
  await producer.flush();
  t.same((await sent).map((r) => r.offset), [0]);
  const last = producer.send('fl', [{ value: 'y' }]);
  await producer.close();
  t.same((await last).map((r) => r.offset), [1], 'close() sent the lingering record');
  await t.rejects(producer.send('fl', [{ value: 'z' }]), { code: 'ERR_CLOSED' });
  await t.rejects(Producer.create({ transport: await connect(broker, 'in-process'), batchSize: -1 }), { code: 'ERR_INVALID_CONFIG' });
  await t.rejects(Producer.create({ transport: await connect(broker, 'in-process'), compression: 'brotli' as CompressionName }), { code: 'ERR_INVALID_CONFIG' });
  const small = await Producer.create({ transport: await connect(broker, 'in-process'), maxRequestSize: 1000 });
  await t.rejects(small.send('fl', [{ value: 'x'.repeat(2000) }]), { code: 'MESSAGE_TOO_LARGE' });
  await small.close();
});
