/**
 * Start-up progress of LogManager.open as log lines: after an unclean stop every log past its recovery point is
 * scanned batch by batch, which over many partitions takes a while, so the operator sees where it is.
 *
 *   recovering logs after an unclean shutdown   { logs: 120 }                      (first log, unclean only)
 *   recovery truncated a log                     { topic, partition, truncatedBytes, atOffset, segmentsDropped }
 *   loading logs                                 { loaded: 37, total: 120, percent: 31, segmentsScanned, ... }
 *                                                (at most once per intervalMs)
 *   logs loaded                                  { logs, segmentsScanned, truncatedBytes, durationMs, cleanShutdown }
 *
 * A clean start that takes less than intervalMs writes only the last line (as "logs loaded"); nothing per log.
 */
import type { LoadProgress } from '../storage/log-manager';
import type { Logger } from './logger';

export interface RecoveryProgressOptions {
  /** Least time between two "loading logs" lines (default 1000 ms). */
  intervalMs?: number;
}

export function recoveryProgressLogger(log: Logger, options: RecoveryProgressOptions = {}): (p: LoadProgress) => void {
  const intervalMs = options.intervalMs ?? 1000;
  let lastLineAt = 0;
  return (p) => {
    if (p.loaded === 1 && !p.cleanShutdown) log.warn('recovering logs after an unclean shutdown', { logs: p.total });
    const r = p.recovery;
    if (r.truncatedBytes > 0 || r.segmentsDropped > 0) {
      log.warn('recovery truncated a log', {
        topic: p.topic,
        partition: p.partition,
        truncatedBytes: r.truncatedBytes,
        atOffset: p.logEndOffset,
        segmentsDropped: r.segmentsDropped,
      });
    }
    const fields = {
      segmentsScanned: p.segmentsScanned,
      truncatedBytes: p.truncatedBytes,
      elapsedMs: p.elapsedMs,
    };
    if (p.loaded === p.total) {
      log.info('logs loaded', { logs: p.total, ...fields, cleanShutdown: p.cleanShutdown });
    } else if (p.elapsedMs - lastLineAt >= intervalMs) {
      lastLineAt = p.elapsedMs;
      log.info('loading logs', { loaded: p.loaded, total: p.total, percent: Math.floor((p.loaded * 100) / p.total), ...fields });
    }
  };
}
