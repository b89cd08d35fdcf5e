/** What the `strata` commands share: the --bootstrap-server parser and the plain-text table. */

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
