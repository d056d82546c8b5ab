// RemoveDuplicates (upstream plugins/removeduplicates): pods of one owner (same namespace, owner
// kind and name, and container images) crowded on a node are spread out. For each owner the
// fair share is ceil(its pods / the nodes its pods could run on); a node holding more than that
// has its surplus duplicates evicted. With fewer than two such nodes nothing is evicted.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { RequiredNodeAffinity } from '../../../scheduler/plugins/node-affinity/node-selector.js';
import { doNotScheduleTaint, findMatchingUntoleratedTaint } from '../../../scheduler/plugins/taint-toleration/tolerations.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { ownerRefs, podArgsFilter, validateNamespaces, isTerminal, type Namespaces } from '../../pod-utils.js';

export const NAME = 'RemoveDuplicates';

export interface RemoveDuplicatesArgs {
  namespaces?: Namespaces;
  excludeOwnerKinds?: string[];
}

/** One key per owner of the pod (upstream: namespace/kind/name plus the sorted images). */
function ownerKeys(pod: Pod, exclude: string[]): string[] | undefined {
  const owners = ownerRefs(pod);
  if (!owners.length || owners.some((o) => exclude.includes(o.kind))) return undefined;
  const images = (pod.spec?.containers ?? []).map((c) => c.image ?? '').sort().join(',');
  return owners.map((o) => `${pod.metadata?.namespace}/${o.kind}/${o.name}/${images}`).sort();
}

const canLand = (pod: Pod, node: Node) => RequiredNodeAffinity.forPod(pod).match(node) && !findMatchingUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaint) && !node.spec?.unschedulable;

function create(args: RemoveDuplicatesArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, undefined);
  const exclude = args.excludeOwnerKinds ?? [];
  return {
    name: NAME,
    async balance(nodes, signal) {
      // owner key → node → its duplicates there (every pod after the first); and pods per key.
      const duplicates = new Map<string, Map<string, Pod[]>>();
      const occurrences = new Map<string, number>();
      const sample = new Map<string, Pod>();
      for (const node of nodes) {
        const name = node.metadata?.name ?? '';
        const seen = new Set<string>();
        for (const pod of handle.podsOnNode(name)) {
          if (isTerminal(pod) || !selected(pod) || !handle.evictor.filter(pod)) continue;
          const keys = ownerKeys(pod, exclude);
          if (!keys) continue;
          const key = keys.join('|');
          occurrences.set(key, (occurrences.get(key) ?? 0) + 1);
          sample.set(key, pod);
          if (!seen.has(key)) {
            seen.add(key);
            continue;
          }
          let byNode = duplicates.get(key);
          if (!byNode) duplicates.set(key, (byNode = new Map()));
          byNode.set(name, [...(byNode.get(name) ?? []), pod]);
        }
      }
      for (const [key, byNode] of duplicates) {
        const targets = nodes.filter((n) => canLand(sample.get(key)!, n));
        if (targets.length < 2) {
          handle.log.info({ podNodes: byNode.size }, 'Less than two feasible nodes for duplicates to land, skipping eviction');
          continue;
        }
        const upperAvg = Math.ceil((occurrences.get(key) ?? 0) / targets.length);
        for (const pods of byNode.values()) {
          if (pods.length + 1 <= upperAvg) continue;
          for (const pod of pods.slice(upperAvg - 1)) {
            if (signal.aborted) return;
            const r = await handle.evictor.evict(pod, { strategy: NAME });
            if (r === 'total-limit') return;
            if (r === 'node-limit') break;
          }
        }
      }
    },
  };
}

export const descriptor: PluginDescriptor<RemoveDuplicatesArgs> = { name: NAME, extensionPoints: ['balance'], defaults: (raw) => ({ ...(raw as RemoveDuplicatesArgs) }), validate: (a) => validateNamespaces(a.namespaces), create };
