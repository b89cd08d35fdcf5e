/**
 * Transaction benchmark: throughput of transactional produce (transactions of 1, 10, 100 and 1000 messages, each
 * committed) and of idempotent produce, against plain produce measured in the same run on the same broker process.
 *
 *   npm run bench:txn                                # ~1 minute on 2 cores
 *   npm run bench:txn -- --producers=4 --seconds=3 --value-bytes=100 --broker=src --txn-sizes=1,10
 *   npm run bench:txn -- --broker-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"   # profile the broker
 *
 * Plain and idempotent run in A B B A order (each figure the mean of its two runs), then the transaction sizes;
 * the data is deleted after every case. Every case runs --producers concurrent producers for --seconds after a 1 s
 * warm-up, each on its own connection
 * and its own partition, one request at a time (request, response, next), 100-byte values, acks=-1, up to 100
 * messages per record batch (one batch per Produce request). A transaction is AddPartitionsToTxn, its Produce
 * requests, EndTxn(commit): what a transactional client sends, minus metadata. Batches are encoded once per
 * producer; each send patches the base sequence and recomputes the CRC-32C, as a client must. The broker is a
 * real process (dist/ by default), the load runs in this process: both share the 2 vCPUs, so the figures are the
 * broker plus a light client, and the ratios to plain produce are what to compare.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiKey } from '../src/protocol/api-key';
import { encodeRecordBatch } from '../src/protocol/records/index';
import { crc32c } from '../src/native/binding';
import { BrokerSource, startBenchBroker } from './helpers/broker-process';
import { markdownTable, formatCount, formatRate, formatRatio } from './helpers/markdown-table';
import { WireClient } from './helpers/wire-client';

const BATCH_MESSAGES_MAX = 100;
const TXN_SIZES = [1, 10, 100, 1000];
const TOPIC = 'txn-bench';

function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const PRODUCERS = Number(arg('producers', '4'));
const SECONDS = Number(arg('seconds', '3'));
const VALUE_BYTES = Number(arg('value-bytes', '100'));
const SOURCE = arg('broker', 'dist') as BrokerSource;
const TXN_SIZES_RUN = arg('txn-sizes', TXN_SIZES.join(',')).split(',').map(Number);
const BROKER_NODE_ARGS = arg('broker-node-args', '').split(' ').filter(Boolean);

type Mode = 'plain' | 'idempotent' | 'transactional';

interface CaseResult {
  name: string;
  mode: Mode;
  txnMessages: number;
  messages: number;
  transactions: number;
  seconds: number;
}

/** One producer's pre-encoded batches of 1..100 messages; `take(n, seq)` patches the sequence and the CRC. */
class Batches {
  private readonly byCount = new Map<number, Buffer>();
  constructor(private readonly producerId: bigint, private readonly epoch: number, private readonly transactional: boolean) {}
  take(count: number, sequence: number): Buffer {
    let b = this.byCount.get(count);
    if (b === undefined) {
      const value = Buffer.alloc(VALUE_BYTES, 0x61);
      b = encodeRecordBatch({
        producerId: this.producerId,
        producerEpoch: this.epoch,
        baseSequence: this.producerId < 0n ? -1 : 0,
        transactional: this.transactional,
        records: Array.from({ length: count }, () => ({ value })),
      });
      this.byCount.set(count, b);
    }
    if (this.producerId >= 0n) {
      b.writeInt32BE(sequence, 53);
      b.writeUInt32BE(crc32c(b, 21, b.length), 17);
    }
    return b;
  }
}

async function producerLoop(port: number, index: number, mode: Mode, txnMessages: number, warmUntil: number, until: number): Promise<{ messages: number; transactions: number }> {
  const c = await WireClient.connect(port);
  const transactionalId = mode === 'transactional' ? `bench-${index}-${txnMessages}` : null;
  let producerId = -1n;
  let epoch = -1;
  if (mode !== 'plain') {
    const init = await c.request(ApiKey.InitProducerId, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
    if (init.errorCode !== 0) throw new Error(`InitProducerId: error ${init.errorCode}`);
    producerId = init.producerId;
    epoch = init.producerEpoch;
  }
  const batches = new Batches(producerId, epoch, mode === 'transactional');
  let sequence = 0;
  let messages = 0;
  let transactions = 0;
  const produce = async (count: number) => {
    const records = batches.take(count, sequence);
    const r = await c.request(ApiKey.Produce, 9, { transactionalId, acks: -1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index, records }] }] });
    const code = r.responses[0].partitionResponses[0].errorCode;
    if (code !== 0) throw new Error(`Produce: error ${code}`);
    sequence = (sequence + count) % 2 ** 31;
  };
  for (;;) {
    const now = Date.now();
    if (now >= until) break;
    const counting = now >= warmUntil;
    if (mode === 'transactional') {
      const add = await c.request(ApiKey.AddPartitionsToTxn, 3, { transactionalId: transactionalId!, producerId, producerEpoch: epoch, topics: [{ name: TOPIC, partitions: [index] }] });
      if (add.results[0].results[0].errorCode !== 0) throw new Error(`AddPartitionsToTxn: error ${add.results[0].results[0].errorCode}`);
      for (let left = txnMessages; left > 0; left -= BATCH_MESSAGES_MAX) await produce(Math.min(BATCH_MESSAGES_MAX, left));
      const end = await c.request(ApiKey.EndTxn, 3, { transactionalId: transactionalId!, producerId, producerEpoch: epoch, committed: true });
      if (end.errorCode !== 0) throw new Error(`EndTxn: error ${end.errorCode}`);
      if (counting) {
        transactions++;
        messages += txnMessages;
      }
    } else {
      await produce(BATCH_MESSAGES_MAX);
      if (counting) messages += BATCH_MESSAGES_MAX;
    }
  }
  c.close();
  return { messages, transactions };
}

async function runCase(port: number, name: string, mode: Mode, txnMessages: number): Promise<CaseResult> {
  const warmUntil = Date.now() + 1000;
  const until = warmUntil + SECONDS * 1000;
  const results = await Promise.all(Array.from({ length: PRODUCERS }, (_, i) => producerLoop(port, i, mode, txnMessages, warmUntil, until)));
  return {
    name,
    mode,
    txnMessages,
    messages: results.reduce((n, r) => n + r.messages, 0),
    transactions: results.reduce((n, r) => n + r.transactions, 0),
    seconds: SECONDS,
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-txn-'));
  const broker = await startBenchBroker({ dir, source: SOURCE, nodeArgs: BROKER_NODE_ARGS });
  try {
    const admin = await WireClient.connect(broker.port);
    await admin.createTopic(TOPIC, PRODUCERS);
    admin.close();
    // After every case the data goes (DeleteRecords to the end: whole segments deleted), so the page cache and the
    // kernel's dirty writeback do not grow over the run and slow the later cases.
    const cleaner = await WireClient.connect(broker.port);
    const run = async (name: string, mode: Mode, n: number) => {
      const r = await runCase(broker.port, name, mode, n);
      await cleaner.request(ApiKey.DeleteRecords, 2, {
        topics: [{ name: TOPIC, partitions: Array.from({ length: PRODUCERS }, (_, partitionIndex) => ({ partitionIndex, offset: -1n })) }],
        timeoutMs: 30_000,
      });
      return r;
    };
    // Untimed first pass: the broker's JIT, first segment pages and producer state warm up before any figure.
    await run('warm-up', 'plain', 0);
    await run('warm-up', 'idempotent', 0);
    // Plain and idempotent in A B B A order; every figure below is the mean of its two runs.
    const pairs = [await run('plain', 'plain', 0), await run('idempotent', 'idempotent', 0), await run('idempotent', 'idempotent', 0), await run('plain', 'plain', 0)];
    const mean = (a: CaseResult, b: CaseResult): CaseResult => ({ ...a, messages: (a.messages + b.messages) / 2, transactions: (a.transactions + b.transactions) / 2 });
    const results: CaseResult[] = [mean(pairs[0], pairs[3]), mean(pairs[1], pairs[2])];
    for (const n of TXN_SIZES_RUN) results.push(await run(`transactions of ${n}`, 'transactional', n));
    cleaner.close();
    const plain = results[0].messages / results[0].seconds;
    for (const r of results) console.log(`@@strata-bench ${JSON.stringify(r)}`);
    console.log(
      `\n${PRODUCERS} producers x 1 request in flight, ${VALUE_BYTES} B values, <= ${BATCH_MESSAGES_MAX} messages per batch, acks=-1, ${SECONDS} s per case, broker from ${SOURCE}/, ${os.cpus().length} vCPUs\n`,
    );
    console.log(
      markdownTable(
        ['case', 'messages/s', 'MB/s', 'transactions/s', 'ratio to plain (same run)'],
        results.map((r) => {
          const rate = r.messages / r.seconds;
          return [r.name, formatCount(rate), formatRate((rate * VALUE_BYTES) / 1e6, 1), r.mode === 'transactional' ? formatRate(r.transactions / r.seconds) : '-', formatRatio(rate / plain)];
        }),
      ),
    );
  } finally {
    await broker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
