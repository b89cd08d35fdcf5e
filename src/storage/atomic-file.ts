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

export function writeFileAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
}
