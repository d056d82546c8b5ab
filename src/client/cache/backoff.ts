// Exponential backoff with jitter between reflector failures, as upstream's
// NewExponentialBackoffManager(800ms, 30s, 2m, 2.0, 1.0): each failure doubles the wait up to the
// cap; a failure more than `resetMs` after the previous one starts again from the initial value;
// jitter adds up to `jitter × wait` at random so many clients do not retry in lockstep.
import { sleep, type Clock } from '../clock.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A quiet period after which the next failure backs off from initialMs again. */
  resetMs: number;
  factor: number;
  /** 1.0 = wait somewhere in [d, 2d). */
  jitter: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 800, maxMs: 30_000, resetMs: 120_000, factor: 2, jitter: 1 };

export class Backoff {
  private current = 0;
  private lastStart: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly opts: BackoffOptions = defaultBackoff,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next wait in ms (grows with each call until the cap). */
  next(): number {
    const now = this.clock.monotonic();
    if (this.lastStart === undefined || now - this.lastStart > this.opts.resetMs) this.current = this.opts.initialMs;
    else this.current = Math.min(this.current * this.opts.factor, this.opts.maxMs);
    this.lastStart = now;
    return this.current + this.random() * this.opts.jitter * this.current;
  }

  /** Waits out the next backoff; returns early when the signal aborts. The wait keeps the process alive. */
  async wait(signal?: AbortSignal): Promise<void> {
    await sleep(this.clock, this.next(), signal, { keepAlive: true });
  }
}
