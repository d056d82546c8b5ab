// Time as the client library sees it. Work queues, reflectors, informers, leader election, the
// event recorders (and the node agent's probers and volumes) take a Clock, so tests drive time
// with FakeClock instead of sleeping; production uses realClock.
//
// Two readings, because users need different things: now() is wall-clock epoch time, for
// timestamps written into objects or compared with them (lease renewTime, event times, a
// container's startedAt); monotonic() never jumps with the system clock, for code that only
// measures intervals (reflector backoff and short-watch detection, informer resync).

export interface TimerHandle {
  cancel(): void;
}

export interface TimerOptions {
  /**
   * Keep the process alive while the timer is pending (default false: real timers are unref'd, so
   * a forgotten timer never holds Node open). A loop whose waiting *is* the work, like a reflector
   * backing off before it reconnects, sets it so the process does not exit under it.
   */
  keepAlive?: boolean;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Milliseconds from an arbitrary origin that never go backwards; only differences matter. */
  monotonic(): number;
  /** Runs fn once after ms (at once for ms ≤ 0, on a later turn). */
  setTimeout(fn: () => void, ms: number, opts?: TimerOptions): TimerHandle;
}

export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(fn, ms, opts) {
    const t = setTimeout(fn, Math.max(0, ms));
    if (!opts?.keepAlive) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * Resolves true after ms on the clock, or false at once when signal aborts; it never rejects, so
 * a stop and a timeout are handled on the same path (callers check the result or the signal).
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal, opts?: TimerOptions): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      },
      ms,
      opts,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told. step(ms) fires due timers in time order (timers scheduled by
 * a firing timer fire too if they fall inside the step); advance(ms) also lets the promise chains
 * those timers start settle between firings, which async code (leader election, probers) needs.
 * delays() and waitForTimers() let a test await "the reflector is now backing off" and read for
 * how long. now() and monotonic() move together; monotonic() starts at 0.
 */
export class FakeClock implements Clock {
  private time: number;
  private readonly origin: number;
  private seq = 0;
  private timers: FakeTimer[] = [];
  private waiters: (() => void)[] = [];

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.time = start;
    this.origin = start;
  }

  now(): number {
    return this.time;
  }

  monotonic(): number {
    return this.time - this.origin;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    for (const w of this.waiters.splice(0)) w();
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Timers not yet fired or cancelled. */
  pending(): number {
    return this.live().length;
  }

  /** How long each pending timer still has to wait, soonest first. */
  delays(): number[] {
    return [...this.live()]
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((t) => t.at - this.time);
  }

  /** Resolves once at least n timers are pending. */
  async waitForTimers(n = 1): Promise<void> {
    while (this.pending() < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Moves time forward synchronously, firing due timers in order. */
  step(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }

  /** Moves time forward, letting microtasks and I/O callbacks run after every timer that fires. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.time = next.at;
      next.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }

  private live(): FakeTimer[] {
    this.timers = this.timers.filter((t) => !t.cancelled);
    return this.timers;
  }

  private nextDue(end: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.live()) {
      if (t.at <= end && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    }
    if (best) best.cancelled = true;
    return best;
  }
}

/** Lets pending promise callbacks run: a few macrotask turns, enough for chains of awaits on settled promises. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
