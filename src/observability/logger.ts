/**
 * Structured logging through pino: one JSON line per notable event on stderr (level, time, pid, hostname, name,
 * msg, then the event's fields), or pino-pretty's coloured lines for a terminal. Level from STRATA_LOG_LEVEL
 * (error|warn|info|debug, default info); format from STRATA_LOG_FORMAT (json|pretty; default pretty when stderr is
 * a terminal, json otherwise, so scripts and log shippers always get JSON).
 *
 * Callers write `log.info('topic created', { topic })`: message first, as most Node code reads; pino's
 * (fields, message) order is this module's business. Writes are synchronous: the events are few (start, topics,
 * rebalances, recovery, throttling, errors) and none may be lost to a crash right after it.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import pretty from 'pino-pretty';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'pretty';
  /** Where lines go (default stderr); for tests. */
  write?: (line: string) => void;
}

function levelFromEnv(): LogLevel {
  const v = process.env.STRATA_LOG_LEVEL as LogLevel | undefined;
  return v !== undefined && LEVELS.includes(v) ? v : 'info';
}

function formatFromEnv(): 'json' | 'pretty' {
  const v = process.env.STRATA_LOG_FORMAT;
  if (v === 'json' || v === 'pretty') return v;
  return process.stderr.isTTY ? 'pretty' : 'json';
}

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? levelFromEnv();
  const format = options.format ?? formatFromEnv();
  const write = options.write;
  const destination =
    format === 'pretty'
      ? pretty({ sync: true, destination: write ? lineStream(write) : 2, colorize: write ? false : process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : write
        ? { write }
        : pino.destination({ dest: 2, sync: true });
  const p = pino({ name, level }, destination);
  return {
    error: (msg, fields) => p.error(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
  };
}

function lineStream(write: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      write(chunk.toString());
      done();
    },
  });
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
