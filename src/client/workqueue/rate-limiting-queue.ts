// The rate-limited queue of client-go (rate_limiting_queue.go): a delaying queue whose
// addRateLimited(item) waits as long as the rate limiter says. Callers forget(item) after a
// success so its backoff starts over.
import { DelayingWorkQueue, type DelayingQueue } from './delaying-queue.js';
import type { QueueOptions } from './queue.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface RateLimitingQueue<T> extends DelayingQueue<T> {
  /** Adds item once the rate limiter allows it. */
  addRateLimited(item: T): void;
  /** Ends item's failure history (it still finishes its current processing normally). */
  forget(item: T): void;
  /** How many times item has been rate-limited since it was last forgotten. */
  numRequeues(item: T): number;
}

export interface RateLimitingQueueOptions<T> extends QueueOptions {
  /** Default: defaultControllerRateLimiter on the queue's clock. */
  rateLimiter?: RateLimiter<T>;
}

export class RateLimitingWorkQueue<T> extends DelayingWorkQueue<T> implements RateLimitingQueue<T> {
  private readonly limiter: RateLimiter<T>;

  constructor(opts: RateLimitingQueueOptions<T> = {}) {
    super(opts);
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  addRateLimited(item: T): void {
    this.addAfter(item, this.limiter.when(item));
  }

  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }
}

/** A rate-limited queue with the default controller rate limiter (or opts.rateLimiter). */
export function newRateLimitingQueue<T>(opts: RateLimitingQueueOptions<T> = {}): RateLimitingQueue<T> {
  return new RateLimitingWorkQueue<T>(opts);
}
