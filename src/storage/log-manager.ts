/**
 * LogManager: every partition log under one data directory (Kafka's `log.dirs`, one directory here).
 *
 * On disk, beside the partition directories `<topic>-<partition>/`:
 *   recovery-point-offset-checkpoint   per partition, the offset below which data is known flushed
 *   log-start-offset-checkpoint        per partition, the log start offset (DeleteRecords, retention)
 *   .kafka_cleanshutdown               present only after a clean close: the next open scans nothing
 * Deleted partitions are first renamed to `<topic>-<partition>.<uuid>-delete` (atomic), then removed.
 *
 * Invariants: one Log per directory; the clean-shutdown marker is removed as soon as logs are opened, so any
 * later stop without close() is seen as unclean. JS thread only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_LOG_CONFIG, LogConfig } from '../config/log-config';
import { StorageError } from '../errors/storage-error';
import { StrataError } from '../errors/strata-error';
import { Log, RecoveryInfo, RetentionResult } from './log';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from './offset-checkpoint';
import { fsyncDirectory } from './atomic-file';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEAN_SHUTDOWN_MARKER = '.kafka_cleanshutdown';
const DELETE_SUFFIX = '-delete';
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export interface LogManagerOptions {
  dir: string;
  /** Broker-wide defaults (log.segment.bytes, retention.ms, ...). */
  defaults?: Partial<LogConfig>;
  /** Topic-level overrides for logs found at open (the broker keeps topic configs). */
  configFor?: (topic: string, partition: number) => Partial<LogConfig> | undefined;
  now?: () => number;
  /**
   * Called after each partition log is opened (recovered, after an unclean stop), with the count so far and the
   * total, so a start-up over many logs can show progress. Runs synchronously inside open().
   */
  onProgress?: (progress: LoadProgress) => void;
}

/** One step of LogManager.open: `loaded` of `total` partition logs are open. */
export interface LoadProgress {
  topic: string;
  partition: number;
  loaded: number;
  total: number;
  cleanShutdown: boolean;
  /** Totals over the logs loaded so far. */
  segmentsScanned: number;
  truncatedBytes: number;
  elapsedMs: number;
  /** This log's own recovery, and its end offset after it. */
  recovery: RecoveryInfo;
  logEndOffset: number;
}

export interface SchedulerIntervals {
  /** log.retention.check.interval.ms */
  retentionCheckIntervalMs: number;
  /** log.flush.scheduler.interval.ms (Kafka's default is Long.MAX; flush.ms is then checked once a second here) */
  flushSchedulerIntervalMs: number;
  /** log.flush.offset.checkpoint.interval.ms */
  checkpointIntervalMs: number;
  /** producer.id.expiration.check.interval.ms */
  producerIdExpirationCheckIntervalMs: number;
  /** producer.id.expiration.ms */
  producerIdExpirationMs: number;
}

export const DEFAULT_SCHEDULER_INTERVALS: Readonly<SchedulerIntervals> = Object.freeze({
  retentionCheckIntervalMs: 300_000,
  flushSchedulerIntervalMs: 1_000,
  checkpointIntervalMs: 60_000,
  producerIdExpirationCheckIntervalMs: 600_000,
  producerIdExpirationMs: 86_400_000,
});

export interface PartitionLog {
  topic: string;
  partition: number;
  log: Log;
}

export interface LoadReport {
  cleanShutdown: boolean;
  logs: number;
  segmentsScanned: number;
  truncatedBytes: number;
  durationMs: number;
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** `orders-3` → ['orders', 3]; null for names that are not partition directories. */
export function parsePartitionDirName(name: string): [string, number] | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return null;
  const topic = name.slice(0, dash);
  const digits = name.slice(dash + 1);
  if (!/^\d+$/.test(digits) || !TOPIC_NAME.test(topic)) return null;
  const partition = Number(digits);
  return Number.isSafeInteger(partition) && partition <= 2 ** 31 - 1 ? [topic, partition] : null;
}

export class LogManager {
  readonly dir: string;
  readonly defaults: LogConfig;
  readonly loadReport: LoadReport;
  private readonly logs = new Map<string, PartitionLog>();
  private readonly now: () => number;
  private closed = false;
  private timers: NodeJS.Timeout[] = [];

  private constructor(dir: string, defaults: LogConfig, now: () => number, loadReport: LoadReport) {
    this.dir = dir;
    this.defaults = defaults;
    this.now = now;
    this.loadReport = loadReport;
  }

  static open(options: LogManagerOptions): LogManager {
    const started = Date.now();
    const dir = options.dir;
    const now = options.now ?? Date.now;
    fs.mkdirSync(dir, { recursive: true });
    const defaults: LogConfig = { ...DEFAULT_LOG_CONFIG, ...options.defaults };
    const markerPath = path.join(dir, CLEAN_SHUTDOWN_MARKER);
    const cleanShutdown = fs.existsSync(markerPath);
    const recoveryPoints = readOffsetCheckpoint(path.join(dir, RECOVERY_POINT_CHECKPOINT));
    const startOffsets = readOffsetCheckpoint(path.join(dir, LOG_START_OFFSET_CHECKPOINT));
    const report: LoadReport = { cleanShutdown, logs: 0, segmentsScanned: 0, truncatedBytes: 0, durationMs: 0 };
    const manager = new LogManager(dir, defaults, now, report);
    try {
      const found: Array<{ name: string; topic: string; partition: number }> = [];
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        if (entry.name.endsWith(DELETE_SUFFIX)) {
          // A delete interrupted by a stop: finish it.
          fs.rmSync(path.join(dir, entry.name), { recursive: true, force: true });
          continue;
        }
        const parsed = parsePartitionDirName(entry.name);
        if (parsed) found.push({ name: entry.name, topic: parsed[0], partition: parsed[1] });
      }
      for (const { name, topic, partition } of found) {
        const log = Log.open(path.join(dir, name), {
          config: { ...defaults, ...options.configFor?.(topic, partition) },
          cleanShutdown,
          recoveryPoint: recoveryPoints.get(name) ?? 0,
          logStartOffset: startOffsets.get(name) ?? 0,
          now,
        });
        manager.logs.set(name, { topic, partition, log });
        report.logs++;
        report.segmentsScanned += log.recovery.segmentsScanned;
        report.truncatedBytes += log.recovery.truncatedBytes;
        options.onProgress?.({
          topic,
          partition,
          loaded: report.logs,
          total: found.length,
          cleanShutdown,
          segmentsScanned: report.segmentsScanned,
          truncatedBytes: report.truncatedBytes,
          elapsedMs: Date.now() - started,
          recovery: log.recovery,
          logEndOffset: log.logEndOffset,
        });
      }
    } catch (err) {
      for (const p of manager.logs.values()) p.log.close();
      throw err;
    }
    // From here on a stop without close() must be treated as unclean.
    fs.rmSync(markerPath, { force: true });
    manager.checkpoint();
    report.durationMs = Date.now() - started;
    return manager;
  }

  private ensureOpen(): void {
    if (this.closed) throw new StorageError(`log manager ${this.dir} is closed`, { code: 'ERR_LOG_CLOSED' });
  }

  createLog(topic: string, partition: number, config?: Partial<LogConfig>): Log {
    this.ensureOpen();
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
      throw new StrataError('ERR_INVALID_TOPIC', `illegal topic name "${topic}": [a-zA-Z0-9._-], 1 to 249 characters`);
    }
    if (!Number.isSafeInteger(partition) || partition < 0 || partition > 2 ** 31 - 1) {
      throw new StrataError('ERR_INVALID_ARG', `illegal partition ${partition}`);
    }
    const name = partitionDirName(topic, partition);
    if (this.logs.has(name)) throw new StorageError(`log ${name} exists`, { code: 'ERR_LOG_EXISTS' });
    const log = Log.open(path.join(this.dir, name), { config: { ...this.defaults, ...config }, now: this.now });
    this.logs.set(name, { topic, partition, log });
    return log;
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logs.get(partitionDirName(topic, partition))?.log;
  }

  getOrCreateLog(topic: string, partition: number, config?: Partial<LogConfig>): Log {
    return this.getLog(topic, partition) ?? this.createLog(topic, partition, config);
  }

  all(): PartitionLog[] {
    return [...this.logs.values()];
  }

  /** Deletes a partition's log: renamed away first (atomic), then removed. Views handed out stay readable. */
  deleteLog(topic: string, partition: number): void {
    this.ensureOpen();
    const name = partitionDirName(topic, partition);
    const entry = this.logs.get(name);
    if (!entry) throw new StorageError(`no log ${name}`, { code: 'ERR_UNKNOWN_LOG' });
    this.logs.delete(name);
    entry.log.close();
    const doomed = path.join(this.dir, `${name}.${randomUUID().replace(/-/g, '')}${DELETE_SUFFIX}`);
    fs.renameSync(entry.log.dir, doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
    this.checkpoint();
  }

  /** Writes both checkpoint files from the logs' current recovery points and start offsets. */
  checkpoint(): void {
    const rows = this.all();
    writeOffsetCheckpoint(
      path.join(this.dir, RECOVERY_POINT_CHECKPOINT),
      rows.map((p) => [p.topic, p.partition, p.log.recoveryPoint]),
    );
    writeOffsetCheckpoint(
      path.join(this.dir, LOG_START_OFFSET_CHECKPOINT),
      rows.map((p) => [p.topic, p.partition, p.log.logStartOffset]),
    );
  }

  async flushAll(): Promise<void> {
    this.ensureOpen();
    await Promise.all(this.all().map((p) => p.log.flush()));
    this.checkpoint();
  }

  /** One retention pass over every log (Kafka runs it every log.retention.check.interval.ms). */
  applyRetention(nowMs: number = this.now()): RetentionResult {
    this.ensureOpen();
    const total: RetentionResult = { deletedSegments: 0, deletedBytes: 0 };
    for (const p of this.all()) {
      const r = p.log.applyRetention(nowMs);
      total.deletedSegments += r.deletedSegments;
      total.deletedBytes += r.deletedBytes;
    }
    if (total.deletedSegments > 0) this.checkpoint();
    return total;
  }

  /**
   * Starts Kafka's periodic log tasks on unref'd timers (they never keep the process alive): retention every
   * log.retention.check.interval.ms, flush.ms checks every log.flush.scheduler.interval.ms, checkpoints
   * every log.flush.offset.checkpoint.interval.ms, and producer-id expiry every
   * producer.id.expiration.check.interval.ms. close() stops them.
   */
  startScheduler(intervals: Partial<SchedulerIntervals> = {}): void {
    this.ensureOpen();
    this.stopScheduler();
    const i = { ...DEFAULT_SCHEDULER_INTERVALS, ...intervals };
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(() => {
        try {
          task();
        } catch (err) {
          this.onBackgroundError(err);
        }
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(i.retentionCheckIntervalMs, () => this.applyRetention());
    every(i.flushSchedulerIntervalMs, () => {
      const now = this.now();
      for (const p of this.all()) p.log.flushIfDue(now)?.catch((err) => this.onBackgroundError(err));
    });
    every(i.checkpointIntervalMs, () => this.checkpoint());
    every(i.producerIdExpirationCheckIntervalMs, () => {
      const now = this.now();
      for (const p of this.all()) p.log.removeExpiredProducers(i.producerIdExpirationMs, now);
    });
  }

  stopScheduler(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  /** Where background task failures go; the broker replaces it with its logger. */
  onBackgroundError: (err: unknown) => void = (err) => {
    process.emitWarning(`strata log manager background task failed: ${String(err)}`);
  };

  /** Clean shutdown: flush and close every log, checkpoint, then leave the clean-shutdown marker. */
  close(): void {
    if (this.closed) return;
    this.stopScheduler();
    this.closed = true;
    let failure: unknown;
    for (const p of this.all()) {
      try {
        p.log.close();
      } catch (err) {
        failure ??= err;
      }
    }
    this.checkpoint();
    if (failure) throw failure; // no marker: the next open recovers what could not be closed cleanly
    const marker = path.join(this.dir, CLEAN_SHUTDOWN_MARKER);
    fs.writeFileSync(marker, '');
    fsyncDirectory(this.dir);
  }
}
