/**
 * How the embedded producer and consumer reach a broker: one ordered request/response channel.
 *  - InProcessTransport hands encoded requests to a Broker in the same process (Broker.dispatch): no socket, no
 *    kernel copies; the same validation and handlers as over the wire.
 *  - WireTransport speaks the Kafka protocol over TCP to any Kafka-compatible broker (one connection, requests
 *    pipelined, responses matched in order by correlation id as Kafka guarantees per connection).
 * Both throw a StrataError ERR_CLOSED once closed or when the connection drops; callers retry at their level.
 * WireTransport also gives up on a connect after connectTimeoutMs (ETIMEDOUT) and, as Kafka's clients do after
 * request.timeout.ms, closes the connection when the oldest request waits longer than requestTimeoutMs for its
 * answer (ERR_CLOSED for it and every later one, whose answers would come after it). A
 * request that may wait at the broker by design (Fetch's max_wait_ms, JoinGroup's rebalance_timeout_ms) gets that
 * time on top, as the Java client allows.
 */
import * as net from 'node:net';
import { StrataError } from '../errors/strata-error';
import { decodeResponse, encodeRequest } from '../protocol/api-codec';
import type { DeclaredApiKey, RequestInputOf, ResponseOf } from '../protocol/apis';
import type { Broker } from '../broker/broker';

export interface Transport {
  request<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<ResponseOf<K>>;
  /** A request the broker does not answer (Produce with acks=0): resolves once handed over (written or served). */
  requestNoResponse<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<void>;
  close(): void;
}

const SIZE_BYTES = 4;
/** Responses larger than this are refused (a broken or hostile peer); Kafka's fetch.max.bytes default is 50 MiB. */
const RESPONSE_BYTES_MAX = 256 * 1024 * 1024;

let nextConnectionId = -1;

export class InProcessTransport implements Transport {
  private correlationId = 0;
  private closed = false;
  // Never muted: an in-process client gets throttle_time_ms in its responses and is trusted to honour it.
  private readonly connection = { id: nextConnectionId--, remoteAddress: 'in-process', remotePort: 0, mutedUntilMs: 0, busyMs: 0 };
  /** Requests of one transport are served in order, as on a connection. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly broker: Broker,
    private readonly clientId = 'strata-embedded',
  ) {}

  request<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<ResponseOf<K>> {
    return this.serve(apiKey, version, body, (reply) => {
      if (reply === null) throw new StrataError('ERR_INVALID_ARG', 'the request got no response: use requestNoResponse');
      const bytes = reply.length === 1 ? reply[0] : Buffer.concat(reply);
      return decodeResponse(apiKey, version, bytes.subarray(SIZE_BYTES)).body;
    });
  }

  requestNoResponse<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<void> {
    return this.serve(apiKey, version, body, () => undefined);
  }

  private serve<K extends DeclaredApiKey, R>(apiKey: K, version: number, body: RequestInputOf<K>, answer: (reply: Buffer[] | null) => R): Promise<R> {
    if (this.closed) return Promise.reject(new StrataError('ERR_CLOSED', 'transport is closed'));
    const correlationId = ++this.correlationId;
    const parts = encodeRequest(apiKey, version, correlationId, this.clientId, body);
    // The broker decodes one contiguous frame: a Produce request's batches are copied into it once here (the
    // kernel's copy, over a socket).
    const frame = (parts.length === 1 ? parts[0] : Buffer.concat(parts)).subarray(SIZE_BYTES);
    const run = async () => answer(await this.broker.dispatch(frame, this.connection));
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => {});
    return result;
  }

  close(): void {
    this.closed = true;
  }
}

interface Pending {
  decode: (frame: Buffer) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** Date.now() past which the answer is overdue. */
  deadline: number;
}

export interface WireTransportOptions {
  clientId?: string;
  /** Give up on the TCP connect after this long (default 10 000 ms): ETIMEDOUT. */
  connectTimeoutMs?: number;
  /** Kafka's request.timeout.ms (default 30 000): the longest an answer may take, beyond a wait the request asks for. */
  requestTimeoutMs?: number;
}

/** How often the oldest request's deadline is checked. */
const DEADLINE_CHECK_MS = 250;

export class WireTransport implements Transport {
  private correlationId = 0;
  private readonly pending: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | null = null;
  private readonly deadlineTimer: NodeJS.Timeout;

  private constructor(
    private readonly socket: net.Socket,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new StrataError('ERR_CLOSED', 'connection closed')));
    this.deadlineTimer = setInterval(() => this.checkDeadline(), DEADLINE_CHECK_MS).unref();
  }

  /** Connects to host:port; the third argument is the client id or the options. */
  static connect(host: string, port: number, options: string | WireTransportOptions = {}): Promise<WireTransport> {
    const o: WireTransportOptions = typeof options === 'string' ? { clientId: options } : options;
    const connectTimeoutMs = o.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connect to ${host}:${port} timed out after ${connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new WireTransport(socket, o.clientId ?? 'strata-embedded', o.requestTimeoutMs ?? 30_000));
      });
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
    });
  }

  request<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<ResponseOf<K>> {
    if (this.failure) return Promise.reject(this.failure);
    const waits = body as { maxWaitMs?: unknown; rebalanceTimeoutMs?: unknown };
    const wait = typeof waits.maxWaitMs === 'number' ? waits.maxWaitMs : typeof waits.rebalanceTimeoutMs === 'number' ? waits.rebalanceTimeoutMs : 0;
    const deadline = Date.now() + this.requestTimeoutMs + Math.max(0, wait);
    return new Promise((resolve, reject) => {
      this.pending.push({ decode: (frame) => decodeResponse(apiKey, version, frame).body, resolve: resolve as (v: unknown) => void, reject, deadline });
      const parts = encodeRequest(apiKey, version, ++this.correlationId, this.clientId, body);
      // One vectored write for the header and the batches (Kafka's clients also write a request at once).
      if (parts.length > 1) this.socket.cork();
      for (const part of parts) this.socket.write(part);
      if (parts.length > 1) this.socket.uncork();
    });
  }

  requestNoResponse<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const parts = encodeRequest(apiKey, version, ++this.correlationId, this.clientId, body);
      for (let i = 0; i < parts.length; i++) {
        if (i < parts.length - 1) this.socket.write(parts[i]);
        else this.socket.write(parts[i], (err) => (err ? reject(err) : resolve()));
      }
    });
  }

  close(): void {
    this.socket.destroy();
    this.fail(new StrataError('ERR_CLOSED', 'transport is closed'));
  }

  private checkDeadline(): void {
    const oldest = this.pending[0];
    if (oldest === undefined || Date.now() <= oldest.deadline) return;
    this.socket.destroy();
    this.fail(new StrataError('ERR_CLOSED', `no answer within request.timeout.ms (${this.requestTimeoutMs} ms): connection closed`));
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < SIZE_BYTES) return;
      const head = this.chunks[0].length >= SIZE_BYTES ? this.chunks[0] : Buffer.concat(this.chunks);
      const size = head.readInt32BE(0);
      if (size < 0 || size > RESPONSE_BYTES_MAX) {
        this.socket.destroy();
        this.fail(new StrataError('ERR_INVALID_ARG', `response frame of ${size} bytes`));
        return;
      }
      if (this.buffered < SIZE_BYTES + size) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const frame = all.subarray(SIZE_BYTES, SIZE_BYTES + size);
      const rest = all.subarray(SIZE_BYTES + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const p = this.pending.shift();
      if (p === undefined) continue;
      try {
        p.resolve(p.decode(frame));
      } catch (err) {
        p.reject(err as Error);
      }
    }
  }

  private fail(err: Error): void {
    clearInterval(this.deadlineTimer);
    this.failure ??= err;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}
