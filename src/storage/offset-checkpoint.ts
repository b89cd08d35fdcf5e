/**
 * Kafka's offset checkpoint file (recovery-point-offset-checkpoint, log-start-offset-checkpoint), one per data
 * directory:
 *
 *   0                      version
 *   2                      number of entries
 *   orders 0 1234          topic, partition, offset — one line each
 *   orders 1 99
 *
 * Written atomically: a temp file, fsync, rename over the old one, fsync of the directory. A missing file reads
 * as empty; a malformed one throws CORRUPT_MESSAGE rather than guessing.
 */
import * as fs from 'node:fs';
import { StorageError } from '../errors/storage-error';
import { writeFileAtomically } from './atomic-file';

export type PartitionOffsets = Map<string, number>; // key: `${topic}-${partition}` (the directory name)

export function readOffsetCheckpoint(file: string): PartitionOffsets {
  const out: PartitionOffsets = new Map();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const bad = (why: string): never => {
    throw new StorageError(`malformed checkpoint ${file}: ${why}`, { code: 'CORRUPT_MESSAGE', path: file });
  };
  if (lines[0] !== '0') bad(`unknown version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || count !== lines.length - 2) bad('entry count does not match');
  for (const line of lines.slice(2)) {
    const parts = line.split(' ');
    if (parts.length !== 3) bad(`line "${line}"`);
    const [topic, partition, offset] = parts;
    const p = Number(partition);
    const o = Number(offset);
    if (!Number.isSafeInteger(p) || p < 0 || !Number.isSafeInteger(o)) bad(`line "${line}"`);
    out.set(`${topic}-${p}`, o);
  }
  return out;
}

export function writeOffsetCheckpoint(file: string, entries: Iterable<[topic: string, partition: number, offset: number]>): void {
  const lines: string[] = [];
  for (const [topic, partition, offset] of entries) lines.push(`${topic} ${partition} ${offset}`);
  const text = `0\n${lines.length}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
  writeFileAtomically(file, text);
}
