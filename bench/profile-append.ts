/**
 * Where Log.append's time goes (not part of bench:storage): times the pieces of one append separately on the
 * same batch, and runs a plain append loop for `perf record` / `--cpu-prof`.
 *
 *   node --expose-gc -r tsx/cjs bench/profile-append.ts [valueBytes] [batchBytes] [totalMiB] [mode]
 * mode: split (default) | strata | baseline | native
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32c, native } from '../src/native/binding';
import { Log } from '../src/storage/log';
import { buildBatch } from './helpers/batch-fixture';

const MIB = 1024 * 1024;
const valueBytes = Number(process.argv[2] ?? 100);
const batchBytes = Number(process.argv[3] ?? 16384);
const totalBytes = Number(process.argv[4] ?? 1024) * MIB;
const mode = process.argv[5] ?? 'split';
const segmentBytes = Number(process.env.SEGMENT_BYTES ?? 256 * MIB);
const fx = buildBatch(valueBytes, batchBytes, 1_700_000_000_000);
const batch = fx.batch;
const ops = Math.floor(totalBytes / batch.length);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-prof-'));

function time(label: string, fn: () => void, bytes = ops * batch.length): number {
  globalThis.gc?.();
  const t0 = process.hrtime.bigint();
  fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(44)} ${(s * 1e3).toFixed(1).padStart(8)} ms  ${(bytes / s / 1e6).toFixed(0).padStart(6)} MB/s  ${((s / ops) * 1e6).toFixed(2)} µs/op`);
  return s;
}

function strataLoop(): void {
  const log = Log.open(path.join(dir, 'log'), { config: { segmentBytes } });
  time(`Log.append x${ops}`, () => {
    for (let i = 0; i < ops; i++) log.append(batch);
  });
  log.delete();
}

function baselineLoop(): void {
  const file = path.join(dir, 'plain.bin');
  const fd = fs.openSync(file, 'w');
  time(`fs.writeSync x${ops}`, () => {
    for (let i = 0; i < ops; i++) fs.writeSync(fd, batch);
  });
  fs.closeSync(fd);
  fs.unlinkSync(file);
}

function nativeLoop(): void {
  // The native segment alone: structural walk + memcpy + index, no JS validation, no CRC.
  const seg = new native.Segment({
    logPath: path.join(dir, '00000000000000000000.log'),
    indexPath: path.join(dir, '00000000000000000000.index'),
    timeIndexPath: path.join(dir, '00000000000000000000.timeindex'),
    baseOffset: 0,
    logCapacity: Math.max(segmentBytes, ops * batch.length),
    indexCapacity: 10 * MIB,
    indexIntervalBytes: 4096,
    mode: 'create',
  });
  let offset = 0;
  time(`native Segment.append x${ops} (1 segment)`, () => {
    for (let i = 0; i < ops; i++) {
      batch.writeUInt32BE(offset >>> 0, 4);
      seg.append(batch);
      offset += fx.recordCount;
    }
  });
  seg.delete();
}

function split(): void {
  for (let round = 0; round < 2; round++) {
    console.log(`--- round ${round} (${fx.recordCount} x ${valueBytes} B records, batch ${batch.length} B, ${ops} ops, segment ${segmentBytes / MIB} MiB)`);
    baselineLoop();
    strataLoop();
    nativeLoop();
    let sum = 0;
    time('crc32c over the batch', () => {
      for (let i = 0; i < ops; i++) sum += crc32c(batch, 21, batch.length);
    });
    time('JS header reads only (no crc)', () => {
      for (let i = 0; i < ops; i++) sum += batch.readInt32BE(8) + batch.readUInt32BE(17) + batch.readInt16BE(21) + batch.readInt32BE(23) + batch.readInt32BE(57) + Number(batch.readBigInt64BE(35));
    });
    const copyTarget = Buffer.alloc(256 * MIB, 0);
    const n = Math.floor(copyTarget.length / batch.length);
    time('Buffer.copy into a warm 256 MiB heap buffer', () => {
      for (let i = 0; i < ops; i++) batch.copy(copyTarget, (i % n) * batch.length);
    });
    if (sum === 0.5) console.log(sum);
  }
}

try {
  if (mode === 'split') split();
  else if (mode === 'strata') strataLoop();
  else if (mode === 'baseline') baselineLoop();
  else if (mode === 'native') nativeLoop();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
