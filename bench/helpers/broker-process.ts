/**
 * A broker in its own process for the broker benchmark, started as a user starts it (`strata start --override
 * ...`), either the built CLI (dist/cli/strata.js, what `npm start` runs) or the TypeScript sources through tsx
 * (the working tree as it is, no build needed). Unlike test/interop/helpers/broker-process.ts it takes extra
 * node flags (--cpu-prof, --perf-basic-prof) and reports the process id, so the benchmark can read the broker's
 * CPU time from /proc and profile it. Stopped with SIGTERM: a clean shutdown, which also writes a --cpu-prof file.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DIST_CLI = path.join(ROOT, 'dist', 'cli', 'strata.js');
const SRC_CLI = path.join(ROOT, 'src', 'cli', 'strata.ts');
const START_TIMEOUT_MS = 30_000;

export type BrokerSource = 'dist' | 'src';

export interface BenchBrokerOptions {
  dir: string;
  source: BrokerSource;
  overrides?: Record<string, string | number>;
  /** Node flags placed before the script (e.g. --cpu-prof --cpu-prof-dir=...). */
  nodeArgs?: string[];
}

export interface BenchBroker {
  pid: number;
  port: number;
  bootstrap: string;
  source: BrokerSource;
  /** SIGTERM (clean shutdown) and wait for the exit; SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** The broker's stdout and stderr so far (its JSON log lines; node's --trace-gc lines). */
  output(): string;
}

/** The CLI a broker process runs, and whether any source file is newer than the built one (a stale dist). */
export function brokerEntry(source: BrokerSource): { args: string[]; staleFiles: string[] } {
  if (source === 'src') return { args: ['-r', require.resolve('tsx/cjs'), SRC_CLI], staleFiles: [] };
  if (!fs.existsSync(DIST_CLI)) throw new Error(`${DIST_CLI} is missing: npm run build:ts, or --broker=src`);
  return { args: [DIST_CLI], staleFiles: newerSources(path.join(ROOT, 'src'), path.join(ROOT, 'dist')) };
}

/** .ts files under srcDir whose compiled .js under distDir is missing or older. */
function newerSources(srcDir: string, distDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const js = path.join(distDir, path.relative(srcDir, p)).replace(/\.ts$/, '.js');
        if (!fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(p).mtimeMs) out.push(path.relative(ROOT, p));
      }
    }
  };
  walk(srcDir);
  return out;
}

export async function startBenchBroker(options: BenchBrokerOptions): Promise<BenchBroker> {
  const props: Record<string, string | number> = {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': options.dir,
    ...options.overrides,
  };
  const { args: entry } = brokerEntry(options.source);
  const args = [...(options.nodeArgs ?? []), ...entry, 'start', ...Object.entries(props).flatMap(([k, v]) => ['--override', `${k}=${v}`])];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
    env: { ...process.env, STRATA_LOG_LEVEL: 'info' },
  });
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      buffer += text;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.msg === 'broker started') {
            clearTimeout(timer);
            resolve(entry.port as number);
          }
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before starting: ${stderr}`));
    });
  });
  return {
    pid: child.pid!,
    port,
    bootstrap: `127.0.0.1:${port}`,
    source: options.source,
    output: () => stderr,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
