/**
 * A minimal Kafka protocol client for broker tests: encodes requests with the protocol codec, sends them on one
 * socket (optionally pipelined) and decodes the responses in order.
 */
import * as net from 'node:net';
import { encodeRequest, decodeResponse } from '../../../src/protocol/api-codec';
import type { DeclaredApiKey, RequestInputOf, ResponseOf } from '../../../src/protocol/apis';

export class RawClient {
  private data = Buffer.alloc(0);
  private waiting: Array<(frame: Buffer) => void> = [];
  private correlation = 1;
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly clientId: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      while (this.data.length >= 4 && this.data.length >= 4 + this.data.readInt32BE(0)) {
        const size = this.data.readInt32BE(0);
        const frame = this.data.subarray(4, 4 + size);
        this.data = this.data.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
    // A reset by a killed broker ends the connection (closed), not the test process.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(port: number, clientId = 'raw-client'): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket, clientId);
  }

  /** Sends raw bytes (for malformed-input tests). */
  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  nextFrame(): Promise<Buffer> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  send<K extends DeclaredApiKey>(apiKey: K, version: number, body: RequestInputOf<K>): Promise<ResponseOf<K>> {
    const frame = Buffer.concat(encodeRequest(apiKey, version, this.correlation++, this.clientId, body));
    const reply = this.nextFrame();
    this.socket.write(frame);
    return reply.then((f) => decodeResponse(apiKey, version, f).body);
  }

  close(): void {
    this.socket.destroy();
  }
}
