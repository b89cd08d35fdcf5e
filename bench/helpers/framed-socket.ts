/**
 * A client socket that reads Kafka response frames ([int32 size][size bytes]) straight into one reusable,
 * growable Buffer (net's `onread`: no Buffer allocated per chunk, no concatenation), so the load generator's
 * reading costs as little as a raw TCP reader. A frame is handed to `onFrame` as a view of that Buffer, valid
 * only during the call. Responses of one connection arrive in request order (the broker answers in order).
 */
import * as net from 'node:net';

const SIZE_BYTES = 4;
const INITIAL_BYTES = 4 * 1024 * 1024;
/** Smallest free space offered to a read; below it the Buffer is compacted or grown first. */
const READ_SPACE_MIN = 64 * 1024;

export class FramedSocket {
  socket!: net.Socket;
  private buf: Buffer;
  private filled = 0;
  /** Bytes received in total (frames and their size prefixes). */
  receivedBytes = 0;

  private constructor(buf: Buffer) {
    this.buf = buf;
  }

  static connect(port: number, onFrame: (frame: Buffer) => void, host = '127.0.0.1', initialBytes = INITIAL_BYTES): Promise<FramedSocket> {
    const self = new FramedSocket(Buffer.allocUnsafe(initialBytes));
    const socket = net.connect({
      port,
      host,
      onread: {
        // Called for every read (the first time already inside net.connect): the free space of the Buffer.
        buffer: () => self.readSpace(),
        callback: (nread: number) => {
          self.onRead(nread, onFrame);
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    self.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(self);
      });
      socket.once('error', reject);
    });
  }

  write(data: Buffer | Uint8Array): boolean {
    return this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  private readSpace(): Buffer {
    if (this.buf.length - this.filled < READ_SPACE_MIN) this.ensure(this.filled + READ_SPACE_MIN);
    return this.buf.subarray(this.filled);
  }

  private ensure(bytes: number): void {
    if (bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(bytes, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.filled);
    this.buf = bigger;
  }

  private onRead(nread: number, onFrame: (frame: Buffer) => void): void {
    this.filled += nread;
    this.receivedBytes += nread;
    let start = 0;
    while (this.filled - start >= SIZE_BYTES) {
      const size = this.buf.readInt32BE(start);
      if (size < 0) throw new Error(`bad response frame size ${size}`);
      if (this.filled - start < SIZE_BYTES + size) {
        // Make room for the whole frame so the next reads complete it in place.
        if (start > 0) {
          this.buf.copy(this.buf, 0, start, this.filled);
          this.filled -= start;
          start = 0;
        }
        this.ensure(SIZE_BYTES + size + READ_SPACE_MIN);
        return;
      }
      onFrame(this.buf.subarray(start + SIZE_BYTES, start + SIZE_BYTES + size));
      start += SIZE_BYTES + size;
    }
    if (start > 0) {
      if (start < this.filled) this.buf.copy(this.buf, 0, start, this.filled);
      this.filled -= start;
    }
  }
}
