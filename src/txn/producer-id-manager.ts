/**
 * ProducerIdManager: hands out producer ids that are never reused, across restarts and crashes.
 *
 * File `producer-id-block` in the data directory (one line, `next.block.start=<n>`, replaced atomically): ids below
 * n may have been handed out already. Ids are taken from a block of BLOCK_SIZE reserved by writing the block's end
 * durably before its first id is used (Kafka reserves blocks of 1000 the same way, in ZooKeeper or the controller's
 * log). A crash wastes at most the rest of a block; no id is ever given twice.
 *
 * Who may call: the broker, from the JS thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError } from '../errors/strata-error';
import { writeFileAtomically } from '../storage/atomic-file';

export const PRODUCER_ID_BLOCK_FILE = 'producer-id-block';
export const BLOCK_SIZE = 1000;
const KEY = 'next.block.start';

export class ProducerIdManager {
  private readonly file: string;
  private next: number;
  private blockEnd: number;

  private constructor(file: string, reservedEnd: number) {
    this.file = file;
    this.next = reservedEnd;
    this.blockEnd = reservedEnd;
  }

  static open(dataDir: string): ProducerIdManager {
    const file = path.join(dataDir, PRODUCER_ID_BLOCK_FILE);
    let start = 0;
    if (fs.existsSync(file)) {
      const match = new RegExp(`^${KEY.replace(/\./g, '\\.')}=(\\d+)\\s*$`, 'm').exec(fs.readFileSync(file, 'utf8'));
      start = match ? Number(match[1]) : NaN;
      if (!Number.isSafeInteger(start)) throw new StrataError('ERR_CORRUPT_STATE', `${file}: no valid ${KEY} line`);
    }
    return new ProducerIdManager(file, start);
  }

  /** A producer id never handed out before. */
  generate(): number {
    if (this.next >= this.blockEnd) {
      const end = this.next + BLOCK_SIZE;
      if (end > Number.MAX_SAFE_INTEGER) throw new StrataError('ERR_CORRUPT_STATE', 'producer ids exhausted');
      writeFileAtomically(this.file, `${KEY}=${end}\n`);
      this.blockEnd = end;
    }
    return this.next++;
  }
}
