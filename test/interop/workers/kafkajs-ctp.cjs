/*
 * kafkajs 2.2.4 exactly-once consume-transform-produce worker (plain CommonJS, run by node as is): the group
 * `ctp-js` consumes `ctp-in` from its committed offset; every chunk of up to 10 inputs becomes `out-<value>` on
 * `ctp-out` with the consumed offsets committed in the same transaction. On any failure (a broker crash) it does
 * what an application should: abort if it can, drop its producer and consumer, and start over from the committed
 * offset with new ones (the new producer fences the old one and aborts its open transaction).
 * argv: bootstrap total pause-seconds. Prints "open <position>" inside each transaction once its outputs are
 * acknowledged, and one JSON line of counters at the end.
 */
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, totalArg, pauseArg] = process.argv.slice(2);
const total = Number(totalArg);
const pauseMs = Number(pauseArg) * 1000;
const stats = { committed: 0, restarts: 0, position: 0 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const kafka = new Kafka({
  brokers: [bootstrap],
  clientId: 'ctp-js',
  logLevel: logLevel.NOTHING,
  retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  connectionTimeout: 2000,
  requestTimeout: 10000,
});

async function committedPosition(admin) {
  const offsets = await admin.fetchOffsets({ groupId: 'ctp-js', topics: ['ctp-in'] });
  const offset = Number(offsets[0].partitions.find((p) => p.partition === 0).offset);
  return offset < 0 ? 0 : offset;
}

async function runOnce() {
  const admin = kafka.admin();
  const producer = kafka.producer({ transactionalId: 'ctp-js-tx', maxInFlightRequests: 1, idempotent: true, transactionTimeout: 10000 });
  const consumer = kafka.consumer({ groupId: 'ctp-js', sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200, readUncommitted: false });
  let failure = null;
  let finished;
  const done = new Promise((resolve) => (finished = resolve));
  const fail = (err) => {
    failure = failure || err || new Error('failed');
    finished();
  };
  try {
    await admin.connect();
    await producer.connect();
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
    stats.position = await committedPosition(admin);
    if (stats.position >= total) return true;
    await consumer.subscribe({ topics: ['ctp-in'], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, isRunning, isStale }) => {
        try {
          for (let i = 0; i < batch.messages.length && !failure && isRunning() && !isStale(); i += 10) {
            const chunk = batch.messages.slice(i, i + 10);
            const next = Number(chunk[chunk.length - 1].offset) + 1;
            if (next <= stats.position) continue; // already committed by an earlier transaction
            const txn = await producer.transaction();
            try {
              await txn.send({ topic: 'ctp-out', messages: chunk.map((m) => ({ value: `out-${m.value.toString()}`, partition: 0 })) });
              process.stdout.write(`open ${stats.position}\n`);
              await sleep(pauseMs);
              await txn.sendOffsets({ consumerGroupId: 'ctp-js', topics: [{ topic: 'ctp-in', partitions: [{ partition: batch.partition, offset: String(next) }] }] });
              await txn.commit();
            } catch (err) {
              await txn.abort().catch(() => {});
              throw err;
            }
            stats.position = next;
            stats.committed++;
            if (stats.position >= total) finished();
          }
        } catch (err) {
          fail(err);
        }
      },
    });
    await done;
  } catch (err) {
    fail(err);
  }
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  await admin.disconnect().catch(() => {});
  return !failure && stats.position >= total;
}

(async () => {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    if (await runOnce()) {
      process.stdout.write(JSON.stringify(stats) + '\n');
      process.exit(0);
    }
    stats.restarts++;
    await sleep(300);
  }
  process.stdout.write(JSON.stringify(stats) + '\n');
  process.exit(1);
})();
