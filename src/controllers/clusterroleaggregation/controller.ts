// The ClusterRole aggregation controller (upstream pkg/controller/clusterroleaggregation): a
// ClusterRole with an aggregationRule holds the union of the rules of the ClusterRoles its
// selectors match. The set of ClusterRoles is small and nobody knows the dependency graph, so
// any ClusterRole change queues every aggregated ClusterRole, as upstream does. Writes are
// server-side applies as "clusterrole-aggregation-controller" with force, falling back to an
// update when the server does not support apply (415), and are skipped when the rules are
// already equal.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { StatusError } from '../../api/status.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import { aggregatedRules, applyIntent, rulesEqual, type ClusterRole } from './aggregate.js';

export const clusterRoleAggregationControllerName = 'clusterrole-aggregation';
/** The field manager of the controller's applies (upstream's). */
export const clusterRoleAggregationFieldManager = 'clusterrole-aggregation-controller';

export interface ClusterRoleAggregationOptions {
  /** kube-controller-manager runs 5. */
  workers?: number;
}

/** errors.IsUnsupportedMediaType: the server does not take apply patches. */
function isUnsupportedMediaType(err: unknown): boolean {
  if (!(err instanceof StatusError)) return false;
  return err.reason ? err.reason === 'UnsupportedMediaType' : err.code === 415;
}

export function newClusterRoleAggregationController(ctx: ControllerContext, opts: ClusterRoleAggregationOptions = {}): Controller {
  const informer = ctx.informers.for(resources.clusterRoles);
  const queue = newRateLimitingQueue<string>({ name: 'ClusterRoleAggregator' });
  const client = ctx.client.resource(resources.clusterRoles);
  const log = ctx.log.child({ controller: clusterRoleAggregationControllerName });

  const enqueueAll = () => {
    for (const role of informer.getIndexer().list()) {
      if (role.aggregationRule) queue.add(metaNamespaceKey(role));
    }
  };
  informer.addEventHandler({
    onAdd: () => enqueueAll(),
    onUpdate: () => enqueueAll(),
    onDelete: () => enqueueAll(),
  });

  async function apply(name: string, rules: PolicyRule[]): Promise<void> {
    await client.patch(name, applyIntent(name, rules), { type: 'apply', fieldManager: clusterRoleAggregationFieldManager, force: true });
  }

  async function update(role: ClusterRole, rules: PolicyRule[]): Promise<void> {
    const updated: ClusterRole = structuredClone(role);
    updated.rules = structuredClone(rules);
    await client.update(updated);
  }

  async function sync(key: string): Promise<void> {
    const { name } = splitMetaNamespaceKey(key);
    const role = informer.getIndexer().getByKey(name);
    if (!role) return;
    const rules = aggregatedRules(role, informer.getIndexer().list());
    if (rules === undefined || rulesEqual(rules, role.rules)) return;
    try {
      await apply(name, rules);
    } catch (err) {
      if (!isUnsupportedMediaType(err)) throw err;
      // A server without server-side apply: replace the rules on the cached object.
      await update(role, rules);
    }
  }

  return {
    name: clusterRoleAggregationControllerName,
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (k) => sync(k), signal, { log }),
  };
}

export function clusterRoleAggregationControllerWith(opts: ClusterRoleAggregationOptions): ControllerDescriptor {
  return { name: clusterRoleAggregationControllerName, create: (ctx) => newClusterRoleAggregationController(ctx, opts) };
}

export const clusterRoleAggregationController: ControllerDescriptor = clusterRoleAggregationControllerWith({});
