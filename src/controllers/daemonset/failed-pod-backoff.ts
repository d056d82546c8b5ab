// Per-key exponential backoff (upstream client-go util/flowcontrol Backoff), which the DaemonSet
// controller keys by DaemonSet uid, observed generation and node so a daemon pod that keeps
// failing on one node is killed and recreated at 1 s, 2 s, 4 s, ... up to 15 min apart instead
// of in a hot loop. An entry untouched for longer than the maximum starts over at the initial
// delay; entries untouched for twice the maximum are dropped.
import type { Clock } from '../../client/clock.js';

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export const failedPodBackoffInitialMs = 1000;
export const failedPodBackoffMaxMs = 15 * 60_000;
/** How often stale entries are dropped (upstream BackoffGCInterval). */
const gcIntervalMs = 60_000;

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  private lastGC: number;

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = failedPodBackoffInitialMs,
    private readonly maxMs = failedPodBackoffMaxMs,
  ) {
    this.lastGC = clock.now();
  }

  /** The current delay of key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records a failure of key at `now`: the first (or first after a long quiet) waits initialMs, later ones twice the last, at most maxMs. */
  next(key: string, now: number = this.clock.now()): void {
    this.gc(now);
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { backoffMs: Math.min(e.backoffMs * 2, this.maxMs), lastUpdate: now });
  }

  /** True while less than key's delay has passed since its last failure (IsInBackOffSinceUpdate). */
  isInBackOffSinceUpdate(key: string, now: number = this.clock.now()): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > this.maxMs;
  }

  private gc(now: number): void {
    if (now - this.lastGC < gcIntervalMs) return;
    this.lastGC = now;
    for (const [key, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(key);
  }
}
