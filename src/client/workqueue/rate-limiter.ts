// Rate limiters for re-queued items (client-go util/workqueue/default_rate_limiters.go).
// when(item) says how long to wait before the item's next try and counts the failure;
// forget(item) clears its history after a success; numRequeues(item) is the failure count.
import { realClock, type Clock } from '../clock.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimiter<T> {
  /** Milliseconds to wait before item may be retried; records one more failure. */
  when(item: T): number;
  forget(item: T): void;
  numRequeues(item: T): number;
}

/** base * 2^failures, capped at max (ms). */
export function itemExponentialFailureRateLimiter<T>(baseMs: number, maxMs: number): RateLimiter<T> {
  const failures = new Map<T, number>();
  return {
    when(item) {
      const exp = failures.get(item) ?? 0;
      failures.set(item, exp + 1);
      const backoff = baseMs * 2 ** exp;
      return backoff > maxMs || !Number.isFinite(backoff) ? maxMs : backoff;
    },
    forget: (item) => void failures.delete(item),
    numRequeues: (item) => failures.get(item) ?? 0,
  };
}

/** fast for the first maxFastAttempts failures of an item, slow after. */
export function itemFastSlowRateLimiter<T>(fastMs: number, slowMs: number, maxFastAttempts: number): RateLimiter<T> {
  const failures = new Map<T, number>();
  return {
    when(item) {
      const n = (failures.get(item) ?? 0) + 1;
      failures.set(item, n);
      return n <= maxFastAttempts ? fastMs : slowMs;
    },
    forget: (item) => void failures.delete(item),
    numRequeues: (item) => failures.get(item) ?? 0,
  };
}

/** One token bucket shared by all items: an overall retry rate of qps with bursts of burst. */
export function bucketRateLimiter<T>(qps: number, burst: number, clock: Clock = realClock): RateLimiter<T> {
  const bucket = new TokenBucket(qps, burst, clock.now());
  return {
    when: () => bucket.reserve(clock.now()),
    forget() {},
    numRequeues: () => 0,
  };
}

/** The longest wait any of the limiters asks for (every limiter records the failure). */
export function maxOfRateLimiter<T>(...limiters: RateLimiter<T>[]): RateLimiter<T> {
  return {
    when(item) {
      let longest = 0;
      for (const l of limiters) longest = Math.max(longest, l.when(item));
      return longest;
    },
    forget(item) {
      for (const l of limiters) l.forget(item);
    },
    numRequeues(item) {
      let most = 0;
      for (const l of limiters) most = Math.max(most, l.numRequeues(item));
      return most;
    },
  };
}

/**
 * Upstream's DefaultControllerRateLimiter: per-item exponential backoff from 5 ms to 1000 s, and an
 * overall bucket of 10 qps with a burst of 100 so a storm of failing items cannot spin.
 */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return maxOfRateLimiter<T>(itemExponentialFailureRateLimiter<T>(5, 1000 * 1000), bucketRateLimiter<T>(10, 100, clock));
}
