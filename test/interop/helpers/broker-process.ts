/**
 * Runs a real broker process (`node dist/cli/strata.js start`) on a free port, as a user would, for interop tests:
 * configured with --override, its JSON log lines collected, stopped with SIGTERM (clean) or SIGKILL (crash).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
export const STRATA_CLI = path.join(ROOT, 'dist', 'cli', 'strata.js');

export interface BrokerProcess {
  port: number;
  dir: string;
  bootstrap: string;
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startBroker(dir: string, overrides: Record<string, string | number> = {}, port = 0): Promise<BrokerProcess> {
  const props: Record<string, string | number> = {
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': dir,
    'group.initial.rebalance.delay.ms': 0,
    ...overrides,
  };
  const args = [STRATA_CLI, 'start', ...Object.entries(props).flatMap(([k, v]) => ['--override', `${k}=${v}`])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STRATA_LOG_LEVEL: 'info' } });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      stderr += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'broker started') resolve(entry.port as number);
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => reject(new Error(`broker exited with ${code} before starting: ${stderr}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const actualPort = await started.finally(() => clearTimeout(timer));
  return {
    port: actualPort,
    dir,
    bootstrap: `127.0.0.1:${actualPort}`,
    logs,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
