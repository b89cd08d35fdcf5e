/**
 * What the `strata` commands share: the --bootstrap-server parser, the plain-text table, and the parsing of the
 * options several of them take (usage errors, integers, --acks, --compression).
 */
import type { CompressionName } from '../client/producer';

/** A usage error: the command prints it and exits 2. */
export function usageError(message: string): never {
  throw Object.assign(new Error(message), { code: 'ERR_INVALID_CONFIG' });
}

/** An integer option in [min, max] (usage error otherwise); undefined when not given. */
export function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) usageError(`--${name} must be an integer in [${min}, ${max}], not "${value}"`);
  return n;
}

/** --acks 0|1|-1|all; undefined when not given. */
export function parseAcks(value: string | undefined): 0 | 1 | -1 | undefined {
  if (value === undefined) return undefined;
  if (value === 'all' || value === '-1') return -1;
  if (value === '0' || value === '1') return Number(value) as 0 | 1;
  return usageError(`--acks must be 0, 1, -1 or all, not "${value}"`);
}

export const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** --compression none|gzip|snappy|lz4|zstd; undefined when not given. */
export function parseCompression(value: string | undefined): CompressionName | undefined {
  if (value === undefined) return undefined;
  if (!COMPRESSIONS.includes(value as CompressionName)) usageError(`--compression must be one of ${COMPRESSIONS.join(', ')}, not "${value}"`);
  return value as CompressionName;
}

/** host:port of the first --bootstrap-server entry (usage error, exit 2, otherwise). */
export function parseBootstrap(server: string): { host: string; port: number } {
  const first = server.split(',')[0].trim();
  const i = first.lastIndexOf(':');
  const port = Number(first.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw Object.assign(new Error(`bad --bootstrap-server "${server}" (host:port)`), { code: 'ERR_INVALID_CONFIG' });
  return { host: first.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * `--acks -1`, `--offset -10`, `--shift-by -5` as Kafka's users write them: node:util parseArgs would take the
 * negative number for an option and fail, so these options' negative values are joined first (`--acks=-1`).
 */
export function joinNegativeValues(argv: string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (names.includes(argv[i]) && i + 1 < argv.length && /^-\d+$/.test(argv[i + 1])) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}
