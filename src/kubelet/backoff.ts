// Per-container restart back-off, as upstream's flowcontrol.Backoff used by the kubelet: the first
// restart is immediate, then the delay doubles from `initialMs` up to `maxMs`; an entry is
// forgotten when the container ran (finished) more than 2×max after the last back-off update,
// which is upstream's "reset after 10 minutes of running".

export interface Clock {
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
    private readonly clock: Clock = realClock,
  ) {}

  /** The current delay of `id` (0 when none). */
  get(id: string): number {
    return this.entries.get(id)?.backoffMs ?? 0;
  }

  /** True while `eventTime` (the container's finish) is less than the current delay ago. */
  isInBackOffSince(id: string, eventTime: number): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    if (this.hasExpired(eventTime, e.lastUpdate)) return false;
    return this.clock.now() - eventTime < e.backoffMs;
  }

  /** Milliseconds until `id` leaves back-off for `eventTime` (0 if not in back-off). */
  remaining(id: string, eventTime: number): number {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) return 0;
    return Math.max(0, e.backoffMs - (this.clock.now() - eventTime));
  }

  /** Records a restart at `eventTime`: starts or doubles the delay. */
  next(id: string, eventTime: number): void {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) {
      this.entries.set(id, { backoffMs: this.initialMs, lastUpdate: this.clock.now() });
    } else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
      e.lastUpdate = this.clock.now();
    }
  }

  /** Drops every entry whose key starts with `prefix` (a pod that is gone). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > this.maxMs * 2;
  }
}

export { formatGoDuration } from '../api/duration.js';
