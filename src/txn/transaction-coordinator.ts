/**
 * TransactionCoordinator: Kafka's transaction coordinator (KIP-98) for one node. Each transactional id has a
 * producer id, an epoch, a timeout, a state and the partitions of its open transaction; that metadata is written
 * to partition 0 of `__transaction_state` (Kafka's record formats, transaction-log-records.ts) before any request
 * that changed it is answered, and replayed at start.
 *
 * States (Kafka's): Empty -> Ongoing (AddPartitionsToTxn / AddOffsetsToTxn) -> PrepareCommit | PrepareAbort
 * (EndTxn, written before the answer: from here the outcome is decided) -> the markers are written to every
 * partition of the transaction -> CompleteCommit | CompleteAbort. Markers are written in the same turn as the
 * prepare; if writing one fails (a full disk), the transaction stays in Prepare* and the markers are retried by the
 * scheduler and at start: a crash anywhere leaves each transaction either fully committed or fully aborted once
 * the coordinator has run again. Requests meeting a Prepare* state get CONCURRENT_TRANSACTIONS (retriable).
 * Produce checks transactional batches against this state (verifyTxnWrite), so no partition holds a transaction
 * the coordinator would never mark.
 *
 * Fencing: InitProducerId for a known transactional id bumps the epoch; an open transaction is first aborted with
 * the bumped epoch, so its partitions refuse the old epoch (INVALID_PRODUCER_EPOCH) and its zombie producer is
 * fenced. A transaction open longer than its timeout is aborted the same way by the scheduler
 * (transaction.abort.timed.out.transaction.cleanup.interval.ms). Idle transactional ids are forgotten after
 * transactional.id.expiration.ms. On epoch exhaustion (32766) the producer id rotates, as in Kafka, but only by an
 * InitProducerId with no transaction open: fencing bumps the epoch of the same id, whose markers close its
 * transaction.
 *
 * Departure from Kafka: one node, so coordinator epoch 0 always, and markers are written directly to the local
 * partition logs rather than through WriteTxnMarkers requests.
 *
 * Who may call: the broker's request handlers, from the JS thread.
 */
import type { Logger } from '../observability/logger';
import type { KafkaErrorName } from '../protocol/error-codes';
import { StorageError } from '../errors/storage-error';
import type { Log } from '../storage/log';
import { OffsetsTopicRecord, OffsetsTopicStore } from '../group/offsets-topic-store';
import type { ProducerIdManager } from './producer-id-manager';
import { decodeTxnLogKey, decodeTxnLogValue, encodeTxnLogKey, encodeTxnLogValue, TxnState } from './transaction-log-records';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const COORDINATOR_EPOCH = 0;
/** Kafka rotates the producer id (when no transaction is open) before the epoch, an INT16, can overflow. */
const EPOCH_MAX = 32766;
const EPOCH_LIMIT = 32767;
/** Records appended since the last rewrite before the next one (as offsets.log rewrite: ~10 MB of ~100-byte records). */
const REWRITE_RECORDS_MIN = 100_000;

export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms */
  transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms */
  transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredIntervalMs: number;
}

export const DEFAULT_TRANSACTION_COORDINATOR_CONFIG: Readonly<TransactionCoordinatorConfig> = Object.freeze({
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  abortTimedOutIntervalMs: 10_000,
  removeExpiredIntervalMs: 3_600_000,
});

export interface TransactionCoordinatorOptions {
  /**
   * Partition 0 of __transaction_state; with create=false undefined while the topic does not exist. As in Kafka,
   * the topic is created when the first transactional id needs it.
   */
  stateLog: (create: boolean) => Log | undefined;
  producerIds: ProducerIdManager;
  /** The leader log of a partition, undefined if it no longer exists (then its marker is skipped). */
  partitionLog: (topic: string, partition: number) => Log | undefined;
  /** The offsets partition a group's commits go to, and what to do when its marker is written. */
  offsetsPartition: { topic: string; partition: number };
  onOffsetsMarker: (producerId: number, commit: boolean) => void;
  /** A marker was appended to this partition (wakes parked fetches). */
  onAppend: (topic: string, partition: number) => void;
  config?: Partial<TransactionCoordinatorConfig>;
  logger: Logger;
  now?: () => number;
}

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** Before the last epoch bump or id rotation: a retried InitProducerId naming them gets the current ones. */
  lastProducerId: number;
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: Map<string, Set<number>>;
  startTimestampMs: number;
  lastUpdateTimestampMs: number;
}

export interface InitProducerIdResult {
  error: KafkaErrorName;
  producerId: number;
  producerEpoch: number;
}

type Status = 'loading' | 'active' | 'closed';

function copy(m: TxnMetadata): TxnMetadata {
  return { ...m, partitions: new Map([...m.partitions].map(([t, ps]) => [t, new Set(ps)])) };
}

export class TransactionCoordinator {
  private readonly txns = new Map<string, TxnMetadata>();
  private storeInstance: OffsetsTopicStore | null = null;
  private readonly config: TransactionCoordinatorConfig;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timers: NodeJS.Timeout[] = [];
  private status: Status = 'loading';

  constructor(private readonly options: TransactionCoordinatorOptions) {
    this.config = { ...DEFAULT_TRANSACTION_COORDINATOR_CONFIG, ...options.config };
    this.log = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** The state log's store, creating the topic on first use. */
  private get store(): OffsetsTopicStore {
    this.storeInstance ??= new OffsetsTopicStore(this.options.stateLog(true)!, this.now);
    return this.storeInstance;
  }

  // ---- lifecycle ----

  /** Replays __transaction_state (the last record per transactional id wins), then finishes decided transactions. */
  load(): void {
    let skipped = 0;
    const existing = this.options.stateLog(false);
    if (existing !== undefined) this.storeInstance = new OffsetsTopicStore(existing, this.now);
    const records = this.storeInstance === null ? 0 : this.storeInstance.replay((key, value) => {
      let id: string | null;
      try {
        id = decodeTxnLogKey(key);
        if (id === null) {
          skipped++;
          return;
        }
        if (value === null) {
          this.txns.delete(id);
          return;
        }
        const v = decodeTxnLogValue(value);
        const prior = this.txns.get(id);
        this.txns.set(id, {
          transactionalId: id,
          producerId: v.producerId,
          producerEpoch: v.producerEpoch,
          lastProducerId: prior && prior.producerId !== v.producerId ? prior.producerId : -1,
          lastProducerEpoch: prior ? prior.producerEpoch : -1,
          timeoutMs: v.timeoutMs,
          state: v.state,
          partitions: new Map([...v.partitions].map(([t, ps]) => [t, new Set(ps)])),
          startTimestampMs: v.startTimestampMs,
          lastUpdateTimestampMs: v.lastUpdateTimestampMs,
        });
      } catch {
        skipped++;
      }
    });
    this.status = 'active';
    const skippedBatches = this.storeInstance?.skippedBatches ?? 0;
    if (skipped > 0 || skippedBatches > 0) this.log.warn('transaction log records skipped on load', { skipped, batches: skippedBatches });
    const decided = this.completeDecided();
    this.log.info('transaction coordinator loaded', { transactionalIds: this.txns.size, records, completedAtLoad: decided });
  }

  startScheduler(): void {
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(() => {
        try {
          task();
        } catch (err) {
          this.log.error('transaction coordinator task failed', { err: String(err) });
        }
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.config.abortTimedOutIntervalMs, () => {
      this.abortTimedOut();
      this.completeDecided();
    });
    every(this.config.removeExpiredIntervalMs, () => this.removeExpired());
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.status = 'closed';
  }

  // ---- requests ----

  /**
   * InitProducerId with a transactional id: a new id at epoch 0 for a new transactional id; otherwise the epoch
   * bumped (an open transaction is aborted first). v3+ callers naming their current producer id and epoch
   * (KIP-360) get PRODUCER_FENCED when those are stale.
   */
  initProducerId(transactionalId: string, timeoutMs: number, expectedProducerId = -1, expectedEpoch = -1): InitProducerIdResult {
    const fail = (error: KafkaErrorName): InitProducerIdResult => ({ error, producerId: -1, producerEpoch: -1 });
    const statusError = this.statusError();
    if (statusError !== null) return fail(statusError);
    if (!(timeoutMs > 0 && timeoutMs <= this.config.transactionMaxTimeoutMs)) return fail('INVALID_TRANSACTION_TIMEOUT');
    const now = this.now();
    const existing = this.txns.get(transactionalId);
    if (existing === undefined) {
      const producerId = this.options.producerIds.generate();
      const created: TxnMetadata = {
        transactionalId,
        producerId,
        producerEpoch: 0,
        lastProducerId: -1,
        lastProducerEpoch: -1,
        timeoutMs,
        state: 'Empty',
        partitions: new Map(),
        startTimestampMs: -1,
        lastUpdateTimestampMs: now,
      };
      const error = this.persist(created);
      return error === 'NONE' ? { error, producerId, producerEpoch: 0 } : fail(error);
    }
    if (expectedProducerId >= 0) {
      const current = expectedProducerId === existing.producerId && expectedEpoch === existing.producerEpoch;
      const retried = expectedProducerId === existing.lastProducerId && expectedEpoch === existing.lastProducerEpoch;
      // A retry of the bump that produced the current epoch (its answer was lost) gets the same answer; anything
      // else that is not the current producer is a stale incarnation.
      if (retried && existing.state === 'Empty') return { error: 'NONE', producerId: existing.producerId, producerEpoch: existing.producerEpoch };
      if (!current) return fail('PRODUCER_FENCED');
    }
    if (existing.state === 'PrepareCommit' || existing.state === 'PrepareAbort') {
      if (!this.complete(existing)) return fail('CONCURRENT_TRANSACTIONS');
    }
    let base = this.txns.get(transactionalId)!;
    if (base.state === 'Ongoing') {
      // Fence the previous incarnation: its transaction is aborted under the bumped epoch.
      const aborted = this.endWithBump(base, false);
      if (aborted !== 'NONE') return fail(aborted);
      base = this.txns.get(transactionalId)!;
      const next = copy(base);
      next.state = 'Empty';
      next.partitions.clear();
      next.timeoutMs = timeoutMs;
      next.lastUpdateTimestampMs = now;
      const error = this.persist(next);
      return error === 'NONE' ? { error, producerId: next.producerId, producerEpoch: next.producerEpoch } : fail(error);
    }
    const next = this.bumped(base);
    next.state = 'Empty';
    next.partitions.clear();
    next.timeoutMs = timeoutMs;
    next.startTimestampMs = -1;
    next.lastUpdateTimestampMs = now;
    const error = this.persist(next);
    return error === 'NONE' ? { error, producerId: next.producerId, producerEpoch: next.producerEpoch } : fail(error);
  }

  /** AddPartitionsToTxn: per partition an error name (NONE when added). `exists` tells which partitions exist. */
  addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
    exists: (topic: string, partition: number) => boolean,
  ): Array<{ topic: string; partition: number; error: KafkaErrorName }> {
    const all = (error: KafkaErrorName) => partitions.map((p) => ({ ...p, error }));
    const check = this.checkProducer(transactionalId, producerId, producerEpoch);
    if (check.error !== 'NONE') return all(check.error);
    const unknown = partitions.filter((p) => !exists(p.topic, p.partition));
    if (unknown.length > 0) {
      // Kafka's rule: the whole request fails, the unknown ones with their error, the rest OPERATION_NOT_ATTEMPTED.
      return partitions.map((p) => ({ ...p, error: exists(p.topic, p.partition) ? 'OPERATION_NOT_ATTEMPTED' : 'UNKNOWN_TOPIC_OR_PARTITION' }));
    }
    const error = this.addToTxn(check.txn!, partitions);
    return all(error);
  }

  /** AddOffsetsToTxn: the group's offsets partition joins the transaction. */
  addOffsets(transactionalId: string, producerId: number, producerEpoch: number): KafkaErrorName {
    const check = this.checkProducer(transactionalId, producerId, producerEpoch);
    if (check.error !== 'NONE') return check.error;
    return this.addToTxn(check.txn!, [this.options.offsetsPartition]);
  }

  /**
   * TxnOffsetCommit's check: the producer is the transactional id's current one and its transaction includes the
   * offsets partition.
   */
  checkTxnOffsetCommit(transactionalId: string, producerId: number, producerEpoch: number): KafkaErrorName {
    const check = this.checkProducer(transactionalId, producerId, producerEpoch);
    if (check.error !== 'NONE') return check.error === 'PRODUCER_FENCED' ? 'INVALID_PRODUCER_EPOCH' : check.error;
    const { topic, partition } = this.options.offsetsPartition;
    if (check.txn!.state !== 'Ongoing' || !check.txn!.partitions.get(topic)?.has(partition)) return 'INVALID_TXN_STATE';
    return 'NONE';
  }

  /**
   * Produce's check of a transactional batch (KIP-890's verification): the producer is the transactional id's
   * current one and the partition was added to its open transaction. Without it, a batch written to a partition
   * the coordinator does not know would never get a marker and would hold that partition's LSO forever.
   */
  verifyTxnWrite(transactionalId: string | null, producerId: number, producerEpoch: number, topic: string, partition: number): KafkaErrorName {
    if (transactionalId === null) return 'INVALID_TXN_STATE';
    const txn = this.txns.get(transactionalId);
    if (txn === undefined || txn.producerId !== producerId) return 'INVALID_TXN_STATE';
    if (producerEpoch < txn.producerEpoch) return 'INVALID_PRODUCER_EPOCH';
    if (producerEpoch !== txn.producerEpoch || txn.state !== 'Ongoing' || !txn.partitions.get(topic)?.has(partition)) return 'INVALID_TXN_STATE';
    return 'NONE';
  }

  /** EndTxn: decide (commit or abort) and write the markers. NONE once the decision is durable. */
  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): KafkaErrorName {
    const statusError = this.statusError();
    if (statusError !== null) return statusError;
    const txn = this.txns.get(transactionalId);
    if (txn === undefined || txn.producerId !== producerId) {
      // A retry after the producer id rotated with the commit is still answered as done.
      if (txn && txn.lastProducerId === producerId && this.isCompleted(txn, commit)) return 'NONE';
      return 'INVALID_PRODUCER_ID_MAPPING';
    }
    if (producerEpoch !== txn.producerEpoch) {
      // A retry of an EndTxn that already completed with a bump (never here) or a fenced producer.
      return 'PRODUCER_FENCED';
    }
    switch (txn.state) {
      case 'Ongoing':
        return this.decide(txn, commit);
      case 'PrepareCommit':
      case 'PrepareAbort':
        if ((txn.state === 'PrepareCommit') !== commit) return 'INVALID_TXN_STATE';
        return this.complete(txn) ? 'NONE' : 'CONCURRENT_TRANSACTIONS';
      case 'CompleteCommit':
      case 'CompleteAbort':
        // A retried EndTxn whose answer was lost is answered again; the opposite outcome is refused.
        return this.isCompleted(txn, commit) ? 'NONE' : 'INVALID_TXN_STATE';
      default:
        return 'INVALID_TXN_STATE';
    }
  }

  // ---- operators ----

  describe(transactionalId: string): TxnMetadata | undefined {
    const t = this.txns.get(transactionalId);
    return t && copy(t);
  }

  list(stateFilters: readonly string[] = [], producerIdFilters: readonly number[] = []): TxnMetadata[] {
    return [...this.txns.values()]
      .filter((t) => stateFilters.length === 0 || stateFilters.includes(t.state))
      .filter((t) => producerIdFilters.length === 0 || producerIdFilters.includes(t.producerId))
      .map(copy);
  }

  get isLoading(): boolean {
    return this.status === 'loading';
  }

  /** Aborts (with an epoch bump, fencing the producer) every transaction open longer than its timeout. */
  abortTimedOut(): number {
    if (this.status !== 'active') return 0;
    const now = this.now();
    let aborted = 0;
    for (const txn of [...this.txns.values()]) {
      if (txn.state !== 'Ongoing' || now - txn.startTimestampMs <= txn.timeoutMs) continue;
      this.log.info('aborting a timed-out transaction', { transactionalId: txn.transactionalId, producerId: txn.producerId, timeoutMs: txn.timeoutMs });
      if (this.endWithBump(txn, false) === 'NONE') aborted++;
    }
    return aborted;
  }

  // ---- internals ----

  private statusError(): KafkaErrorName | null {
    if (this.status === 'loading') return 'COORDINATOR_LOAD_IN_PROGRESS';
    if (this.status === 'closed') return 'NOT_COORDINATOR';
    return null;
  }

  private checkProducer(transactionalId: string, producerId: number, producerEpoch: number): { error: KafkaErrorName; txn?: TxnMetadata } {
    const statusError = this.statusError();
    if (statusError !== null) return { error: statusError };
    const txn = this.txns.get(transactionalId);
    if (txn === undefined || txn.producerId !== producerId) return { error: 'INVALID_PRODUCER_ID_MAPPING' };
    if (txn.producerEpoch !== producerEpoch) return { error: 'PRODUCER_FENCED' };
    if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') {
      // Finish what is decided; the client retries.
      this.complete(txn);
      return { error: 'CONCURRENT_TRANSACTIONS' };
    }
    return { error: 'NONE', txn };
  }

  private addToTxn(txn: TxnMetadata, partitions: ReadonlyArray<{ topic: string; partition: number }>): KafkaErrorName {
    const next = copy(txn);
    if (next.state !== 'Ongoing') {
      next.state = 'Ongoing';
      next.partitions.clear();
      next.startTimestampMs = this.now();
    }
    let added = txn.state !== 'Ongoing';
    for (const { topic, partition } of partitions) {
      let set = next.partitions.get(topic);
      if (set === undefined) next.partitions.set(topic, (set = new Set()));
      if (!set.has(partition)) {
        set.add(partition);
        added = true;
      }
    }
    if (!added) return 'NONE';
    next.lastUpdateTimestampMs = this.now();
    return this.persist(next);
  }

  private isCompleted(txn: TxnMetadata, commit: boolean): boolean {
    return txn.state === (commit ? 'CompleteCommit' : 'CompleteAbort');
  }

  /** Ongoing -> Prepare* (durable: the decision), then the markers and Complete*. */
  private decide(txn: TxnMetadata, commit: boolean): KafkaErrorName {
    const prepared = copy(txn);
    prepared.state = commit ? 'PrepareCommit' : 'PrepareAbort';
    prepared.lastUpdateTimestampMs = this.now();
    const error = this.persist(prepared);
    if (error !== 'NONE') return error;
    this.complete(this.txns.get(txn.transactionalId)!);
    return 'NONE';
  }

  /** Bumps the epoch (fencing the current producer) and aborts or commits the open transaction under it. */
  private endWithBump(txn: TxnMetadata, commit: boolean): KafkaErrorName {
    // The markers must close the open transaction of *this* producer id: fence with the same id at epoch + 1
    // (Kafka's prepareFenceProducerEpoch), never with a rotated id.
    const next = copy(txn);
    next.lastProducerId = txn.producerId;
    next.lastProducerEpoch = txn.producerEpoch;
    next.producerEpoch = Math.min(txn.producerEpoch + 1, EPOCH_LIMIT);
    next.state = commit ? 'PrepareCommit' : 'PrepareAbort';
    next.lastUpdateTimestampMs = this.now();
    const error = this.persist(next);
    if (error !== 'NONE') return error;
    return this.complete(this.txns.get(txn.transactionalId)!) ? 'NONE' : 'CONCURRENT_TRANSACTIONS';
  }

  /** A copy with the epoch bumped, or at epoch exhaustion a new producer id at epoch 0 (no transaction open). */
  private bumped(txn: TxnMetadata): TxnMetadata {
    const next = copy(txn);
    next.lastProducerId = txn.producerId;
    next.lastProducerEpoch = txn.producerEpoch;
    if (txn.producerEpoch >= EPOCH_MAX) {
      next.producerId = this.options.producerIds.generate();
      next.producerEpoch = 0;
    } else {
      next.producerEpoch = txn.producerEpoch + 1;
    }
    return next;
  }

  /**
   * Writes the markers of a Prepare* transaction to each of its partitions, then Complete*. False when a marker
   * could not be written (the transaction stays decided; retried later).
   */
  private complete(txn: TxnMetadata): boolean {
    const commit = txn.state === 'PrepareCommit';
    const offsets = this.options.offsetsPartition;
    for (const [topic, partitions] of txn.partitions) {
      for (const partition of partitions) {
        const log = this.options.partitionLog(topic, partition);
        if (log === undefined) continue; // the topic is gone: nothing to mark
        try {
          log.appendMarker(txn.producerId, txn.producerEpoch, COORDINATOR_EPOCH, commit, this.now());
        } catch (err) {
          if (!(err instanceof StorageError) || (err.code !== 'PRODUCER_FENCED' && err.code !== 'ERR_LOG_CLOSED')) {
            this.log.error('transaction marker write failed; will retry', { transactionalId: txn.transactionalId, topic, partition, err: String(err) });
            return false;
          }
          // A newer epoch already wrote there (or the partition closed under a deletion): nothing left to mark.
          continue;
        }
        this.options.onAppend(topic, partition);
        // Only once the marker is in the offsets log: a restart replays exactly what it says.
        if (topic === offsets.topic && partition === offsets.partition) this.options.onOffsetsMarker(txn.producerId, commit);
      }
    }
    const done = copy(txn);
    done.state = commit ? 'CompleteCommit' : 'CompleteAbort';
    done.partitions.clear();
    done.lastUpdateTimestampMs = this.now();
    return this.persist(done) === 'NONE';
  }

  /** Completes every transaction whose outcome is decided (after a crash or a failed marker write). */
  private completeDecided(): number {
    let n = 0;
    for (const txn of [...this.txns.values()]) {
      if ((txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') && this.complete(txn)) n++;
    }
    return n;
  }

  /** Forgets transactional ids idle for transactional.id.expiration.ms (tombstones); returns how many. */
  removeExpired(): number {
    if (this.status !== 'active') return 0;
    const now = this.now();
    const expired = [...this.txns.values()].filter(
      (t) => (t.state === 'Empty' || t.state === 'CompleteCommit' || t.state === 'CompleteAbort') && now - t.lastUpdateTimestampMs >= this.config.transactionalIdExpirationMs,
    );
    if (expired.length === 0) return 0;
    try {
      this.store.append(expired.map((t) => ({ key: encodeTxnLogKey(t.transactionalId), value: null })));
    } catch (err) {
      this.log.error('transaction log append failed', { err: String(err) });
      return 0;
    }
    for (const t of expired) this.txns.delete(t.transactionalId);
    this.log.info('expired transactional ids removed', { count: expired.length });
    return expired.length;
  }

  /** Writes the new metadata, then adopts it. */
  private persist(next: TxnMetadata): KafkaErrorName {
    try {
      this.store.append([this.record(next)]);
    } catch (err) {
      this.log.error('transaction log append failed', { transactionalId: next.transactionalId, err: String(err) });
      return 'COORDINATOR_NOT_AVAILABLE';
    }
    this.txns.set(next.transactionalId, next);
    this.maybeRewrite();
    return 'NONE';
  }

  private record(t: TxnMetadata): OffsetsTopicRecord {
    return {
      key: encodeTxnLogKey(t.transactionalId),
      value: encodeTxnLogValue({
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        timeoutMs: t.timeoutMs,
        state: t.state,
        partitions: t.partitions,
        lastUpdateTimestampMs: t.lastUpdateTimestampMs,
        startTimestampMs: t.startTimestampMs,
      }),
    };
  }

  /** Compaction by rewrite, as for __consumer_offsets: once the log holds more old records than live ones. */
  private maybeRewrite(): void {
    if (this.store.recordsSinceRewrite < Math.max(REWRITE_RECORDS_MIN, 2 * this.txns.size)) return;
    try {
      this.store.rewrite([...this.txns.values()].map((t) => this.record(t)));
    } catch (err) {
      this.log.error('transaction log rewrite failed', { err: String(err) });
    }
  }
}
