/**
 * CRC-32C throughput per implementation (not part of bench:storage), through the same N-API entry points the broker
 * uses, so small sizes include the call overhead.
 *
 *   node -r tsx/cjs bench/crc32c.ts [sizes...]      (default 256 4096 16384 1048576)
 *
 * crc32c is the dispatched path (the fastest the CPU supports), crc32cHardware the SSE4.2 three-stream crc32
 * path, crc32cPortable slicing-by-8. The ratio column is crc32c over crc32cHardware, both measured in this run.
 */
import { randomBytes } from 'node:crypto';
import { native } from '../src/native/binding';

const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [256, 4096, 16384, 1024 * 1024];
const impls = ['crc32c', 'crc32cHardware', 'crc32cPortable'] as const;
type Impl = (typeof impls)[number];
// Enough bytes per timing that the timer's resolution and one-off costs vanish; fewer for the slow portable path.
const bytesPerRun = 512 * 1024 * 1024;
const rounds = 7;

// Offset 21 like a record batch's CRC range, so the data is not 8- or 16-byte aligned.
const offset = 21;
const buffers = new Map(sizes.map((size) => [size, randomBytes(size + offset)]));

function gbPerSecond(impl: Impl, size: number): number {
  const fn = native[impl];
  const buf = buffers.get(size)!;
  const iterations = Math.max(1, Math.floor((impl === 'crc32cPortable' ? bytesPerRun / 8 : bytesPerRun) / size));
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink ^= fn(buf, offset, offset + size);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === 0.5) console.log(sink);
  return (iterations * size) / seconds / 1e9;
}

// The N-API call itself (argument checks, range conversion), measured on an empty range: a fixed cost per call
// that the small sizes' figures include.
function nsPerEmptyCall(): number {
  const buf = buffers.get(sizes[0])!;
  const iterations = 2_000_000;
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink ^= native.crc32c(buf, offset, offset);
  if (sink === 0.5) console.log(sink);
  return Number(process.hrtime.bigint() - t0) / iterations;
}

console.log(`hardware available: ${native.crc32cHardwareAvailable}; best of ${rounds} rounds, GB/s (1e9 bytes/s)`);
console.log(`call overhead (empty range): ${Math.min(...Array.from({ length: rounds }, nsPerEmptyCall)).toFixed(0)} ns`);
console.log(['size'.padStart(8), ...impls.map((i) => i.padStart(15)), 'crc32c/hardware'.padStart(16)].join(' '));
for (const size of sizes) {
  const best = new Map<Impl, number>(impls.map((i) => [i, 0]));
  // Rounds interleave the implementations so a frequency or neighbour-load drift affects all of them alike.
  for (let r = 0; r < rounds; r++) for (const impl of impls) best.set(impl, Math.max(best.get(impl)!, gbPerSecond(impl, size)));
  const ratio = best.get('crc32c')! / best.get('crc32cHardware')!;
  console.log(
    [String(size).padStart(8), ...impls.map((i) => best.get(i)!.toFixed(2).padStart(15)), `${ratio.toFixed(2)}x`.padStart(16)].join(' '),
  );
}
