/**
 * The TCP listener: accepts connections and gives each a Connection that frames requests and answers in order.
 * It knows nothing of API bodies (see broker/). close() stops accepting and ends every connection.
 */
import * as net from 'node:net';
import { Connection, FrameHandler, ProduceRunHandler } from './connection';
import type { Logger } from '../observability/logger';

export interface SocketServerOptions {
  host: string;
  port: number;
  requestMaxBytes: number;
  handler: FrameHandler;
  /** Serves Produce frames queued together on a connection in one pass (optional). */
  produceRunHandler?: ProduceRunHandler;
  log: Logger;
}

export class SocketServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private nextId = 1;

  private constructor(private readonly options: SocketServerOptions) {
    this.server = net.createServer((socket) => {
      const c = new Connection(
        socket,
        this.nextId++,
        options.requestMaxBytes,
        options.handler,
        options.log,
        (conn) => this.connections.delete(conn),
        options.produceRunHandler,
      );
      this.connections.add(c);
    });
  }

  static async listen(options: SocketServerOptions): Promise<SocketServer> {
    const s = new SocketServer(options);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen({ host: options.host || undefined, port: options.port }, () => {
        s.server.off('error', reject);
        // A failed accept (EMFILE in a burst of connections, ...) is logged; it must not end the process.
        s.server.on('error', (err) => options.log.error('listener error', { err: err.message }));
        resolve();
      });
    });
    return s;
  }

  get port(): number {
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : this.options.port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.close();
    await closed;
  }
}
