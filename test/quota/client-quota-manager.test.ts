import t from 'tap';
import { SampledRate } from '../../src/quota/sampled-rate';
import { ClientQuotaManager } from '../../src/quota/client-quota-manager';

t.test('SampledRate: total over the windows, at least samples-1 full windows, old windows forgotten', async (t) => {
  const r = new SampledRate(11, 1000, 0);
  r.record(10_000, 0);
  t.equal(r.windowSizeMs(0), 10_000, 'a first burst is measured over 10 windows, not 0 ms');
  t.equal(r.rate(0), 1000, '10,000 units over 10 s');
  for (let s = 1; s <= 20; s++) r.record(1000, s * 1000);
  // 11 windows of 1,000 over 10 s of elapsed time: Kafka's Rate counts the current, just-started window whole.
  t.equal(Math.round(r.rate(20_000)), 1100, 'steady 1000/s reads 1000-1100/s once the burst has aged out');
  t.equal(Math.round(r.rate(20_999)), 1000, 'and 1000/s at the end of the current window');
  t.equal(r.rate(100_000), 0, 'everything forgotten after all windows passed');
});

t.test("quotas resolve in Kafka's order of precedence, each default per user or client-id", async (t) => {
  const q = new ClientQuotaManager();
  const P = 'producer_byte_rate' as const;
  q.set({ clientId: null }, P, 8);
  t.same(q.resolve('alice', 'app', P), { quota: 8, sensor: 'producer_byte_rate|client-id=app', tags: { clientId: 'app' } }, 'default client-id, measured per client-id');
  q.set({ clientId: 'app' }, P, 7);
  t.equal(q.resolve('alice', 'app', P).quota, 7);
  q.set({ user: null }, P, 6);
  t.same(q.resolve('alice', 'app', P), { quota: 6, sensor: 'producer_byte_rate|user=alice', tags: { user: 'alice' } }, 'default user beats any client-id quota');
  q.set({ user: null, clientId: null }, P, 5);
  t.equal(q.resolve('alice', 'app', P).quota, 5);
  q.set({ user: null, clientId: 'app' }, P, 4);
  t.equal(q.resolve('alice', 'app', P).quota, 4);
  q.set({ user: 'alice' }, P, 3);
  t.same(q.resolve('alice', 'app', P), { quota: 3, sensor: 'producer_byte_rate|user=alice', tags: { user: 'alice' } });
  q.set({ user: 'alice', clientId: null }, P, 2);
  t.equal(q.resolve('alice', 'app', P).quota, 2);
  q.set({ user: 'alice', clientId: 'app' }, P, 1);
  t.same(q.resolve('alice', 'app', P), { quota: 1, sensor: 'producer_byte_rate|user=alice,client-id=app', tags: { user: 'alice', clientId: 'app' } }, 'the most specific wins');
  t.equal(q.resolve('bob', 'app', P).quota, 4, 'another user falls back to default user + this client-id');
  q.set({ user: 'alice', clientId: 'app' }, P, null);
  t.equal(q.resolve('alice', 'app', P).quota, 2, 'removed: the next level applies');
  t.equal(q.resolve('alice', 'app', 'consumer_byte_rate').quota, Infinity, 'quotas are per type');
});

t.test('throttle time is (rate - quota) / quota x window, bounded by the sampled window; clients are measured apart', async (t) => {
  let now = 0;
  const q = new ClientQuotaManager({ samples: 11, windowMs: 1000 }, () => now);
  q.set({ clientId: null }, 'producer_byte_rate', 1000);
  t.equal(q.record('ANONYMOUS', 'a', 'producer_byte_rate', 5_000).throttleTimeMs, 0, '5,000 B over 10 s: within 1,000 B/s');
  const over = q.record('ANONYMOUS', 'a', 'producer_byte_rate', 15_000); // 20,000 B / 10 s = 2,000 B/s
  t.equal(over.throttleTimeMs, 10_000, '(2000 - 1000) / 1000 x 10 s');
  t.equal(q.record('ANONYMOUS', 'b', 'producer_byte_rate', 5_000).throttleTimeMs, 0, 'another client-id has its own rate');
  t.equal(q.record('ANONYMOUS', 'a', 'producer_byte_rate', 1_000_000).throttleTimeMs, 11_000, 'bounded by the 11 windows');
  now = 30_000;
  t.equal(q.record('ANONYMOUS', 'a', 'producer_byte_rate', 100).throttleTimeMs, 0, 'after the windows pass, within quota again');
  const unlimited = new ClientQuotaManager();
  t.same(unlimited.record('ANONYMOUS', 'a', 'producer_byte_rate', 1e12), { throttleTimeMs: 0, quota: Infinity }, 'no quota, no throttle');
});

t.test('quotas persist in client-quotas.json and come back', async (t) => {
  const file = `${t.testdir()}/client-quotas.json`;
  const a = new ClientQuotaManager();
  a.persistTo(file);
  a.alter([
    { entity: { user: 'alice', clientId: null }, type: 'producer_byte_rate', value: 1234 },
    { entity: { clientId: 'app' }, type: 'consumer_byte_rate', value: 99 },
  ]);
  a.set({ clientId: 'gone' }, 'producer_byte_rate', 5);
  a.set({ clientId: 'gone' }, 'producer_byte_rate', null);
  const b = new ClientQuotaManager();
  b.persistTo(file);
  t.same(b.allEntities(), [
    { entity: { user: 'alice', clientId: null }, quotas: { producer_byte_rate: 1234 } },
    { entity: { clientId: 'app' }, quotas: { consumer_byte_rate: 99 } },
  ]);
  t.equal(b.resolve('alice', 'x', 'producer_byte_rate').quota, 1234);
});
