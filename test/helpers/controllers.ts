// A controller test rig: the real API server in-process (no mocks), a client to it, and a
// controller manager running the controllers under test until the test closes the rig.
import { Writable } from 'node:stream';
import { startInProcessApi, until, type InProcessApi } from '../client/transport/in-process-api.js';
import { runControllerManager } from '../../src/controllers/manager.js';
import { CONTROLLER_MANAGER_USER, controllerServiceAccountUser, type ControllerDescriptor } from '../../src/controllers/context.js';
import { withServiceAccounts } from '../../src/controllers/registry.js';
import type { Client } from '../../src/client/rest/client.js';
import { createLogger } from '../../src/util/log.js';
import type { ResourceClient } from '../../src/client/rest/resource-client.js';
import type { KubeObject } from '../../src/api/object.js';

export { until };

export interface ControllerRig {
  api: InProcessApi;
  /** An admin client (what tests use to act as a user would). */
  client: Client;
  close(): Promise<void>;
}

const silent = new Writable({ write: (_c, _e, cb) => cb() });

/** Starts the API server and the given controllers: informers as system:kube-controller-manager, each controller as its ServiceAccount. */
export async function startControllers(controllers: ControllerDescriptor[]): Promise<ControllerRig> {
  // The API server's helper runs the serviceaccounts controller (pods need their account); no
  // node agent runs here, so namespaces need no kube-root-ca.crt.
  const api = await startInProcessApi({ rootCA: false });
  const client = api.client();
  const controllerClient = api.client(CONTROLLER_MANAGER_USER);
  const log = createLogger('controller-test', { level: process.env.K8TS_TEST_LOG ?? 'silent', destination: process.env.K8TS_TEST_LOG ? undefined : (silent as never) });
  const stop = new AbortController();
  // Each controller writes as its kube-system ServiceAccount under its upstream role, as `k8ts server` runs them.
  const clientFor = (sa: string) => api.client(controllerServiceAccountUser(sa));
  const running = runControllerManager({ client: controllerClient, log, controllers: withServiceAccounts(controllers), clientFor }, stop.signal);
  return {
    api,
    client,
    async close() {
      stop.abort();
      await running;
      await controllerClient.close();
      await client.close();
      await api.close();
    },
  };
}

/**
 * Waits, by watching (no polling), until the objects of a resource satisfy `cond`: lists, then
 * applies watch events to a local map and re-checks after each one. Rejects after `timeoutMs`
 * with what was last seen.
 */
export async function waitForObjects<T extends KubeObject>(
  resource: ResourceClient<T>,
  cond: (objects: T[]) => boolean,
  what: string,
  opts: { namespace?: string; labelSelector?: string; timeoutMs?: number } = {},
): Promise<T[]> {
  const key = (o: T) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const list = await resource.list({ namespace: opts.namespace, labelSelector: opts.labelSelector });
  const objects = new Map(list.items.map((o) => [key(o), o]));
  if (cond([...objects.values()])) return [...objects.values()];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 10_000);
  try {
    const stream = await resource.watch({ namespace: opts.namespace, labelSelector: opts.labelSelector, resourceVersion: list.metadata.resourceVersion, signal: abort.signal });
    for await (const ev of stream) {
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') objects.set(key(ev.object), ev.object);
      else if (ev.type === 'DELETED') objects.delete(key(ev.object));
      if (cond([...objects.values()])) {
        stream.stop();
        return [...objects.values()];
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify([...objects.keys()])}`);
}

/** waitForObjects for one object by name: resolves with it once `cond` holds (undefined = deleted). */
export async function waitForObject<T extends KubeObject>(
  resource: ResourceClient<T>,
  namespace: string | undefined,
  name: string,
  cond: (obj: T | undefined) => boolean,
  what: string,
  timeoutMs?: number,
): Promise<T | undefined> {
  const found = await waitForObjects(resource, (objs) => cond(objs.find((o) => o.metadata?.name === name)), what, { namespace, timeoutMs });
  return found.find((o) => o.metadata?.name === name);
}
