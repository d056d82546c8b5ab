// RemovePodsViolatingTopologySpreadConstraint (upstream
// plugins/removepodsviolatingtopologyspreadconstraint): a balance plugin. Per namespace it
// gathers the distinct spread constraints its pods declare (of the kinds args.constraints
// names), counts the pods each one selects per topology domain — the values of the topology key
// among the nodes its inclusion policies admit, empty ones included — and, where two domains
// differ by more than maxSkew, evicts from the largest towards the smallest (balance-domains.ts).
// Only pods the evictor's filter and the args' namespaces/labelSelector admit are counted, as
// upstream lists them through that filter.
import type { Node, Pod, Toleration, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { filterTopologySpreadConstraints, type SpreadConstraint } from '../../../scheduler/plugins/pod-topology-spread/constraints.js';
import { hasUntoleratedDoNotScheduleTaint, requiredNodeAffinity, type RequiredNodeAffinity } from '../../../scheduler/plugins/pod-topology-spread/node-inclusion.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { podFitsAnyOtherNode } from '../../node-fit.js';
import { isTerminal, isTerminating, podArgsFilter } from '../../pod-utils.js';
import { defaults, validate, type TopologySpreadArgs } from './args.js';
import { balanceDomains, topologyIsBalanced } from './balance-domains.js';

export const NAME = 'RemovePodsViolatingTopologySpreadConstraint';

/** A constraint with what its inclusion policies test: the declaring pod's node affinity and tolerations. */
interface NamespaceConstraint {
  c: SpreadConstraint;
  affinity: RequiredNodeAffinity;
  tolerations: Toleration[] | undefined;
  /** Upstream dedups by DeepEqual of all of the above. */
  key: string;
}

function parse(tsc: TopologySpreadConstraint, pod: Pod, handle: Handle): NamespaceConstraint | undefined {
  let c: SpreadConstraint | undefined;
  try {
    c = filterTopologySpreadConstraints([tsc], pod.metadata?.labels, tsc.whenUnsatisfiable as 'DoNotSchedule')[0];
  } catch (e) {
    handle.log.error({ err: e }, 'cannot process topology spread constraint');
    return undefined;
  }
  if (!c) return undefined;
  const spec = pod.spec;
  const key = JSON.stringify([c.maxSkew, c.topologyKey, c.selectorKey, c.nodeAffinityPolicy, c.nodeTaintsPolicy, spec?.nodeSelector ?? null, spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null, spec?.tolerations ?? null]);
  return { c, affinity: requiredNodeAffinity(pod), tolerations: spec?.tolerations, key };
}

/** Upstream matchNodeInclusionPolicies. */
function included(nc: NamespaceConstraint, node: Node): boolean {
  if (nc.c.nodeAffinityPolicy === 'Honor' && !nc.affinity.match(node)) return false;
  return !(nc.c.nodeTaintsPolicy === 'Honor' && hasUntoleratedDoNotScheduleTaint(node.spec?.taints, nc.tolerations));
}

/** The namespace's distinct constraints of the allowed kinds, in the order its pods declare them. */
function namespaceConstraints(pods: readonly Pod[], allowed: ReadonlySet<string>, handle: Handle): NamespaceConstraint[] {
  const out = new Map<string, NamespaceConstraint>();
  for (const pod of pods) {
    for (const tsc of pod.spec?.topologySpreadConstraints ?? []) {
      if (!allowed.has(tsc.whenUnsatisfiable)) continue;
      const nc = parse(tsc, pod, handle);
      if (nc && !out.has(nc.key)) out.set(nc.key, nc);
    }
  }
  return [...out.values()];
}

/** Pods per domain value: every admitted node's value starts empty (a domain may hold none). */
function countDomains(nc: NamespaceConstraint, nodes: readonly Node[], pods: readonly Pod[]): Map<string, Pod[]> {
  const key = nc.c.topologyKey;
  const domains = new Map<string, Pod[]>();
  for (const n of nodes) {
    const v = n.metadata?.labels?.[key];
    if (v !== undefined && included(nc, n)) domains.set(v, []);
  }
  const nodeByName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  for (const pod of pods) {
    if (isTerminating(pod) || !nc.c.matches(pod.metadata?.labels)) continue;
    const v = nodeByName.get(pod.spec?.nodeName ?? '')?.metadata?.labels?.[key];
    if (v === undefined) continue;
    // Upstream appends even to a domain the policies left out (its map creates it).
    domains.set(v, [...(domains.get(v) ?? []), pod]);
  }
  return domains;
}

function create(args: TopologySpreadArgs, handle: Handle): Plugin {
  const selected = podArgsFilter(args.namespaces, args.labelSelector);
  const podFilter = (p: Pod) => selected(p) && handle.evictor.filter(p);
  const allowed = new Set<string>(args.constraints ?? ['DoNotSchedule']);
  return {
    name: NAME,
    async balance(nodes, signal) {
      const byNamespace = new Map<string, Pod[]>();
      for (const n of nodes) {
        for (const p of handle.podsOnNode(n.metadata?.name ?? '')) {
          if (isTerminal(p) || !podFilter(p)) continue;
          const ns = p.metadata?.namespace ?? '';
          byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), p]);
        }
      }
      const toEvict = new Set<Pod>();
      for (const pods of byNamespace.values()) {
        for (const nc of namespaceConstraints(pods, allowed, handle)) {
          const domains = countDomains(nc, nodes, pods);
          if (topologyIsBalanced(domains, nc.c.maxSkew)) continue;
          balanceDomains(
            {
              domains,
              maxSkew: nc.c.maxSkew,
              topologyKey: nc.c.topologyKey,
              eligibleNodes: nodes.filter((n) => included(nc, n)),
              isEvictable: (p) => handle.evictor.filter(p),
              fitsAnyOtherNode: (pod, targets) => podFitsAnyOtherNode(pod, targets, handle.podsOnNode),
              nodeFit: args.topologyBalanceNodeFit ?? true,
            },
            toEvict,
          );
        }
      }
      const nodeLimited = new Set<string>();
      for (const pod of toEvict) {
        if (signal.aborted) return;
        const node = pod.spec?.nodeName ?? '';
        if (nodeLimited.has(node) || !podFilter(pod)) continue;
        const r = await handle.evictor.evict(pod, { strategy: NAME });
        if (r === 'total-limit') return;
        if (r === 'node-limit') nodeLimited.add(node);
      }
    },
  };
}

export const descriptor: PluginDescriptor<TopologySpreadArgs> = { name: NAME, extensionPoints: ['balance'], defaults, validate, create };
