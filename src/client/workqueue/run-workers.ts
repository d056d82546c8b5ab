// The standard controller loop (sample-controller's runWorker/processNextWorkItem): n workers take
// items from the queue; success forgets the item's backoff, failure logs and re-adds it through
// the rate limiter. Processing never overlaps for one item, because the queue guarantees it.
import { createLogger, type Logger } from '../../util/log.js';
import type { RateLimitingQueue } from './rate-limiting-queue.js';

export interface RunWorkersOptions {
  log?: Logger;
  /** Drop an item (and log it) after this many consecutive failures. Default: retry forever, as upstream. */
  maxRetries?: number;
  /** On abort, let in-flight items finish (shutDownWithDrain) before the promise resolves. Default true. */
  drain?: boolean;
  /**
   * The level a failure that is retried is logged at. Default 'error' (upstream's HandleError,
   * as most controllers do). A controller whose upstream logs retries at verbosity 2 (the
   * deployment controller) says 'debug': its item is retried, and only a drop is an error.
   */
  requeueLogLevel?: 'error' | 'debug';
}

/**
 * Runs n workers until signal aborts (which shuts the queue down) or the queue is shut down by
 * someone else. Resolves when every worker has returned.
 */
export async function runWorkers<T>(
  queue: RateLimitingQueue<T>,
  n: number,
  process: (item: T, signal: AbortSignal) => Promise<void> | void,
  signal: AbortSignal,
  opts: RunWorkersOptions = {},
): Promise<void> {
  const log = opts.log ?? createLogger('workqueue');
  const drain = opts.drain ?? true;
  const requeueLevel = opts.requeueLogLevel ?? 'error';
  let drained: Promise<void> = Promise.resolve();
  const stop = () => {
    if (drain) drained = queue.shutDownWithDrain();
    else queue.shutDown();
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });

  const worker = async () => {
    for (;;) {
      const next = await queue.get();
      if (next.shutdown) return;
      const item = next.item;
      try {
        await process(item, signal);
        queue.forget(item);
      } catch (err) {
        const retries = queue.numRequeues(item);
        if (opts.maxRetries !== undefined && retries >= opts.maxRetries) {
          log.error({ err, item: String(item), retries }, 'dropping item out of the work queue after too many failures');
          queue.forget(item);
        } else {
          log[requeueLevel]({ err, item: String(item), retries }, 'error processing item; requeuing with rate limit');
          queue.addRateLimited(item);
        }
      } finally {
        queue.done(item);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
    await drained;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
