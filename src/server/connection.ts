/**
 * One client connection: splits the byte stream into Kafka request frames (int32 size, then that many bytes)
 * and answers them strictly in order, one at a time, as Kafka does (a connection's next request is read only
 * after the previous one is answered, so responses can never overtake each other; pipelined requests wait in a
 * bounded queue, and the socket is paused while it is full). Produce requests queued together are the one
 * exception to one-at-a-time: they are served in one pass (the broker appends each partition's record sets of all
 * of them with one write) and answered in order, as if served one after the other.
 *
 * A frame that lies inside one received chunk is passed on as a subarray of it (no copy); one spread over
 * several chunks is joined once. Memory held is proportional to bytes received, never to a claimed size: a
 * frame whose size is negative or above socket.request.max.bytes closes this connection (Kafka's
 * InvalidReceiveException) and nothing else.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../observability/logger';

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
  /**
   * Set by a handler whose client went over its quota (KIP-219): after that response is sent, nothing more is read
   * or served on this connection until this time (ms since the epoch).
   */
  mutedUntilMs: number;
  /**
   * Event-loop time (ms) this connection used outside its handlers (framing received bytes, writing responses)
   * since the handler last took it: request_percentage charges it to the connection's client with its next request.
   */
  busyMs: number;
}

/** Decodes and serves one frame; returns the framed response (Buffers for one vectored write) or null for none. */
export type FrameHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<Buffer[] | null> | Buffer[] | null;

/**
 * Serves a run of queued Produce frames (at least two) in one pass; returns the responses of the first `consumed`
 * of them in order (0: serve them one at a time).
 */
export type ProduceRunHandler = (
  frames: readonly Buffer[],
  connection: ConnectionInfo,
) => { results: Array<Promise<Buffer[] | null> | Buffer[] | null>; consumed: number };

const QUEUED_FRAMES_MAX = 64;
/** Kafka's API key of Produce, the int16 that starts a request frame. */
const PRODUCE_API_KEY = 0;
const SIZE_BYTES = 4;

export class Connection {
  readonly info: ConnectionInfo;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly queue: Buffer[] = [];
  /** Results of a Produce run served together (takeProduceRun), not yet answered. */
  private readonly ready: Array<Promise<Buffer[] | null> | Buffer[] | null> = [];
  private busy = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    id: number,
    private readonly requestMaxBytes: number,
    private readonly handle: FrameHandler,
    private readonly log: Logger,
    private readonly onClose: (c: Connection) => void,
    private readonly produceRun?: ProduceRunHandler,
  ) {
    this.info = { id, remoteAddress: socket.remoteAddress ?? '?', remotePort: socket.remotePort ?? 0, mutedUntilMs: 0, busyMs: 0 };
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug('connection error', { connection: id, err: err.message }));
    socket.on('close', () => {
      this.closed = true;
      this.onClose(this);
    });
  }

  close(reason?: string): void {
    if (this.closed) return;
    if (reason) this.log.warn('closing connection', { connection: this.info.id, remote: this.info.remoteAddress, reason });
    this.closed = true;
    this.socket.destroy();
  }

  /**
   * A request the broker cannot make sense of: Kafka closes the connection. The answers to the requests before it
   * still go out (they were served: a client that lost them would retry and write twice); nothing more is read.
   */
  private closeAfterAnswers(reason: string): void {
    if (this.closed) return;
    this.log.warn('closing connection', { connection: this.info.id, remote: this.info.remoteAddress, reason });
    this.closed = true;
    this.socket.pause();
    this.socket.end(); // uncorks: the responses written so far, then FIN
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const startedMs = performance.now();
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < SIZE_BYTES) break;
      const size = this.peekSize();
      if (size < 0 || size > this.requestMaxBytes) {
        this.close(`request frame of ${size} bytes is outside [0, socket.request.max.bytes=${this.requestMaxBytes}]`);
        return;
      }
      if (this.buffered < SIZE_BYTES + size) break;
      this.queue.push(this.take(SIZE_BYTES + size).subarray(SIZE_BYTES));
    }
    if (this.queue.length >= QUEUED_FRAMES_MAX) this.socket.pause();
    this.info.busyMs += performance.now() - startedMs;
    void this.pump();
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= SIZE_BYTES) return first.readInt32BE(0);
    return this.take(SIZE_BYTES, true).readInt32BE(0);
  }

  /** The next n bytes: a subarray when they lie in one chunk, otherwise one joined copy. */
  private take(n: number, peek = false): Buffer {
    const first = this.chunks[0];
    if (first.length >= n) {
      if (peek) return first;
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let i = 0;
    while (filled < n) {
      const c = this.chunks[i];
      const used = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, used);
      filled += used;
      if (!peek) {
        if (used === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(used);
      } else {
        i++;
      }
    }
    if (!peek) this.buffered -= n;
    return out;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /**
   * When two or more Produce frames wait at the head of the queue (pipelined requests that arrived together), has
   * them served in one pass and queues their results in `ready`, answered in order like any others. False when
   * the pass threw (the connection is closed).
   */
  private takeProduceRun(): boolean {
    if (this.produceRun === undefined || this.queue.length < 2) return true;
    let n = 0;
    while (n < this.queue.length && this.queue[n].length >= 2 && this.queue[n].readInt16BE(0) === PRODUCE_API_KEY) n++;
    if (n < 2) return true;
    const frames = this.queue.splice(0, n);
    let run: ReturnType<ProduceRunHandler>;
    try {
      run = this.produceRun(frames, this.info);
    } catch (err) {
      this.closeAfterAnswers(`bad request: ${(err as Error).message}`);
      return false;
    }
    // Frames the pass did not take go back to the head, to be served one at a time.
    if (run.consumed < frames.length) this.queue.unshift(...frames.slice(run.consumed));
    for (const r of run.results) {
      // Awaited in turn by pump(); meanwhile a failure must not count as unhandled.
      if (r instanceof Promise) r.catch(() => {});
      this.ready.push(r);
    }
    return true;
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    // Responses of requests served in the same turn go out in one writev: the socket stays corked while
    // synchronous handlers answer, and is uncorked before waiting on an asynchronous one (or at the end).
    let corked = false;
    try {
      while (!this.closed && (this.ready.length > 0 || this.queue.length > 0)) {
        if (this.ready.length === 0 && !this.takeProduceRun()) return;
        let result: Promise<Buffer[] | null> | Buffer[] | null;
        if (this.ready.length > 0) {
          result = this.ready.shift()!;
        } else {
          const frame = this.queue.shift()!;
          try {
            result = this.handle(frame, this.info);
          } catch (err) {
            // A frame the handler could not make sense of (malformed header): Kafka closes the connection.
            this.closeAfterAnswers(`bad request: ${(err as Error).message}`);
            return;
          }
        }
        let response: Buffer[] | null;
        try {
          if (result instanceof Promise) {
            if (corked) {
              this.socket.uncork();
              corked = false;
            }
            response = await result;
          } else {
            response = result;
          }
        } catch (err) {
          // A frame the handler could not make sense of (malformed header): Kafka closes the connection.
          this.closeAfterAnswers(`bad request: ${(err as Error).message}`);
          return;
        }
        if (response && !this.closed) {
          const writeStartedMs = performance.now();
          if (!corked) {
            this.socket.cork();
            corked = true;
          }
          for (const b of response) this.socket.write(b);
          this.info.busyMs += performance.now() - writeStartedMs;
          if (this.socket.writableNeedDrain) {
            // The client is not reading: stop serving it (as Kafka mutes the channel) until the responses drain,
            // so unsent responses (views of segments among them) cannot pile up.
            this.socket.uncork();
            corked = false;
            await this.drained();
          }
        }
        const mutedMs = this.info.mutedUntilMs - Date.now();
        if (mutedMs > 0 && !this.closed) {
          // Throttled (KIP-219): the response is out; this client's connection is muted for the throttle time.
          if (corked) {
            this.socket.uncork();
            corked = false;
          }
          this.socket.pause();
          await new Promise((resolve) => setTimeout(resolve, mutedMs));
        }
        if (this.queue.length < QUEUED_FRAMES_MAX / 2) this.socket.resume();
      }
    } finally {
      if (corked && !this.closed) {
        const uncorkStartedMs = performance.now();
        this.socket.uncork(); // the writev of every response corked above
        this.info.busyMs += performance.now() - uncorkStartedMs;
      }
      this.busy = false;
    }
  }
}
