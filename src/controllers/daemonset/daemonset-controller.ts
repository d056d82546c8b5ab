// The DaemonSet controller (upstream pkg/controller/daemon): one pod per node that should run it
// (node-fit.ts); extra, misscheduled and failed pods are deleted; pods are pinned by node
// affinity; RollingUpdate replaces old-revision pods within maxUnavailable (or surges with
// maxSurge); status counts nodes. Creations and deletions are guarded by expectations. A failed
// daemon pod is killed (and so recreated) with exponential backoff per DaemonSet and node, each
// kill announced by a FailedDaemonPod warning on the DaemonSet; a succeeded one is deleted (and
// replaced) at once with a SucceededDaemonPod event.
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { isEverything, labelSelectorAsSelector } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import { controllerRevisionHashLabel, controllerRevisions, ensureUpdateRevision, truncateHistory, type RevisionObject } from '../history/index.js';
import {
  ControllerRefManager,
  UIDTrackingExpectations,
  controllerUIDIndex,
  controllerUIDIndexFunc,
  getControllerOf,
  isPodAvailable,
  isPodReady,
  newControllerRef,
  newPodControl,
  objectKey,
  orphanIndexKey,
  recheckDeletionTimestamp,
} from '../util/index.js';
import { addDaemonTolerations, nodeShouldRunDaemonPod, pinToNode, targetNodeName } from './node-fit.js';
import { Backoff } from './failed-pod-backoff.js';

export const daemonSetKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' } as const;
/** Upstream extensions.DaemonSetTemplateGenerationKey (deprecated, still set). */
export const podTemplateGenerationLabel = 'pod-template-generation';

type DS = DaemonSet & KubeObject;
type PodObj = Pod & KubeObject;

/** An int-or-percent scaled against total, rounded up (upstream GetScaledValueFromIntOrPercent with roundUp). */
export function scaledValue(v: number | string | undefined, total: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

export function revisionData(ds: DS): unknown {
  return { spec: { template: { ...(structuredClone(ds.spec?.template ?? {}) as Record<string, unknown>), $patch: 'replace' } } };
}

/** Upstream failedPodsBackoffKey: a new generation of the DaemonSet starts every node's backoff over. */
export function failedPodsBackoffKey(ds: DS, nodeName: string): string {
  return `${ds.metadata?.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

/** Upstream AllowsSurge: a RollingUpdate whose maxSurge, scaled against one node, is not zero. */
function allowsSurge(ds: DS): boolean {
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  return scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge, 1, 0) !== 0;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export interface DaemonSetControllerOptions {
  workers?: number;
  /** Drives expectations, availability and the failed-pod backoff (and its requeues). */
  clock?: Clock;
}

export function newDaemonSetController(ctx: ControllerContext, opts: DaemonSetControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const failedPodsBackoff = new Backoff(clock);
  // One pending backoff wake-up per DaemonSet, on the controller's clock.
  const wakeUps = new Map<string, { at: number; cancel(): void }>();
  function enqueueAfterOnClock(key: string, ms: number): void {
    const at = clock.now() + ms;
    const pending = wakeUps.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const timer = clock.setTimeout(() => {
      wakeUps.delete(key);
      queue.add(key);
    }, ms);
    wakeUps.set(key, { at, cancel: () => timer.cancel() });
  }
  const indexers = { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } };
  const dsInformer = ctx.informers.for(resources.daemonSets);
  const podInformer = ctx.informers.for(resources.pods, indexers);
  const nodeInformer = ctx.informers.for(resources.nodes);
  const revInformer = ctx.informers.for(controllerRevisions, indexers);
  const dsIndexer = dsInformer.getIndexer();
  const queue = newRateLimitingQueue<string>({ name: 'daemonset' });
  const expectations = new UIDTrackingExpectations({ clock });
  const log = ctx.log.child({ controller: 'daemonset' });
  const recorder = ctx.recorder('daemonset-controller');
  const podControl = newPodControl(ctx.client, recorder);
  const dsClient = ctx.client.resource(resources.daemonSets);
  const podClient = ctx.client.resource(resources.pods);
  const revClient = ctx.client.resource(controllerRevisions);

  const enqueueAll = () => {
    for (const ds of dsIndexer.list()) queue.add(objectKey(ds));
  };
  function owner(pod: PodObj): DS | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== daemonSetKind.kind) return undefined;
    const ds = dsIndexer.getByKey(`${pod.metadata?.namespace ?? ''}/${ref.name}`);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  dsInformer.addEventHandler({
    onAdd: (ds) => queue.add(objectKey(ds)),
    onUpdate: (_o, ds) => queue.add(objectKey(ds)),
    onDelete: (obj) => {
      const key = isDeletedFinalStateUnknown(obj) ? obj.key : objectKey(obj);
      expectations.delete(key);
      queue.add(key);
    },
  });
  podInformer.addEventHandler({
    onAdd: (pod) => {
      const ds = owner(pod);
      if (ds) {
        expectations.creationObserved(objectKey(ds));
        queue.add(objectKey(ds));
      } else if (!getControllerOf(pod)) enqueueAll();
    },
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const ds = owner(cur) ?? owner(old);
      if (ds) queue.add(objectKey(ds));
      else if (!getControllerOf(cur)) enqueueAll();
    },
    onDelete: (obj) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      const ds = pod && owner(pod);
      if (!ds) return;
      expectations.deletionObservedOf(objectKey(ds), objectKey(pod));
      queue.add(objectKey(ds));
    },
  });
  nodeInformer.addEventHandler({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });

  async function deletePods(ds: DS, key: string, victims: PodObj[]): Promise<void> {
    if (!victims.length) return;
    expectations.expectDeletionsOf(key, victims.map(objectKey));
    const errors: unknown[] = [];
    await Promise.all(
      victims.map(async (p) => {
        try {
          await podControl.deletePod(p.metadata!.namespace!, p.metadata!.name!, { ...ds, ...daemonSetKind }, { uid: p.metadata?.uid });
        } catch (err) {
          expectations.deletionObservedOf(key, objectKey(p));
          if (!isNotFound(err)) errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  async function createPods(ds: DS, key: string, nodes: string[], hash: string): Promise<void> {
    if (!nodes.length) return;
    expectations.expectCreations(key, nodes.length);
    const template = structuredClone(ds.spec!.template);
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [controllerRevisionHashLabel]: hash, [podTemplateGenerationLabel]: String(ds.metadata?.generation ?? 1) } };
    const ref = newControllerRef(ds, daemonSetKind);
    const errors: unknown[] = [];
    await Promise.all(
      nodes.map(async (nodeName) => {
        try {
          await podControl.createPod(ds.metadata!.namespace!, template, { ...ds, ...daemonSetKind }, ref, {
            mutate: (pod) => {
              addDaemonTolerations(pod.spec!);
              pinToNode(pod.spec!, nodeName);
            },
          });
        } catch (err) {
          expectations.creationObserved(key);
          errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  async function sync(key: string): Promise<void> {
    const ds = dsIndexer.getByKey(key);
    if (!ds) {
      expectations.delete(key);
      return;
    }
    const selector = labelSelectorAsSelector(ds.spec?.selector);
    if (isEverything(selector)) return;
    const ns = ds.metadata?.namespace;
    const canAdopt = recheckDeletionTimestamp(() => dsClient.get(ds.metadata!.name!, { namespace: ns }), ds);
    const ownerObj = { ...ds, ...daemonSetKind };
    const candidates = <T extends KubeObject>(ix: { byIndex(i: string, v: string): T[] }) => [...ix.byIndex(controllerUIDIndex, ds.metadata!.uid!), ...ix.byIndex(controllerUIDIndex, orphanIndexKey(ns))];
    const pods = await new ControllerRefManager<PodObj>({ controller: ownerObj, controllerKind: daemonSetKind, selector, client: podClient, canAdopt }).claim(candidates<PodObj>(podInformer.getIndexer()));
    const owned = await new ControllerRefManager<RevisionObject>({ controller: ownerObj, controllerKind: daemonSetKind, selector, client: revClient, canAdopt }).claim(candidates<RevisionObject>(revInformer.getIndexer()));
    const { update, revisions, collisionCount } = await ensureUpdateRevision(ctx.client, ds, daemonSetKind, ds.spec?.template?.metadata?.labels, revisionData(ds), owned, ds.status?.collisionCount ?? 0);
    const hash = update.metadata?.labels?.[controllerRevisionHashLabel] ?? '';
    const now = clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;

    const byNode = new Map<string, PodObj[]>();
    for (const p of pods) {
      const n = targetNodeName(p);
      if (n === undefined) continue;
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const nodes = nodeInformer.getIndexer().list() as Node[];
    const status: DaemonSetStatus = {
      currentNumberScheduled: 0,
      desiredNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
      numberAvailable: 0,
      updatedNumberScheduled: 0,
      observedGeneration: ds.metadata?.generation,
      collisionCount: collisionCount || undefined,
    };
    const toCreate: string[] = [];
    const toDelete: PodObj[] = [];
    const isNew = (p: Pod) => p.metadata?.labels?.[controllerRevisionHashLabel] === hash;
    // Per node: the live pods, for the rolling update below.
    const scheduled: Array<{ node: string; pods: PodObj[] }> = [];
    // Pods are only created or deleted once the cache shows our last writes (upstream manage()).
    const canManage = expectations.satisfied(key) && !ds.metadata?.deletionTimestamp;
    for (const node of nodes) {
      const name = node.metadata!.name!;
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(ds.spec!.template.spec!, node);
      // Terminal pods being deleted are as good as gone (upstream getNodesToDaemonPods).
      const all = (byNode.get(name) ?? []).filter((p) => !(isTerminal(p) && p.metadata?.deletionTimestamp));
      byNode.delete(name);
      const alive = all.filter((p) => !p.metadata?.deletionTimestamp);
      if (shouldRun) status.desiredNumberScheduled! += 1;
      if (alive.length && shouldContinueRunning) {
        status.currentNumberScheduled! += 1;
        const newest = alive.find(isNew) ?? alive[0];
        if (isPodReady(newest)) status.numberReady! += 1;
        if (isPodAvailable(newest, minReady, now)) status.numberAvailable! += 1;
        if (alive.some(isNew)) status.updatedNumberScheduled! += 1;
      } else if (alive.length && !shouldRun) status.numberMisscheduled! += 1;
      if (shouldRun && all.length === 0) toCreate.push(name);
      else if (shouldContinueRunning) {
        const running: PodObj[] = [];
        for (const p of alive) {
          const phase = p.status?.phase;
          if (phase !== 'Failed' && phase !== 'Succeeded') {
            running.push(p);
            continue;
          }
          if (!canManage) continue;
          if (phase === 'Succeeded') {
            // A daemon pod that finished (e.g. at node shutdown) is replaced, without backoff.
            recorder.event(ownerObj, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${p.metadata?.namespace}/${p.metadata?.name} on node ${name}, will try to delete it`);
            toDelete.push(p);
            continue;
          }
          // Kill a failed pod (its replacement follows once it is gone), but not faster than the backoff allows.
          const backoffKey = failedPodsBackoffKey(ds, name);
          if (failedPodsBackoff.isInBackOffSinceUpdate(backoffKey, now)) {
            enqueueAfterOnClock(key, failedPodsBackoff.get(backoffKey));
            continue;
          }
          failedPodsBackoff.next(backoffKey, now);
          recorder.event(ownerObj, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata?.namespace}/${p.metadata?.name} on node ${name}, will try to kill it`);
          toDelete.push(p);
        }
        if (running.length === 0) {
          // Surging, a node needs a live pod even while others are going away; otherwise wait for them.
          if (shouldRun && allowsSurge(ds)) toCreate.push(name);
        } else if (running.length > 1 && !(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge && running.length === 2 && running.some(isNew) && running.some((p) => !isNew(p)))) {
          // Keep the oldest; extras go.
          const sorted = [...running].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
          toDelete.push(...sorted.slice(1));
        } else if (running.length) scheduled.push({ node: name, pods: running });
      } else toDelete.push(...alive);
    }
    // Pods for nodes that no longer exist.
    for (const ps of byNode.values()) toDelete.push(...ps.filter((p) => !p.metadata?.deletionTimestamp));
    status.numberUnavailable = Math.max(0, status.desiredNumberScheduled! - status.numberAvailable!) || undefined;

    if (canManage) {
      // Rolling update (upstream rollingUpdate): without surge, delete old pods — unavailable ones
      // freely, available ones within maxUnavailable; with surge, create the new pod beside the
      // old one and delete the old one once the new one is available.
      if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        const desired = status.desiredNumberScheduled!;
        const ru = ds.spec?.updateStrategy?.rollingUpdate;
        const maxSurge = scaledValue(ru?.maxSurge, desired, 0);
        const maxUnavailable = scaledValue(ru?.maxUnavailable, desired, maxSurge === 0 ? 1 : 0) || (maxSurge === 0 ? 1 : 0);
        let unavailable = 0;
        for (const s of scheduled) if (!s.pods.some((p) => isPodAvailable(p, minReady, now))) unavailable++;
        unavailable += toCreate.length;
        if (maxSurge === 0) {
          let budget = maxUnavailable - unavailable;
          for (const s of scheduled) {
            const old = s.pods.filter((p) => !isNew(p));
            if (!old.length) continue;
            if (!old.some((p) => isPodAvailable(p, minReady, now))) toDelete.push(...old);
            else if (budget > 0) {
              toDelete.push(...old);
              budget--;
            }
          }
        } else {
          let surging = scheduled.filter((s) => s.pods.some(isNew) && s.pods.some((p) => !isNew(p))).length;
          for (const s of scheduled) {
            const fresh = s.pods.find(isNew);
            const old = s.pods.filter((p) => !isNew(p));
            if (!old.length) continue;
            if (fresh) {
              if (isPodAvailable(fresh, minReady, now)) toDelete.push(...old);
            } else if (surging < maxSurge) {
              toCreate.push(s.node);
              surging++;
            }
          }
        }
      }
      await deletePods(ds, key, toDelete);
      await createPods(ds, key, toCreate, hash);
    }

    const next = { ...ds.status, ...status };
    if (JSON.stringify(next) !== JSON.stringify(ds.status ?? {})) {
      try {
        await dsClient.updateStatus({ ...structuredClone(ds), status: next });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    const live = new Set<string>([update.metadata!.name!]);
    for (const p of pods) {
      const h = p.metadata?.labels?.[controllerRevisionHashLabel];
      const r = revisions.find((x) => x.metadata?.labels?.[controllerRevisionHashLabel] === h);
      if (r) live.add(r.metadata!.name!);
    }
    await truncateHistory(ctx.client, revisions, live, ds.spec?.revisionHistoryLimit ?? 10);
    if (minReady > 0 && status.numberReady !== status.numberAvailable) queue.addAfter(key, minReady * 1000 + 1000);
  }

  return {
    name: 'daemonset',
    run: async (signal) => {
      await runWorkers(queue, opts.workers ?? 2, (key) => sync(key), signal, { log });
      for (const w of wakeUps.values()) w.cancel();
      wakeUps.clear();
    },
  };
}
