/** Shared by the client tests: a broker per test, both transports, reading back the log and a partition. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { silentLogger } from '../../src/observability/logger';
import { Consumer, InProcessTransport, Transport, WireTransport } from '../../src/client/index';
import { RecordBatchIterator } from '../../src/protocol/records/record-batch-iterator';
import type { RecordBatchHeader } from '../../src/protocol/records/record-batch';

export type Kind = 'in-process' | 'wire';
export const KINDS: readonly Kind[] = ['in-process', 'wire'];

export async function startBroker(t: { teardown(fn: () => unknown): void }): Promise<Broker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-client-'));
  const broker = await Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir }, { logger: silentLogger });
  t.teardown(async () => {
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return broker;
}

export async function connect(broker: Broker, kind: Kind): Promise<Transport> {
  return kind === 'in-process' ? new InProcessTransport(broker) : WireTransport.connect('127.0.0.1', broker.port);
}

/** The headers of every batch in a partition's log, in order (the data batches and any markers). */
export function logBatches(broker: Broker, topic: string, partition: number): RecordBatchHeader[] {
  const log = broker.partitionLog(topic, partition)!;
  const out: RecordBatchHeader[] = [];
  const read = log.read(0, 1 << 30, { maxOffset: log.logEndOffset });
  for (const buf of read.records) for (const h of new RecordBatchIterator(buf)) out.push(h);
  return out;
}

/** Reads a partition from the start until `expected` records came or polls return nothing for a while. */
export async function readAll(broker: Broker, topic: string, partition: number, expected: number, isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_uncommitted') {
  const c = Consumer.create({ transport: new InProcessTransport(broker), isolationLevel, maxWaitMs: 20 });
  await c.assign([{ topic, partition, offset: 0 }]);
  const out: Array<{ offset: number; key: string | null; value: string | null; headers: Array<{ key: string; value: string | null }> }> = [];
  for (let empty = 0; empty < 5 && out.length < expected; ) {
    const records = await c.poll();
    if (records.length === 0) empty++;
    for (const r of records) {
      out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, headers: r.headers.map((h) => ({ key: h.key, value: h.value?.toString() ?? null })) });
    }
  }
  c.close();
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
