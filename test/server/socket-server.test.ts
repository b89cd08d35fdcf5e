import t from 'tap';
import * as net from 'node:net';
import { SocketServer } from '../../src/server/socket-server';
import { silentLogger } from '../../src/observability/logger';
import type { FrameHandler } from '../../src/server/connection';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Reads n response frames from a socket. */
function readFrames(socket: net.Socket, n: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const out: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      while (data.length >= 4 && data.length >= 4 + data.readInt32BE(0)) {
        const size = data.readInt32BE(0);
        out.push(data.subarray(4, 4 + size));
        data = data.subarray(4 + size);
      }
      if (out.length >= n) {
        socket.off('data', onData);
        resolve(out);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

async function start(handler: FrameHandler) {
  return SocketServer.listen({ host: '127.0.0.1', port: 0, requestMaxBytes: 1 << 20, handler, log: silentLogger });
}

t.test('frames split and coalesced arbitrarily are answered in order', async (t) => {
  // The handler answers slowly for even frames: responses must still come back in request order.
  const server = await start(async (f: Buffer) => {
    const n = f.readInt32BE(0);
    if (n % 2 === 0) await new Promise((r) => setTimeout(r, 5));
    const out = Buffer.alloc(8);
    out.writeInt32BE(n, 0);
    out.writeInt32BE(f.length, 4);
    return [frame(out)];
  });
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const frames: Buffer[] = [];
  for (let i = 0; i < 50; i++) {
    const body = Buffer.alloc(4 + ((i * 37) % 3000));
    body.writeInt32BE(i, 0);
    frames.push(frame(body));
  }
  const all = Buffer.concat(frames);
  // dribble the bytes out in odd-sized pieces
  for (let p = 0; p < all.length; ) {
    const n = 1 + ((p * 7) % 977);
    socket.write(all.subarray(p, p + n));
    p += n;
  }
  const responses = await readFrames(socket, 50);
  t.same(
    responses.map((r) => [r.readInt32BE(0), r.readInt32BE(4)]),
    frames.map((f, i) => [i, f.length - 4]),
    'every frame whole, answered in order',
  );
  socket.destroy();
  await server.close();
});

t.test('an oversized or negative frame closes that connection only', async (t) => {
  const server = await start((f: Buffer) => [frame(f)]);
  const bad = net.connect(server.port, '127.0.0.1');
  const good = net.connect(server.port, '127.0.0.1');
  await Promise.all([new Promise((r) => bad.once('connect', r)), new Promise((r) => good.once('connect', r))]);
  const closed = new Promise((r) => bad.once('close', r));
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(0x7fffffff);
  bad.write(huge);
  await closed;
  t.pass('bad connection closed');
  const neg = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => neg.once('connect', r));
  const closed2 = new Promise((r) => neg.once('close', r));
  neg.write(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
  await closed2;
  good.write(frame(Buffer.from('still here')));
  const [echo] = await readFrames(good, 1);
  t.equal(echo.toString(), 'still here', 'other connections keep being served');
  good.destroy();
  await server.close();
});

t.test('a handler that throws closes the connection; no response and null are fine', async (t) => {
  const server = await start((f: Buffer) => {
    if (f[0] === 1) throw new Error('garbled');
    if (f[0] === 2) return null;
    return [frame(f)];
  });
  const s = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write(frame(Buffer.from([2, 0])));
  s.write(frame(Buffer.from([3, 3])));
  const [r] = await readFrames(s, 1);
  t.same([...r], [3, 3], 'the null-response request produced nothing, the next one was answered');
  const closed = new Promise((r) => s.once('close', r));
  s.write(frame(Buffer.from([1])));
  await closed;
  // The server ends its side after the answers already given (a graceful close): it is gone a moment later.
  for (let i = 0; i < 100 && server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(server.connectionCount, 0);
  await server.close();
});

t.test('a client that does not read is not served further until its responses drain', async (t) => {
  let served = 0;
  const big = Buffer.alloc(4 << 20, 7);
  const server = await start(() => {
    served++;
    return [frame(big)];
  });
  const s = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.pause(); // never reads
  for (let i = 0; i < 40; i++) s.write(frame(Buffer.from([i])));
  await new Promise((r) => setTimeout(r, 500));
  t.ok(served < 40, `only ${served} of 40 pipelined requests served while the client reads nothing`);
  const before = served;
  s.resume();
  s.on('data', () => {});
  for (let i = 0; i < 100 && served < 40; i++) await new Promise((r) => setTimeout(r, 50));
  t.ok(served > before, 'serving resumes once the client reads');
  t.equal(served, 40, 'and every request is answered');
  s.destroy();
  await server.close();
});
