/** Public storage API: `import { Log, LogManager } from 'strata-broker/storage'`. */
export { Log } from './log';
export type { AppendInfo, AppendOptions, LogOpenOptions, LogReadResult, ReadOptions, RetentionResult, RecoveryInfo } from './log';
export { LogManager, partitionDirName, parsePartitionDirName } from './log-manager';
export type { LogManagerOptions, PartitionLog, LoadReport, LoadProgress, SchedulerIntervals } from './log-manager';
export { DEFAULT_LOG_CONFIG, logConfigFrom } from '../config/log-config';
export type { LogConfig } from '../config/log-config';
export { StorageError } from '../errors/storage-error';
export type { StorageErrorCode } from '../errors/storage-error';
export { crc32c } from '../native/binding';
// The stored format: embedded users build and read record batches with the same codec the broker uses.
export * from '../protocol/records/index';
