/**
 * The TypeScript index lookups over mapped views (src/storage/mapped-index-lookup.ts) against the addon's
 * (Segment::FindOffsetPosition / FindTimestampPosition) and against a linear scan of the batches appended, on
 * random lookups of every kind: before the first batch, after the last, exactly on index entries, on batch
 * boundaries and between entries. Segments grow while looked up (the index views must follow), span several
 * read chunks, are truncated, sealed, reopened and unsealed.
 */
import t, { Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, NativeSegment, NativeSegmentOptions } from '../../src/native/binding';
import { MappedIndexLookup } from '../../src/storage/mapped-index-lookup';
import { Log } from '../../src/storage/log';
import { batchBaseOffset, rawBatch } from '../helpers/batches';

const LOOKUP_STATE = native.Segment.LOOKUP_STATE;

function opts(dir: string, over: Partial<NativeSegmentOptions> = {}): NativeSegmentOptions {
  const base = over.baseOffset ?? 0;
  const name = String(base).padStart(20, '0');
  return {
    logPath: path.join(dir, `${name}.log`),
    indexPath: path.join(dir, `${name}.index`),
    timeIndexPath: path.join(dir, `${name}.timeindex`),
    baseOffset: base,
    logCapacity: 32 << 20,
    indexCapacity: 1 << 20,
    indexIntervalBytes: 4096,
    mode: 'create',
    ...over,
  };
}

/** Deterministic PRNG (xorshift32), so a failure reproduces. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

interface BatchRecord {
  position: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** What the test appended, for a linear-scan oracle. */
class Model {
  batches: BatchRecord[] = [];
  size = 0;
  constructor(readonly seg: NativeSegment) {}

  /** Appends `n` batches: random record counts, sizes, offset gaps and timestamps that mostly rise, sometimes fall. */
  append(n: number, rand: (n: number) => number, ts: { now: number }, payload = () => 32 + rand(3000)): void {
    for (let i = 0; i < n; i++) {
      const recordCount = 1 + rand(8);
      const baseOffset = this.seg.nextOffset + (rand(10) === 0 ? 1 + rand(5) : 0);
      ts.now += rand(4) === 0 ? 0 : 1 + rand(50);
      const maxTimestamp = rand(8) === 0 ? ts.now - rand(200) : ts.now;
      const b = rawBatch({ baseOffset, recordCount, payloadBytes: payload(), baseTimestamp: maxTimestamp, maxTimestamp });
      const position = this.seg.append(b);
      this.batches.push({ position, baseOffset, lastOffset: baseOffset + recordCount - 1, maxTimestamp });
      this.size = position + b.length;
    }
  }

  truncateTo(offset: number): void {
    this.seg.truncateTo(offset);
    const keep = this.batches.findIndex((b) => b.lastOffset >= offset);
    if (keep >= 0) {
      this.size = this.batches[keep].position; // batches lie back to back
      this.batches.length = keep;
    }
  }

  offsetOracle(offset: number): number {
    const b = this.batches.find((x) => x.lastOffset >= offset);
    return b ? b.position : this.size;
  }

  timestampOracle(ts: number): number {
    const b = this.batches.find((x) => x.maxTimestamp >= ts);
    return b ? b.position : this.size;
  }
}

/** Index entries as the addon reports them (floor of each batch's last offset): the exact-hit targets. */
function indexOffsets(seg: NativeSegment, m: Model): number[] {
  const out = new Set<number>();
  for (const b of m.batches) {
    const floor = seg.indexFloor(b.lastOffset);
    if (floor) out.add(floor[0]);
  }
  return [...out];
}

function timeIndexTimestamps(seg: NativeSegment, m: Model): number[] {
  const out = new Set<number>();
  for (const b of m.batches) {
    const floor = seg.timeIndexFloor(b.maxTimestamp);
    if (floor) out.add(floor[0]);
  }
  return [...out];
}

type Kind = 'before-first' | 'after-last' | 'index-entry' | 'batch-boundary' | 'between' | 'far-out';

/**
 * Compares TS, addon and oracle on `count` random lookups of each kind, offsets and timestamps; one assertion per
 * kind (the first mismatches are listed), so tens of thousands of lookups do not flood the output.
 */
function compare(t: Test, label: string, seg: NativeSegment, m: Model, ts: MappedIndexLookup, rand: (n: number) => number, count = 300): void {
  const first = m.batches[0];
  const last = m.batches[m.batches.length - 1];
  const base = seg.baseOffset;
  const entries = indexOffsets(seg, m);
  const tsEntries = timeIndexTimestamps(seg, m);
  const minTs = m.batches.reduce((a, b) => Math.min(a, b.maxTimestamp), Infinity);
  const maxTs = seg.maxTimestamp;
  const pick = <T>(xs: T[]): T => xs[rand(xs.length)];
  const offsetFor: Record<Kind, () => number | null> = {
    'before-first': () => (base > 0 ? rand(base) : first ? first.baseOffset - rand(2) : null),
    'after-last': () => seg.nextOffset + rand(1000),
    'index-entry': () => (entries.length ? pick(entries) : null),
    'batch-boundary': () => (m.batches.length ? (rand(2) ? pick(m.batches).baseOffset : pick(m.batches).lastOffset) : null),
    between: () => (m.batches.length ? base + rand(seg.nextOffset - base + 1) : null),
    'far-out': () => pick([0, base, Number.MAX_SAFE_INTEGER, base + 2 ** 32, base + 2 ** 32 - 1]),
  };
  const timestampFor: Record<Kind, () => number | null> = {
    'before-first': () => (first ? minTs - rand(1000) : null),
    'after-last': () => maxTs + 1 + rand(1000),
    'index-entry': () => (tsEntries.length ? pick(tsEntries) + rand(3) - 1 : null),
    'batch-boundary': () => (m.batches.length ? pick(m.batches).maxTimestamp : null),
    between: () => (m.batches.length ? minTs + rand(maxTs - minTs + 1) : null),
    'far-out': () => pick([-1, 0, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]),
  };
  for (const kind of Object.keys(offsetFor) as Kind[]) {
    const bad: string[] = [];
    let n = 0;
    for (let i = 0; i < count; i++) {
      const offset = offsetFor[kind]();
      if (offset !== null) {
        n++;
        const c = seg.findOffsetPosition(offset);
        const j = ts.findOffsetPosition(offset);
        const o = m.offsetOracle(offset);
        if (c !== j || c !== o) bad.push(`offset ${offset}: addon ${c}, ts ${j}, scan ${o}`);
      }
      const timestamp = timestampFor[kind]();
      if (timestamp !== null) {
        n++;
        const c = seg.findTimestampPosition(timestamp);
        const j = ts.findTimestampPosition(timestamp);
        const o = m.timestampOracle(timestamp);
        if (c !== j || c !== o) bad.push(`timestamp ${timestamp}: addon ${c}, ts ${j}, scan ${o}`);
      }
    }
    t.same(bad.slice(0, 5), [], `${label}: ${kind} (${n} lookups, ${bad.length} differ)`);
  }
}

t.test('lookupState mirrors the segment and tracks every change', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir, { baseOffset: 100, indexIntervalBytes: 256 }));
  const s = seg.lookupState();
  t.equal(seg.lookupState(), s, 'always the same array');
  const check = (what: string) => {
    const info = seg.info();
    t.same(
      {
        size: s[LOOKUP_STATE.size],
        nextOffset: s[LOOKUP_STATE.nextOffset],
        baseOffset: s[LOOKUP_STATE.baseOffset],
        maxTimestamp: s[LOOKUP_STATE.maxTimestamp],
        indexEntries: s[LOOKUP_STATE.indexEntries],
        timeIndexEntries: s[LOOKUP_STATE.timeIndexEntries],
        sealed: s[LOOKUP_STATE.sealed] === 1,
        closed: s[LOOKUP_STATE.closed] === 1,
      },
      {
        size: seg.size,
        nextOffset: seg.nextOffset,
        baseOffset: seg.baseOffset,
        maxTimestamp: seg.maxTimestamp,
        indexEntries: info.indexEntries,
        timeIndexEntries: info.timeIndexEntries,
        sealed: seg.sealed,
        closed: seg.closed,
      },
      what,
    );
  };
  check('created');
  const m = new Model(seg);
  m.append(40, rng(1), { now: 1000 });
  check('after appends');
  t.ok(s[LOOKUP_STATE.indexEntries] > 5);
  let generation = s[LOOKUP_STATE.generation];
  t.throws(() => seg.append(Buffer.alloc(10)), { code: 'CORRUPT_MESSAGE' });
  check('after a refused append');
  t.equal(s[LOOKUP_STATE.generation], generation, 'appends keep the views');
  seg.truncateTo(130);
  check('after truncateTo');
  t.equal(s[LOOKUP_STATE.generation], ++generation, 'truncation: drop the views');
  seg.seal();
  check('after seal');
  t.equal(s[LOOKUP_STATE.generation], ++generation);
  seg.unseal(32 << 20, 1 << 20);
  check('after unseal');
  t.equal(s[LOOKUP_STATE.generation], ++generation);
  seg.close();
  t.equal(s[LOOKUP_STATE.closed], 1, 'closed');
  t.equal(s[LOOKUP_STATE.generation], ++generation);
  const again = new native.Segment({ ...opts(dir, { baseOffset: 100 }), mode: 'clean', logCapacity: 0 });
  const s2 = again.lookupState();
  t.equal(s2[LOOKUP_STATE.sealed], 1, 'reopened read-only: sealed');
  t.equal(s2[LOOKUP_STATE.nextOffset], again.nextOffset);
  again.delete();
  t.equal(s2[LOOKUP_STATE.closed], 1, 'deleted');
});

t.test('index views: bounds, sharing, growth', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir, { indexIntervalBytes: 0 }));
  t.equal(seg.indexBuffer(0).byteLength, 0, 'empty index: an empty view');
  t.throws(() => seg.indexBuffer(8), { code: 'ERR_INVALID_ARG' }, 'never past the entries');
  t.throws(() => seg.indexBuffer(-1), { code: 'ERR_INVALID_ARG' });
  const m = new Model(seg);
  const lookup = new MappedIndexLookup(seg);
  m.append(10, rng(2), { now: 1 });
  compare(t, 'ten batches', seg, m, lookup, rng(20), 50);
  const entries = seg.info().indexEntries;
  t.equal(entries, 9, 'interval 0: every batch but the first');
  const a = seg.indexBuffer(entries * 8);
  t.equal(seg.indexBuffer(8), a, 'shared while it reaches minEnd');
  t.ok(a.byteLength >= entries * 8);
  const v = new DataView(a);
  for (let i = 0; i < entries; i++) {
    const [offset, position] = seg.indexFloor(v.getUint32(i * 8))!;
    t.equal(offset, v.getUint32(i * 8));
    t.equal(position, v.getUint32(i * 8 + 4), `entry ${i} as indexFloor sees it`);
  }
  const tv = new DataView(seg.timeIndexBuffer(seg.info().timeIndexEntries * 12));
  t.equal(Number(tv.getBigInt64(0)), seg.timeIndexFloor(Number(tv.getBigInt64(0)))![0], 'time index entries as timeIndexFloor sees them');
  t.throws(() => seg.timeIndexBuffer(seg.info().timeIndexEntries * 12 + 1), { code: 'ERR_INVALID_ARG' });
  // grow past the first 64 KiB of index allocation: a longer view is handed out
  m.append(9000, rng(3), { now: 100 }, () => 1);
  const grown = seg.info().indexEntries;
  t.ok(grown * 8 > a.byteLength, 'the index grew past the first view');
  t.ok(seg.info().timeIndexEntries * 12 > seg.timeIndexBuffer(0).byteLength, 'and the time index too');
  compare(t, 'index grown past the first view', seg, m, lookup, rng(21), 200);
  const b = seg.indexBuffer(grown * 8);
  t.not(b, a, 'a new view');
  t.ok(b.byteLength >= grown * 8);
  const lastEntry = seg.indexFloor(seg.nextOffset)!;
  t.same([seg.baseOffset + new DataView(b).getUint32((grown - 1) * 8), new DataView(b).getUint32((grown - 1) * 8 + 4)], lastEntry);
  seg.delete();
  t.throws(() => seg.indexBuffer(0), { code: 'ERR_SEGMENT_CLOSED' });
  await collect();
  t.equal(new DataView(b).getUint32((grown - 1) * 8 + 4), lastEntry[1], 'views stay readable after delete and GC');
});

t.test('TS and addon agree on random lookups while a segment grows, is truncated, sealed, reopened, unsealed', async (t) => {
  for (const [interval, base] of [
    [4096, 0],
    [256, 1_000_000],
    [0, 2 ** 40],
  ] as const) {
    const dir = t.testdir();
    const o = opts(dir, { baseOffset: base, indexIntervalBytes: interval });
    const rand = rng(interval * 7 + 11);
    const clock = { now: 1_700_000_000_000 };
    const seg = new native.Segment(o);
    const m = new Model(seg);
    const ts = new MappedIndexLookup(seg);
    const label = `interval ${interval}, base ${base}`;
    compare(t, `${label}, empty`, seg, m, ts, rand, 20);
    m.append(1, rand, clock);
    compare(t, `${label}, one batch`, seg, m, ts, rand, 50);
    for (let step = 0; step < 6; step++) {
      m.append(400, rand, clock);
      compare(t, `${label}, grown to ${m.batches.length} batches`, seg, m, ts, rand, 100);
    }
    m.truncateTo(m.batches[Math.floor(m.batches.length / 2)].baseOffset + 1);
    compare(t, `${label}, truncated`, seg, m, ts, rand);
    m.append(500, rand, clock);
    compare(t, `${label}, appended after the truncation`, seg, m, ts, rand);
    seg.seal();
    compare(t, `${label}, sealed`, seg, m, ts, rand);
    seg.close();
    t.throws(() => ts.findOffsetPosition(base), { code: 'ERR_SEGMENT_CLOSED' });
    t.throws(() => ts.findTimestampPosition(0), { code: 'ERR_SEGMENT_CLOSED' });

    const again = new native.Segment({ ...o, mode: 'clean', logCapacity: 0 });
    const m2 = new Model(again);
    m2.batches = m.batches;
    m2.size = m.size;
    const ts2 = new MappedIndexLookup(again);
    compare(t, `${label}, reopened read-only`, again, m2, ts2, rand);
    again.unseal(32 << 20, 1 << 20);
    m2.append(300, rand, clock);
    compare(t, `${label}, unsealed and appended`, again, m2, ts2, rand);
    m2.truncateTo(base);
    compare(t, `${label}, truncated to empty`, again, m2, ts2, rand, 20);
    again.close();
  }
});

t.test('a segment longer than several read chunks, active then sealed', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir, { logCapacity: 40 << 20, indexCapacity: 4 << 20 }));
  const m = new Model(seg);
  const rand = rng(99);
  const ts = new MappedIndexLookup(seg);
  const clock = { now: 5_000 };
  const chunk = native.Segment.VIEW_CHUNK_BYTES;
  // a batch header straddling the first chunk boundary, then ~30 MiB in all (chunks of 8 MiB)
  while (seg.size < chunk - 20_000) m.append(1, rand, clock, () => 500 + rand(6000));
  // looked up while the file is allocated up to the chunk's end only: those views end there
  compare(t, 'active, just below 8 MiB', seg, m, ts, rand, 100);
  m.append(1, rand, clock, () => chunk - 10 - seg.size - 61);
  t.equal(seg.size, chunk - 10);
  m.append(1, rand, clock);
  m.append(6000, rand, clock, () => 500 + rand(6000));
  t.ok(seg.size > 3 * chunk);
  const straddling = m.batches.filter((b) => Math.floor(b.position / chunk) !== Math.floor((b.position + 61) / chunk));
  t.ok(straddling.length >= 1);
  for (const b of straddling) {
    t.equal(ts.findOffsetPosition(b.lastOffset), b.position, `header across the chunk boundary at ${b.position}`);
    t.equal(ts.findOffsetPosition(b.lastOffset), seg.findOffsetPosition(b.lastOffset));
    t.equal(ts.findTimestampPosition(b.maxTimestamp), seg.findTimestampPosition(b.maxTimestamp));
  }
  compare(t, 'active, 30 MiB', seg, m, ts, rand, 400);
  seg.seal();
  compare(t, 'sealed, 30 MiB', seg, m, ts, rand, 400);
  seg.close();
});

t.test('argument checks match the addon', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir));
  const ts = new MappedIndexLookup(seg);
  for (const bad of [1.5, NaN, Infinity, 2 ** 53]) {
    t.throws(() => seg.findOffsetPosition(bad), { code: 'ERR_INVALID_ARG' });
    t.throws(() => ts.findOffsetPosition(bad), { code: 'ERR_INVALID_ARG' });
    t.throws(() => seg.findTimestampPosition(bad), { code: 'ERR_INVALID_ARG' });
    t.throws(() => ts.findTimestampPosition(bad), { code: 'ERR_INVALID_ARG' });
  }
  seg.close();
});

t.test('views held for lookups do not keep a sealed segment’s index long', async (t) => {
  const dir = t.testdir();
  const o = opts(dir, { indexIntervalBytes: 0 });
  const seg = new native.Segment(o);
  const m = new Model(seg);
  m.append(200, rng(5), { now: 1 });
  let ts: MappedIndexLookup | null = new MappedIndexLookup(seg);
  t.equal(ts.findOffsetPosition(100), m.offsetOracle(100));
  t.equal(ts.findTimestampPosition(50), m.timestampOracle(50));
  const entries = seg.info().indexEntries;
  const timeEntries = seg.info().timeIndexEntries;
  seg.close(); // trims the files; the views the lookup held are dropped by the addon and, next lookup, by it
  ts = null;
  await collect();
  t.equal(fs.statSync(o.indexPath).size, entries * 8, 'index trimmed once the views are collected');
  t.equal(fs.statSync(o.timeIndexPath).size, timeEntries * 12, 'time index trimmed');
  const again = new native.Segment({ ...o, mode: 'clean' });
  t.notOk(again.info().recovery.indexRebuilt, 'clean reopen trusts the indexes');
  again.close();
});

t.test('Log reads go through the TS offset lookups; a clean restart after them rebuilds no index', async (t) => {
  const dir = t.testdir();
  const config = { segmentBytes: 256 * 1024, indexIntervalBytes: 1024, segmentIndexBytes: 64 * 1024 };
  let log = Log.open(dir, { config });
  const rand = rng(12);
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < 1500; i++) {
    const recordCount = 1 + rand(5);
    const info = log.append(rawBatch({ recordCount, payloadBytes: 100 + rand(900), maxTimestamp: 1000 + i }));
    spans.push([info.firstOffset, info.lastOffset]);
  }
  t.ok(log.segmentCount > 3, `${log.segmentCount} segments`);
  const firstBatchOf = (l: Log, offset: number) => {
    const records = l.read(offset, 1).records;
    return records.length === 0 ? null : batchBaseOffset(records[0]);
  };
  const check = (l: Log, what: string) => {
    const bad: string[] = [];
    for (let k = 0; k < 600; k++) {
      const [first, last] = spans[rand(spans.length)];
      const offset = first + rand(last - first + 1);
      if (firstBatchOf(l, offset) !== first) bad.push(`offset ${offset}: batch ${firstBatchOf(l, offset)}, not ${first}`);
    }
    t.same(bad.slice(0, 5), [], `${what}: every read starts at the batch holding the offset`);
  };
  check(log, 'active and sealed segments');
  log.truncateTo(spans[1400][0] + 1);
  spans.length = 1400;
  check(log, 'after a truncation');
  log.close();
  log = Log.open(dir, { config, cleanShutdown: true });
  t.equal(log.recovery.indexesRebuilt, 0, 'no index rebuilt, though views were alive at close');
  check(log, 'reopened');
  log.close();
});

async function collect(): Promise<void> {
  // Finalizers of external buffers run after the GC that found them dead, on a later turn of the loop.
  for (let i = 0; i < 10; i++) {
    global.gc!();
    await new Promise((r) => setImmediate(r));
  }
}

t.test('a trim deferred by a live index view leaves a zero tail: a clean open drops it, no rebuild', async (t) => {
  const dir = t.testdir();
  const o = opts(dir, { indexIntervalBytes: 0 });
  const seg = new native.Segment(o);
  const m = new Model(seg);
  m.append(300, rng(7), { now: 10 });
  const { indexEntries, timeIndexEntries } = seg.info();
  let index: ArrayBuffer | null = seg.indexBuffer(indexEntries * 8);
  let timeIndex: ArrayBuffer | null = seg.timeIndexBuffer(timeIndexEntries * 12);
  const expected = m.batches.map((b) => seg.findOffsetPosition(b.lastOffset));
  seg.close();
  t.ok(fs.statSync(o.indexPath).size > indexEntries * 8, 'index trim deferred by the live view');
  t.not(fs.statSync(o.timeIndexPath).size % 12, 0, 'the time index tail does not even end on an entry');
  const again = new native.Segment({ ...o, mode: 'clean', logCapacity: 0 });
  t.notOk(again.info().recovery.indexRebuilt, 'not rebuilt');
  t.equal(again.info().indexEntries, indexEntries);
  t.equal(again.info().timeIndexEntries, timeIndexEntries);
  const lookup = new MappedIndexLookup(again);
  t.same(m.batches.map((b) => again.findOffsetPosition(b.lastOffset)), expected);
  t.same(m.batches.map((b) => lookup.findOffsetPosition(b.lastOffset)), expected);
  lookup.release();
  again.close();
  index = null;
  timeIndex = null;
  await collect();
  t.equal(fs.statSync(o.indexPath).size, indexEntries * 8, 'trimmed once the views went');
  t.equal(fs.statSync(o.timeIndexPath).size, timeIndexEntries * 12);
});

t.test('truncateTo zeroes the entries it drops, so a deferred trim leaves only zeros', async (t) => {
  const dir = t.testdir();
  const o = opts(dir, { indexIntervalBytes: 0 });
  const seg = new native.Segment(o);
  const m = new Model(seg);
  m.append(200, rng(8), { now: 10 });
  const before = seg.info();
  const index = new Uint8Array(seg.indexBuffer(before.indexEntries * 8));
  const timeIndex = new Uint8Array(seg.timeIndexBuffer(before.timeIndexEntries * 12));
  m.truncateTo(m.batches[100].baseOffset);
  const after = seg.info();
  t.ok(after.indexEntries < before.indexEntries && after.timeIndexEntries < before.timeIndexEntries);
  t.ok(index.subarray(after.indexEntries * 8, before.indexEntries * 8).every((b) => b === 0), 'dropped index entries are zeros');
  t.ok(timeIndex.subarray(after.timeIndexEntries * 12, before.timeIndexEntries * 12).every((b) => b === 0), 'and time index entries');
  seg.close();
  const again = new native.Segment({ ...o, mode: 'clean', logCapacity: 0 });
  t.notOk(again.info().recovery.indexRebuilt);
  t.equal(again.info().indexEntries, after.indexEntries);
  const m2 = new Model(again);
  m2.batches = m.batches;
  m2.size = m.size;
  compare(t, 'reopened after a truncation under live views', again, m2, new MappedIndexLookup(again), rng(9), 100);
  again.close();
  t.equal(index.length + timeIndex.length > 0, true, 'views kept alive to here');
});
