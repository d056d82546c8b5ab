// The namespace controller (upstream pkg/controller/namespace): a namespace with a
// deletionTimestamp is emptied of every namespaced resource and then released, so the API server
// can delete it. Deletion polls, as upstream: while content remains the namespace is requeued
// after about half the estimated time, and failures back off up to a minute.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { bucketRateLimiter, itemExponentialFailureRateLimiter, maxOfRateLimiter, newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import { newNamespaceDeleter, ResourcesRemainingError } from './deleter.js';

export interface NamespaceControllerOptions {
  /** Concurrent namespace syncs (upstream --concurrent-namespace-syncs, default 10). */
  workers?: number;
  /**
   * How long after it is seen terminating a namespace is first processed (upstream
   * namespaceDeletionGracePeriod, 5 s): lets last-moment creations in the namespace land in
   * storage, so they are deleted too rather than racing the finalizer removal.
   */
  deletionGracePeriodMs?: number;
  /** When to look again at a namespace whose content needs about `estimateSeconds` more (upstream: estimate/2 + 1 s). */
  remainingContentDelayMs?: (estimateSeconds: number) => number;
  now?: () => Date;
}

export const namespaceDeletionGracePeriodMs = 5000;

/** Upstream's requeue for ResourcesRemainingError: half the estimate plus one second (integer seconds). */
export function defaultRemainingContentDelayMs(estimateSeconds: number): number {
  return (Math.floor(estimateSeconds / 2) + 1) * 1000;
}

export function newNamespaceController(ctx: ControllerContext, opts: NamespaceControllerOptions = {}): Controller {
  const namespaces = ctx.informers.for(resources.namespaces);
  const log = ctx.log.child({ controller: 'namespace' });
  // Faster recycling than the default limiter (upstream nsControllerRateLimiter): retry at least
  // every minute, and no more than 10 retries a second overall.
  const queue = newRateLimitingQueue<string>({
    name: 'namespace',
    rateLimiter: maxOfRateLimiter<string>(itemExponentialFailureRateLimiter<string>(5, 60_000), bucketRateLimiter<string>(10, 100)),
  });
  const gracePeriodMs = opts.deletionGracePeriodMs ?? namespaceDeletionGracePeriodMs;
  const remainingDelayMs = opts.remainingContentDelayMs ?? defaultRemainingContentDelayMs;
  const deleter = newNamespaceDeleter({ client: ctx.client, log, now: opts.now });

  const enqueue = (ns: Namespace) => {
    // Only namespaces being deleted concern this controller.
    if (!ns.metadata?.deletionTimestamp) return;
    queue.addAfter(ns.metadata.name!, gracePeriodMs);
  };
  namespaces.addEventHandler({
    onAdd: (ns: Namespace) => enqueue(ns),
    onUpdate: (_old: Namespace, ns: Namespace) => enqueue(ns),
  });

  async function sync(name: string): Promise<void> {
    if (!namespaces.getIndexer().getByKey(name)) return;
    try {
      await deleter.delete(name);
    } catch (err) {
      if (!(err instanceof ResourcesRemainingError)) throw err;
      // Not a failure: content is on its way out. Look again later, without growing the backoff.
      log.debug({ namespace: name, estimate: err.estimate }, 'content remaining in namespace');
      queue.addAfter(name, remainingDelayMs(err.estimate));
    }
  }

  return {
    name: 'namespace',
    run: (signal) => runWorkers(queue, opts.workers ?? 10, (name) => sync(name), signal, { log }),
  };
}

/** The namespace controller with upstream's timing; `namespaceControllerWith` to tune it. */
export const namespaceController: ControllerDescriptor = namespaceControllerWith();

export function namespaceControllerWith(opts: NamespaceControllerOptions = {}): ControllerDescriptor {
  return { name: 'namespace', create: (ctx) => newNamespaceController(ctx, opts) };
}
