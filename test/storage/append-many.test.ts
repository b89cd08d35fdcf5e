/**
 * Log.appendMany: the record sets of requests that arrived together, appended in one pass. It must give exactly
 * what append() one after another gives (same offsets, same bytes on disk, same segments and indexes), with each
 * invalid record set refused alone, and it must write the valid ones with one segment write.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Log } from '../../src/storage/log';
import { rawBatch } from '../helpers/batches';

const small = { segmentBytes: 8192, indexIntervalBytes: 512, segmentIndexBytes: 4096 };

/** Record sets of 1-3 batches each, of varied sizes; fresh buffers each call (appends patch offsets in place). */
function recordSets(n: number, seed: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const batches = 1 + ((i * 7 + seed) % 3);
    const parts: Buffer[] = [];
    for (let b = 0; b < batches; b++) {
      parts.push(rawBatch({ recordCount: 1 + ((i + b) % 4), payloadBytes: 40 + ((i * 31 + b * 17 + seed) % 300), maxTimestamp: 1_000 + i, fill: 0x41 + (i % 26) }));
    }
    out.push(Buffer.concat(parts));
  }
  return out;
}

function filesOf(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const f of fs.readdirSync(dir).sort()) m.set(f, fs.readFileSync(path.join(dir, f)));
  return m;
}

t.test('appendMany gives the same log as append() one after another, in fewer writes', async (t) => {
  const a = t.testdir({ a: {}, b: {} });
  const one = Log.open(path.join(a, 'a'), { config: small });
  const many = Log.open(path.join(a, 'b'), { config: small });
  const infosOne: Array<{ firstOffset: number; lastOffset: number; recordCount: number }> = [];
  const writesBefore = many.segmentWrites;
  let passes = 0;
  // Groups of 1 to 6 record sets, over many segment rolls.
  for (let g = 0, i = 0; g < 60; g++) {
    const size = 1 + (g % 6);
    const sets = recordSets(size, g);
    const copies = sets.map((s) => Buffer.from(s));
    for (const s of copies) infosOne.push(one.append(s));
    const results = many.appendMany(sets);
    passes++;
    for (const r of results) {
      if (r instanceof Error) throw r;
      t.equal(r.firstOffset, infosOne[i].firstOffset);
      t.equal(r.lastOffset, infosOne[i].lastOffset);
      t.equal(r.recordCount, infosOne[i].recordCount);
      i++;
    }
  }
  t.equal(many.logEndOffset, one.logEndOffset);
  t.ok(many.segmentBaseOffsets().length > 5, `rolled into ${many.segmentBaseOffsets().length} segments`);
  const manyWrites = many.segmentWrites - writesBefore;
  t.ok(manyWrites < infosOne.length, `${manyWrites} writes for ${infosOne.length} record sets`);
  t.ok(manyWrites >= passes, 'at least one write per pass');
  // Reads agree batch for batch.
  for (let off = 0; off < one.logEndOffset; off += 17) {
    const ra = Buffer.concat(one.read(off, 4096).records);
    const rb = Buffer.concat(many.read(off, 4096).records);
    t.ok(ra.equals(rb), `read at ${off}`);
  }
  t.same(many.offsetForTimestamp(1_003), one.offsetForTimestamp(1_003));
  one.close();
  many.close();
  // And the closed files are the same bytes: segments, offset and time indexes.
  const fa = filesOf(path.join(a, 'a'));
  const fb = filesOf(path.join(a, 'b'));
  t.same([...fb.keys()], [...fa.keys()], 'same segment files');
  for (const [name, bytes] of fa) t.ok(bytes.equals(fb.get(name)!), `${name} identical`);
});

t.test('an invalid record set is refused alone; the others are written', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const sets = recordSets(5, 3);
  const bad = Buffer.from(sets[2]);
  bad[bad.length - 1] ^= 0xff; // the CRC no longer matches
  sets[2] = bad;
  const tooBig = rawBatch({ payloadBytes: 2_000_000 });
  sets.push(tooBig);
  const results = log.appendMany(sets);
  t.match(results[2], { code: 'CORRUPT_MESSAGE' });
  t.match(results[5], { code: 'MESSAGE_TOO_LARGE' });
  const good = [0, 1, 3, 4].map((i) => results[i]);
  let expected = 0;
  for (const r of good) {
    if (r instanceof Error) throw r;
    t.equal(r.firstOffset, expected, 'offsets run on past the refused one');
    expected = r.lastOffset + 1;
  }
  t.equal(log.logEndOffset, expected);
  const back = Buffer.concat(log.read(0, 1 << 20).records);
  t.ok(back.equals(Buffer.concat([sets[0], sets[1], sets[3], sets[4]])), 'exactly the valid sets, in order');
  log.close();
});

t.test('idempotent batches among them keep their producer-state rules (a retry in the same pass is a duplicate)', async (t) => {
  const log = Log.open(t.testdir(), { config: small });
  const idem = (seq: number, count: number) => rawBatch({ recordCount: count, producerId: 7, producerEpoch: 0, baseSequence: seq });
  const sets = [rawBatch({ recordCount: 2 }), idem(0, 3), idem(0, 3), rawBatch({ recordCount: 1 }), idem(5, 1), idem(3, 2)];
  const r = log.appendMany(sets);
  const ok = (i: number) => {
    const x = r[i];
    if (x instanceof Error) throw x;
    return x;
  };
  t.equal(ok(0).firstOffset, 0);
  t.equal(ok(1).firstOffset, 2);
  t.equal(ok(2).duplicate, true, 'the retry of the same batch is answered, not written');
  t.equal(ok(2).firstOffset, 2, 'with the original offset');
  t.equal(ok(3).firstOffset, 5);
  t.match(r[4], { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }, 'a gap is refused');
  t.equal(ok(5).firstOffset, 6, 'the next in sequence follows');
  t.equal(log.logEndOffset, 8);
  log.close();
});

t.test('together more than a segment holds: written one at a time, each segment within segment.bytes', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  const sets = Array.from({ length: 6 }, (_, i) => rawBatch({ recordCount: 1, payloadBytes: 3000, fill: 0x30 + i }));
  const r = log.appendMany(sets);
  for (const x of r) if (x instanceof Error) throw x;
  t.equal(log.logEndOffset, 6);
  log.close();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    t.ok(fs.statSync(path.join(dir, f)).size <= small.segmentBytes, `${f} within segment.bytes`);
  }
});

t.test('a crash after appendMany: reopening recovers every batch it wrote', async (t) => {
  const dir = t.testdir();
  const log = Log.open(dir, { config: small });
  const sets = recordSets(12, 5);
  const r = log.appendMany(sets);
  for (const x of r) if (x instanceof Error) throw x;
  const end = log.logEndOffset;
  const bytes = Buffer.concat(log.read(0, 1 << 20).records);
  // No close: the files are left as an unclean stop leaves them (preallocated tails, no recovery point).
  const again = Log.open(dir, { config: small });
  t.equal(again.logEndOffset, end);
  t.ok(Buffer.concat(again.read(0, 1 << 20).records).equals(bytes));
  again.close();
  log.close();
});
