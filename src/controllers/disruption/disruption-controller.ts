// The disruption controller (upstream pkg/controller/disruption): keeps every
// PodDisruptionBudget's status true — currentHealthy, desiredHealthy, expectedPods,
// disruptionsAllowed, disruptedPods, observedGeneration and the DisruptionAllowed condition — so
// the API server's eviction subresource can decide evictions from it. When the status cannot be
// computed (a pod's controller is missing, a controller without /scale), the budget fails safe:
// no disruptions allowed, DisruptionAllowed=False with reason SyncFailed.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../api/object.js';
import { formatLabelSelector, labelSelectorAsSelector, matchesLabels } from '../../api/selectors/labels.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { isDeletedFinalStateUnknown, keyOf, splitMetaNamespaceKey } from '../../client/cache/index.js';
import { namespaceIndex } from '../../client/cache/indexers.js';
import type { Controller, ControllerContext } from '../context.js';
import { sameLabels } from '../endpoints/pod-util.js';
import { expectedScale, newScaleFinders } from './scale.js';
import { countHealthy, desiredStatus, expectedAndDesired, failSafeStatus, needsScale, pendingDisruptions } from './status.js';

type PDB = PodDisruptionBudget & KubeObject;

export interface DisruptionControllerOptions {
  workers?: number;
  /** Injectable clock for tests. */
  now?: () => Date;
}

export function newDisruptionController(ctx: ControllerContext, opts: DisruptionControllerOptions = {}): Controller {
  const pdbs = ctx.informers.for(resources.podDisruptionBudgets);
  const pods = ctx.informers.for(resources.pods);
  const rcs = ctx.informers.for(resources.replicationControllers);
  const rss = ctx.informers.for(resources.replicaSets);
  const deployments = ctx.informers.for(resources.deployments);
  const statefulSets = ctx.informers.for(resources.statefulSets);
  const queue = newRateLimitingQueue<string>({ name: 'disruption' });
  const log = ctx.log.child({ controller: 'disruption' });
  const recorder = ctx.recorder('controllermanager');
  const client = ctx.client.resource(resources.podDisruptionBudgets);
  const now = opts.now ?? (() => new Date());
  const finders = newScaleFinders(
    { replicationControllers: rcs.getIndexer(), replicaSets: rss.getIndexer(), deployments: deployments.getIndexer(), statefulSets: statefulSets.getIndexer() },
    ctx.client,
  );

  /** The budgets in the pod's namespace whose selector matches it (an invalid selector matches nothing). */
  const pdbsForPod = (pod: Pod): PDB[] =>
    (pdbs.getIndexer().byIndex(namespaceIndex, pod.metadata?.namespace ?? '') as PDB[]).filter((p) => {
      try {
        return matchesLabels(labelSelectorAsSelector(p.spec?.selector), pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  const enqueueForPod = (pod: Pod) => {
    const matching = pdbsForPod(pod);
    if (matching.length > 1) {
      const chosen = [...matching].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))[0];
      recorder.eventf(pod as Pod & KubeObject, 'Warning', 'MultiplePodDisruptionBudgets', 'Pod %q/%q matches multiple PodDisruptionBudgets.  Chose %q arbitrarily.', pod.metadata?.namespace, pod.metadata?.name, chosen.metadata?.name);
    }
    for (const p of matching) queue.add(keyOf(p));
  };
  const enqueueNamespace = (ns: string | undefined) => {
    for (const p of pdbs.getIndexer().byIndex(namespaceIndex, ns ?? '')) queue.add(keyOf(p));
  };

  pdbs.addEventHandler({
    onAdd: (p) => queue.add(keyOf(p)),
    onUpdate: (_o, p) => queue.add(keyOf(p)),
    onDelete: (p) => queue.add(keyOf(p)),
  });
  pods.addEventHandler({
    onAdd: (pod) => enqueueForPod(pod),
    onUpdate: (old, pod) => {
      enqueueForPod(pod);
      if (!sameLabels(old.metadata?.labels, pod.metadata?.labels)) enqueueForPod(old);
    },
    onDelete: (obj) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (pod) enqueueForPod(pod);
    },
  });
  // A controller's scale is the denominator of percentage budgets: recount when it changes.
  for (const inf of [rcs, rss, deployments, statefulSets] as const) {
    (inf as typeof rss).addEventHandler({
      onUpdate: (old, cur) => {
        if (old.spec?.replicas !== cur.spec?.replicas) enqueueNamespace(cur.metadata?.namespace);
      },
    });
  }

  async function trySync(pdb: PDB): Promise<void> {
    const namespace = pdb.metadata!.namespace!;
    let selected: Pod[];
    try {
      const sel = labelSelectorAsSelector(pdb.spec?.selector);
      selected = (pods.getIndexer().byIndex(namespaceIndex, namespace) as Pod[]).filter((p) => matchesLabels(sel, p.metadata?.labels));
    } catch (err) {
      recorder.eventf(pdb, 'Warning', 'NoPods', 'Failed to get pods: %v', message(err));
      throw err;
    }
    if (selected.length === 0) recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');

    let scale = 0;
    let unmanagedPods: string[] = [];
    if (needsScale(pdb)) {
      try {
        ({ expectedCount: scale, unmanagedPods } = await expectedScale(selected, finders));
      } catch (err) {
        recorder.eventf(pdb, 'Warning', 'CalculateExpectedPodCountFailed', 'Failed to calculate the number of expected pods: %v', message(err));
        throw err;
      }
    }
    let counts: { expectedCount: number; desiredHealthy: number };
    try {
      counts = expectedAndDesired(pdb, selected.length, () => scale);
    } catch (err) {
      recorder.eventf(pdb, 'Warning', 'CalculateExpectedPodCountFailed', 'Failed to calculate the number of expected pods: %v', message(err));
      throw err;
    }
    if (unmanagedPods.length > 0) {
      recorder.eventf(
        pdb,
        'Warning',
        'UnmanagedPods',
        'Pods selected by this PodDisruptionBudget (selector: %v) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
        formatLabelSelector(pdb.spec?.selector),
      );
    }

    const t = now();
    const { disruptedPods, expired, recheckAt } = pendingDisruptions(pdb, selected, t);
    for (const pod of expired) {
      recorder.eventf(pod as Pod & KubeObject, 'Warning', 'NotDeleted', 'Pod was expected by PDB %s/%s to be deleted but it wasn\'t', namespace, pdb.metadata?.name);
    }
    const currentHealthy = countHealthy(selected, disruptedPods, t);
    const status = desiredStatus(pdb, { currentHealthy, ...counts, disruptedPods }, t);
    if (status) await client.updateStatus({ ...structuredClone(pdb), status }, { namespace });
    // An eviction that has not led to a deletion stops counting after 2 minutes: look again then.
    if (recheckAt) queue.addAfter(keyOf(pdb), Math.max(0, recheckAt.getTime() - t.getTime()));
  }

  async function sync(key: string): Promise<void> {
    const pdb = pdbs.getIndexer().getByKey(key) as PDB | undefined;
    if (!pdb) return;
    try {
      await trySync(pdb);
    } catch (err) {
      // A conflict only means our copy was old: retry without declaring the budget broken.
      if (isConflict(err)) throw err;
      log.error({ err, pdb: key }, 'failed to sync PDB');
      try {
        await client.updateStatus({ ...structuredClone(pdb), status: failSafeStatus(pdb, message(err), now()) }, { namespace: splitMetaNamespaceKey(key).namespace });
      } catch (updateErr) {
        if (!isNotFound(updateErr)) throw updateErr;
      }
      throw err;
    }
  }

  return {
    name: 'disruption',
    run: (signal) => runWorkers(queue, opts.workers ?? 1, (key) => sync(key), signal, { log }),
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
