// DefaultPreemption (upstream pkg/scheduler/framework/plugins/defaultpreemption and
// pkg/scheduler/framework/preemption): the PostFilter that evicts lower-priority pods to make
// room, respecting PodDisruptionBudgets where it can.
import { isDeletedFinalStateUnknown } from '../../../client/cache/keys.js';
import { resources } from '../../../client/rest/builtin-resources.js';
import type { PluginFactory } from '../../framework/types.js';
import { defaultPreemptionArgs } from './args.js';
import { DefaultPreemption } from './plugin.js';

export { NAME, DefaultPreemption, PREEMPTION_NOT_HELPFUL_REASON, type DefaultPreemptionDeps, type PreemptionHandle } from './plugin.js';
export { defaultPreemptionArgs, numCandidates, type DefaultPreemptionArgs } from './args.js';
export { selectVictimsOnNode, NO_VICTIMS_REASON, type NodeVictims } from './select-victims.js';
export { pickOneNodeForPreemption } from './pick-node.js';
export { dryRunPreemption, nodesForStatusCode, type Candidate } from './candidates.js';
export { disruptionTargetCondition } from './prepare.js';
export { podTerminatingByPreemption } from './eligibility.js';
export { fitErrorMessage } from './fit-error.js';

/**
 * Builds the plugin. The PodDisruptionBudget and Pod informers are requested here, at construction, so
 * the scheduler's informers.start() (after building its profiles) runs them.
 */
export const factory: PluginFactory = (args, handle) => {
  const pdbStore = handle.informers.for(resources.podDisruptionBudgets).getStore();
  // The same all-pods informer the scheduler watches with (same key: shared).
  const podInformer = handle.informers.for(resources.pods);
  const podStore = podInformer.getStore();
  const plugin = new DefaultPreemption({
    args: defaultPreemptionArgs(args),
    handle,
    pdbs: () => pdbStore.list(),
    latestPod: (pod) => podStore.getByKey(`${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`),
    informerReleasesVictims: true,
  });
  // Victims being evicted count as terminating until the informer shows them terminating or gone.
  podInformer.addEventHandler({
    onUpdate: (_old, pod) => {
      if (pod.metadata?.deletionTimestamp) plugin.observedTerminatingOrGone(pod);
    },
    onDelete: (obj) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (pod) plugin.observedTerminatingOrGone(pod);
    },
  });
  return plugin;
};
