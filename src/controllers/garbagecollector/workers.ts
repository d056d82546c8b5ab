// The collector's worker loop: like runWorkers, but the item handler says whether to forget the
// item or requeue it with backoff (upstream's workQueueItemAction), since "requeue" is also a
// normal outcome (a virtual node not yet observed).
import type { Logger } from 'pino';
import type { RateLimitingQueue } from '../../client/workqueue/index.js';

export type ItemAction = 'forget' | 'requeue';

/**
 * Runs n workers until the queue is shut down; resolves when they have all returned. Once
 * `signal` aborts, items still queued are dropped rather than processed (a shut-down queue
 * still hands them out), so stopping does not wait for a backlog of API calls.
 */
export async function runNodeWorkers<T>(queue: RateLimitingQueue<T>, n: number, process: (item: T) => Promise<ItemAction>, log: Logger, signal: AbortSignal): Promise<void> {
  const worker = async () => {
    for (;;) {
      const next = await queue.get();
      if (next.shutdown) return;
      const item = next.item;
      if (signal.aborted) {
        queue.done(item);
        continue;
      }
      try {
        const action = await process(item).catch((err: unknown): ItemAction => {
          log.error({ err }, 'garbage collector worker failed');
          return 'requeue';
        });
        if (action === 'forget') queue.forget(item);
        else if (!queue.shuttingDown()) queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
}
