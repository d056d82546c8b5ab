// The ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active pods
// matching the selector, adopting orphans and releasing pods that stopped matching; creates in
// slow-start batches and deletes by upstream's ranking; guards every write with expectations so a
// lagging watch or a restart never yields duplicate pods; writes status (replicas,
// fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration, ReplicaFailure).
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { labelSelectorAsSelector, matchesLabels, isEverything } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { isDeletedFinalStateUnknown, type DeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers, type Clock, realClock } from '../../client/workqueue/index.js';
import type { Controller, ControllerContext } from '../context.js';
import {
  ControllerRefManager,
  UIDTrackingExpectations,
  controllerUIDIndex,
  controllerUIDIndexFunc,
  filterActivePods,
  getControllerOf,
  isPodReady,
  newControllerRef,
  newPodControl,
  objectKey,
  orphanIndexKey,
  ranksByRelatedPodsOnSameNode,
  recheckDeletionTimestamp,
  slowStartBatch,
  slowStartInitialBatchSize,
  sortPodsForDeletion,
  type PodControl,
} from '../util/index.js';
import { calculateStatus, statusUpToDate } from './status.js';

/** At most this many creations or deletions per sync (upstream BurstReplicas). */
export const burstReplicas = 500;

export const replicaSetKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

type RS = ReplicaSet & KubeObject;
type PodObj = Pod & KubeObject;

export interface ReplicaSetControllerOptions {
  /** Concurrent syncs (upstream --concurrent-replicaset-syncs, default 5). */
  workers?: number;
  burstReplicas?: number;
  clock?: Clock;
  /** Replace pod creation/deletion (tests). */
  podControl?: PodControl;
}

export function newReplicaSetController(ctx: ControllerContext, opts: ReplicaSetControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const burst = opts.burstReplicas ?? burstReplicas;
  const rsInformer = ctx.informers.for(resources.replicaSets, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
  const podInformer = ctx.informers.for(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
  const rsIndexer = rsInformer.getIndexer();
  const podIndexer = podInformer.getIndexer();
  const queue = newRateLimitingQueue<string>({ name: 'replicaset' });
  const expectations = new UIDTrackingExpectations({ clock });
  const log = ctx.log.child({ controller: 'replicaset' });
  const rsClient = ctx.client.resource(resources.replicaSets);
  const podClient = ctx.client.resource(resources.pods);
  const podControl = opts.podControl ?? newPodControl(ctx.client, ctx.recorder('replicaset-controller'));

  const enqueue = (rs: KubeObject) => queue.add(objectKey(rs));

  /** The ReplicaSet a controller reference names, if it is in the cache with that uid. */
  function resolveControllerRef(namespace: string | undefined, ref: OwnerReference): RS | undefined {
    if (ref.kind !== replicaSetKind.kind || !ref.apiVersion.startsWith('apps/')) return undefined;
    const rs = rsIndexer.getByKey(`${namespace}/${ref.name}`);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  function podReplicaSets(pod: Pod): RS[] {
    return rsIndexer.byIndex('namespace', pod.metadata?.namespace ?? '').filter((rs) => {
      try {
        const sel = labelSelectorAsSelector(rs.spec?.selector);
        return !isEverything(sel) && matchesLabels(sel, pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  rsInformer.addEventHandler({
    onAdd: (rs) => enqueue(rs),
    onUpdate: (_old, rs) => enqueue(rs),
    onDelete: (obj) => {
      const rs = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      const key = isDeletedFinalStateUnknown(obj) ? obj.key : rs && objectKey(rs);
      if (!key) return;
      expectations.delete(key);
      queue.add(key);
    },
  });

  function podDeleted(obj: PodObj | DeletedFinalStateUnknown<PodObj>): void {
    const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
    if (!pod) return;
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = resolveControllerRef(pod.metadata?.namespace, ref);
    if (!rs) return;
    const key = objectKey(rs);
    expectations.deletionObservedOf(key, objectKey(pod));
    queue.add(key);
  }

  podInformer.addEventHandler({
    onAdd: (pod) => {
      if (pod.metadata?.deletionTimestamp) {
        // A restarted controller sees a pod already terminating: it is a deletion, not a creation.
        podDeleted(pod);
        return;
      }
      const ref = getControllerOf(pod);
      if (ref) {
        const rs = resolveControllerRef(pod.metadata?.namespace, ref);
        if (!rs) return;
        const key = objectKey(rs);
        expectations.creationObserved(key);
        queue.add(key);
        return;
      }
      for (const rs of podReplicaSets(pod)) enqueue(rs);
    },
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return; // resync
      const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      if (cur.metadata?.deletionTimestamp) {
        // Graceful deletion started: count it now, so a replacement is created without waiting
        // for the grace period (upstream does the same).
        podDeleted(cur);
        if (labelsChanged) podDeleted(old);
        return;
      }
      const curRef = getControllerOf(cur);
      const oldRef = getControllerOf(old);
      const refChanged = curRef?.uid !== oldRef?.uid;
      if (refChanged && oldRef) {
        const rs = resolveControllerRef(old.metadata?.namespace, oldRef);
        if (rs) enqueue(rs);
      }
      if (curRef) {
        const rs = resolveControllerRef(cur.metadata?.namespace, curRef);
        if (!rs) return;
        enqueue(rs);
        // A pod that just became ready becomes available minReadySeconds later: look again then.
        const minReady = rs.spec?.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
        return;
      }
      if (labelsChanged || refChanged) for (const rs of podReplicaSets(cur)) enqueue(rs);
    },
    onDelete: podDeleted,
  });

  /** Active pods owned by rs or orphaned in its namespace (what claim() starts from). */
  function candidatePods(rs: RS): PodObj[] {
    const owned = podIndexer.byIndex(controllerUIDIndex, rs.metadata!.uid!);
    const orphans = podIndexer.byIndex(controllerUIDIndex, orphanIndexKey(rs.metadata?.namespace));
    return filterActivePods([...owned, ...orphans]);
  }

  /** Pods of every ReplicaSet under the same controller (the Deployment), for ranking by node. */
  function indirectlyRelatedPods(rs: RS): PodObj[] {
    const ref = getControllerOf(rs);
    const siblings = ref ? rsIndexer.byIndex(controllerUIDIndex, ref.uid).filter((r) => r.metadata?.namespace === rs.metadata?.namespace) : [rs];
    const seen = new Set<string>();
    const pods: PodObj[] = [];
    for (const r of siblings) {
      for (const p of podIndexer.byIndex(controllerUIDIndex, r.metadata!.uid!)) {
        const uid = p.metadata?.uid ?? '';
        if (!seen.has(uid)) {
          seen.add(uid);
          pods.push(p);
        }
      }
    }
    return pods;
  }

  async function manageReplicas(rs: RS, pods: PodObj[], key: string): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    let diff = pods.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, burst);
      expectations.expectCreations(key, diff);
      log.debug({ rs: key, need: want, creating: diff }, 'too few replicas');
      const owner = { ...rs, ...replicaSetKind };
      const ref = newControllerRef(rs, replicaSetKind);
      let silentlySkipped = 0;
      const res = await slowStartBatch(diff, slowStartInitialBatchSize, async () => {
        try {
          await podControl.createPod(rs.metadata!.namespace!, rs.spec!.template!, owner, ref);
        } catch (err) {
          // The namespace is terminating: nothing to do, and no event will come.
          if (isNamespaceTerminating(err)) {
            silentlySkipped++;
            return;
          }
          throw err;
        }
      });
      // Creations never attempted (or failed, or skipped) will never be observed.
      for (let i = 0; i < diff - res.successes + silentlySkipped; i++) expectations.creationObserved(key);
      if (res.error !== undefined) throw res.error;
    } else if (diff > 0) {
      diff = Math.min(diff, burst);
      log.debug({ rs: key, need: want, deleting: diff }, 'too many replicas');
      const related = indirectlyRelatedPods(rs);
      const ranks = ranksByRelatedPodsOnSameNode(pods, related);
      const victims = sortPodsForDeletion(pods, ranks, clock.now()).slice(0, diff);
      expectations.expectDeletionsOf(key, victims.map(objectKey));
      const errors: unknown[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await podControl.deletePod(pod.metadata!.namespace!, pod.metadata!.name!, { ...rs, ...replicaSetKind });
          } catch (err) {
            // This deletion will never be observed through the informer.
            expectations.deletionObservedOf(key, objectKey(pod));
            if (!isNotFound(err)) errors.push(err);
          }
        }),
      );
      if (errors.length) throw errors[0];
    }
  }

  async function updateStatus(rs: RS, pods: PodObj[], manageError: unknown): Promise<RS> {
    let cur = rs;
    for (let attempt = 0; ; attempt++) {
      const status = calculateStatus(cur, pods, manageError, clock.now());
      status.observedGeneration = cur.metadata?.generation;
      if (statusUpToDate(cur, status)) return cur;
      try {
        return await rsClient.updateStatus({ ...structuredClone(cur), status });
      } catch (err) {
        if (attempt >= 1 || isNotFound(err)) throw err;
        cur = await rsClient.get(cur.metadata!.name!, { namespace: cur.metadata?.namespace });
      }
    }
  }

  async function sync(key: string): Promise<void> {
    const rs = rsIndexer.getByKey(key);
    if (!rs) {
      expectations.delete(key);
      return;
    }
    const needsSync = expectations.satisfied(key);
    let selector;
    try {
      selector = labelSelectorAsSelector(rs.spec?.selector);
    } catch (err) {
      log.error({ err, rs: key }, 'invalid selector; not syncing');
      return;
    }
    const manager = new ControllerRefManager<PodObj>({
      controller: { ...rs, ...replicaSetKind },
      controllerKind: replicaSetKind,
      selector,
      client: podClient,
      canAdopt: recheckDeletionTimestamp(() => rsClient.get(rs.metadata!.name!, { namespace: rs.metadata?.namespace }), rs),
    });
    const pods = await manager.claim(candidatePods(rs));

    let manageError: unknown;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await manageReplicas(rs, pods, key);
      } catch (err) {
        manageError = err ?? new Error('unknown error');
      }
    }
    const updated = await updateStatus(rs, pods, manageError);
    const minReady = updated.spec?.minReadySeconds ?? 0;
    if (!manageError && minReady > 0 && updated.status?.readyReplicas === updated.spec?.replicas && updated.status?.availableReplicas !== updated.spec?.replicas) {
      queue.addAfter(key, minReady * 1000);
    }
    if (manageError) throw manageError;
  }

  return {
    name: 'replicaset',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log }),
  };
}

function isNamespaceTerminating(err: unknown): boolean {
  const details = (err as { details?: { causes?: Array<{ type?: string; reason?: string }> } } | undefined)?.details;
  return !!details?.causes?.some((c) => c.type === 'NamespaceTerminating' || c.reason === 'NamespaceTerminating');
}
