// The deduplicating work queue of client-go util/workqueue (queue.go). Contract:
// - an item is in the queue at most once: adding an item already waiting is a no-op;
// - an item is processed by at most one worker at a time: adding an item that is being processed
//   marks it dirty, and done() puts it back in the queue;
// - get() hands out items in FIFO order; after shutDown it still hands out what is queued and
//   then answers { shutdown: true } — new adds are dropped.
// Items are compared with SameValueZero (Map keys): use strings such as "namespace/name".
import { realClock, type Clock, type TimerHandle } from '../clock.js';
import { noopQueueMetrics, prometheusQueueMetrics, type QueueMetrics } from './metrics.js';

export type GetResult<T> = { item: T; shutdown: false } | { item: undefined; shutdown: true };

export interface Queue<T> {
  add(item: T): void;
  /** Items waiting (not those being processed). */
  len(): number;
  /** The next item, waiting for one if the queue is empty. Call done(item) when finished with it. */
  get(): Promise<GetResult<T>>;
  /** Marks item as processed; if it was added meanwhile it goes back in the queue. */
  done(item: T): void;
  /** Stops accepting items; waiting get() calls resolve with shutdown once the queue is empty. */
  shutDown(): void;
  /** shutDown, then resolves once every item handed out by get() has been done(). */
  shutDownWithDrain(): Promise<void>;
  shuttingDown(): boolean;
}

export interface QueueOptions {
  /** Metrics label; an unnamed queue records no metrics. */
  name?: string;
  clock?: Clock;
  /** Overrides the Prometheus metrics (tests). */
  metrics?: QueueMetrics<unknown>;
}

// How often the time-based gauges are refreshed (upstream: 500 ms).
const unfinishedWorkUpdatePeriodMs = 500;

export class WorkQueue<T> implements Queue<T> {
  readonly name: string;
  protected readonly clock: Clock;
  private readonly metrics: QueueMetrics<T>;
  private queue: T[] = [];
  private head = 0;
  /** Items that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: Array<(r: GetResult<T>) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shutting = false;
  private draining = false;
  private metricsTimer?: TimerHandle;

  constructor(opts: QueueOptions = {}) {
    this.name = opts.name ?? '';
    this.clock = opts.clock ?? realClock;
    this.metrics = (opts.metrics as QueueMetrics<T> | undefined) ??
      (this.name ? prometheusQueueMetrics<T>(this.name, this.clock) : (noopQueueMetrics as QueueMetrics<T>));
    if (this.name || opts.metrics) this.scheduleMetricsUpdate();
  }

  add(item: T): void {
    if (this.shutting) return;
    if (this.dirty.has(item)) return;
    this.metrics.add(item);
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.queue.push(item);
    this.wake();
  }

  len(): number {
    return this.queue.length - this.head;
  }

  get(): Promise<GetResult<T>> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shutting) return Promise.resolve({ item: undefined, shutdown: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(item: T): void {
    this.metrics.done(item);
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.wake();
    } else if (this.processing.size === 0 && this.draining) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  shutDown(): void {
    this.shutting = true;
    this.metricsTimer?.cancel();
    this.wake();
  }

  shutDownWithDrain(): Promise<void> {
    this.draining = true;
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  shuttingDown(): boolean {
    return this.shutting;
  }

  private take(): GetResult<T> {
    const item = this.queue[this.head++];
    // Compact now and then so a long-lived queue does not keep a growing dead prefix.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.metrics.get(item);
    this.processing.add(item);
    this.dirty.delete(item);
    return { item, shutdown: false };
  }

  /** Hands queued items to waiting get() calls; after shutdown, tells the rest there is nothing more. */
  private wake(): void {
    while (this.waiters.length > 0 && this.len() > 0) this.waiters.shift()!(this.take());
    if (this.shutting && this.len() === 0) {
      for (const w of this.waiters.splice(0)) w({ item: undefined, shutdown: true });
    }
  }

  private scheduleMetricsUpdate(): void {
    if (this.shutting) return;
    this.metricsTimer = this.clock.setTimeout(() => {
      this.metrics.updateUnfinishedWork();
      this.scheduleMetricsUpdate();
    }, unfinishedWorkUpdatePeriodMs);
  }

  /** For the delaying queue: report a delayed add. */
  protected reportRetry(): void {
    this.metrics.retry();
  }
}
