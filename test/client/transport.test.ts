// WireTransport's timeouts over real sockets: a connect that the peer never completes (its accept queue is full),
// a peer that reads requests and never answers, and a Fetch whose own max wait is allowed on top.
import t from 'tap';
import * as net from 'node:net';
import { spawn } from 'node:child_process';
import { WireTransport } from '../../src/client/index';
import { ApiKey } from '../../src/protocol/api-key';

/** A listening socket with an accept queue of one that never accepts: the second connect hangs in SYN retries. */
async function fullBacklog(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const py = spawn('python3', ['-c', "import socket,time\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen(0);print(s.getsockname()[1],flush=True);time.sleep(120)"], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => py.kill('SIGKILL'));
  const port = await new Promise<number>((resolve) => py.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  // Fill the queue: this connect completes in the kernel, nobody accepts it.
  const filler = net.connect(port, '127.0.0.1');
  await new Promise((r) => filler.once('connect', r));
  t.teardown(() => filler.destroy());
  return port;
}

/** A server that accepts, reads everything and answers nothing. */
async function silentServer(t: { teardown(fn: () => unknown): void }): Promise<net.AddressInfo> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => (sockets.push(s), s.resume()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return server.address() as net.AddressInfo;
}

t.test('a connect that never completes fails with ETIMEDOUT after connectTimeoutMs', async (t) => {
  const port = await fullBacklog(t);
  const started = Date.now();
  await t.rejects(WireTransport.connect('127.0.0.1', port, { connectTimeoutMs: 300 }), { code: 'ETIMEDOUT', message: /timed out after 300 ms/ });
  const took = Date.now() - started;
  t.ok(took >= 290 && took < 5000, `gave up after ${took} ms`);
});

t.test('a refused connect fails at once with the socket error', async (t) => {
  const free = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  await t.rejects(WireTransport.connect('127.0.0.1', free, { connectTimeoutMs: 5000 }), { code: 'ECONNREFUSED' });
});

t.test('an unanswered request closes the connection after requestTimeoutMs; later requests fail too', async (t) => {
  const { port } = await silentServer(t);
  const transport = await WireTransport.connect('127.0.0.1', port, { requestTimeoutMs: 300 });
  t.teardown(() => transport.close());
  const started = Date.now();
  const first = transport.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  const second = transport.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  await t.rejects(first, { code: 'ERR_CLOSED', message: /request\.timeout\.ms \(300 ms\)/ });
  const took = Date.now() - started;
  t.ok(took >= 290 && took < 5000, `timed out after ${took} ms`);
  await t.rejects(second, { code: 'ERR_CLOSED' }, 'the request behind it too');
  await t.rejects(transport.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' }), { code: 'ERR_CLOSED' }, 'and new ones');
});

t.test('a Fetch gets its max wait on top of requestTimeoutMs', async (t) => {
  const { port } = await silentServer(t);
  const transport = await WireTransport.connect('127.0.0.1', port, { requestTimeoutMs: 200 });
  t.teardown(() => transport.close());
  const started = Date.now();
  let settledAt = 0;
  const fetch = transport
    .request(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 1500,
      minBytes: 1,
      maxBytes: 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [],
      forgottenTopicsData: [],
      rackId: '',
    })
    .finally(() => (settledAt = Date.now()));
  await t.rejects(fetch, { code: 'ERR_CLOSED' });
  const took = settledAt - started;
  t.ok(took >= 1690, `not before max wait + request timeout (${took} ms)`);
});
