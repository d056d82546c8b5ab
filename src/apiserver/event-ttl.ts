// Events expire (kube-apiserver --event-ttl, default 1h). Upstream writes every Event with an
// etcd lease of that TTL, a new lease on each write, so an Event is deleted `ttl` after its last
// write and watchers see it DELETED; other kinds never expire. Without leases in our storage
// contract, the API server keeps each Event's deadline itself: the watch cache tells it of every
// write and deletion, and a timer deletes what is due with a precondition on the revision it was
// due for, so an Event written again in the meantime is left to its new deadline. Deleting goes
// straight to storage, as a lease expiry bypasses admission and finalizers.
//
// After a restart the time of each stored Event's last write is not known (a lease would have
// kept counting): its deadline is counted from the newest time the Event itself records.
import type { Logger } from 'pino';
import type { StoredObject } from '../api/object.js';
import { ConflictError, KeyNotFoundError, type Store } from '../storage/store.js';
import { RingQueue } from '../util/ring-queue.js';
import type { CacheEvent, WatchCache } from './watch-cache.js';

/** kube-apiserver's default --event-ttl. */
export const defaultEventTTLMs = 60 * 60 * 1000;

export interface EventExpiryOptions {
  /** How long an Event lives after its last write. */
  ttlMs: number;
  /** When a delete failed for another reason than a newer write, it is tried again after this (default 10 s). */
  retryAfterMs?: number;
  log?: Logger;
}

/** Deletes sent to storage at once (a backlog after a restart can be large). */
const deletesInFlight = 64;

interface Deadline {
  key: string;
  /** The revision of the write this deadline belongs to. */
  revision: number;
  /** performance.now() time at which the Event goes. */
  at: number;
}

export class EventExpiry {
  /** Deadlines in the order they fall due (every live write adds one, `ttl` from now). */
  private readonly due = new RingQueue<Deadline>();
  /** Deletes that failed, to try again `retryAfterMs` later (in order too: a queue of its own). */
  private readonly retries = new RingQueue<Deadline>();
  /** The watch cache's Events: a deadline is stale unless the Event there is at its revision. */
  private events: ReadonlyMap<string, StoredObject> = new Map();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private removeWatcher: (() => void) | undefined;
  private sweeping = false;
  private stopped = false;

  private readonly ttlMs: number;
  private readonly retryAfterMs: number;
  private readonly log: Logger | undefined;

  constructor(
    private readonly store: Store,
    private readonly cache: WatchCache,
    private readonly prefix: string,
    opts: EventExpiryOptions,
  ) {
    this.ttlMs = opts.ttlMs;
    this.retryAfterMs = opts.retryAfterMs ?? 10_000;
    this.log = opts.log;
  }

  /** Starts after the watch cache has started: takes the Events it holds, then follows its writes. */
  start(): void {
    const rc = this.cache.resourceFor(this.prefix);
    this.events = rc.objects;
    const nowMono = performance.now();
    const nowWall = Date.now();
    const seeded: Deadline[] = [];
    for (const [key, obj] of rc.objects) {
      const revision = Number(obj.metadata.resourceVersion);
      const written = lastRecordedTime(obj) ?? nowWall;
      seeded.push({ key, revision, at: nowMono + Math.min(written + this.ttlMs - nowWall, this.ttlMs) });
    }
    // Every deadline of a live write falls after these (they are at most `ttl` from now).
    seeded.sort((a, b) => a.at - b.at);
    for (const d of seeded) this.due.push(d);
    // Registered in the same step as the snapshot above: no write falls between them.
    // (The cache closes its watchers only when its storage watch fails or stops: expiry stops with it.)
    this.removeWatcher = rc.addWatcher({ onEvent: (ev) => this.observe(ev), onClose: () => undefined }, this.cache.revision);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.removeWatcher?.();
    clearTimeout(this.timer);
  }

  /** A write queues its deadline (a deletion needs nothing: its deadlines are stale now). */
  private observe(ev: CacheEvent): void {
    if (ev.type === 'DELETED') return;
    this.due.push({ key: ev.key, revision: ev.revision, at: performance.now() + this.ttlMs });
    // This deadline is the latest of all: an armed timer fires first and re-arms after its sweep.
    if (this.timerAt === Infinity) this.arm();
  }

  private isLive(d: Deadline): boolean {
    return Number(this.events.get(d.key)?.metadata.resourceVersion) === d.revision;
  }

  /** The queue whose first live deadline comes first (stale ones at the heads are dropped). */
  private earliest(): RingQueue<Deadline> | undefined {
    let first: RingQueue<Deadline> | undefined;
    for (const q of [this.due, this.retries]) {
      let head = q.peek();
      while (head && !this.isLive(head)) {
        q.shift();
        head = q.peek();
      }
      if (head && (!first || head.at < first.peek()!.at)) first = q;
    }
    return first;
  }

  /** Sets the timer for the first live deadline. */
  private arm(): void {
    if (this.stopped || this.sweeping) return;
    const head = this.earliest()?.peek();
    if (!head || head.at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = head.at;
    this.timer = setTimeout(() => void this.sweep(), Math.max(0, head.at - performance.now()));
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.sweeping = true;
    let deleted = 0;
    try {
      const pending = new Set<Promise<void>>();
      for (let q = this.earliest(); q && q.peek()!.at <= performance.now() && !this.stopped; q = this.earliest()) {
        const d = q.shift()!;
        const p = this.expire(d).then((gone) => {
          if (gone) deleted++;
          pending.delete(p);
        });
        pending.add(p);
        if (pending.size >= deletesInFlight) await Promise.race(pending);
      }
      await Promise.all(pending);
    } finally {
      this.sweeping = false;
      if (deleted) this.log?.debug({ expired: deleted }, 'events expired');
      this.arm();
    }
  }

  /** Deletes the Event if storage still holds the write the deadline was for. */
  private async expire(d: Deadline): Promise<boolean> {
    try {
      await this.store.delete(d.key, d.revision);
      return true;
    } catch (err) {
      // Written again (its new deadline is queued) or deleted by a client: nothing to do.
      if (err instanceof ConflictError || err instanceof KeyNotFoundError) return false;
      if (this.stopped) return false;
      this.log?.warn({ err, key: d.key }, 'deleting an expired event failed; retrying');
      this.retries.push({ ...d, at: performance.now() + this.retryAfterMs });
      return false;
    }
  }
}

/** The newest time a stored (core/v1) Event records of itself, in ms since the epoch. */
function lastRecordedTime(obj: StoredObject): number | undefined {
  const e = obj as StoredObject & { lastTimestamp?: string; eventTime?: string; firstTimestamp?: string; series?: { lastObservedTime?: string } };
  let newest: number | undefined;
  for (const t of [e.metadata.creationTimestamp, e.firstTimestamp, e.lastTimestamp, e.eventTime, e.series?.lastObservedTime]) {
    const ms = t ? Date.parse(t) : NaN;
    if (!Number.isNaN(ms) && (newest === undefined || ms > newest)) newest = ms;
  }
  return newest;
}
