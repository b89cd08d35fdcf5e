/**
 * Structured logging: one JSON line per event on stderr (the shape pino writes, so it can replace this without
 * changing callers). Level from STRATA_LOG_LEVEL (error|warn|info|debug), default info.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { error: 50, warn: 40, info: 30, debug: 20 };

export function createLogger(name: string, level: LogLevel = (process.env.STRATA_LOG_LEVEL as LogLevel) ?? 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const emit = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    write(JSON.stringify({ level: ORDER[lvl], time: Date.now(), name, msg, ...fields }) + '\n');
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
