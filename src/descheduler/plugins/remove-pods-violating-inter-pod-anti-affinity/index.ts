// RemovePodsViolatingInterPodAntiAffinity (upstream plugins/removepodsviolatinginterpodantiaffinity):
// evicts a pod whose required pod anti-affinity matches another pod in the same topology
// domain (nodes sharing the term's topologyKey label value). Pods are visited lowest priority
// first, and an evicted pod no longer counts, so of two pods that repel each other only one goes.
import type { Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { labelSelectorAsSelector, matchesLabels } from '../../../api/selectors/labels.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { podArgsFilter, sortPodsLowToHigh, validateNamespaces, isTerminal } from '../../pod-utils.js';
import type { PodSelectionArgs } from '../common-args.js';

export const NAME = 'RemovePodsViolatingInterPodAntiAffinity';

const uid = (p: Pod) => p.metadata?.uid ?? `${p.metadata?.namespace}/${p.metadata?.name}`;

function termMatches(term: PodAffinityTerm, owner: Pod, other: Pod, handle: Handle): boolean {
  const ns = other.metadata?.namespace ?? '';
  const namespaces = term.namespaces?.length ? term.namespaces : term.namespaceSelector ? [] : [owner.metadata?.namespace ?? ''];
  const inNs = namespaces.includes(ns) || (term.namespaceSelector !== undefined && matchesLabels(labelSelectorAsSelector(term.namespaceSelector), handle.namespaceLabels(ns)));
  return inNs && term.labelSelector !== undefined && matchesLabels(labelSelectorAsSelector(term.labelSelector), other.metadata?.labels);
}

function create(args: PodSelectionArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, args.labelSelector);
  return {
    name: NAME,
    async deschedule(nodes, signal) {
      const nodeByName = new Map<string, Node>(handle.nodes.map((n) => [n.metadata?.name ?? '', n]));
      const gone = new Set<string>();
      const all = handle.nodes.flatMap((n) => handle.podsOnNode(n.metadata?.name ?? '')).filter((p) => !isTerminal(p));
      const violates = (pod: Pod): boolean => {
        const terms = pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
        const node = nodeByName.get(pod.spec?.nodeName ?? '');
        if (!node || !terms.length) return false;
        return terms.some((term) => {
          const value = node.metadata?.labels?.[term.topologyKey];
          if (value === undefined) return false;
          return all.some((other) => {
            if (other === pod || gone.has(uid(other))) return false;
            const otherNode = nodeByName.get(other.spec?.nodeName ?? '');
            return otherNode?.metadata?.labels?.[term.topologyKey] === value && termMatches(term, pod, other, handle);
          });
        });
      };
      for (const node of nodes) {
        const pods = sortPodsLowToHigh(handle.podsOnNode(node.metadata?.name ?? '').filter((p) => !isTerminal(p)));
        for (const pod of pods) {
          if (signal.aborted) return;
          if (!selected(pod) || !violates(pod) || !handle.evictor.filter(pod)) continue;
          const r = await handle.evictor.evict(pod, { strategy: NAME });
          if (r === 'evicted') gone.add(uid(pod));
          if (r === 'total-limit') return;
          if (r === 'node-limit') break;
        }
      }
    },
  };
}

export const descriptor: PluginDescriptor<PodSelectionArgs> = { name: NAME, extensionPoints: ['deschedule'], defaults: (raw) => ({ ...(raw as PodSelectionArgs) }), validate: (a) => validateNamespaces(a.namespaces), create };
