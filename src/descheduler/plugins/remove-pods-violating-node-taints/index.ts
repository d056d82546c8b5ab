// RemovePodsViolatingNodeTaints (upstream plugins/removepodsviolatingnodetaints): evicts pods that
// do not tolerate a NoSchedule taint of their node (and PreferNoSchedule ones with
// includePreferNoSchedule). excludedTaints ("key" or "key=value") are ignored; with
// includedTaints only those count. NoExecute taints are the taint manager's business.
import type { Taint } from 'kubernetes-types/core/v1.js';
import { findMatchingUntoleratedTaint } from '../../../scheduler/plugins/taint-toleration/tolerations.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { evictPods } from '../../framework/evict-pods.js';
import { podArgsFilter, validateNamespaces } from '../../pod-utils.js';
import type { PodSelectionArgs } from '../common-args.js';

export const NAME = 'RemovePodsViolatingNodeTaints';

export interface NodeTaintsArgs extends PodSelectionArgs {
  includePreferNoSchedule?: boolean;
  excludedTaints?: string[];
  includedTaints?: string[];
}

/** "key" matches any value of the key; "key=value" only that value. */
function taintMatcher(specs: string[]): (t: Taint) => boolean {
  const parsed = specs.map((s) => {
    const i = s.indexOf('=');
    return i < 0 ? { key: s } : { key: s.slice(0, i), value: s.slice(i + 1) };
  });
  return (t) => parsed.some((p) => p.key === t.key && (p.value === undefined || p.value === (t.value ?? '')));
}

function create(args: NodeTaintsArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, args.labelSelector);
  const excluded = taintMatcher(args.excludedTaints ?? []);
  const included = args.includedTaints?.length ? taintMatcher(args.includedTaints) : () => true;
  const inScope = (t: Taint) => (t.effect === 'NoSchedule' || (args.includePreferNoSchedule === true && t.effect === 'PreferNoSchedule')) && !excluded(t) && included(t);
  return {
    name: NAME,
    async deschedule(nodes, signal) {
      for (const node of nodes) {
        const name = node.metadata?.name ?? '';
        const pods = handle.podsOnNode(name).filter((p) => {
          if (!selected(p) || !findMatchingUntoleratedTaint(node.spec?.taints, p.spec?.tolerations, inScope) || !handle.evictor.filter(p)) return false;
          handle.log.info({ pod: `${p.metadata?.namespace}/${p.metadata?.name}`, node: name }, 'Not all taints with NoSchedule effect are tolerated after update for pod on node');
          return true;
        });
        if ((await evictPods(handle, pods, NAME, signal)) === 'total-limit') return;
      }
    },
  };
}

export const descriptor: PluginDescriptor<NodeTaintsArgs> = {
  name: NAME,
  extensionPoints: ['deschedule'],
  defaults: (raw) => ({ ...(raw as NodeTaintsArgs) }),
  validate: (args) => validateNamespaces(args.namespaces) ?? (args.excludedTaints?.length && args.includedTaints?.length ? 'either includedTaints or excludedTaints can be set, but not both' : undefined),
  create,
};
