/**
 * Runs the load generator (broker-load.ts) in worker threads: each spec is one worker; all connect, warm up,
 * then start the timed run together on one 'go', so the figure covers the window in which all of them ran
 * (earliest start to latest end). `onStart` / `onEnd` run right around that window (e.g. to read the broker's
 * CPU time).
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { LoadResult, LoadSpec, WorkerMessage } from './broker-load';

const WORKER_FILE = path.join(__dirname, 'broker-load.ts');

/** The workers' results merged, with the timed window in seconds. */
export interface LoadRun extends LoadResult {
  seconds: number;
}

interface Handle {
  worker: Worker;
  next(type: WorkerMessage['type']): Promise<WorkerMessage>;
}

function startWorker(spec: LoadSpec): Handle {
  const worker = new Worker(WORKER_FILE, { workerData: spec, execArgv: ['-r', require.resolve('tsx/cjs')] });
  const queue: WorkerMessage[] = [];
  const waiters: Array<(m: WorkerMessage) => void> = [];
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure = err;
    for (const w of waiters.splice(0)) w({ type: 'error', message: err.message });
  };
  worker.on('message', (m: WorkerMessage) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (code !== 0) fail(new Error(`load worker exited with ${code}`));
  });
  return {
    worker,
    async next(type) {
      const m =
        queue.shift() ??
        (failure ? { type: 'error' as const, message: (failure as Error).message } : await new Promise<WorkerMessage>((resolve) => waiters.push(resolve)));
      if (m.type === 'error') throw new Error(`load worker: ${m.message}`);
      if (m.type !== type) throw new Error(`load worker: expected ${type}, got ${m.type}`);
      return m;
    },
  };
}

export async function runLoad(specs: LoadSpec[], hooks: { onStart?: () => void | Promise<void>; onEnd?: () => void } = {}): Promise<LoadRun> {
  const handles = specs.map(startWorker);
  try {
    await Promise.all(handles.map((h) => h.next('ready')));
    await Promise.all(handles.map((h) => h.next('warm')));
    await hooks.onStart?.();
    for (const h of handles) h.worker.postMessage('go');
    const results = (await Promise.all(handles.map((h) => h.next('done')))).map((m) => (m as { result: LoadResult }).result);
    hooks.onEnd?.();
    const startNs = Math.min(...results.map((r) => r.startNs));
    const endNs = Math.max(...results.map((r) => r.endNs));
    const latencies = new Float64Array(results.reduce((n, r) => n + r.latenciesMs.length, 0));
    let at = 0;
    for (const r of results) {
      latencies.set(r.latenciesMs, at);
      at += r.latenciesMs.length;
    }
    return {
      seconds: (endNs - startNs) / 1e9,
      startNs,
      endNs,
      requests: results.reduce((n, r) => n + r.requests, 0),
      records: results.reduce((n, r) => n + r.records, 0),
      recordBytes: results.reduce((n, r) => n + r.recordBytes, 0),
      wireBytes: results.reduce((n, r) => n + r.wireBytes, 0),
      errors: results.reduce((n, r) => n + r.errors, 0),
      firstError: results.find((r) => r.firstError)?.firstError ?? null,
      latenciesMs: latencies,
    };
  } finally {
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }
}
