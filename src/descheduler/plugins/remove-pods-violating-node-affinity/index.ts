// RemovePodsViolatingNodeAffinity (upstream plugins/removepodsviolatingnodeaffinity): for
// requiredDuringSchedulingIgnoredDuringExecution, evicts pods whose node no longer matches their
// nodeSelector/required node affinity when some node does; for
// preferredDuringSchedulingIgnoredDuringExecution, evicts pods when another node that fits them
// scores higher on their preferred terms than their own node.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CompiledPreferredTerms, RequiredNodeAffinity } from '../../../scheduler/plugins/node-affinity/node-selector.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { evictPods } from '../../framework/evict-pods.js';
import { podFitsAnyNode, podFitsNodeError } from '../../node-fit.js';
import { podArgsFilter, validateNamespaces } from '../../pod-utils.js';
import type { PodSelectionArgs } from '../common-args.js';

export const NAME = 'RemovePodsViolatingNodeAffinity';
const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';

export interface NodeAffinityArgs extends PodSelectionArgs {
  nodeAffinityType?: string[];
}

function validate(args: NodeAffinityArgs): string | undefined {
  if (!args.nodeAffinityType?.length) return 'nodeAffinityType needs to be set';
  const bad = args.nodeAffinityType.find((t) => t !== REQUIRED && t !== PREFERRED);
  if (bad) return `invalid nodeAffinityType: ${bad}`;
  return validateNamespaces(args.namespaces);
}

function violatesRequired(pod: Pod, node: Node, handle: Handle): boolean {
  const spec = pod.spec;
  if (!spec?.nodeSelector && !spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return false;
  return !RequiredNodeAffinity.forPod(pod).match(node) && podFitsAnyNode(pod, handle.nodes, (n) => handle.podsOnNode(n));
}

function violatesPreferred(pod: Pod, node: Node, handle: Handle): boolean {
  const terms = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (!terms?.length) return false;
  const compiled = new CompiledPreferredTerms(terms);
  const own = compiled.score(node);
  return handle.nodes.some((n) => n !== node && compiled.score(n) > own && podFitsNodeError(pod, n, handle.podsOnNode(n.metadata?.name ?? '')) === undefined);
}

function create(args: NodeAffinityArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, args.labelSelector);
  return {
    name: NAME,
    async deschedule(nodes, signal) {
      for (const type of args.nodeAffinityType ?? []) {
        const violates = type === REQUIRED ? violatesRequired : violatesPreferred;
        for (const node of nodes) {
          const pods = handle.podsOnNode(node.metadata?.name ?? '').filter((p) => selected(p) && handle.evictor.filter(p) && violates(p, node, handle));
          if ((await evictPods(handle, pods, NAME, signal)) === 'total-limit') return;
        }
      }
    },
  };
}

export const descriptor: PluginDescriptor<NodeAffinityArgs> = { name: NAME, extensionPoints: ['deschedule'], defaults: (raw) => ({ ...(raw as NodeAffinityArgs) }), validate, create };
