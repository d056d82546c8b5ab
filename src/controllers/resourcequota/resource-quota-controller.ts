// The ResourceQuota controller (upstream pkg/controller/resourcequota): keeps each quota's
// status.hard equal to spec.hard and status.used equal to what the namespace really consumes.
// Admission charges creates as they happen; this controller recounts when a quota changes, when
// a tracked object is deleted or stops consuming (replenishment), and on a periodic full resync
// (which also releases charges for writes that failed after admission).
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { evaluatorFor } from '../../api/quota/evaluators.js';
import { equals, resourceList } from '../../api/quota/resource-list.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { resourceRef, type ResourceRef } from '../../client/rest/resource-ref.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import type { SharedIndexInformer } from '../../client/cache/shared-informer.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import { calculateUsage, parseObjectCountName, type TrackedKind } from './usage.js';

export type Quota = ResourceQuota & KubeObject & { metadata: NonNullable<KubeObject['metadata']> };

export const resourceQuotasRef: ResourceRef<Quota> = resourceRef<Quota>({ group: '', version: 'v1', plural: 'resourcequotas', kind: 'ResourceQuota', namespaced: true });

export interface ResourceQuotaControllerOptions {
  workers?: number;
  /** Full recount of every quota (upstream --resource-quota-sync-period, 5 m). */
  resyncPeriodMs?: number;
  clock?: Clock;
}

// Kinds watched through informers, so deletes replenish at once.
const watched: ResourceRef[] = [
  resources.pods,
  resources.services,
  resources.persistentVolumeClaims,
  resources.configMaps,
  resources.secrets,
  resources.replicationControllers,
  resourceQuotasRef,
];

export function newResourceQuotaController(ctx: ControllerContext, opts: ResourceQuotaControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const log = ctx.log.child({ controller: 'resourcequota' });
  const queue = newRateLimitingQueue<string>({ name: 'resourcequota_primary', clock });
  const quotas = ctx.informers.for(resourceQuotasRef);
  const informers = new Map<string, SharedIndexInformer<KubeObject>>();
  for (const ref of watched) informers.set(`${ref.group}/${ref.plural}`, ctx.informers.for(ref as ResourceRef<KubeObject>));
  const quotaClient = ctx.client.resource(resourceQuotasRef);

  const enqueueQuota = (q: Quota) => queue.add(`${q.metadata.namespace}/${q.metadata.name}`);
  const enqueueNamespace = (namespace: string | undefined) => {
    if (!namespace) return;
    for (const q of quotas.getIndexer().byIndex('namespace', namespace) as Quota[]) enqueueQuota(q);
  };

  quotas.addEventHandler({
    onAdd: (q: Quota) => enqueueQuota(q),
    // Status-only changes (our own writes, admission's charges) need no recount.
    onUpdate: (_old: Quota, q: Quota) => {
      if (!equals(resourceList(q.spec?.hard), resourceList(q.status?.hard))) enqueueQuota(q);
    },
  });

  // Replenishment: a deleted object, or one whose usage went down (a pod that finished), frees quota.
  for (const ref of watched) {
    const evaluator = evaluatorFor(ref.group, ref.plural);
    informers.get(`${ref.group}/${ref.plural}`)!.addEventHandler({
      onUpdate: (old: KubeObject, obj: KubeObject) => {
        const now = clock.now();
        if (!equals(evaluator.usage(old, now), evaluator.usage(obj, now))) enqueueNamespace(obj.metadata?.namespace);
      },
      onDelete: (obj) => {
        const o = (isDeletedFinalStateUnknown(obj) ? obj.obj : obj) as KubeObject;
        enqueueNamespace(o.metadata?.namespace);
      },
    });
  }

  // Objects of kinds without an informer (count/deployments.apps, ...) are listed at sync time.
  const versions = new Map<string, string>();
  async function preferredVersion(group: string): Promise<string | undefined> {
    if (!group) return 'v1';
    if (versions.has(group)) return versions.get(group);
    try {
      const g = await ctx.client.requestJSON<{ preferredVersion?: { version?: string } }>({ method: 'GET', path: `/apis/${group}` });
      const v = g.preferredVersion?.version;
      if (v) versions.set(group, v);
      return v;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function objectsOf(group: string, resource: string, namespace: string): Promise<KubeObject[] | undefined> {
    const informer = informers.get(`${group}/${resource}`);
    if (informer) return informer.getIndexer().byIndex('namespace', namespace);
    const version = await preferredVersion(group);
    if (!version) return undefined;
    try {
      const list = await ctx.client.resource(resourceRef({ group, version, plural: resource, namespaced: true })).list({ namespace });
      return list.items;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function sync(key: string): Promise<void> {
    const quota = quotas.getIndexer().getByKey(key) as Quota | undefined;
    if (!quota) return;
    const namespace = quota.metadata.namespace!;
    const hard = resourceList(quota.spec?.hard);
    const kinds: TrackedKind[] = [];
    const seen = new Set<string>();
    const track = async (group: string, resource: string) => {
      if (seen.has(`${group}/${resource}`)) return;
      seen.add(`${group}/${resource}`);
      const objects = await objectsOf(group, resource, namespace);
      if (objects) kinds.push({ group, resource, objects });
    };
    for (const ref of watched) await track(ref.group, ref.plural);
    for (const name of Object.keys(hard)) {
      const counted = parseObjectCountName(name);
      if (counted) await track(counted.group, counted.resource);
    }
    const used = calculateUsage(quota, kinds, clock.now());
    const dirty = !quota.status?.hard || !quota.status.used || !equals(hard, resourceList(quota.status.hard)) || !equals(used, resourceList(quota.status.used));
    if (!dirty) return;
    try {
      await quotaClient.updateStatus({ ...quota, status: { hard: quota.spec?.hard ?? {}, used } }, { namespace });
    } catch (err) {
      // A newer quota (or admission's charge) is on its way through the informer; it re-triggers us if needed.
      if (isNotFound(err)) return;
      if (isConflict(err)) {
        queue.addRateLimited(key);
        return;
      }
      throw err;
    }
  }

  async function resyncLoop(signal: AbortSignal): Promise<void> {
    const period = opts.resyncPeriodMs ?? 5 * 60_000;
    while (!signal.aborted) {
      const tick = await new Promise<boolean>((resolve) => {
        const timer = clock.setTimeout(() => resolve(true), period);
        signal.addEventListener('abort', () => (timer.cancel(), resolve(false)), { once: true });
      });
      if (!tick) return;
      for (const q of quotas.getIndexer().list() as Quota[]) enqueueQuota(q);
    }
  }

  return {
    name: 'resourcequota',
    async run(signal) {
      await Promise.all([runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log }), resyncLoop(signal)]);
    },
  };
}
