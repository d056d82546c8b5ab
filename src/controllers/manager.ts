// The controller manager: builds the chosen controllers over one shared context, starts the
// informers they asked for, waits for the caches, then runs every controller until stopped.
// With leader election only the leader runs controllers (kube-controller-manager's behaviour).
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { newControllerContext, type ControllerDescriptor } from './context.js';

export interface ControllerManagerOptions {
  client: Client;
  log: Logger;
  controllers: ControllerDescriptor[];
  /** Names to run ("*" or absent = all; "-name" disables one), as --controllers upstream. */
  enabled?: string[];
  host?: string;
  /**
   * --use-service-account-credentials: the client a controller with a ServiceAccount writes and
   * records events with (its informers stay the shared ones, read with `client`, as upstream's).
   */
  clientFor?: (serviceAccount: string) => Client;
}

export function selectControllers(all: ControllerDescriptor[], enabled: string[] = ['*']): ControllerDescriptor[] {
  const disabled = new Set(enabled.filter((n) => n.startsWith('-')).map((n) => n.slice(1)));
  const star = enabled.includes('*');
  const named = new Set(enabled.filter((n) => n !== '*' && !n.startsWith('-')));
  for (const n of [...named, ...disabled]) {
    if (!all.some((d) => d.name === n)) throw new Error(`unknown controller "${n}" (known: ${all.map((d) => d.name).join(', ')})`);
  }
  return all.filter((d) => !disabled.has(d.name) && (star || named.has(d.name)));
}

/** Runs until the signal aborts; resolves once every controller has stopped. */
export async function runControllerManager(opts: ControllerManagerOptions, signal: AbortSignal): Promise<void> {
  // Every controller, informer and worker listens on this one signal: many listeners are expected.
  setMaxListeners(0, signal);
  const ctx = newControllerContext(opts.client, opts.log, { host: opts.host });
  const own: Array<ReturnType<typeof newControllerContext>> = [];
  const contextFor = (d: ControllerDescriptor) => {
    if (!opts.clientFor || !d.serviceAccount) return ctx;
    const c = newControllerContext(opts.clientFor(d.serviceAccount), opts.log, { host: opts.host, informers: ctx.informers });
    own.push(c);
    return c;
  };
  const controllers = selectControllers(opts.controllers, opts.enabled).map((d) => d.create(contextFor(d)));
  const closeAll = async () => {
    await Promise.all(own.map((c) => c.close()));
    await ctx.close();
  };
  ctx.informers.start();
  if (!(await ctx.informers.waitForCacheSync(signal))) {
    await closeAll();
    return;
  }
  opts.log.info({ controllers: controllers.map((c) => c.name) }, 'controllers started');
  try {
    await Promise.all(
      controllers.map((c) =>
        c.run(signal).catch((err: unknown) => {
          opts.log.error({ err, controller: c.name }, 'controller failed');
        }),
      ),
    );
  } finally {
    await closeAll();
  }
}
