// Fans an informer's notifications out to its listeners (shared_informer.go's sharedProcessor).
// Resync notifications go only to listeners whose own resync period is due.
import type { KubeObject } from '../../api/object.js';
import type { Notification } from './handler.js';
import type { ProcessorListener } from './listener.js';

export class SharedProcessor<T extends KubeObject> {
  private readonly listeners = new Set<ProcessorListener<T>>();
  private syncing = new Set<ProcessorListener<T>>();

  add(l: ProcessorListener<T>): void {
    this.listeners.add(l);
    this.syncing.add(l);
  }

  remove(l: ProcessorListener<T>): boolean {
    this.syncing.delete(l);
    if (!this.listeners.delete(l)) return false;
    l.stop();
    return true;
  }

  get size(): number {
    return this.listeners.size;
  }

  all(): ReadonlySet<ProcessorListener<T>> {
    return this.listeners;
  }

  /** `sync`: a resync or a relist that changed nothing; only listeners due for resync get it. */
  distribute(n: Notification<T>, sync: boolean): void {
    for (const l of sync ? this.syncing : this.listeners) l.add(n);
  }

  /** Picks the listeners due for resync now; true if there is at least one. */
  shouldResync(now: number): boolean {
    this.syncing = new Set();
    for (const l of this.listeners) {
      if (l.shouldResync(now)) {
        this.syncing.add(l);
        l.determineNextResync(now);
      }
    }
    return this.syncing.size > 0;
  }

  stop(): void {
    for (const l of this.listeners) l.stop();
    this.listeners.clear();
    this.syncing.clear();
  }
}
