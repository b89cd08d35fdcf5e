/**
 * Linux `perf` view of the broker process over a window: records call graphs of every thread of the broker
 * (`perf record -g -p PID`, started and stopped around the load's timed window; JS frames are named because the
 * broker runs with --perf-basic-prof), then summarises `perf report --children`: the share of the broker's CPU
 * samples spent under each cost centre (inclusive) — the copies, CRC-32C, the kernel's socket and page-cache
 * work, V8's garbage collector on every thread — and the top symbols by self time. Percentages are of samples
 * of the broker process only (all its threads), i.e. of the CPU time it used, not of wall time.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { markdownTable } from './markdown-table';

export function perfAvailable(): boolean {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface PerfRecording {
  stop(): Promise<void>;
}

/** Starts `perf record` on `pid`; resolves once perf has attached (it prints nothing then, so: a short wait). */
export async function startPerf(pid: number, file: string, frequencyHz = 1999): Promise<PerfRecording> {
  const child: ChildProcess = spawn('perf', ['record', '-F', String(frequencyHz), '-g', '-p', String(pid), '-o', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (child.exitCode !== null) throw new Error(`perf record failed: ${err}`);
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
    },
  };
}

/**
 * Inclusive cost centres: [label, symbol pattern]; a sample counts once per label (perf --children). Only native
 * and kernel symbols: JS frames from --perf-basic-prof are unreliable here (inlined callees are counted in their
 * caller, and code freed and reallocated at the same address keeps its first name), so the JS-level split is the
 * V8 --cpu-prof summary's job.
 */
const CENTRES: Array<[string, RegExp]> = [
  ['native: CRC-32C (Log.append validating each batch)', /Crc32c/],
  ['native: Segment::Append (pwrite into the segment file)', /^strata::Segment::Append/],
  ['native: SegmentWrap::ChunkBuffer (external ArrayBuffer per 8 MiB of log)', /SegmentWrap::ChunkBuffer/],
  ['kernel: read from sockets (tcp_recvmsg: copy out of the socket)', /^tcp_recvmsg$/],
  ['kernel: send on sockets (tcp_sendmsg: copy into the socket)', /^tcp_sendmsg$/],
  ['kernel: pwrite into the page cache (ext4 buffered write)', /^ext4_buffered_write_iter$/],
  ['kernel: page faults', /^exc_page_fault$/],
  ['libc memcpy/memmove (user-space copies: Buffer.concat/copy, ...)', /^__memmove_\w+$/],
  ['V8 GC on the main thread (Heap::CollectGarbage)', /^v8::internal::Heap::CollectGarbage$/],
  ['V8 GC: concurrent marking (a background thread)', /^v8::internal::ConcurrentMarking::RunMajor$/],
  ['V8 GC: parallel scavenge (background threads)', /^v8::internal::ScavengerCollector::JobTask::Run/],
  ['V8 GC: sweeping (background)', /^v8::internal::Sweeper::RawSweep$/],
  ['V8 optimizing compiler (a background thread)', /^v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal$/],
  ['epoll (the event loop polling)', /^(do_epoll_wait)$/],
];

export function summarizePerf(file: string, title: string, top = 20): string {
  const report = spawnSync('perf', ['report', '-i', file, '--stdio', '--children', '--sort', 'sym', '-g', 'none', '--percent-limit', '0.05'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const rows: Array<{ children: number; self: number; sym: string }> = [];
  for (const line of report.stdout.split('\n')) {
    const m = /^\s+([\d.]+)%\s+([\d.]+)%\s+\[[.k]\]\s+(.*\S)\s*$/.exec(line);
    if (m) rows.push({ children: Number(m[1]), self: Number(m[2]), sym: m[3] });
  }
  const total = /# Samples: (\S+)/.exec(report.stdout)?.[1] ?? '?';
  const centres = CENTRES.map(([label, re]) => {
    const hits = rows.filter((r) => re.test(r.sym));
    return [label, hits.length ? Math.max(...hits.map((h) => h.children)) : 0] as [string, number];
  }).filter(([, v]) => v > 0);
  const selfTop = [...rows].sort((a, b) => b.self - a.self).slice(0, top);
  const jsSelf = rows.filter((r) => r.sym.startsWith('JS:') || r.sym.startsWith('Builtins_')).reduce((a, r) => a + r.self, 0);
  centres.push(['JS code and V8 builtins (self time; symbols of 0.05% or more)', jsSelf]);
  const lines = [`#### ${title}`, '', `perf samples: ${total}; % of the broker process's CPU samples (all threads)`, ''];
  lines.push(markdownTable(['cost centre (inclusive)', '% of broker CPU'], centres.map(([l, v]) => [l, v.toFixed(1)])));
  lines.push('');
  lines.push(markdownTable(['symbol (self time)', '%'], selfTop.map((r) => [r.sym.length > 110 ? r.sym.slice(0, 107) + '...' : r.sym, r.self.toFixed(1)])));
  return lines.join('\n');
}

/** Deletes the perf data file and the broker's JIT symbol map (/tmp/perf-PID.map, written by --perf-basic-prof). */
export function cleanUpPerf(file: string, pid: number): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.old`, { force: true });
  fs.rmSync(`/tmp/perf-${pid}.map`, { force: true });
}
