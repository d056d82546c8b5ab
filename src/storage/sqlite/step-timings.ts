// Durations of the store's own synchronous steps (commits, compaction batches, vacuum steps,
// WAL truncation) and of its off-thread checkpoints and write holds, so a writer stall can be
// attributed: a long gap between writes with no long step here was the scheduler, not us.
//
// Where it is known, a step also records how long its thread waited for a CPU meanwhile (the
// run-queue delay from /proc/thread-self/schedstat): on a shared machine a 10 ms step can be
// 9 ms of waiting for a core. "own" is the step's time without that wait: its work and its I/O.
import { openSync, readSync } from 'node:fs';

export interface StepTiming {
  count: number;
  totalMs: number;
  maxMs: number;
  /** Steps that took longer than SLOW_STEP_MS. */
  slow: number;
  /** Longest step without the time its thread waited for a CPU (= maxMs where not measured). */
  ownMaxMs: number;
  /** Steps whose own time was longer than SLOW_STEP_MS. */
  ownSlow: number;
  /** Time the thread waited for a CPU during these steps, in total. */
  waitMs: number;
  /**
   * CPU time of these steps, in total, where measured (checkpoints): totalMs - waitMs - cpuMs
   * is time the thread was blocked, i.e. in fsync and other I/O.
   */
  cpuMs: number;
}

/** A step longer than this is counted as slow (it would show as a writer stall). */
export const SLOW_STEP_MS = 5;

export type StepName =
  /** A write transaction (the batch's statements and COMMIT), on the event loop. */
  | 'commit'
  /**
   * The first commit after a caught-up checkpoint: it restarts the WAL, which makes SQLite
   * fsync the new WAL header (once per restart, on the event loop).
   */
  | 'restartCommit'
  /** One compaction DELETE transaction, on the event loop. */
  | 'compactBatch'
  /** One incremental_vacuum transaction, on the event loop. */
  | 'vacuumStep'
  /** wal_checkpoint(TRUNCATE) of an already checkpointed WAL when idle, on the checkpointer thread with writes held. */
  | 'walTruncate'
  /** wal_checkpoint(PASSIVE) on the checkpointer thread while writers go on. */
  | 'checkpoint'
  /** The checkpoint before a restart window, on the checkpointer thread while writes are spaced out. */
  | 'prepare'
  /** The checkpoint of a restart window, on the checkpointer thread while writes are held. */
  | 'catchUp'
  /** Writes held back so a checkpoint could catch up and the WAL restart from its start. */
  | 'writeHold';

export class StepTimings {
  private readonly steps = new Map<StepName, StepTiming>();

  add(name: StepName, ms: number, waitMs = 0, cpuMs = 0): void {
    let t = this.steps.get(name);
    if (!t) this.steps.set(name, (t = { count: 0, totalMs: 0, maxMs: 0, slow: 0, ownMaxMs: 0, ownSlow: 0, waitMs: 0, cpuMs: 0 }));
    const own = Math.max(0, ms - waitMs);
    t.count++;
    t.totalMs += ms;
    t.waitMs += waitMs;
    t.cpuMs += cpuMs;
    if (ms > t.maxMs) t.maxMs = ms;
    if (own > t.ownMaxMs) t.ownMaxMs = own;
    if (ms > SLOW_STEP_MS) t.slow++;
    if (own > SLOW_STEP_MS) t.ownSlow++;
  }

  /** Runs fn and records how long it held the thread (and, with withWait, how much of it was CPU wait). */
  time<T>(name: StepName, fn: () => T, withWait = false): T {
    const w0 = withWait ? runDelayMs() : 0;
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - t0;
      this.add(name, ms, withWait ? Math.min(ms, runDelayMs() - w0) : 0);
    }
  }

  snapshot(): Partial<Record<StepName, StepTiming>> {
    const out: Partial<Record<StepName, StepTiming>> = {};
    const r = (x: number): number => +x.toFixed(3);
    for (const [name, t] of this.steps) {
      out[name] = { ...t, totalMs: r(t.totalMs), maxMs: r(t.maxMs), ownMaxMs: r(t.ownMaxMs), waitMs: r(t.waitMs), cpuMs: r(t.cpuMs) };
    }
    return out;
  }
}

// The event loop's thread; opened once (reading costs a few µs, so only rare steps use it).
let schedFd: number | undefined | null = null;
const schedBuf = Buffer.alloc(128);

/** Time the calling thread has spent runnable but not running, in ms (0 where unavailable). */
export function runDelayMs(): number {
  if (schedFd === null) {
    try {
      schedFd = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      schedFd = undefined;
    }
  }
  if (schedFd === undefined) return 0;
  const n = readSync(schedFd, schedBuf, 0, schedBuf.length, 0);
  return Number(schedBuf.toString('latin1', 0, n).split(' ')[1]) / 1e6 || 0;
}
