/**
 * Embedded client benchmark: the same Producer and Consumer (src/client) against one Broker embedded in this
 * process, once through InProcessTransport (Broker.dispatch, no socket) and once through WireTransport over
 * loopback TCP to that broker's listener, in one run. What a Node backend that embeds Strata gains by not going
 * through the kernel.
 *
 *   npm run bench:client                          # ~1 minute on 2 cores
 *   npm run bench:client -- --seconds=3 --sizes=100,1024 --partitions=4 --in-flight=8
 *
 * Each case: one Producer (acks=1, batch.size 64 KiB, linger.ms 0, max.in.flight 5, no compression), records of
 * --sizes bytes with null keys spread over --partitions partitions (sticky partitioner), send() called with 500
 * records at a time and at most --in-flight such calls outstanding; counted for --seconds after a 1 s warm-up.
 * Then one Consumer reads back everything the case wrote (Fetch of 1 MiB per partition, read_uncommitted), timed.
 * The cases run in A B B A order per record size (in-process, wire, wire, in-process) and each figure is the mean of
 * its two runs; the topic's data is deleted between cases so the page cache does not grow over the run. Broker and
 * client share this process and the machine's 2 vCPUs: on the wire path the same process also runs the socket
 * reads and writes on both ends, which is the point of the comparison.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../src/broker/broker';
import { silentLogger } from '../src/observability/logger';
import { Consumer, InProcessTransport, Producer, Transport, WireTransport } from '../src/client/index';
import { ApiKey } from '../src/protocol/api-key';
import { formatCount, formatRate, formatRatio, markdownTable } from './helpers/markdown-table';

function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const SECONDS = Number(arg('seconds', '3'));
const SIZES = arg('sizes', '100,1024').split(',').map(Number);
const PARTITIONS = Number(arg('partitions', '4'));
const IN_FLIGHT = Number(arg('in-flight', '8'));
const RECORDS_PER_SEND = 500;
const TOPIC = 'client-bench';

type Path = 'in-process' | 'wire';

interface CaseResult {
  path: Path;
  size: number;
  produced: number;
  produceSeconds: number;
  consumed: number;
  consumeSeconds: number;
}

async function transportFor(broker: Broker, p: Path): Promise<Transport> {
  return p === 'in-process' ? new InProcessTransport(broker, 'bench') : WireTransport.connect('127.0.0.1', broker.port, 'bench');
}

async function produceFor(transport: Transport, size: number, warmUntil: number, until: number): Promise<{ counted: number; total: number; seconds: number }> {
  const producer = await Producer.create({ transport, acks: 1, batchSize: 65_536, lingerMs: 0, compression: 'none', maxInFlightRequestsPerConnection: 5 });
  // One value and one array of records, reused by every send(): the producer encodes records into its batches at
  // send() time, so nothing is allocated per record here.
  const value = Buffer.alloc(size, 0x61);
  const records = Array.from({ length: RECORDS_PER_SEND }, () => ({ value }));
  let total = 0;
  let counted = 0;
  let countFrom = 0;
  let stop = false;
  const lane = async () => {
    while (!stop) {
      await producer.send(TOPIC, records);
      total += RECORDS_PER_SEND;
      const now = Date.now();
      if (now >= until) stop = true;
      else if (now >= warmUntil) {
        if (countFrom === 0) countFrom = now;
        counted += RECORDS_PER_SEND;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (Date.now() - countFrom) / 1000;
  await producer.close();
  return { counted, total, seconds };
}

async function consumeAll(transport: Transport, expected: number): Promise<number> {
  const consumer = Consumer.create({ transport, isolationLevel: 'read_uncommitted', maxWaitMs: 100, partitionMaxBytes: 1 << 20 });
  await consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
  const started = process.hrtime.bigint();
  let read = 0;
  while (read < expected) {
    const batch = await consumer.poll();
    if (batch.length === 0) throw new Error(`consumer stalled at ${read} of ${expected} records`);
    read += batch.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  consumer.close();
  return seconds;
}

async function runCase(broker: Broker, p: Path, size: number): Promise<CaseResult> {
  const warmUntil = Date.now() + 1000;
  const until = warmUntil + SECONDS * 1000;
  const produceTransport = await transportFor(broker, p);
  const produced = await produceFor(produceTransport, size, warmUntil, until);
  produceTransport.close();
  const consumeTransport = await transportFor(broker, p);
  const consumeSeconds = await consumeAll(consumeTransport, produced.total);
  consumeTransport.close();
  // Delete what the case wrote (whole segments) so later cases start from an empty page cache footprint.
  const admin = new InProcessTransport(broker, 'bench-admin');
  await admin.request(ApiKey.DeleteRecords, 2, {
    topics: [{ name: TOPIC, partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({ partitionIndex, offset: -1n })) }],
    timeoutMs: 30_000,
  });
  admin.close();
  return { path: p, size, produced: produced.counted, produceSeconds: produced.seconds, consumed: produced.total, consumeSeconds };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-client-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'log.segment.bytes': 256 * 1024 * 1024 }, { logger: silentLogger });
  const rows: string[][] = [];
  try {
    broker.createTopic(TOPIC, PARTITIONS);
    // Untimed: JIT, first segment pages and both paths' code warm before any figure.
    await runCase(broker, 'in-process', SIZES[0]);
    await runCase(broker, 'wire', SIZES[0]);
    for (const size of SIZES) {
      const runs = [await runCase(broker, 'in-process', size), await runCase(broker, 'wire', size), await runCase(broker, 'wire', size), await runCase(broker, 'in-process', size)];
      for (const r of runs) console.log(`@@strata-bench ${JSON.stringify(r)}`);
      const rate = (rs: CaseResult[], f: (r: CaseResult) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
      const inProcess = [runs[0], runs[3]];
      const wire = [runs[1], runs[2]];
      const produce = (r: CaseResult) => r.produced / r.produceSeconds;
      const consume = (r: CaseResult) => r.consumed / r.consumeSeconds;
      const pIn = rate(inProcess, produce);
      const pWire = rate(wire, produce);
      const cIn = rate(inProcess, consume);
      const cWire = rate(wire, consume);
      const mb = (recordsPerSecond: number) => formatRate((recordsPerSecond * size) / 1e6, 0);
      rows.push([`${size} B`, 'produce', formatCount(pWire), mb(pWire), formatCount(pIn), mb(pIn), formatRatio(pIn / pWire)]);
      rows.push([`${size} B`, 'consume', formatCount(cWire), mb(cWire), formatCount(cIn), mb(cIn), formatRatio(cIn / cWire)]);
    }
  } finally {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nOne embedded Broker; one Producer (acks=1, batch.size 64 KiB, linger.ms 0, ${IN_FLIGHT} x ${RECORDS_PER_SEND}-record send() outstanding) then one Consumer, ${PARTITIONS} partitions, ${SECONDS} s per case, A B B A means, ${os.cpus().length} vCPUs\n`,
  );
  console.log(markdownTable(['record', 'path', 'wire records/s', 'wire MB/s', 'in-process records/s', 'in-process MB/s', 'in-process / wire'], rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
