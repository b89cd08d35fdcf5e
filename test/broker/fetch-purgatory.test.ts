import t from 'tap';
import { FetchPurgatory } from '../../src/broker/fetch-purgatory';

t.test('a waiter is answered by its deadline with no data', async (t) => {
  const p = new FetchPurgatory();
  const start = Date.now();
  await p.wait(['a-0'], 50, () => false);
  const waited = Date.now() - start;
  t.ok(waited >= 45 && waited < 1000, `answered after ${waited} ms`);
  t.equal(p.size, 0, 'nothing left parked');
});

t.test('notify wakes waiters whose condition holds, and only those', async (t) => {
  const p = new FetchPurgatory();
  let bytes = 0;
  let woke = 0;
  const small = p.wait(['a-0', 'b-0'], 10_000, () => bytes >= 10).then(() => woke++);
  const big = p.wait(['a-0'], 200, () => bytes >= 1000).then(() => woke++);
  bytes = 5;
  p.notify('a-0');
  await new Promise((r) => setTimeout(r, 10));
  t.equal(woke, 0, 'still short');
  bytes = 20;
  p.notify('b-0');
  await small;
  t.equal(woke, 1, 'the satisfied waiter was answered at once');
  t.equal(p.size, 1, 'the other is still parked');
  await big;
  t.equal(woke, 2, 'and answered at its deadline');
  t.equal(p.size, 0);
});

t.test('releaseAll answers everyone', async (t) => {
  const p = new FetchPurgatory();
  const all = Promise.all([p.wait(['x-0'], 60_000, () => false), p.wait(['y-0'], 60_000, () => false)]);
  p.releaseAll();
  await all;
  t.equal(p.size, 0);
});
