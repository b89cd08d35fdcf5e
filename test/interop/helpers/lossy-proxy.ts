/**
 * A TCP proxy between Kafka clients and a broker that loses responses: it forwards every request, and when a
 * chosen response (by API key) comes back it closes the client's connection instead of delivering it. The broker
 * has acted on the request; the client never learns the outcome, so it retries: the case idempotence is for.
 * Frames are parsed only for their size, API key (requests) and correlation id; bytes pass unchanged.
 */
import * as net from 'node:net';

export interface LossyProxy {
  port: number;
  /** Responses withheld so far (each closed a client connection). */
  dropped: number;
  /** Responses of the watched API delivered so far. */
  delivered: number;
  /** Where to forward; set once the broker runs (the broker must advertise the proxy's port). */
  upstreamPort: number;
  close(): Promise<void>;
}

/** Frames of a byte stream: calls `onFrame(frame)` for each complete size-prefixed frame. */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      onFrame(pending.subarray(0, 4 + size));
      pending = pending.subarray(4 + size);
    }
  };
}

/** Drops the responses of `apiKey` for which `shouldDrop(n)` is true, n counting that API's responses from 0. */
export async function startLossyProxy(apiKey: number, shouldDrop: (n: number) => boolean): Promise<LossyProxy> {
  const sockets = new Set<net.Socket>();
  let seen = 0;
  const proxy: LossyProxy = {
    port: 0,
    dropped: 0,
    delivered: 0,
    upstreamPort: 0,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(proxy.upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const apiKeys = new Map<number, number>(); // correlation id -> API key
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.on(
      'data',
      framer((frame) => {
        apiKeys.set(frame.readInt32BE(8), frame.readInt16BE(4));
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      framer((frame) => {
        const correlationId = frame.readInt32BE(4);
        const key = apiKeys.get(correlationId);
        apiKeys.delete(correlationId);
        if (key === apiKey) {
          if (shouldDrop(seen++)) {
            proxy.dropped++;
            closeBoth();
            return;
          }
          proxy.delivered++;
        }
        client.write(frame);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
