/**
 * Where fetch requests wait (Kafka's "purgatory"): a fetch that found fewer than min_bytes parks here until an
 * append to one of its partitions could satisfy it, or until max_wait_ms passes, whichever comes first. A parked
 * fetch is always answered by its deadline, data or not.
 *
 * Keys are `topic-partition` strings; watchers are woken by notify() after an append. A woken waiter re-checks
 * its own condition (the caller's `ready`) and stays parked if it is still short.
 */
/**
 * Longest a fetch may park, whatever its max_wait_ms says: a client that asked for days and went away must not
 * hold memory that long (clients use fetch.max.wait.ms of 500 ms by default).
 */
export const MAX_WAIT_MS = 30_000;

export interface Waiter {
  keys: readonly string[];
  /** Re-evaluates the fetch; true when it can be answered now. */
  ready: () => boolean;
  resolve: () => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

export class FetchPurgatory {
  private readonly watchers = new Map<string, Set<Waiter>>();

  get size(): number {
    let n = 0;
    const seen = new Set<Waiter>();
    for (const set of this.watchers.values()) for (const w of set) if (!seen.has(w)) { seen.add(w); n++; }
    return n;
  }

  /** Resolves when `ready()` holds after a notify on one of `keys`, or after maxWaitMs; never later. */
  wait(keys: readonly string[], maxWaitMs: number, ready: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        keys,
        ready,
        resolve,
        done: false,
        timer: setTimeout(() => this.finish(waiter), Math.min(Math.max(0, maxWaitMs), MAX_WAIT_MS)),
      };
      for (const key of keys) {
        let set = this.watchers.get(key);
        if (!set) this.watchers.set(key, (set = new Set()));
        set.add(waiter);
      }
    });
  }

  /** Called after an append to `key`: completes every waiter on it whose condition now holds. */
  notify(key: string): void {
    const set = this.watchers.get(key);
    if (!set) return;
    for (const w of [...set]) {
      if (w.done) continue;
      let ready: boolean;
      try {
        ready = w.ready();
      } catch {
        ready = true; // let the fetch answer now and report its own error
      }
      if (ready) this.finish(w);
    }
  }

  /** Answers every waiter now (shutdown). */
  releaseAll(): void {
    for (const set of [...this.watchers.values()]) for (const w of [...set]) this.finish(w);
  }

  private finish(w: Waiter): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    for (const key of w.keys) {
      const set = this.watchers.get(key);
      set?.delete(w);
      if (set && set.size === 0) this.watchers.delete(key);
    }
    w.resolve();
  }
}
