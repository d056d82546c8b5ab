// Durations of the store's own synchronous steps (commits, compaction batches, vacuum steps,
// WAL truncation) and of its off-thread checkpoints and write holds, so a writer stall can be
// attributed: a long gap between writes with no long step here was the scheduler, not us.

export interface StepTiming {
  count: number;
  totalMs: number;
  maxMs: number;
  /** Steps that took longer than SLOW_STEP_MS. */
  slow: number;
}

/** A step longer than this is counted as slow (it would show as a writer stall). */
export const SLOW_STEP_MS = 5;

export type StepName =
  /** A write transaction (the batch's statements and COMMIT), on the event loop. */
  | 'commit'
  /** The first commit after a caught-up checkpoint: it restarts the WAL (and cuts the -wal file back if past the hard limit). */
  | 'restartCommit'
  /** One compaction DELETE transaction, on the event loop. */
  | 'compactBatch'
  /** One incremental_vacuum transaction, on the event loop. */
  | 'vacuumStep'
  /** wal_checkpoint(TRUNCATE) of an already checkpointed WAL when idle, on the checkpointer thread with writes held. */
  | 'walTruncate'
  /** wal_checkpoint(PASSIVE) on the checkpointer thread (writers go on meanwhile). */
  | 'checkpoint'
  /** Writes held back so a checkpoint could catch up and the WAL restart from its start. */
  | 'writeHold';

export class StepTimings {
  private readonly steps = new Map<StepName, StepTiming>();

  add(name: StepName, ms: number): void {
    let t = this.steps.get(name);
    if (!t) this.steps.set(name, (t = { count: 0, totalMs: 0, maxMs: 0, slow: 0 }));
    t.count++;
    t.totalMs += ms;
    if (ms > t.maxMs) t.maxMs = ms;
    if (ms > SLOW_STEP_MS) t.slow++;
  }

  /** Runs fn and records how long it held the thread. */
  time<T>(name: StepName, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.add(name, performance.now() - t0);
    }
  }

  snapshot(): Partial<Record<StepName, StepTiming>> {
    const out: Partial<Record<StepName, StepTiming>> = {};
    for (const [name, t] of this.steps) out[name] = { ...t, totalMs: +t.totalMs.toFixed(3), maxMs: +t.maxMs.toFixed(3) };
    return out;
  }
}
