import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, NativeSegmentOptions } from '../../src/native/binding';
import { StorageError } from '../../src/errors/storage-error';
import { rawBatch, batchBaseOffset } from '../helpers/batches';

function opts(dir: string, over: Partial<NativeSegmentOptions> = {}): NativeSegmentOptions {
  const base = over.baseOffset ?? 0;
  const name = String(base).padStart(20, '0');
  return {
    logPath: path.join(dir, `${name}.log`),
    indexPath: path.join(dir, `${name}.index`),
    timeIndexPath: path.join(dir, `${name}.timeindex`),
    baseOffset: base,
    logCapacity: 1 << 20,
    indexCapacity: 4096,
    indexIntervalBytes: 256,
    mode: 'create',
    ...over,
  };
}

// Appends `n` batches of `per` records each, starting at segment's next offset; returns the batches.
function fill(seg: InstanceType<typeof native.Segment>, n: number, per = 3, payloadBytes = 100, ts0 = 1000): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const b = rawBatch({ baseOffset: seg.nextOffset, recordCount: per, payloadBytes, maxTimestamp: ts0 + i * 10 });
    seg.append(b);
    out.push(b);
  }
  return out;
}

t.test('append, read back zero-copy, offsets and positions', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir));
  t.equal(seg.size, 0);
  t.equal(seg.nextOffset, 0);
  const batches = fill(seg, 50);
  t.equal(seg.nextOffset, 150);
  t.equal(seg.size, batches.reduce((a, b) => a + b.length, 0));
  const all = seg.read(0, 1 << 30, false)!;
  t.same(all, Buffer.concat(batches), 'bytes come back exactly');
  // whole batches only, within maxBytes
  const part = seg.read(0, batches[0].length * 2 + 5, false)!;
  t.equal(part.length, batches[0].length * 2);
  // minOneBatch returns the first batch even when maxBytes is smaller
  t.equal(seg.read(0, 10, true)!.length, batches[0].length);
  t.equal(seg.read(0, 10, false), null);
  t.equal(seg.read(seg.size, 100, true), null, 'null at the end');
  t.throws(() => seg.read(seg.size + 1, 100, true), { code: 'OFFSET_OUT_OF_RANGE' });
  // index lookups land on batch starts holding the offset
  for (const target of [0, 1, 2, 3, 77, 149]) {
    const pos = seg.findOffsetPosition(target);
    const view = seg.read(pos, 1, true)!;
    const base = batchBaseOffset(view);
    t.ok(base <= target && target < base + 3, `offset ${target} in batch at ${base}`);
  }
  t.equal(seg.findOffsetPosition(150), seg.size);
  t.ok(seg.info().indexEntries > 5, 'index has entries');
  const floor = seg.indexFloor(100)!;
  t.ok(floor[0] <= 100 && floor[1] < seg.size);
  seg.close();
});

t.test('timestamp lookups', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir));
  fill(seg, 40, 2, 200, 5000); // maxTimestamps 5000, 5010, ..., 5390
  t.equal(seg.maxTimestamp, 5390);
  t.equal(seg.firstBatchTimestamp, 5000);
  const at = (ts: number) => {
    const pos = seg.findTimestampPosition(ts);
    return pos === seg.size ? -1 : batchBaseOffset(seg.read(pos, 1, true)!);
  };
  t.equal(at(0), 0);
  t.equal(at(5000), 0);
  t.equal(at(5001), 2);
  t.equal(at(5205), 42);
  t.equal(at(5390), 78);
  t.equal(at(5391), -1);
  t.ok(seg.info().timeIndexEntries > 3);
  seg.close();
});

t.test('structural checks refuse bad batches and write nothing', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir));
  fill(seg, 2);
  const size = seg.size;
  const good = rawBatch({ baseOffset: seg.nextOffset });
  const shortLen = Buffer.from(good);
  shortLen.writeInt32BE(good.length, 8); // claims more bytes than given
  t.throws(() => seg.append(shortLen), { code: 'CORRUPT_MESSAGE' });
  const badMagic = Buffer.from(good);
  badMagic[16] = 1;
  t.throws(() => seg.append(badMagic), { code: 'CORRUPT_MESSAGE' });
  t.throws(() => seg.append(Buffer.alloc(10)), { code: 'CORRUPT_MESSAGE' });
  t.throws(() => seg.append(rawBatch({ baseOffset: 0 })), { code: 'ERR_OFFSET_ORDER' });
  // a good batch followed by a truncated one: nothing of either is written
  t.throws(() => seg.append(Buffer.concat([good, good.subarray(0, 40)])), { code: 'CORRUPT_MESSAGE' });
  t.equal(seg.size, size);
  t.throws(() => seg.append('x' as unknown as Buffer), StorageError);
  const big = rawBatch({ baseOffset: seg.nextOffset, payloadBytes: 2 << 20 });
  t.throws(() => seg.append(big), { code: 'ERR_SEGMENT_FULL' });
  t.equal(seg.size, size);
  seg.close();
});

t.test('truncateTo removes whole batches and their index entries', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir));
  const batches = fill(seg, 30, 4);
  const removed = seg.truncateTo(41); // batch 40..43 holds 41: it goes whole
  t.equal(seg.nextOffset, 40);
  t.equal(removed, batches.slice(10).reduce((a, b) => a + b.length, 0));
  t.same(seg.read(0, 1 << 30, false), Buffer.concat(batches.slice(0, 10)));
  const floor = seg.indexFloor(1000);
  t.ok(floor === null || floor[1] < seg.size, 'no index entry past the end');
  fill(seg, 1, 4);
  t.equal(seg.nextOffset, 44, 'appends continue at the truncation point');
  const before = seg.size;
  t.equal(seg.truncateTo(0), before, 'truncate to base removes every byte');
  t.equal(seg.size, 0);
  t.equal(seg.nextOffset, 0);
  seg.close();
});

t.test('close trims the files; clean reopen restores state without a scan', async (t) => {
  const dir = t.testdir();
  const o = opts(dir);
  const seg = new native.Segment(o);
  const batches = fill(seg, 100, 5, 150);
  const next = seg.nextOffset;
  const maxTs = seg.maxTimestamp;
  const entries = seg.info().indexEntries;
  seg.flushSync();
  await seg.flush();
  seg.close();
  t.equal(fs.statSync(o.logPath).size, batches.reduce((a, b) => a + b.length, 0), 'log trimmed to its batches');
  t.equal(fs.statSync(o.indexPath).size, entries * 8, 'index trimmed');
  t.throws(() => seg.append(batches[0]), { code: 'ERR_SEGMENT_CLOSED' });
  t.throws(() => seg.read(0, 10, true), { code: 'ERR_SEGMENT_CLOSED' });
  const again = new native.Segment({ ...o, mode: 'clean' });
  t.equal(again.nextOffset, next);
  t.equal(again.maxTimestamp, maxTs);
  t.equal(again.info().indexEntries, entries);
  t.notOk(again.info().recovery.indexRebuilt);
  fill(again, 1, 5);
  t.equal(again.nextOffset, next + 5);
  again.close();
});

t.test('a deleted or damaged index is rebuilt on open', async (t) => {
  const dir = t.testdir();
  const o = opts(dir);
  const seg = new native.Segment(o);
  fill(seg, 60, 2, 120);
  const entries = seg.info().indexEntries;
  const probe = seg.findOffsetPosition(77);
  seg.close();
  fs.unlinkSync(o.indexPath);
  let again = new native.Segment({ ...o, mode: 'clean' });
  t.ok(again.info().recovery.indexRebuilt);
  t.equal(again.info().indexEntries, entries);
  t.equal(again.findOffsetPosition(77), probe);
  again.close();
  fs.writeFileSync(o.indexPath, Buffer.alloc(13, 0xff)); // not a multiple of 8
  again = new native.Segment({ ...o, mode: 'clean' });
  t.ok(again.info().recovery.indexRebuilt);
  t.equal(again.findOffsetPosition(77), probe);
  again.close();
});

t.test('recover mode cuts a garbage tail and a torn batch', async (t) => {
  const dir = t.testdir();
  const o = opts(dir);
  const seg = new native.Segment(o);
  const batches = fill(seg, 20, 2, 300);
  seg.close();
  const goodSize = fs.statSync(o.logPath).size;
  // torn last batch: flip one byte inside its records (CRC fails)
  const fd = fs.openSync(o.logPath, 'r+');
  fs.writeSync(fd, Buffer.from([0x00]), 0, 1, goodSize - 5);
  fs.writeSync(fd, Buffer.alloc(5000, 0xab), 0, 5000, goodSize); // and garbage after it
  fs.closeSync(fd);
  const again = new native.Segment({ ...o, mode: 'recover' });
  const expected = goodSize - batches[19].length;
  t.equal(again.size, expected);
  t.equal(again.info().recovery.truncatedBytes, goodSize + 5000 - expected);
  t.equal(again.nextOffset, 38);
  t.equal(fs.statSync(o.logPath).size, expected, 'file cut at the first bad byte');
  again.close();
});

async function collect(): Promise<void> {
  // Finalizers of external buffers run after the GC that found them dead, on a later turn of the loop.
  for (let i = 0; i < 10; i++) {
    global.gc!();
    await new Promise((r) => setImmediate(r));
  }
}

t.test('views outlive close and delete; no crash after GC', async (t) => {
  t.type(global.gc, 'function', 'tests run with --expose-gc');
  const dir = t.testdir();
  const o = opts(dir);
  const seg = new native.Segment(o);
  const batches = fill(seg, 20, 1, 4000);
  const view = seg.read(0, 1 << 30, false)!;
  const copy = Buffer.from(view);
  t.equal(seg.liveViews, 1);
  seg.delete();
  t.notOk(fs.existsSync(o.logPath), 'file unlinked');
  global.gc!();
  t.same(view, copy, 'view still readable after delete and GC');
  t.equal(view.length, batches.reduce((a, b) => a + b.length, 0));
});

t.test('a shrink under a live view waits for the view, even across close and reopen', async (t) => {
  const dir = t.testdir();
  const o = opts(dir);
  const seg = new native.Segment(o);
  const batches = fill(seg, 40, 1, 2000);
  const total = batches.reduce((a, b) => a + b.length, 0);
  let view: Buffer | null = seg.read(0, 1 << 30, false);
  const copy = Buffer.from(view!);
  seg.truncateTo(10);
  const kept = batches.slice(0, 10).reduce((a, b) => a + b.length, 0);
  t.equal(seg.size, kept);
  seg.close();
  t.ok(fs.statSync(o.logPath).size >= total, 'file not shrunk under the live view');
  // reopen while the view lives: the poisoned header stops the tail walk, and the shrink stays deferred
  const again = new native.Segment({ ...o, mode: 'clean' });
  t.equal(again.size, kept);
  t.equal(again.nextOffset, 10);
  t.same(view!.subarray(0, kept), copy.subarray(0, kept), 'view intact');
  t.ok(fs.statSync(o.logPath).size >= total, 'still not shrunk: the view is alive');
  again.close();
  view = null;
  await collect();
  t.equal(fs.statSync(o.logPath).size, kept, 'shrunk once the last view was collected');
  const third = new native.Segment({ ...o, mode: 'clean' });
  t.equal(third.nextOffset, 10);
  third.close();
});

t.test('unseal lets a sealed segment grow again', async (t) => {
  const dir = t.testdir();
  const o = opts(dir);
  const seg = new native.Segment(o);
  fill(seg, 5);
  seg.close();
  const ro = new native.Segment({ ...o, mode: 'clean', logCapacity: 0 });
  t.throws(() => ro.append(rawBatch({ baseOffset: ro.nextOffset })), { code: 'ERR_SEGMENT_FULL' });
  ro.unseal(1 << 20, 4096);
  ro.append(rawBatch({ baseOffset: ro.nextOffset }));
  t.equal(ro.nextOffset, 16);
  ro.close();
});

t.test('bad options and calls throw typed errors', async (t) => {
  const dir = t.testdir();
  t.throws(() => new native.Segment({ ...opts(dir), mode: 'bogus' as 'create' }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => new native.Segment({ ...opts(dir), baseOffset: -1 }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => new native.Segment({ ...opts(dir), mode: 'clean' }), { code: 'ENOENT' });
  const seg = new native.Segment(opts(dir));
  t.throws(() => new native.Segment(opts(dir)), { code: 'EEXIST' });
  t.throws(() => seg.read(-1, 10, true), { code: 'ERR_INVALID_ARG' });
  t.throws(() => seg.findOffsetPosition(1.5), { code: 'ERR_INVALID_ARG' });
  seg.delete();
  t.throws(() => seg.delete(), { code: 'ERR_SEGMENT_CLOSED' });
  t.throws(() => seg.flushSync(), { code: 'ERR_SEGMENT_CLOSED' });
});

t.test('reads share one ArrayBuffer per chunk; it keeps the mapping alive after delete', async (t) => {
  const dir = t.testdir();
  const o = opts(dir, { logCapacity: 32 << 20 });
  const seg = new native.Segment(o);
  const batches = fill(seg, 100, 1, 1000);
  const a = seg.chunkBuffer(0, batches[0].length);
  const b = seg.chunkBuffer(0, seg.size);
  t.equal(a, b, 'the same ArrayBuffer serves every read of the chunk');
  t.ok(a.byteLength >= seg.size && a.byteLength <= 10 << 20, 'covers the data, never past the chunk and overlap');
  const whole = Buffer.from(a, 0, seg.size);
  t.same(whole, Buffer.concat(batches));
  t.throws(() => seg.chunkBuffer(0, seg.size + 1), { code: 'ERR_INVALID_ARG' }, 'never past the segment end');
  t.throws(() => seg.chunkBuffer(1, 100), { code: 'ERR_INVALID_ARG' }, 'minEnd below the chunk start');
  t.equal(native.Segment.VIEW_CHUNK_BYTES, 8 << 20);
  seg.delete();
  t.throws(() => seg.chunkBuffer(0, 10), { code: 'ERR_SEGMENT_CLOSED' });
  await collect();
  t.same(whole, Buffer.concat(batches), 'still readable after delete and GC');
});

t.test('a truncation under a live chunk buffer is deferred until it is collected', async (t) => {
  const dir = t.testdir();
  const o = opts(dir);
  const seg = new native.Segment(o);
  const batches = fill(seg, 30, 1, 3000);
  let ab: ArrayBuffer | null = seg.chunkBuffer(0, seg.size);
  seg.truncateTo(5);
  seg.close();
  const kept = batches.slice(0, 5).reduce((x, y) => x + y.length, 0);
  t.ok(fs.statSync(o.logPath).size > kept, 'not shrunk while the ArrayBuffer lives');
  t.equal(new Uint8Array(ab!)[kept + 100], 0, 'still mapped (no SIGBUS); the removed bytes read as zeros');
  ab = null;
  await collect();
  t.equal(fs.statSync(o.logPath).size, kept, 'shrunk after collection');
});

t.test('a sealed segment is read through one ArrayBuffer over the whole file', async (t) => {
  const dir = t.testdir();
  const seg = new native.Segment(opts(dir, { logCapacity: 64 << 20, indexCapacity: 1 << 20 }));
  fill(seg, 20 * 16, 1, 64 * 1024 - 61); // ~20 MiB: more than two read chunks
  t.notOk(seg.sealed);
  seg.seal();
  t.ok(seg.sealed);
  const ab = seg.chunkBuffer(0, seg.size);
  t.equal(ab.byteLength, seg.size, 'exactly the file, nothing past its end');
  t.equal(seg.chunkBuffer(0, 100), ab, 'every read shares it');
  t.throws(() => seg.chunkBuffer(1, seg.size), { code: 'ERR_INVALID_ARG' });
  t.equal(Buffer.from(ab, seg.size - 1, 1)[0], 0x61, 'the last byte is readable');
  seg.close();
});
