/**
 * Replaces a small file atomically and durably: write a temp file beside it, fsync it, rename it over the old
 * one, fsync the directory. A reader (or a restart after a crash) sees the old content or the new, never a mix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `durable: false` skips both fsyncs (a rename still never exposes a half-written file to a reader; after a power
 * loss the content may be lost or torn, which callers must detect, e.g. by a CRC). A failed write leaves no temp
 * file behind.
 */
export function writeFileAtomically(file: string, data: string | Uint8Array, options: { durable?: boolean } = {}): void {
  const durable = options.durable !== false;
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durable) fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  if (durable) fsyncDirectory(path.dirname(file));
}
