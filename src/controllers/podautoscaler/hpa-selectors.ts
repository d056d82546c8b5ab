// Which HPAs select which pods: upstream's hpaSelectors (a selectors.BiMultimap in horizontal.go),
// behind the AmbiguousSelector check. An HPA is registered with a selector that matches nothing
// when the informer reports it (enqueueHPA), given its target's scale selector on each sync that
// gets that far (validateAndParseSelector's PutSelector), and forgotten when it is deleted. So an
// HPA counts against others only once it has synced, and keeps its last selector while its target
// cannot be read, as upstream's does.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { matchesLabels, nothing, type Selector } from '../../api/selectors/labels.js';
import { splitMetaNamespaceKey } from '../../client/cache/keys.js';

export interface HpaSelectors {
  /** enqueueHPA: known from now on, selecting nothing until its first sync gives it a selector. */
  register(key: string): void;
  /** PutSelector, only for an HPA still registered: a sync racing its deletion must not bring it back. */
  update(key: string, selector: Selector): void;
  /** deleteHPA's DeleteSelector. */
  delete(key: string): void;
  /**
   * hpasControllingPodsUnderSelector: the keys (namespace/name) of every HPA in a pod's namespace
   * whose selector selects any of these pods, sorted — upstream lists them in map order, which
   * is random; sorting makes the condition message stable, so status is not rewritten each sync.
   */
  controlling(pods: readonly Pod[]): string[];
}

export function newHpaSelectors(): HpaSelectors {
  const byKey = new Map<string, { namespace: string; selector: Selector }>();
  return {
    register(key) {
      if (!byKey.has(key)) byKey.set(key, { namespace: splitMetaNamespaceKey(key).namespace, selector: nothing });
    },
    update(key, selector) {
      const entry = byKey.get(key);
      if (entry) entry.selector = selector;
    },
    delete(key) {
      byKey.delete(key);
    },
    controlling(pods) {
      const found = new Set<string>();
      for (const pod of pods) {
        const ns = pod.metadata?.namespace ?? '';
        for (const [key, { namespace, selector }] of byKey) {
          if (namespace === ns && !found.has(key) && matchesLabels(selector, pod.metadata?.labels)) found.add(key);
        }
      }
      return [...found].sort();
    },
  };
}
