/**
 * CPU time of a process (all its threads) or of one thread, from /proc (Linux), and percentiles of latency
 * samples. The broker benchmark reads the broker's CPU at the start and end of each timed window: a broker
 * main thread near 100% of a core is the bottleneck, well below it is waiting for its clients.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

export interface CpuTime {
  userMs: number;
  systemMs: number;
  totalMs: number;
}

const ZERO: CpuTime = { userMs: 0, systemMs: 0, totalMs: 0 };

/** utime and stime of /proc/<pid>/stat (whole process) or /proc/<pid>/task/<tid>/stat (one thread). */
export function cpuTimeMs(pid: number, tid?: number): CpuTime {
  if (os.platform() !== 'linux') return ZERO;
  try {
    const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
    const text = fs.readFileSync(file, 'utf8');
    // Fields after the command name (which may hold spaces), in parentheses: state is field 3, utime 14, stime 15.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const userMs = (Number(rest[11]) * 1000) / TICKS_PER_SECOND;
    const systemMs = (Number(rest[12]) * 1000) / TICKS_PER_SECOND;
    return { userMs, systemMs, totalMs: userMs + systemMs };
  } catch {
    return ZERO;
  }
}

export function cpuDelta(a: CpuTime, b: CpuTime): CpuTime {
  return { userMs: b.userMs - a.userMs, systemMs: b.systemMs - a.systemMs, totalMs: b.totalMs - a.totalMs };
}

/** Nearest-rank percentile (p in [0, 100]) of unsorted samples; NaN for none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
