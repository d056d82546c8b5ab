// The Deployment controller (upstream pkg/controller/deployment): claims ReplicaSets by selector,
// then rolls out (RollingUpdate or Recreate), scales proportionally, cleans up old revisions and
// reports progress, all in DeploymentSync. This file wires informers to the work queue.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { isEverything, labelSelectorAsSelector, matchesLabels } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import { ControllerRefManager, controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, objectKey, orphanIndexKey, recheckDeletionTimestamp } from '../util/index.js';
import { DeploymentSync, deploymentKind, replicaSetKind, type DeploymentObject } from './sync.js';
import type { RS } from './replicasets.js';

export interface DeploymentControllerOptions {
  /** Concurrent syncs (upstream --concurrent-deployment-syncs, default 5). */
  workers?: number;
  clock?: Clock;
}

type PodObj = Pod & KubeObject;

/** Retries of a failing sync before the deployment is dropped from the queue (upstream maxRetries). */
const deploymentMaxRetries = 15;

export function newDeploymentController(ctx: ControllerContext, opts: DeploymentControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const dInformer = ctx.informers.for(resources.deployments);
  const rsInformer = ctx.informers.for(resources.replicaSets, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
  const podInformer = ctx.informers.for(resources.pods, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
  const dIndexer = dInformer.getIndexer();
  const rsIndexer = rsInformer.getIndexer();
  const podIndexer = podInformer.getIndexer();
  const queue = newRateLimitingQueue<string>({ name: 'deployment' });
  const log = ctx.log.child({ controller: 'deployment' });
  const recorder = ctx.recorder('deployment-controller');
  const dClient = ctx.client.resource(resources.deployments);
  const rsClient = ctx.client.resource(resources.replicaSets);

  const enqueue = (d: KubeObject) => queue.add(objectKey(d));

  function resolveControllerRef(namespace: string | undefined, ref: OwnerReference): DeploymentObject | undefined {
    if (ref.kind !== deploymentKind.kind || !ref.apiVersion.startsWith('apps/')) return undefined;
    const d = dIndexer.getByKey(`${namespace}/${ref.name}`);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose selector matches an orphan ReplicaSet (candidates to adopt it). */
  function deploymentsForReplicaSet(rs: RS): DeploymentObject[] {
    return dIndexer.byIndex('namespace', rs.metadata?.namespace ?? '').filter((d) => {
      try {
        const sel = labelSelectorAsSelector(d.spec?.selector);
        return !isEverything(sel) && matchesLabels(sel, rs.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  dInformer.addEventHandler({
    onAdd: enqueue,
    onUpdate: (_o, d) => enqueue(d),
    onDelete: (obj) => queue.add(isDeletedFinalStateUnknown(obj) ? obj.key : objectKey(obj)),
  });

  const rsChanged = (rs: RS) => {
    const ref = getControllerOf(rs);
    if (ref) {
      const d = resolveControllerRef(rs.metadata?.namespace, ref);
      if (d) enqueue(d);
      return;
    }
    for (const d of deploymentsForReplicaSet(rs)) enqueue(d);
  };
  rsInformer.addEventHandler({
    onAdd: rsChanged,
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const oldRef = getControllerOf(old);
      if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) {
        const d = resolveControllerRef(old.metadata?.namespace, oldRef);
        if (d) enqueue(d);
      }
      rsChanged(cur);
    },
    onDelete: (obj) => {
      const rs = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      const ref = rs && getControllerOf(rs);
      const d = ref && resolveControllerRef(rs.metadata?.namespace, ref);
      if (d) enqueue(d);
    },
  });

  // Recreate waits for the old pods to be gone: a pod deletion may unblock it.
  podInformer.addEventHandler({
    onDelete: (obj) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      const rsRef = pod && getControllerOf(pod);
      if (!rsRef || rsRef.kind !== replicaSetKind.kind) return;
      const rs = rsIndexer.getByKey(`${pod.metadata?.namespace}/${rsRef.name}`);
      const dRef = rs && rs.metadata?.uid === rsRef.uid ? getControllerOf(rs) : undefined;
      const d = dRef && resolveControllerRef(rs!.metadata?.namespace, dRef);
      if (d && d.spec?.strategy?.type === 'Recreate') enqueue(d);
    },
  });

  async function claimReplicaSets(d: DeploymentObject): Promise<RS[]> {
    const selector = labelSelectorAsSelector(d.spec?.selector);
    const owned = rsIndexer.byIndex(controllerUIDIndex, d.metadata!.uid!);
    const orphans = rsIndexer.byIndex(controllerUIDIndex, orphanIndexKey(d.metadata?.namespace));
    const manager = new ControllerRefManager<RS>({
      controller: { ...d, ...deploymentKind },
      controllerKind: deploymentKind,
      selector,
      client: rsClient,
      canAdopt: recheckDeletionTimestamp(() => dClient.get(d.metadata!.name!, { namespace: d.metadata?.namespace }), d),
    });
    return manager.claim([...owned, ...orphans]);
  }

  async function sync(key: string): Promise<void> {
    const d = dIndexer.getByKey(key);
    if (!d) return;
    const sel = d.spec?.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      recorder.event({ ...d, ...deploymentKind }, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await dClient.updateStatus({ ...structuredClone(d), status: { ...d.status, observedGeneration: d.metadata?.generation } });
      }
      return;
    }
    const rsList = await claimReplicaSets(d);
    const run = new DeploymentSync(
      {
        deployments: dClient,
        replicaSets: rsClient,
        recorder,
        log,
        now: () => clock.now(),
        cachedReplicaSet: (ns, name) => rsIndexer.getByKey(`${ns}/${name}`),
        podsOf: (rs) => podIndexer.byIndex(controllerUIDIndex, rs.metadata!.uid!) as PodObj[],
        requeueAfter: (ms) => (ms <= 0 ? queue.addRateLimited(key) : queue.addAfter(key, ms)),
      },
      d,
      rsList,
    );
    await run.run();
  }

  return {
    name: 'deployment',
    // Upstream's handleErr: a failed sync is retried up to maxRetries (15) times, logged at
    // verbosity 2 (a write that lost a race with another is routine), then dropped as an error.
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log, maxRetries: deploymentMaxRetries, requeueLogLevel: 'debug' }),
  };
}
