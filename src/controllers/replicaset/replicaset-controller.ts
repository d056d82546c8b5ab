// The ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active pods
// matching the selector, adopting orphans and releasing pods that stopped matching; creates in
// slow-start batches and deletes by upstream's ranking; guards every write with expectations so a
// lagging watch or a restart never yields duplicate pods; writes status (replicas,
// fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration, ReplicaFailure).
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { labelSelectorAsSelector } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { type Clock, realClock } from '../../client/clock.js';
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
  controllerRefResolver,
  ownersSelecting,
  podEventHandlers,
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

  const resolveControllerRef = controllerRefResolver(rsIndexer, replicaSetKind);

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

  podInformer.addEventHandler(
    podEventHandlers<RS>({
      resolveControllerRef,
      ownersMatching: (pod) => ownersSelecting(rsIndexer, pod),
      expectations,
      enqueue: (key) => queue.add(key),
      onOwnedPod: (rs, key, cur, old) => {
        // A pod that just became ready becomes available minReadySeconds later: look again then.
        const minReady = rs.spec?.minReadySeconds ?? 0;
        if (old && minReady > 0 && !isPodReady(old) && isPodReady(cur)) queue.addAfter(key, minReady * 1000 + 1000);
      },
    }),
  );

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
