/**
 * TxnIndex: the aborted transactions of one partition log, for read_committed fetches (Kafka's TransactionIndex).
 *
 * On disk, per segment, `<20-digit base offset>.txnindex`: one 34-byte entry per transaction whose ABORT marker
 * lies in that segment, in marker order (Kafka's layout, big-endian): version i16 (0), producerId i64,
 * firstOffset i64, lastOffset i64 (the marker's offset), lastStableOffset i64 (the LSO once it was closed).
 * In memory, every entry of the log in one array sorted by lastOffset.
 *
 * The files are appended to as markers are written and fsynced with the log's flush; memory is updated first, and
 * a file that could not be written (or was found torn on load) is rewritten whole, atomically, at the next flush.
 * After an unclean stop the Log replays its batches from a producer snapshot and rebuilds the entries from that
 * offset on (replaceFrom, atomic rewrites, fsynced before the log is used), so a lost or torn tail is regenerated
 * from the log itself.
 *
 * Who may call: the owning Log, from the JS thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { segmentFileName } from './log-segment';
import { readInt64, writeInt64 } from './int64';
import { writeFileAtomically } from './atomic-file';

export const TXN_INDEX_SUFFIX = '.txnindex';
const ENTRY_BYTES = 34;
const VERSION = 0;

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

function encode(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * ENTRY_BYTES);
  entries.forEach((e, i) => {
    const p = i * ENTRY_BYTES;
    buf.writeInt16BE(VERSION, p);
    writeInt64(buf, p + 2, e.producerId);
    writeInt64(buf, p + 10, e.firstOffset);
    writeInt64(buf, p + 18, e.lastOffset);
    writeInt64(buf, p + 26, e.lastStableOffset);
  });
  return buf;
}

export class TxnIndex {
  private entries: AbortedTxn[] = [];
  /** Segment bases whose file changed since the last flush. */
  private readonly dirty = new Set<number>();
  /** Segment bases whose file must be rewritten from memory (a failed append, a torn tail found on load). */
  private readonly stale = new Set<number>();

  constructor(private readonly dir: string) {}

  get size(): number {
    return this.entries.length;
  }

  all(): readonly AbortedTxn[] {
    return this.entries;
  }

  private file(base: number): string {
    return path.join(this.dir, segmentFileName(base, TXN_INDEX_SUFFIX));
  }

  /** Reads the files of the given segments (ascending bases); files of other segments are deleted. */
  load(segmentBases: readonly number[]): void {
    const keep = new Set(segmentBases);
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith(TXN_INDEX_SUFFIX)) continue;
      const base = Number(name.slice(0, -TXN_INDEX_SUFFIX.length));
      if (!keep.has(base)) fs.rmSync(path.join(this.dir, name), { force: true });
    }
    const entries: AbortedTxn[] = [];
    for (const base of segmentBases) {
      let buf: Buffer;
      try {
        buf = fs.readFileSync(this.file(base));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      // A torn last entry (crash mid-write) is dropped, and the file rewritten without it at the next flush, so
      // later appends stay aligned; replay regenerates what it held.
      let p = 0;
      for (; p + ENTRY_BYTES <= buf.length; p += ENTRY_BYTES) {
        if (buf.readInt16BE(p) !== VERSION) break;
        entries.push({ producerId: readInt64(buf, p + 2), firstOffset: readInt64(buf, p + 10), lastOffset: readInt64(buf, p + 18), lastStableOffset: readInt64(buf, p + 26) });
      }
      if (p !== buf.length) this.stale.add(base);
    }
    entries.sort((a, b) => a.lastOffset - b.lastOffset);
    this.entries = entries;
  }

  /** Adds an aborted transaction whose marker is in the segment at `segmentBase` (markers come in offset order). */
  append(segmentBase: number, entry: AbortedTxn): void {
    // Memory first: it is what fetches read. A file that cannot be written now (a full disk) is rewritten from
    // memory at the next flush; never an abort forgotten because a write failed.
    this.entries.push(entry);
    this.dirty.add(segmentBase);
    if (this.stale.has(segmentBase)) return;
    try {
      fs.appendFileSync(this.file(segmentBase), encode([entry]));
    } catch {
      this.stale.add(segmentBase);
    }
  }

  /** Writes a segment's file from memory, atomically (temp file, fsync, rename). */
  private rewrite(base: number, next: number): void {
    const mine = this.entries.filter((e) => e.lastOffset >= base && e.lastOffset < next);
    const file = this.file(base);
    if (mine.length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    writeFileAtomically(file, encode(mine));
  }

  /** Rewrites stale files; `segmentBases` ascending. Failures leave them stale for the next try. */
  private rewriteStale(segmentBases: readonly number[]): void {
    for (const base of [...this.stale]) {
      const i = segmentBases.indexOf(base);
      if (i < 0) {
        this.stale.delete(base);
        continue;
      }
      try {
        this.rewrite(base, i + 1 < segmentBases.length ? segmentBases[i + 1] : Infinity);
        this.stale.delete(base);
      } catch {
        // still stale
      }
    }
  }

  /**
   * Replaces every entry with lastOffset >= `from` by `replacement` (rebuilt from the log), rewriting the files
   * of the segments concerned. `segmentBases` are the log's segments, ascending.
   */
  replaceFrom(from: number, replacement: readonly AbortedTxn[], segmentBases: readonly number[]): void {
    const kept = this.entries.filter((e) => e.lastOffset < from);
    const changed = this.entries.length !== kept.length || replacement.length > 0;
    this.entries = kept.concat(replacement);
    if (!changed) return;
    for (let i = 0; i < segmentBases.length; i++) {
      const base = segmentBases[i];
      const next = i + 1 < segmentBases.length ? segmentBases[i + 1] : Infinity;
      if (next <= from) continue;
      try {
        this.rewrite(base, next);
        this.stale.delete(base);
      } catch {
        this.stale.add(base);
      }
    }
  }

  /** Forgets the entries of deleted segments (every marker below `firstSegmentBase`) and their files. */
  dropBefore(firstSegmentBase: number, deletedBases: readonly number[]): void {
    this.entries = this.entries.filter((e) => e.lastOffset >= firstSegmentBase);
    for (const base of deletedBases) {
      fs.rmSync(this.file(base), { force: true });
      this.dirty.delete(base);
    }
  }

  /**
   * The aborted transactions a read_committed fetch of [fetchOffset, upperBoundOffset) needs: those ending at or
   * after fetchOffset that began before the upper bound. Stops, as Kafka does, at the first entry whose LSO reaches
   * the upper bound: no transaction ending later can have begun before it.
   */
  collect(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].lastOffset < fetchOffset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.firstOffset < upperBoundOffset) out.push(e);
      if (e.lastStableOffset >= upperBoundOffset) break;
    }
    return out;
  }

  /** fsyncs the files written since the last call (with the log's flush), rewriting stale ones first. */
  async flush(segmentBases: readonly number[]): Promise<void> {
    if (this.stale.size > 0) this.rewriteStale(segmentBases);
    const bases = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      bases.map(async (base) => {
        let handle: fs.promises.FileHandle;
        try {
          handle = await fs.promises.open(this.file(base), 'r');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw err;
        }
        try {
          await handle.datasync();
        } finally {
          await handle.close();
        }
      }),
    );
  }

  flushSync(segmentBases: readonly number[]): void {
    if (this.stale.size > 0) this.rewriteStale(segmentBases);
    for (const base of this.dirty) {
      let fd: number;
      try {
        fd = fs.openSync(this.file(base), 'r');
      } catch {
        continue;
      }
      try {
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    this.dirty.clear();
  }
}
