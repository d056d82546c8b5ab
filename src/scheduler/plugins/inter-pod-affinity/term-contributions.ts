// What one node adds to each of PreFilter's three topology counts (upstream filtering.go
// getExistingAntiAffinityCounts and getIncomingAffinityAntiAffinityCounts, per node), and the
// text that identifies a question so pair-index.ts can keep its answer across cycles.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorToString, type Selector } from '../../../api/selectors/labels.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { AffinityTerm } from '../../framework/pod-info.js';
import type { Contribute, PairContribution } from './pair-index.js';
import { podMatchesAllTerms, termMatches, type NamespaceLabels } from './terms.js';

const newContribution = (): PairContribution => ({ keys: [], values: [], counts: [] });

function push(c: PairContribution | undefined, key: string, value: string, n: number): PairContribution {
  const out = c ?? newContribution();
  out.keys.push(key);
  out.values.push(value);
  out.counts.push(n);
  return out;
}

/** Existing pods on the node whose required anti-affinity terms match `pod` (depends on its namespace, labels and namespace labels only). */
export function existingAntiAffinityContribution(pod: Pod, nsLabels: NamespaceLabels): Contribute {
  return (ni: NodeInfo) => {
    const labels = ni.node?.metadata?.labels;
    if (!labels) return undefined;
    let c: PairContribution | undefined;
    for (const ep of ni.podsWithRequiredAntiAffinity) {
      for (const t of ep.requiredAntiAffinityTerms) {
        if (!termMatches(t, pod, nsLabels)) continue;
        const v = labels[t.topologyKey];
        if (v !== undefined) c = push(c, t.topologyKey, v, 1);
      }
    }
    return c;
  };
}

/** Pods on the node matching every one of the (incoming pod's) terms, counted once for each term's pair. */
export function allTermsContribution(terms: readonly AffinityTerm[]): Contribute {
  return (ni: NodeInfo) => {
    const labels = ni.node?.metadata?.labels;
    if (!labels) return undefined;
    let n = 0;
    const pods = ni.pods;
    for (let i = 0; i < pods.length; i++) if (podMatchesAllTerms(terms, pods[i]!.pod)) n++;
    if (n === 0) return undefined;
    let c: PairContribution | undefined;
    for (const t of terms) {
      const v = labels[t.topologyKey];
      if (v !== undefined) c = push(c, t.topologyKey, v, n);
    }
    return c;
  };
}

/** Pods on the node matching each of the (incoming pod's) terms, counted for that term's pair. */
export function eachTermContribution(terms: readonly AffinityTerm[]): Contribute {
  return (ni: NodeInfo) => {
    const labels = ni.node?.metadata?.labels;
    if (!labels) return undefined;
    let c: PairContribution | undefined;
    const pods = ni.pods;
    for (const t of terms) {
      const v = labels[t.topologyKey];
      if (v === undefined) continue;
      let n = 0;
      for (let i = 0; i < pods.length; i++) if (termMatches(t, pods[i]!.pod, undefined)) n++;
      if (n > 0) c = push(c, t.topologyKey, v, n);
    }
    return c;
  };
}

const selectorKey = (s: Selector | undefined) => (s === undefined ? '' : s.nothing ? '!' : '=' + selectorToString(s));

/**
 * The terms as text: equal text, equal matches. Used for the incoming pod's terms, whose
 * namespaceSelector is resolved (so matching needs no namespace labels).
 */
export function termsKey(terms: readonly AffinityTerm[]): string {
  let key = '';
  for (const t of terms) key += `${[...t.namespaces].sort().join(',')}\x01${selectorKey(t.namespaceSelector)}\x01${selectorKey(t.selector)}\x01${t.topologyKey}\x02`;
  return key;
}
