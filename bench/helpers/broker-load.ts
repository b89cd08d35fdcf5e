/**
 * The broker benchmark's own load generator, run in a worker thread (so it never shares an event loop with the
 * benchmark's coordinator, and never with the broker, which is another process). One worker drives one or more
 * connections, one partition each:
 *  - produce: the same PRE-ENCODED Produce request (one record batch built once by encodeRecordBatch; the
 *    broker patches baseOffset in its own copy, so re-sending the same bytes is valid) written `depth` times
 *    ahead of the responses (pipelined: the broker answers a connection's requests in order), acks=1; every
 *    response is decoded and its error code checked; latency = response read - request written, per request.
 *  - consume: Fetch requests from offset 0 to the partition's end, one at a time per connection (as a real
 *    consumer does: the next offset comes from the previous response), max_bytes / partition_max_bytes as
 *    given; counts records (from the batch headers) and record bytes; latency per Fetch. The timed run reads
 *    the rest of each partition after the warm-up, then the whole partition again (`passes` in all), so a
 *    bounded log gives a window long enough to measure.
 * Phases, driven by the coordinator over postMessage: connect -> 'ready'; warm-up -> 'warm'; on 'go' the timed
 * run -> 'done' with the result. Times are process.hrtime (CLOCK_MONOTONIC, shared by the threads of a process
 * and the same clock as the broker's --cpu-prof timestamps).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ApiKey } from '../../src/protocol/api-key';
import { decodeResponse, encodeRequest } from '../../src/protocol/api-codec';
import { FramedSocket } from './framed-socket';

export const PRODUCE_VERSION = 9;
export const FETCH_VERSION = 11;
const CLIENT_ID = 'strata-bench';
const FETCH_MAX_WAIT_MS = 500;

export interface ProduceLoadSpec {
  kind: 'produce';
  port: number;
  topic: string;
  partitions: number[];
  batch: Uint8Array;
  recordsPerBatch: number;
  depth: number;
  warmRequests: number;
  timedRequests: number;
}

export interface ConsumeLoadSpec {
  kind: 'consume';
  port: number;
  topic: string;
  partitions: number[];
  /** Offset the warm-up reads up to, and the end offset of the timed read, per partition. */
  warmOffsets: number[];
  endOffsets: number[];
  /** Timed reads: from the warm-up offset to the end, then again from 0 to the end, `passes` times in all. */
  passes: number;
  maxBytes: number;
  partitionMaxBytes: number;
}

export type LoadSpec = ProduceLoadSpec | ConsumeLoadSpec;

export interface LoadResult {
  startNs: number;
  endNs: number;
  requests: number;
  records: number;
  /** Record batch bytes moved (produce: sent; consume: received). */
  recordBytes: number;
  /** Bytes on the wire, request and response frames, both directions. */
  wireBytes: number;
  errors: number;
  firstError: string | null;
  latenciesMs: Float64Array;
}

export type WorkerMessage = { type: 'ready' } | { type: 'warm' } | { type: 'done'; result: LoadResult } | { type: 'error'; message: string };

function nowNs(): number {
  return Number(process.hrtime.bigint());
}

interface Tally {
  records: number;
  recordBytes: number;
  errors: number;
  firstError: string | null;
  latencies: number[];
}

function newTally(): Tally {
  return { records: 0, recordBytes: 0, errors: 0, firstError: null, latencies: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Produce

class ProduceConnection {
  private socket!: FramedSocket;
  private readonly request: Buffer;
  private sent = 0;
  private received = 0;
  private target = 0;
  private sentAtNs: number[] = [];
  private tally: Tally = newTally();
  private done: (() => void) | null = null;
  sentBytes = 0;

  constructor(
    private readonly spec: ProduceLoadSpec,
    partition: number,
  ) {
    this.request = Buffer.concat(
      encodeRequest(ApiKey.Produce, PRODUCE_VERSION, 1, CLIENT_ID, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [{ name: spec.topic, partitionData: [{ index: partition, records: Buffer.from(spec.batch.buffer, spec.batch.byteOffset, spec.batch.byteLength) }] }],
      }),
    );
  }

  async connect(): Promise<void> {
    this.socket = await FramedSocket.connect(this.spec.port, (frame) => this.onResponse(frame));
  }

  get receivedBytes(): number {
    return this.socket.receivedBytes;
  }

  run(requests: number, tally: Tally): Promise<void> {
    this.sent = 0;
    this.received = 0;
    this.target = requests;
    this.sentAtNs = new Array<number>(requests);
    this.tally = tally;
    return new Promise((resolve) => {
      this.done = resolve;
      this.pump();
    });
  }

  private pump(): void {
    while (this.sent < this.target && this.sent - this.received < this.spec.depth) {
      this.sentAtNs[this.sent++] = nowNs();
      this.socket.write(this.request);
      this.sentBytes += this.request.length;
    }
  }

  private onResponse(frame: Buffer): void {
    const at = nowNs();
    const t = this.tally;
    t.latencies.push((at - this.sentAtNs[this.received]) / 1e6);
    this.received++;
    try {
      const body = decodeResponse(ApiKey.Produce, PRODUCE_VERSION, frame).body;
      const p = body.responses[0]?.partitionResponses[0];
      if (!p || p.errorCode !== 0) {
        t.errors++;
        t.firstError ??= `produce error code ${p?.errorCode} ${p?.errorMessage ?? ''}`;
      } else {
        t.records += this.spec.recordsPerBatch;
        t.recordBytes += this.spec.batch.byteLength;
      }
    } catch (err) {
      t.errors++;
      t.firstError ??= (err as Error).message;
    }
    if (this.received === this.target) {
      const d = this.done;
      this.done = null;
      d?.();
    } else {
      this.pump();
    }
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Consume

class FetchConnection {
  private socket!: FramedSocket;
  private correlationId = 0;
  private offset = 0;
  private until = 0;
  private sentAtNs = 0;
  private tally: Tally = newTally();
  private done: ((err?: Error) => void) | null = null;
  sentBytes = 0;

  constructor(
    private readonly spec: ConsumeLoadSpec,
    private readonly partition: number,
  ) {}

  async connect(): Promise<void> {
    this.socket = await FramedSocket.connect(this.spec.port, (frame) => this.onResponse(frame));
  }

  get receivedBytes(): number {
    return this.socket.receivedBytes;
  }

  /** The next Fetch starts at `offset` (a new pass over the partition). */
  rewind(offset: number): void {
    this.offset = offset;
  }

  /** Fetches from the current offset until `until` or beyond. */
  run(until: number, tally: Tally): Promise<void> {
    this.until = until;
    this.tally = tally;
    return new Promise((resolve, reject) => {
      this.done = (err) => (err ? reject(err) : resolve());
      if (this.offset >= until) this.finish();
      else this.send();
    });
  }

  private send(): void {
    const frame = encodeRequest(ApiKey.Fetch, FETCH_VERSION, ++this.correlationId, CLIENT_ID, {
      replicaId: -1,
      maxWaitMs: FETCH_MAX_WAIT_MS,
      minBytes: 1,
      maxBytes: this.spec.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: this.spec.topic,
          partitions: [{ partition: this.partition, currentLeaderEpoch: -1, fetchOffset: BigInt(this.offset), logStartOffset: -1n, partitionMaxBytes: this.spec.partitionMaxBytes }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
    this.sentAtNs = nowNs();
    for (const b of frame) {
      this.socket.write(b);
      this.sentBytes += b.length;
    }
  }

  private onResponse(frame: Buffer): void {
    const t = this.tally;
    t.latencies.push((nowNs() - this.sentAtNs) / 1e6);
    try {
      const body = decodeResponse(ApiKey.Fetch, FETCH_VERSION, frame).body;
      const p = body.responses[0]?.partitions[0];
      if (!p || p.errorCode !== 0) throw new Error(`fetch error code ${p?.errorCode}`);
      const records = p.records;
      if (records && records.length > 0) {
        let position = 0;
        while (position + 61 <= records.length) {
          const batchBytes = 12 + records.readInt32BE(position + 8);
          if (position + batchBytes > records.length) break; // a partial batch at the end: fetched again next time
          const baseOffset = records.readInt32BE(position) * 2 ** 32 + records.readUInt32BE(position + 4);
          t.records += records.readInt32BE(position + 57);
          t.recordBytes += batchBytes;
          this.offset = baseOffset + records.readInt32BE(position + 23) + 1;
          position += batchBytes;
        }
      }
    } catch (err) {
      t.errors++;
      t.firstError ??= (err as Error).message;
      this.finish(err as Error);
      return;
    }
    if (this.offset >= this.until) this.finish();
    else this.send();
  }

  private finish(err?: Error): void {
    const d = this.done;
    this.done = null;
    d?.(err);
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

function post(m: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(m, transfer);
}

function waitGo(): Promise<void> {
  return new Promise((resolve) => parentPort!.once('message', () => resolve()));
}

async function main(spec: LoadSpec): Promise<void> {
  if (spec.kind === 'produce') {
    const conns = spec.partitions.map((p) => new ProduceConnection(spec, p));
    await Promise.all(conns.map((c) => c.connect()));
    post({ type: 'ready' });
    const warm = newTally();
    await Promise.all(conns.map((c) => c.run(spec.warmRequests, warm)));
    if (warm.errors > 0) throw new Error(`warm-up: ${warm.errors} errors, first: ${warm.firstError}`);
    post({ type: 'warm' });
    await waitGo();
    const sent0 = conns.reduce((s, c) => s + c.sentBytes + c.receivedBytes, 0);
    const tally = newTally();
    const startNs = nowNs();
    await Promise.all(conns.map((c) => c.run(spec.timedRequests, tally)));
    const endNs = nowNs();
    const wireBytes = conns.reduce((s, c) => s + c.sentBytes + c.receivedBytes, 0) - sent0;
    for (const c of conns) c.close();
    finish(startNs, endNs, tally, spec.timedRequests * conns.length, wireBytes);
  } else {
    const conns = spec.partitions.map((p) => new FetchConnection(spec, p));
    await Promise.all(conns.map((c) => c.connect()));
    post({ type: 'ready' });
    const warm = newTally();
    await Promise.all(conns.map((c, i) => c.run(spec.warmOffsets[i], warm)));
    post({ type: 'warm' });
    await waitGo();
    const wire0 = conns.reduce((s, c) => s + c.sentBytes + c.receivedBytes, 0);
    const tally = newTally();
    const startNs = nowNs();
    await Promise.all(
      conns.map(async (c, i) => {
        for (let pass = 0; pass < spec.passes; pass++) {
          if (pass > 0) c.rewind(0);
          await c.run(spec.endOffsets[i], tally);
        }
      }),
    );
    const endNs = nowNs();
    const wireBytes = conns.reduce((s, c) => s + c.sentBytes + c.receivedBytes, 0) - wire0;
    for (const c of conns) c.close();
    finish(startNs, endNs, tally, tally.latencies.length, wireBytes);
  }
}

function finish(startNs: number, endNs: number, t: Tally, requests: number, wireBytes: number): void {
  const latenciesMs = Float64Array.from(t.latencies);
  post(
    {
      type: 'done',
      result: { startNs, endNs, requests, records: t.records, recordBytes: t.recordBytes, wireBytes, errors: t.errors, firstError: t.firstError, latenciesMs },
    },
    [latenciesMs.buffer],
  );
}

if (parentPort && workerData && (workerData as { kind?: string }).kind) {
  main(workerData as LoadSpec).catch((err: Error) => post({ type: 'error', message: err.stack ?? err.message }));
}
