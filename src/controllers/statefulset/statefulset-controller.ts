// The StatefulSet controller (upstream pkg/controller/statefulset): event handlers enqueue the
// set a pod belongs to (or could adopt); sync claims the set's pods and revisions, runs one
// reconciliation round (control.ts), writes status and trims history.
import type { StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.js';
import { isEverything, labelSelectorAsSelector, matchesLabels } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import { controllerRevisions, type RevisionObject } from '../history/index.js';
import { ControllerRefManager, controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, objectKey, orphanIndexKey, recheckDeletionTimestamp } from '../util/index.js';
import { cleanupHistory, updateStatefulSet } from './control.js';
import { isMemberOf, statefulSetKind, type ClaimObject, type PodObj, type SetObject } from './identity.js';

export interface StatefulSetControllerOptions {
  /** Concurrent syncs (upstream --concurrent-statefulset-syncs, default 5). */
  workers?: number;
  clock?: Clock;
}

export function newStatefulSetController(ctx: ControllerContext, opts: StatefulSetControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const indexers = { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } };
  const setInformer = ctx.informers.for(resources.statefulSets);
  const podInformer = ctx.informers.for(resources.pods, indexers);
  const revInformer = ctx.informers.for(controllerRevisions, indexers);
  const claimInformer = ctx.informers.for(resources.persistentVolumeClaims);
  const sets = setInformer.getIndexer();
  const podIndexer = podInformer.getIndexer();
  const revIndexer = revInformer.getIndexer();
  const queue = newRateLimitingQueue<string>({ name: 'statefulset' });
  const log = ctx.log.child({ controller: 'statefulset' });
  const recorder = ctx.recorder('statefulset-controller');
  const setClient = ctx.client.resource(resources.statefulSets);
  const podClient = ctx.client.resource(resources.pods);
  const revClient = ctx.client.resource(controllerRevisions);

  const enqueue = (o: KubeObject) => queue.add(objectKey(o));

  function resolve(pod: PodObj): SetObject | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== statefulSetKind.kind || !ref.apiVersion.startsWith('apps/')) return undefined;
    const set = sets.getByKey(`${pod.metadata?.namespace ?? ''}/${ref.name}`);
    return set?.metadata?.uid === ref.uid ? set : undefined;
  }

  /** Sets that could adopt an orphan pod. */
  function setsFor(pod: PodObj): SetObject[] {
    return sets.byIndex('namespace', pod.metadata?.namespace ?? '').filter((s) => {
      try {
        const sel = labelSelectorAsSelector(s.spec?.selector);
        return !isEverything(sel) && matchesLabels(sel, pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  function podChanged(pod: PodObj): void {
    const set = resolve(pod);
    if (set) enqueue(set);
    else if (!getControllerOf(pod)) for (const s of setsFor(pod)) enqueue(s);
  }

  setInformer.addEventHandler({
    onAdd: enqueue,
    onUpdate: (_o, s) => enqueue(s),
    onDelete: (obj) => {
      const key = isDeletedFinalStateUnknown(obj) ? obj.key : objectKey(obj);
      queue.add(key);
    },
  });
  podInformer.addEventHandler({
    onAdd: podChanged,
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      if (getControllerOf(old)?.uid !== getControllerOf(cur)?.uid) podChanged(old);
      podChanged(cur);
    },
    onDelete: (obj) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (pod) podChanged(pod);
    },
  });

  async function writeStatus(set: SetObject, status: StatefulSetStatus): Promise<void> {
    let cur = set;
    for (let attempt = 0; ; attempt++) {
      if (JSON.stringify({ ...cur.status }) === JSON.stringify({ ...cur.status, ...status }) && cur.status?.observedGeneration === status.observedGeneration) return;
      try {
        await setClient.updateStatus({ ...structuredClone(cur), status: { ...cur.status, ...status } });
        return;
      } catch (err) {
        if (isNotFound(err) || attempt >= 2) throw err;
        cur = await setClient.get(cur.metadata!.name!, { namespace: cur.metadata?.namespace });
      }
    }
  }

  async function sync(key: string): Promise<void> {
    const set = sets.getByKey(key);
    if (!set) return;
    let selector;
    try {
      selector = labelSelectorAsSelector(set.spec?.selector);
    } catch (err) {
      recorder.event({ ...set, ...statefulSetKind }, 'Warning', 'InvalidSelector', `Invalid selector: ${String(err)}`);
      return;
    }
    if (isEverything(selector)) {
      recorder.event({ ...set, ...statefulSetKind }, 'Warning', 'SelectingAll', 'This StatefulSet is selecting all pods. A non-empty selector is required.');
      return;
    }
    const ns = set.metadata?.namespace;
    const canAdopt = recheckDeletionTimestamp(() => setClient.get(set.metadata!.name!, { namespace: ns }), set);
    const owner = { ...set, ...statefulSetKind };
    const candidates = <T extends KubeObject>(ix: { byIndex(i: string, v: string): T[] }) => [
      ...ix.byIndex(controllerUIDIndex, set.metadata!.uid!),
      ...ix.byIndex(controllerUIDIndex, orphanIndexKey(ns)),
    ];
    const pods = await new ControllerRefManager<PodObj>({ controller: owner, controllerKind: statefulSetKind, selector, client: podClient, canAdopt }).claim(candidates<PodObj>(podIndexer), [
      (p) => isMemberOf(set, p),
    ]);
    const revisions = await new ControllerRefManager<RevisionObject>({ controller: owner, controllerKind: statefulSetKind, selector, client: revClient, canAdopt }).claim(
      candidates<RevisionObject>(revIndexer),
    );
    const result = await updateStatefulSet(
      { client: ctx.client, recorder, getClaim: (n, name) => claimInformer.getIndexer().getByKey(`${n}/${name}`) as ClaimObject | undefined, now: () => clock.now() },
      set,
      pods,
      revisions,
    );
    await writeStatus(set, result.status);
    await cleanupHistory(ctx.client, set, pods, result);
    if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs + 1000);
  }

  return {
    name: 'statefulset',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log }),
  };
}
