import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Log } from '../../src/storage/log';
import { StorageError } from '../../src/errors/storage-error';
import { rawBatch, batchBaseOffset } from '../helpers/batches';

const small = { segmentBytes: 8192, indexIntervalBytes: 512, segmentIndexBytes: 4096 };

/** Splits concatenated batches into [baseOffset, lastOffset] pairs. */
function offsetsOf(buffers: Buffer[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const buf of buffers) {
    for (let p = 0; p < buf.length; p += 12 + buf.readInt32BE(p + 8)) {
      const base = batchBaseOffset(buf, p);
      out.push([base, base + buf.readInt32BE(p + 23)]);
    }
  }
  return out;
}

function appendMany(log: Log, n: number, opts: { per?: number; payload?: number; ts?: (i: number) => number } = {}): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const b = rawBatch({
      recordCount: opts.per ?? 2,
      payloadBytes: opts.payload ?? 100 + (i % 7) * 37,
      maxTimestamp: opts.ts ? opts.ts(i) : 1_000 + i,
    });
    log.append(b);
    out.push(b);
  }
  return out;
}

t.test('offsets are assigned in place and reads return whole batches across many segments', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const batches = appendMany(log, 300, { per: 3 });
  t.equal(log.logEndOffset, 900);
  t.equal(log.highWatermark, 900);
  t.ok(log.segmentCount > 5, `rolled into ${log.segmentCount} segments`);
  t.same(batches.map((b) => batchBaseOffset(b)), batches.map((_, i) => i * 3), 'baseOffset patched in the caller buffer');
  // Everything, in order, byte for byte.
  let all: Buffer[] = [];
  for (let offset = 0; offset < log.logEndOffset; ) {
    const r = log.read(offset, 3000);
    all = all.concat(r.records);
    const pairs = offsetsOf(r.records);
    t.ok(pairs[0][0] <= offset && offset <= pairs[0][1], 'first batch holds the fetch offset');
    offset = pairs[pairs.length - 1][1] + 1;
  }
  t.same(Buffer.concat(all), Buffer.concat(batches));
  // Every offset lands in the batch holding it.
  for (const offset of [0, 1, 2, 3, 100, 451, 899]) {
    const [first] = offsetsOf(log.read(offset, 1).records);
    t.ok(first[0] <= offset && offset <= first[1], `offset ${offset}`);
  }
  t.same(log.read(900, 1000).records, [], 'reading at the end gives nothing');
  t.throws(() => log.read(901, 1000), { code: 'OFFSET_OUT_OF_RANGE' });
  log.close();
});

t.test('maxBytes, minOneBatch and maxOffset bound a read', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const batches = appendMany(log, 20, { per: 1, payload: 200 });
  const one = batches[0].length;
  t.equal(log.read(0, one * 3 + 10).size, one * 3);
  t.equal(log.read(0, 5).size, one, 'first batch even if larger than maxBytes');
  t.equal(log.read(0, 5, { minOneBatch: false }).size, 0);
  t.same(offsetsOf(log.read(0, 1 << 20, { maxOffset: 4 }).records).map((p) => p[0]), [0, 1, 2, 3]);
  t.same(log.read(4, 1 << 20, { maxOffset: 4 }).records, []);
  log.close();
});

t.test('segment.ms rolls by batch timestamps; Kafka file names', async (t) => {
  let now = 1_000_000;
  const dir = t.testdir();
  const log = Log.open(dir, { config: { ...small, segmentMs: 60_000 }, now: () => now });
  appendMany(log, 3, { ts: () => now });
  t.equal(log.segmentCount, 1);
  now += 60_001;
  appendMany(log, 1, { ts: () => now });
  t.equal(log.segmentCount, 2, 'rolled after segment.ms');
  t.same(log.segmentBaseOffsets(), [0, 6]);
  const names = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  t.same(names, ['00000000000000000000.log', '00000000000000000006.log'], 'Kafka file names');
  log.close();
});

t.test('a batch larger than segment.bytes still fits (its own segment)', async (t) => {
  const log = Log.open(t.testdir(), { config: { ...small, segmentBytes: 1024 } });
  appendMany(log, 2, { payload: 100 });
  const big = rawBatch({ payloadBytes: 5000 });
  const info = log.append(big);
  t.equal(info.firstOffset, 4);
  t.same(log.read(4, 1).records[0], big);
  appendMany(log, 1);
  t.equal(log.logEndOffset, 7);
  t.same(log.read(0, 1 << 20).size, log.size);
  log.close();
});

t.test('bad batches are refused with typed errors and nothing is written', async (t) => {
  const log = Log.open(t.testdir(), { config: { ...small, maxMessageBytes: 2000 } });
  appendMany(log, 3);
  const size = log.size;
  const end = log.logEndOffset;
  const good = () => rawBatch({ recordCount: 2, payloadBytes: 50 });
  const badCrc = good();
  badCrc[70] ^= 0xff;
  t.throws(() => log.append(badCrc), { code: 'CORRUPT_MESSAGE', message: /CRC/ });
  const badMagic = good();
  badMagic[16] = 1;
  t.throws(() => log.append(badMagic), { code: 'CORRUPT_MESSAGE' });
  const longer = good();
  longer.writeInt32BE(longer.length, 8);
  t.throws(() => log.append(longer), { code: 'CORRUPT_MESSAGE' });
  const shorter = good();
  shorter.writeInt32BE(20, 8);
  t.throws(() => log.append(shorter), { code: 'CORRUPT_MESSAGE' });
  t.throws(() => log.append(rawBatch({ payloadBytes: 3000 })), { code: 'MESSAGE_TOO_LARGE' });
  t.throws(() => log.append(Buffer.alloc(0)), { code: 'CORRUPT_MESSAGE' });
  t.throws(() => log.append(good().subarray(0, 40)), { code: 'CORRUPT_MESSAGE' });
  t.throws(() => log.append(rawBatch({ recordCount: 0 })), { code: 'INVALID_RECORD' });
  // a valid batch followed by a bad one: neither is written
  t.throws(() => log.append(Buffer.concat([good(), badCrc])), StorageError);
  t.equal(log.size, size);
  t.equal(log.logEndOffset, end);
  // several batches in one append are all accepted
  const info = log.append(Buffer.concat([good(), good(), good()]));
  t.same([info.firstOffset, info.lastOffset, info.batchCount, info.recordCount], [end, end + 5, 3, 6]);
  log.close();
});

t.test('leader epoch is patched and batches with preassigned offsets must follow the end', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const b = rawBatch({ recordCount: 2 });
  log.append(b, { leaderEpoch: 7 });
  t.equal(log.read(0, 100).records[0].readInt32BE(12), 7);
  t.throws(() => log.append(rawBatch({ baseOffset: 1 }), { assignOffsets: false }), { code: 'INVALID_RECORD' });
  const info = log.append(rawBatch({ baseOffset: 10, recordCount: 3 }), { assignOffsets: false });
  t.same([info.firstOffset, info.lastOffset, log.logEndOffset], [10, 12, 13]);
  log.close();
});

t.test('retention by time, by size, and deleteRecordsBefore', async (t) => {
  let now = 10_000_000;
  const log = Log.open(t.testdir(), { config: { ...small, retentionMs: 1000 }, now: () => now });
  appendMany(log, 200, { ts: (i) => now - 5000 + i * 20 }); // timestamps now-5000 .. now-1020
  const before = log.segmentCount;
  t.ok(before > 4);
  const r = log.applyRetention(now);
  t.equal(r.deletedSegments, before, 'every segment older than retention.ms went');
  t.equal(log.segmentCount, 1, 'a new active segment remains');
  t.equal(log.logStartOffset, 400);
  t.equal(log.logEndOffset, 400);
  t.throws(() => log.read(0, 100), { code: 'OFFSET_OUT_OF_RANGE' });
  appendMany(log, 10, { ts: () => now });
  t.equal(log.applyRetention(now).deletedSegments, 0, 'fresh data stays');
  log.updateConfig({ retentionMs: -1, retentionBytes: 20_000 });
  appendMany(log, 300, { ts: () => now });
  log.applyRetention(now);
  // Kafka's rule: delete a segment only if the log stays at or above the limit without it.
  t.ok(log.size >= 20_000 && log.size < 20_000 + small.segmentBytes, `size ${log.size} within one segment above the limit`);
  const start = log.logStartOffset;
  t.equal(log.read(start, 10).records.length, 1, 'log start is readable');
  const target = log.logEndOffset - 50;
  t.equal(log.deleteRecordsBefore(target), target);
  t.equal(log.logStartOffset, target);
  t.throws(() => log.read(target - 1, 10), { code: 'OFFSET_OUT_OF_RANGE' });
  t.ok(offsetsOf(log.read(target, 10).records)[0][1] >= target);
  t.ok(log.segmentBaseOffsets()[0] <= target && log.segmentBaseOffsets().length <= 2, 'segments below it deleted');
  t.throws(() => log.deleteRecordsBefore(log.highWatermark + 1), { code: 'OFFSET_OUT_OF_RANGE' });
  log.close();
});

t.test('truncateTo across segments, then appends continue', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const batches = appendMany(log, 200, { per: 2 });
  log.truncateTo(151); // batch 150..151 goes whole
  t.equal(log.logEndOffset, 150);
  t.same(Buffer.concat(log.read(0, 1 << 30).records), Buffer.concat(batches.slice(0, 75)));
  const more = appendMany(log, 5, { per: 2 });
  t.equal(log.logEndOffset, 160);
  t.same(log.read(150, 1 << 20).records.length > 0 && Buffer.concat(log.read(150, 1 << 20).records), Buffer.concat(more));
  log.truncateTo(0);
  t.equal(log.logEndOffset, 0);
  t.equal(log.segmentCount, 1);
  appendMany(log, 1);
  t.equal(log.logEndOffset, 2);
  log.close();
});

t.test('clean close and reopen: same state, nothing scanned; views survive close', async (t) => {
  const dir = t.testdir();
  let log = Log.open(dir, { config: small });
  const batches = appendMany(log, 150);
  const view = log.read(0, 1 << 30);
  log.close();
  t.throws(() => log.read(0, 10), { code: 'ERR_LOG_CLOSED' });
  t.throws(() => log.append(rawBatch()), { code: 'ERR_LOG_CLOSED' });
  t.same(Buffer.concat(view.records), Buffer.concat(batches), 'views read after close');
  log = Log.open(dir, { config: small, cleanShutdown: true });
  t.equal(log.recovery.segmentsScanned, 0);
  t.equal(log.logEndOffset, 300);
  t.equal(log.recoveryPoint, 300);
  t.same(Buffer.concat(log.read(0, 1 << 30).records), Buffer.concat(batches));
  appendMany(log, 1);
  t.equal(log.logEndOffset, 302);
  log.close();
});

t.test('unclean open scans past the recovery point and cuts a torn tail', async (t) => {
  const dir = t.testdir();
  let log = Log.open(dir, { config: small });
  const batches = appendMany(log, 100);
  await log.flush();
  t.equal(log.recoveryPoint, 200);
  const rp = log.recoveryPoint;
  const bases = log.segmentBaseOffsets();
  log.close();
  // tear the last batch and add garbage
  const last = path.join(dir, String(bases[bases.length - 1]).padStart(20, '0') + '.log');
  const size = fs.statSync(last).size;
  const fd = fs.openSync(last, 'r+');
  fs.writeSync(fd, Buffer.from([1, 2, 3]), 0, 3, size - 10);
  fs.writeSync(fd, Buffer.alloc(777, 0x5a), 0, 777, size);
  fs.closeSync(fd);
  log = Log.open(dir, { config: small, recoveryPoint: rp - 30 });
  t.ok(log.recovery.segmentsScanned >= 1);
  t.equal(log.recovery.truncatedBytes, batches[99].length + 777);
  t.equal(log.logEndOffset, 198);
  t.same(Buffer.concat(log.read(0, 1 << 30).records), Buffer.concat(batches.slice(0, 99)));
  log.close();
});

t.test('a bad byte in an older segment drops everything after it', async (t) => {
  const dir = t.testdir();
  let log = Log.open(dir, { config: small });
  appendMany(log, 100);
  const bases = log.segmentBaseOffsets();
  log.close();
  t.ok(bases.length >= 3);
  const victim = path.join(dir, String(bases[1]).padStart(20, '0') + '.log');
  const fd = fs.openSync(victim, 'r+');
  fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 300); // inside the first or second batch of segment 1
  fs.closeSync(fd);
  log = Log.open(dir, { config: small, recoveryPoint: 0 });
  t.equal(log.segmentCount, 2);
  t.equal(log.recovery.segmentsDropped, bases.length - 2);
  t.ok(log.logEndOffset >= bases[1] && log.logEndOffset < bases[2]);
  appendMany(log, 3);
  t.equal(offsetsOf(log.read(0, 1 << 30).records).length, log.logEndOffset / 2, 'offsets stay contiguous');
  log.close();
});

t.test('deleted index files are rebuilt and lookups still work', async (t) => {
  const dir = t.testdir();
  let log = Log.open(dir, { config: small });
  appendMany(log, 120);
  log.close();
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.index') || f.endsWith('.timeindex')) fs.unlinkSync(path.join(dir, f));
  log = Log.open(dir, { config: small, cleanShutdown: true });
  t.ok(log.recovery.indexesRebuilt >= log.segmentCount - 1, `${log.recovery.indexesRebuilt} indexes rebuilt`);
  for (const offset of [0, 77, 150, 239]) {
    const [first] = offsetsOf(log.read(offset, 1).records);
    t.ok(first[0] <= offset && offset <= first[1], `offset ${offset}`);
  }
  log.close();
});

t.test('delete removes the directory; held views stay readable', async (t) => {
  const dir = t.testdir();
  const log = Log.open(path.join(dir, 'topic-0'), { config: small });
  const batches = appendMany(log, 50);
  const view = log.read(0, 1 << 30);
  log.delete();
  t.notOk(fs.existsSync(path.join(dir, 'topic-0')));
  global.gc?.();
  t.same(Buffer.concat(view.records), Buffer.concat(batches));
});

t.test('retention never deletes the empty active segment it must append to', async (t) => {
  const log = Log.open(t.testdir(), { config: { ...small, retentionBytes: 0 } });
  appendMany(log, 100);
  log.roll();
  const end = log.logEndOffset;
  log.applyRetention();
  t.equal(log.segmentCount, 1);
  t.equal(log.logStartOffset, end);
  appendMany(log, 1);
  t.equal(log.logEndOffset, end + 2);
  log.close();
});

t.test('offsetForTimestamp finds the first record at or after a time, inside compressed batches too', async (t) => {
  const { encodeRecordBatch, CompressionType } = await import('../../src/protocol/records/index');
  const log = Log.open(t.testdir(), { config: small });
  const codecs = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
  // 50 batches of 4 records; record i (global) has timestamp 10_000 + 10 * i
  for (let b = 0; b < 50; b++) {
    const records = Array.from({ length: 4 }, (_, r) => ({
      value: Buffer.from(`v${b * 4 + r}`),
      timestamp: 10_000 + 10 * (b * 4 + r),
    }));
    log.append(encodeRecordBatch({ compression: codecs[b % codecs.length], records }));
  }
  t.same(log.offsetForTimestamp(0), { offset: 0, timestamp: 10_000 });
  t.same(log.offsetForTimestamp(10_000), { offset: 0, timestamp: 10_000 });
  t.same(log.offsetForTimestamp(10_001), { offset: 1, timestamp: 10_010 });
  t.same(log.offsetForTimestamp(10_015), { offset: 2, timestamp: 10_020 }, 'inside a gzip batch');
  t.same(log.offsetForTimestamp(10_000 + 10 * 123), { offset: 123, timestamp: 10_000 + 10 * 123 });
  t.same(log.offsetForTimestamp(10_000 + 10 * 199), { offset: 199, timestamp: 10_000 + 10 * 199 });
  t.equal(log.offsetForTimestamp(10_000 + 10 * 199 + 1), null);
  log.deleteRecordsBefore(101);
  t.same(log.offsetForTimestamp(0)!.offset, 101, 'never below the log start offset');
  log.close();
});

t.test('a crash after reads: zero tails of sealed segments are not corruption, nothing is dropped', async (t) => {
  // Reads keep chunk ArrayBuffers alive past each sealed segment's end, so its trim waits; a crash leaves the
  // preallocated zeros behind. Reopening without close() is what a SIGKILL leaves on disk.
  const dir = t.testdir();
  const log = Log.open(dir, { config: { ...small, segmentBytes: 64 * 1024 } });
  const held: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    log.append(rawBatch({ recordCount: 1, payloadBytes: 1000 }));
    if (i % 10 === 0) held.push(...log.read(0, 1 << 20).records);
  }
  t.ok(log.segmentCount >= 4);
  const crashed = Log.open(dir, { config: { ...small, segmentBytes: 64 * 1024 }, recoveryPoint: 0 });
  t.equal(crashed.recovery.segmentsDropped, 0);
  t.equal(crashed.recovery.truncatedBytes, 0);
  t.ok(crashed.recovery.zeroTailBytes > 0, `${crashed.recovery.zeroTailBytes} preallocated bytes cut`);
  t.equal(crashed.logEndOffset, 300, 'every batch kept');
  t.equal(held.length > 0, true);
  crashed.close();
  log.close();
});

t.test('a crash after truncating under a live view and appending does not revive removed batches', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  for (let i = 0; i < 100; i++) log.append(rawBatch({ recordCount: 1, payloadBytes: 40 }));
  const view = log.read(0, 1 << 20); // live views over everything: the physical cut must wait
  log.truncateTo(50);
  log.append(rawBatch({ recordCount: 1, payloadBytes: 40 })); // same size: ends on an old batch boundary
  const crashed = Log.open(dir, { config: small, recoveryPoint: 0 });
  t.equal(crashed.logEndOffset, 51, 'the batches removed by the truncation stay removed');
  t.equal(crashed.recovery.truncatedBytes, 0);
  t.ok(view.records.length > 0);
  crashed.close();
  log.close();
});

t.test('a roll flushes in the background: the recovery point follows the rolls, so a crash scans only the tail', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  appendMany(log, 300, { per: 2 });
  const lastRoll = log.segmentBaseOffsets().at(-1)!;
  t.ok(log.segmentCount > 5, `${log.segmentCount} segments`);
  for (let i = 0; i < 100 && log.recoveryPoint < lastRoll; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(log.recoveryPoint, lastRoll, 'flushed up to the last roll without any explicit flush');
  // A crash now (no close): reopening from that recovery point scans the active segment alone.
  const reopened = Log.open(dir, { config: small, recoveryPoint: log.recoveryPoint });
  t.equal(reopened.recovery.segmentsScanned, 1, 'only the segment after the recovery point is scanned');
  t.equal(reopened.logEndOffset, log.logEndOffset);
  reopened.close();
});
