/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) over a time window: where the process spent its time, by
 * category (GC, protocol codec, record batches, storage, server framing, socket writes, native calls, idle: the
 * latter includes libuv's socket read() syscalls, made while Node has marked the isolate idle),
 * the top functions by self time, and selected functions by inclusive time (their whole call tree).
 *
 * The profile's timestamps are microseconds of CLOCK_MONOTONIC, the clock of process.hrtime in every process
 * of the machine, so a window measured by the load generator selects exactly the broker's samples in it.
 *
 *   node -r tsx/cjs bench/helpers/cpu-profile-summary.ts FILE.cpuprofile [fromUs toUs]
 */
import * as fs from 'node:fs';
import { formatRate, markdownTable } from './markdown-table';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  windowMs: number;
  sampledMs: number;
  categories: Array<{ category: string; ms: number; percent: number }>;
  topSelf: Array<{ fn: string; ms: number; percent: number }>;
  inclusive: Array<{ fn: string; ms: number; percent: number }>;
}

/** The project folder of a frame's script: src/storage/log.ts, or dist/storage/log.js when the broker runs built. */
const PROJECT = /^(?!.*\/node_modules\/).*\/(?:src|dist)\/(.*)$/;

function shortUrl(url: string): string {
  const m = PROJECT.exec(url);
  if (m) return m[1];
  if (url.startsWith('file://')) return url.slice(url.lastIndexOf('/') + 1);
  return url;
}

function label(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : `${f.functionName || '(anonymous)'} [native]`;
  return `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
}

/** The category of the frame a sample was taken in (self time). */
function category(f: CallFrame): string {
  const u = f.url;
  if (!u) {
    if (f.functionName === '(garbage collector)') return 'GC';
    // Node marks the isolate idle for libuv's whole poll phase: that includes the read() syscalls on sockets.
    if (f.functionName === '(idle)') return '(idle): epoll wait + libuv read() syscalls';
    if (f.functionName === '(program)') return 'V8/libuv outside JS ((program))';
    if (f.functionName === '(root)') return 'V8/libuv outside JS ((program))';
    if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString|shutdown|close|readStart|readStop)$/.test(f.functionName)) {
      return 'socket syscalls (native write/read calls)';
    }
    if (/crc/i.test(f.functionName)) return 'CRC-32C (native)';
    return `native call: ${f.functionName}`;
  }
  const project = PROJECT.exec(u)?.[1];
  if (project !== undefined) {
    if (project.startsWith('protocol/records/')) return 'protocol/records (batch checks)';
    if (project.startsWith('protocol/')) return 'protocol (request decode / response encode)';
    if (project.startsWith('storage/')) return 'storage (Log, LogSegment: TS + native calls made from them)';
    if (project.startsWith('native/')) return 'native/binding (TS)';
    if (project.startsWith('server/')) return 'server (framing, ordering)';
    if (project.startsWith('broker/')) return 'broker (dispatch, handlers)';
    return `${project.split('/')[0]} (other)`;
  }
  if (/^node:(net|stream|internal\/(stream_base_commons|streams|net))/.test(u)) return 'node: net/streams (JS)';
  if (u.startsWith('node:internal/process/task_queues') || u.startsWith('node:internal/timers')) return 'node: task queues/timers';
  if (u.startsWith('node:')) return `node: other (${u.replace(/^node:(internal\/)?/, '')})`;
  return 'other JS';
}

/** Functions whose inclusive time says where a request's cost goes (matched on name and file). */
const INCLUSIVE: Array<[string, RegExp, RegExp]> = [
  ['Connection.onData (framing, joins)', /^onData$/, /server\/connection\.[jt]s$/],
  ['Connection.take (frame join copy)', /^take$/, /server\/connection\.[jt]s$/],
  ['Connection.pump (serve queue)', /^pump$/, /server\/connection\.[jt]s$/],
  ['Connection.write (response to socket)', /^write$/, /server\/connection\.[jt]s$/],
  ['Broker.dispatch', /^dispatch$/, /broker\/broker\.[jt]s$/],
  ['decodeRequestHeader', /^decodeRequestHeader$/, /protocol\/header\.[jt]s$/],
  ['decodeRequest (body)', /^decodeRequest$/, /protocol\/api-codec\.[jt]s$/],
  ['encodeResponse', /^encodeResponse$/, /protocol\/api-codec\.[jt]s$/],
  ['produce handler', /.*/, /broker\/handlers\/produce\.[jt]s$/],
  ['fetch handler', /.*/, /broker\/handlers\/fetch\.[jt]s$/],
  ['Log.append (checks, CRC-32C, copy)', /^append$/, /storage\/log\.[jt]s$/],
  ['LogSegment.append (copy into the mapping)', /^append$/, /storage\/log-segment\.[jt]s$/],
  ['Log.read', /^read$/, /storage\/log\.[jt]s$/],
  ['LogSegment.view (Buffers over the mapping)', /^view$/, /storage\/log-segment\.[jt]s$/],
  ['FetchPurgatory', /.*/, /broker\/fetch-purgatory\.[jt]s$/],
  ['socket writev/writeBuffer (native)', /^(writev|writeBuffer)$/, /^$/],
];

export function summarizeProfile(profile: CpuProfile, fromUs = -Infinity, toUs = Infinity, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfMs = new Map<string, number>();
  const catMs = new Map<string, number>();
  const inclMs = new Map<string, number>();
  let t = profile.startTime;
  let sampled = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    const w = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
    if (!(w > 0)) continue;
    first = Math.min(first, t);
    last = Math.max(last, t);
    sampled += w;
    const node = byId.get(profile.samples[i])!;
    const f = node.callFrame;
    const key = label(f);
    selfMs.set(key, (selfMs.get(key) ?? 0) + w);
    const cat = category(f);
    catMs.set(cat, (catMs.get(cat) ?? 0) + w);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      for (const [name, fnRe, urlRe] of INCLUSIVE) {
        if (!seen.has(name) && fnRe.test(cf.functionName) && urlRe.test(cf.url)) {
          seen.add(name);
          inclMs.set(name, (inclMs.get(name) ?? 0) + w);
        }
      }
    }
  }
  const pct = (ms: number) => (sampled > 0 ? (ms / sampled) * 100 : 0);
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    windowMs: Number.isFinite(first) ? (last - first) / 1000 : 0,
    sampledMs: sampled,
    categories: sorted(catMs).map(([category, ms]) => ({ category, ms, percent: pct(ms) })),
    topSelf: sorted(selfMs)
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms, percent: pct(ms) })),
    inclusive: INCLUSIVE.map(([name]) => name)
      .filter((n) => inclMs.has(n))
      .map((fn) => ({ fn, ms: inclMs.get(fn)!, percent: pct(inclMs.get(fn)!) })),
  };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const lines = [`#### ${title}`, '', `window ${formatRate(s.windowMs)} ms, sampled ${formatRate(s.sampledMs)} ms`, ''];
  lines.push(markdownTable(['category (self time)', 'ms', '%'], s.categories.map((c) => [c.category, formatRate(c.ms), c.percent.toFixed(1)])));
  lines.push('');
  lines.push(markdownTable(['function (self time)', 'ms', '%'], s.topSelf.map((c) => [c.fn, formatRate(c.ms), c.percent.toFixed(1)])));
  lines.push('');
  lines.push(markdownTable(['function (inclusive: it and all it calls)', 'ms', '%'], s.inclusive.map((c) => [c.fn, formatRate(c.ms), c.percent.toFixed(1)])));
  return lines.join('\n');
}

if (require.main === module) {
  const [file, from, to] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: cpu-profile-summary.ts FILE.cpuprofile [fromUs toUs]\n');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const s = summarizeProfile(profile, from ? Number(from) : -Infinity, to ? Number(to) : Infinity);
  process.stdout.write(formatSummary(file, s) + '\n');
}
