// Running the scheduler as a component: shared informers, events.k8s.io recorders (one reporting
// controller per profile, named by its schedulerName as upstream), HTTP extenders from the configuration, the
// Scheduler itself; informers synced before the first cycle. Used by `k8ts scheduler` and by
// `k8ts server`/`up`, which run it in-process.
import type { Logger } from 'pino';
import { setMaxListeners } from 'node:events';
import type { Client } from '../client/rest/client.js';
import { newControllerContext } from '../controllers/context.js';
import { HTTPExtender } from './extender/index.js';
import { defaultConfiguration } from './config/defaults.js';
import type { SchedulerConfiguration } from './config/types.js';
import { inTreeRegistry, type Registry } from './plugins/registry.js';
import { Scheduler } from './scheduler.js';

export interface StartSchedulerOptions {
  client: Client;
  log: Logger;
  /** Default: upstream's default profile (default-scheduler) with every plugin k8ts has. */
  config?: SchedulerConfiguration;
  /** Default: the in-tree plugins. */
  registry?: Registry;
  /** Host name put on events. */
  host?: string;
  /** Called once the caches are synced and scheduling begins (tests, readiness). */
  onStarted?: (scheduler: Scheduler) => void;
}

/**
 * Runs the scheduler until the signal aborts; resolves once it has stopped (binding cycles in
 * flight finished, informers and the event broadcaster shut down).
 */
export async function runScheduler(opts: StartSchedulerOptions, signal: AbortSignal): Promise<void> {
  setMaxListeners(0, signal);
  const registry = opts.registry ?? inTreeRegistry();
  const config = opts.config ?? defaultConfiguration((name) => registry.has(name));
  const ctx = newControllerContext(opts.client, opts.log, { host: opts.host });
  const extenders = config.extenders.map((e) => new HTTPExtender(e));
  try {
    const scheduler = new Scheduler({
      client: opts.client,
      informers: ctx.informers,
      // events.k8s.io/v1, one reporting controller per profile (upstream's profile.NewRecorderFactory).
      recorder: (name) => ctx.eventsRecorder(name),
      log: opts.log,
      config,
      registry,
      extenders,
    });
    ctx.informers.start();
    if (!(await ctx.informers.waitForCacheSync(signal))) return;
    opts.log.info({ profiles: [...scheduler.profiles.keys()], extenders: extenders.length }, 'scheduler started');
    opts.onStarted?.(scheduler);
    await scheduler.run(signal);
  } finally {
    for (const e of extenders) e.close();
    await ctx.close();
  }
}

export interface RunningScheduler {
  /** Stops scheduling and waits until everything is shut down. */
  stop(): Promise<void>;
  /** Resolves when the scheduler has stopped (by stop() or a failure). */
  done: Promise<void>;
}

/** runScheduler with its own abort controller (what `k8ts server` uses). */
export function startScheduler(opts: StartSchedulerOptions): RunningScheduler {
  const abort = new AbortController();
  const done = runScheduler(opts, abort.signal).catch((err: unknown) => {
    opts.log.error({ err }, 'scheduler stopped');
  });
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
