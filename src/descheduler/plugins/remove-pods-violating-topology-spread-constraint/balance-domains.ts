// Upstream balanceDomains and its helpers (removepodsviolatingtopologyspreadconstraint): how
// many pods to move from the largest domains towards the smallest so that no two differ by more
// than maxSkew, and which ones. Domains are sorted by size; i walks up from the smallest, j down
// from the largest; each step moves the least of half the excess skew, what j has above the
// ideal average and what i lacks below it. Moved pods are counted into i as if the scheduler
// placed them there, so the walk converges without waiting for the scheduler.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

export interface Domain {
  value: string;
  pods: Pod[];
}

export interface BalanceInput {
  domains: Map<string, Pod[]>;
  maxSkew: number;
  topologyKey: string;
  /** The nodes the constraint's inclusion policies admit. */
  eligibleNodes: readonly Node[];
  isEvictable(pod: Pod): boolean;
  /** Whether some node of `nodes` other than its own would take the pod (node-fit.ts). */
  fitsAnyOtherNode(pod: Pod, nodes: readonly Node[]): boolean;
  /** topologyBalanceNodeFit: skip pods that fit nowhere among the domains below the average. */
  nodeFit: boolean;
}

/** Upstream topologyIsBalanced: no two domains differ by more than maxSkew. */
export function topologyIsBalanced(domains: Map<string, Pod[]>, maxSkew: number): boolean {
  const sizes = [...domains.values()].map((p) => p.length);
  return sizes.length === 0 || Math.max(...sizes) - Math.min(...sizes) <= maxSkew;
}

const hasSelectorOrAffinity = (pod: Pod) => pod.spec?.nodeSelector !== undefined || pod.spec?.affinity?.nodeAffinity !== undefined;

/**
 * Pods are evicted from the back of a domain's list, so what must stay goes first: pods the
 * evictor refuses, then pods tied to nodes by a selector or affinity (they may not fit
 * elsewhere), each group in descending priority, pods without a priority last. (Upstream's
 * comparator says this in its comment; its code sorts priorities ascending.)
 */
function keepFirst(isEvictable: (pod: Pod) => boolean) {
  const rank = (p: Pod) => (isEvictable(p) ? (hasSelectorOrAffinity(p) ? 1 : 2) : 0);
  return (a: Pod, b: Pod): number => {
    const r = rank(a) - rank(b);
    if (r !== 0) return r;
    const pa = a.spec?.priority;
    const pb = b.spec?.priority;
    if (pa === undefined || pb === undefined) return (pa === undefined ? 1 : 0) - (pb === undefined ? 1 : 0);
    return pb - pa;
  };
}

/** Upstream sortDomains: domains ascending by size, each one's pods in eviction order (see keepFirst). */
export function sortDomains(domains: Map<string, Pod[]>, isEvictable: (pod: Pod) => boolean): Domain[] {
  const order = keepFirst(isEvictable);
  return [...domains].map(([value, pods]) => ({ value, pods: [...pods].sort(order) })).sort((a, b) => a.pods.length - b.pods.length);
}

/** Upstream filterNodesBelowIdealAvg: the nodes of domains holding fewer pods than the ideal average. */
function nodesBelowIdealAvg(nodes: readonly Node[], sorted: readonly Domain[], topologyKey: string, idealAvg: number): Node[] {
  const below = new Set(sorted.filter((d) => d.pods.length < idealAvg).map((d) => d.value));
  return nodes.filter((n) => {
    const v = n.metadata?.labels?.[topologyKey];
    return v !== undefined && below.has(v);
  });
}

/** The pods to evict to balance one constraint's domains (added to `out`). */
export function balanceDomains(input: BalanceInput, out: Set<Pod>): void {
  const sumPods = [...input.domains.values()].reduce((s, p) => s + p.length, 0);
  const idealAvg = sumPods / input.domains.size;
  const sorted = sortDomains(input.domains, input.isEvictable);
  const targets = nodesBelowIdealAvg(input.eligibleNodes, sorted, input.topologyKey, idealAvg);
  let i = 0;
  let j = sorted.length - 1;
  while (i < j) {
    // j has no more to give without falling below the average: the next largest gives.
    if (sorted[j]!.pods.length <= idealAvg) j--;
    const skew = sorted[j]!.pods.length - sorted[i]!.pods.length;
    if (skew <= input.maxSkew) {
      i++;
      continue;
    }
    const aboveAvg = Math.ceil(sorted[j]!.pods.length - idealAvg);
    const belowAvg = Math.ceil(idealAvg - sorted[i]!.pods.length);
    const halfSkew = Math.ceil((skew - input.maxSkew) / 2);
    const movePods = Math.min(aboveAvg, belowAvg, halfSkew);
    if (movePods <= 0) {
      i++;
      continue;
    }
    const from = sorted[j]!;
    // Upstream (later): of equal rank, prefer at the back pods that fit a node below the average.
    const fits = new Map(from.pods.map((p) => [p, input.fitsAnyOtherNode(p, targets)]));
    from.pods.sort((a, b) => Number(fits.get(a)) - Number(fits.get(b)));
    const moved = from.pods.slice(from.pods.length - movePods);
    for (const pod of moved) {
      // A pod that fits nowhere else would come straight back; it still counts as moved so
      // the walk completes, as upstream.
      if (input.nodeFit && !fits.get(pod)) continue;
      out.add(pod);
    }
    from.pods = from.pods.slice(0, from.pods.length - movePods);
    sorted[i]!.pods.push(...moved);
  }
}
