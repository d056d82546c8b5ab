// The ServiceAccounts controller (upstream pkg/controller/serviceaccount): every active
// namespace has a "default" ServiceAccount; deleting it brings it back.
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isAlreadyExists, isForbidden, isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';

export const defaultServiceAccountName = 'default';

export function newServiceAccountsController(ctx: ControllerContext, opts: { workers?: number } = {}): Controller {
  const namespaces = ctx.informers.for(resources.namespaces);
  const accounts = ctx.informers.for(resources.serviceAccounts);
  const queue = newRateLimitingQueue<string>({ name: 'serviceaccount' });
  const log = ctx.log.child({ controller: 'serviceaccount' });

  namespaces.addEventHandler({
    onAdd: (ns: Namespace) => queue.add(ns.metadata!.name!),
    onUpdate: (_old: Namespace, ns: Namespace) => queue.add(ns.metadata!.name!),
  });
  accounts.addEventHandler({
    onDelete: (obj) => {
      const sa = (isDeletedFinalStateUnknown(obj) ? obj.obj : obj) as ServiceAccount;
      if (sa.metadata?.name === defaultServiceAccountName && sa.metadata.namespace) queue.add(sa.metadata.namespace);
    },
  });

  const client = ctx.client.resource(resources.serviceAccounts);

  async function sync(namespace: string): Promise<void> {
    const ns = namespaces.getIndexer().getByKey(namespace) as Namespace | undefined;
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (accounts.getIndexer().getByKey(`${namespace}/${defaultServiceAccountName}`)) return;
    try {
      await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: defaultServiceAccountName, namespace } }, { namespace });
    } catch (err) {
      // Already there (our cache is behind), or the namespace went away / is terminating: nothing to do.
      if (isAlreadyExists(err) || isNotFound(err) || isForbidden(err)) return;
      throw err;
    }
  }

  return {
    name: 'serviceaccount',
    run: (signal) => runWorkers(queue, opts.workers ?? 1, (ns) => sync(ns), signal, { log }),
  };
}

export const serviceAccountsController: ControllerDescriptor = {
  name: 'serviceaccount',
  create: (ctx) => newServiceAccountsController(ctx),
};
