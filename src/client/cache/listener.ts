// One handler's private lane (shared_informer.go's processorListener): notifications are
// buffered without bound and delivered in order by the listener's own loop, so a slow handler
// only delays itself. Handler exceptions and rejections are reported and the loop goes on.
import type { KubeObject } from '../../api/object.js';
import type { Notification, ResourceEventHandler, ResourceEventHandlerRegistration } from './handler.js';
import { RingQueue } from '../../util/ring-queue.js';

/** Notifications handled before the loop yields to I/O, so sync handlers cannot starve it. */
const batch = 256;

export class ProcessorListener<T extends KubeObject> implements ResourceEventHandlerRegistration {
  private readonly buffer = new RingQueue<Notification<T>>();
  private running = false;
  private stopped = false;
  /** Initial-list adds queued but not yet handled (synctrack's SingleFileTracker). */
  private pendingInitial = 0;
  private idleWaiters: (() => void)[] = [];
  private syncedWaiters: (() => void)[] = [];
  /** Effective resync period (ms, 0 = none) and when the next one is due. */
  resyncPeriodMs: number;
  private nextResync = 0;

  constructor(
    private readonly handler: ResourceEventHandler<T>,
    /** What the handler asked for; resyncPeriodMs is this adjusted to the informer's check period. */
    readonly requestedResyncPeriodMs: number,
    resyncPeriodMs: number,
    private readonly upstreamSynced: () => boolean,
    private readonly upstreamWhenSynced: () => Promise<void>,
    private readonly onError: (err: unknown, n: Notification<T>) => void,
  ) {
    this.resyncPeriodMs = resyncPeriodMs;
  }

  add(n: Notification<T>): void {
    if (this.stopped) return;
    if (n.type === 'add' && n.isInInitialList) this.pendingInitial++;
    this.buffer.push(n);
    if (!this.running) {
      this.running = true;
      queueMicrotask(() => void this.drain());
    }
  }

  /** Buffered notifications not yet handled. */
  get pending(): number {
    return this.buffer.length;
  }

  hasSynced(): boolean {
    return this.pendingInitial === 0 && this.upstreamSynced();
  }

  async whenSynced(): Promise<void> {
    await this.upstreamWhenSynced();
    if (this.pendingInitial === 0) return;
    await new Promise<void>((resolve) => this.syncedWaiters.push(resolve));
  }

  /** Resolves when every buffered notification has been handled. */
  whenIdle(): Promise<void> {
    if (!this.running && this.buffer.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  shouldResync(now: number): boolean {
    return this.resyncPeriodMs > 0 && now >= this.nextResync;
  }

  determineNextResync(now: number): void {
    this.nextResync = now + this.resyncPeriodMs;
  }

  /** Drops what is buffered; the handler is not called again. */
  stop(): void {
    this.stopped = true;
    this.buffer.clear();
    this.pendingInitial = 0;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async drain(): Promise<void> {
    let sinceYield = 0;
    for (;;) {
      const n = this.buffer.shift();
      if (n === undefined || this.stopped) break;
      try {
        const r = this.call(n);
        if (r) {
          await r;
          sinceYield = 0;
        }
      } catch (err) {
        this.onError(err, n);
      } finally {
        if (n.type === 'add' && n.isInInitialList && this.pendingInitial > 0 && --this.pendingInitial === 0) {
          for (const w of this.syncedWaiters.splice(0)) w();
        }
      }
      if (++sinceYield >= batch) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private call(n: Notification<T>): void | Promise<void> {
    switch (n.type) {
      case 'add':
        return this.handler.onAdd?.(n.obj, n.isInInitialList);
      case 'update':
        return this.handler.onUpdate?.(n.oldObj, n.obj);
      case 'delete':
        return this.handler.onDelete?.(n.obj);
    }
  }
}
