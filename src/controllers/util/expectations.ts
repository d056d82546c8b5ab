// Controller expectations (upstream controller_utils.go ControllerExpectations and
// UIDTrackingControllerExpectations). A controller that creates or deletes N pods records that it
// expects N informer events; until they arrive (or 5 minutes pass) its sync does not act on the
// cache again, because the cache does not yet show its own writes. This is what keeps a lagging
// watch or a restarted controller from creating duplicates.
//
// Keys are controller keys (`namespace/name`). All methods are synchronous: JS runs one at a time,
// so no lock is needed.
import { realClock, type Clock } from '../../client/clock.js';

/** How long expectations may stay unfulfilled before the controller acts anyway (upstream ExpectationsTimeout). */
export const expectationsTimeoutMs = 5 * 60 * 1000;

export interface Expectation {
  /** Creations still expected (≤ 0 means none). */
  add: number;
  /** Deletions still expected (≤ 0 means none). */
  del: number;
  /** When the expectation was last set (ms since the epoch); drives expiry. */
  timestamp: number;
}

export interface ExpectationsOptions {
  clock?: Clock;
  /** Default expectationsTimeoutMs. */
  ttlMs?: number;
}

export class ControllerExpectations {
  protected readonly records = new Map<string, Expectation>();
  protected readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(opts: ExpectationsOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.ttlMs = opts.ttlMs ?? expectationsTimeoutMs;
  }

  /** The record for key, if any (a copy). */
  get(key: string): Expectation | undefined {
    const e = this.records.get(key);
    return e ? { ...e } : undefined;
  }

  /**
   * True when the controller may act on its cache: no record (a new controller, or a restart —
   * the cache is then authoritative after sync), every expected event observed, or the record
   * expired (an event was lost; better to re-check than to wait forever).
   */
  satisfied(key: string): boolean {
    const e = this.records.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > this.ttlMs;
  }

  /** Replaces key's record: expect `add` creations and `del` deletions from now on. */
  set(key: string, add: number, del: number): void {
    this.records.set(key, { add, del, timestamp: this.clock.now() });
  }

  expectCreations(key: string, n: number): void {
    this.set(key, n, 0);
  }

  expectDeletions(key: string, n: number): void {
    this.set(key, 0, n);
  }

  /** Adds to the outstanding counts without resetting the timestamp. */
  raise(key: string, add: number, del: number): void {
    const e = this.records.get(key);
    if (!e) return;
    e.add += add;
    e.del += del;
  }

  /** Lowers the outstanding counts (an observed event, or a write that failed and will never be observed). */
  lower(key: string, add: number, del: number): void {
    const e = this.records.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  /** The informer saw a creation for key (or a create call failed). */
  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  /** The informer saw a deletion for key (or a delete call failed). */
  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }

  /** Forgets key (the controller object was deleted). */
  delete(key: string): void {
    this.records.delete(key);
  }
}

/**
 * Expectations that remember WHICH objects are expected to go away, so a deletion event is
 * counted only once per object (a pod is seen terminating, then deleted; a relist sends a
 * tombstone) — upstream's UIDTrackingControllerExpectations (tracking pod keys, as it does).
 */
export class UIDTrackingExpectations extends ControllerExpectations {
  private readonly pending = new Map<string, Set<string>>();

  /** Expect each of `objectKeys` (`namespace/name`) to be deleted. */
  expectDeletionsOf(key: string, objectKeys: string[]): void {
    const set = this.pending.get(key) ?? new Set<string>();
    for (const k of objectKeys) set.add(k);
    this.pending.set(key, set);
    this.expectDeletions(key, objectKeys.length);
  }

  /** The object `objectKey` was seen deleted (or its delete failed): lowers once per object. */
  deletionObservedOf(key: string, objectKey: string): void {
    const set = this.pending.get(key);
    if (set?.delete(objectKey)) this.deletionObserved(key);
  }

  /** Keys still expected to be deleted for key. */
  pendingDeletions(key: string): ReadonlySet<string> {
    return this.pending.get(key) ?? new Set();
  }

  override delete(key: string): void {
    super.delete(key);
    this.pending.delete(key);
  }
}
