// The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): a finished Job
// with spec.ttlSecondsAfterFinished is deleted that many seconds after it finished. Before
// deleting, the Job is read fresh from the server and the TTL checked again (it may have been
// changed); the delete carries the uid as precondition and, as upstream, cascades in the
// foreground so the Job's pods go first. Until expiry the key waits in the queue (addAfter), on
// an injectable clock.
import type { Job } from 'kubernetes-types/batch/v1.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { DeleteOptions } from '../../client/rest/resource-client.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import { splitMetaNamespaceKey } from '../../client/cache/index.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import { needsCleanup, timeLeft } from './job-finish.js';

export interface TTLAfterFinishedOptions {
  workers?: number;
  clock?: Clock;
  /** Upstream deletes in the foreground. */
  propagationPolicy?: NonNullable<DeleteOptions['propagationPolicy']>;
}

export function newTTLAfterFinishedController(ctx: ControllerContext, opts: TTLAfterFinishedOptions = {}): Controller {
  const jobs = ctx.informers.for(resources.jobs);
  const clock = opts.clock ?? realClock;
  const queue = newRateLimitingQueue<string>({ name: 'ttl_jobs_to_delete', clock });
  const client = ctx.client.resource(resources.jobs);
  const log = ctx.log.child({ controller: 'ttl-after-finished' });
  const key = (job: Job) => `${job.metadata!.namespace}/${job.metadata!.name}`;

  const enqueueIfNeeded = (job: Job) => {
    if (!job.metadata?.deletionTimestamp && needsCleanup(job)) queue.add(key(job));
  };
  jobs.addEventHandler({
    onAdd: (job: Job) => enqueueIfNeeded(job),
    onUpdate: (_old: Job, job: Job) => enqueueIfNeeded(job),
  });

  /** The expiry time if the Job's TTL has run out; otherwise requeues it for when it will. */
  function processTTL(job: Job): number | undefined {
    if (job.metadata?.deletionTimestamp || !needsCleanup(job)) return undefined;
    const { remainingMs, expireAt, finishAt } = timeLeft(job, clock.now());
    if (finishAt > clock.now()) log.warn({ job: key(job) }, 'found Job finished in the future. This is likely due to time skew in the cluster. Job cleanup will be deferred.');
    if (remainingMs <= 0) return expireAt;
    queue.addAfter(key(job), remainingMs);
    return undefined;
  }

  async function processJob(k: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(k);
    const cached = jobs.getIndexer().getByKey(k) as Job | undefined;
    if (!cached || processTTL(cached) === undefined) return;
    // The cache may be stale (the TTL changed): decide again on the live Job.
    let fresh: Job;
    try {
      fresh = await client.get(name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (processTTL(fresh) === undefined) return;
    log.info({ job: k }, 'cleaning up Job');
    try {
      await client.delete(name, { namespace, propagationPolicy: opts.propagationPolicy ?? 'Foreground', preconditions: { uid: fresh.metadata!.uid! } });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  return {
    name: 'ttl-after-finished',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (k) => processJob(k), signal, { log }),
  };
}

export function ttlAfterFinishedControllerWith(opts: TTLAfterFinishedOptions): ControllerDescriptor {
  return { name: 'ttl-after-finished', create: (ctx) => newTTLAfterFinishedController(ctx, opts) };
}

export const ttlAfterFinishedController: ControllerDescriptor = ttlAfterFinishedControllerWith({});
