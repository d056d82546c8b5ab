// Time as the cache machinery sees it. Reflectors, resync loops and backoff only use this
// interface, so tests drive them with FakeClock instead of sleeping.

export interface Clock {
  /** Milliseconds; only differences matter. */
  now(): number;
  /**
   * Resolves after `ms`, or at once when `signal` aborts (it never rejects): callers check the
   * signal afterwards, so a stop and a timer are handled on the same path.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

interface PendingSleep {
  at: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to. `sleepers` shows who waits (so a test can await "the
 * reflector is now backing off") and `step(ms)` wakes everyone whose time has come.
 */
export class FakeClock implements Clock {
  private t: number;
  private pending: PendingSleep[] = [];
  private waiters: (() => void)[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const entry: PendingSleep = { at: this.t + Math.max(0, ms), resolve: () => {} };
      const done = () => {
        this.pending = this.pending.filter((p) => p !== entry);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      entry.resolve = done;
      this.pending.push(entry);
      signal?.addEventListener('abort', done, { once: true });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** How many sleeps are pending, and the durations they still have to wait. */
  get sleepers(): number[] {
    return this.pending.map((p) => p.at - this.t);
  }

  /** Resolves once at least `n` sleeps are pending. */
  async waitForSleepers(n = 1): Promise<void> {
    while (this.pending.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Moves time forward and wakes the sleeps that are due, earliest first. */
  step(ms: number): void {
    this.t += ms;
    const due = this.pending.filter((p) => p.at <= this.t).sort((a, b) => a.at - b.at);
    for (const p of due) p.resolve();
  }
}
