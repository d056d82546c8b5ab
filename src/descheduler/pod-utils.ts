// Facts about pods the plugins and the DefaultEvictor share (upstream pkg/utils/pod.go and
// pkg/descheduler/pod/pods.go): owners, mirror/static/DaemonSet/critical pods, local storage,
// the order pods are evicted in, and the namespaces/labelSelector filter most plugins take.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { labelSelectorAsSelector, matchesLabels } from '../api/selectors/labels.js';
import { isBestEffort } from '../api/quota/evaluators.js';

/** Upstream's SystemCriticalPriority (scheduling.SystemCriticalPriority). */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export const ownerRefs = (pod: Pod): OwnerReference[] => pod.metadata?.ownerReferences ?? [];
export const isMirrorPod = (pod: Pod) => pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined;
export const isStaticPod = (pod: Pod) => pod.metadata?.annotations?.['kubernetes.io/config.source'] !== undefined && pod.metadata?.annotations?.['kubernetes.io/config.source'] !== 'api';
export const isDaemonSetPod = (pod: Pod) => ownerRefs(pod).some((o) => o.kind === 'DaemonSet');
export const isTerminating = (pod: Pod) => pod.metadata?.deletionTimestamp !== undefined;
export const isCriticalPriorityPod = (pod: Pod) => pod.spec?.priority !== undefined && pod.spec.priority >= SYSTEM_CRITICAL_PRIORITY;
/** emptyDir or hostPath volumes: data on the node that an eviction loses. */
export const hasLocalStorage = (pod: Pod) => (pod.spec?.volumes ?? []).some((v) => v.hostPath !== undefined || v.emptyDir !== undefined);
export const hasPVC = (pod: Pod) => (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined);
export const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** QoS class as the kubelet computes it, coarsely: BestEffort < Burstable < Guaranteed. */
function qosRank(pod: Pod): number {
  if (pod.status?.qosClass) return { BestEffort: 0, Burstable: 1, Guaranteed: 2 }[pod.status.qosClass] ?? 1;
  const spec = pod.spec as Parameters<typeof isBestEffort>[0];
  if (isBestEffort(spec)) return 0;
  const guaranteed = (pod.spec?.containers ?? []).every((c) => {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    return ['cpu', 'memory'].every((r) => lim[r] !== undefined && (req[r] === undefined || req[r] === lim[r]));
  });
  return guaranteed ? 2 : 1;
}

/**
 * Upstream SortPodsBasedOnPriorityLowToHigh: pods without priority first, then by priority
 * ascending; among equal priorities BestEffort, then Burstable, then Guaranteed.
 */
export function sortPodsLowToHigh(pods: Pod[]): Pod[] {
  return pods.sort((a, b) => {
    const pa = a.spec?.priority;
    const pb = b.spec?.priority;
    if (pa === undefined && pb !== undefined) return -1;
    if (pb === undefined && pa !== undefined) return 1;
    if (pa !== pb) return (pa ?? 0) - (pb ?? 0);
    return qosRank(a) - qosRank(b);
  });
}

export interface Namespaces {
  include?: string[];
  exclude?: string[];
}

/** Upstream's common args check: "only one of Include/Exclude namespaces can be set". */
export function validateNamespaces(ns: Namespaces | undefined): string | undefined {
  if (ns?.include?.length && ns.exclude?.length) return 'only one of Include/Exclude namespaces can be set';
  return undefined;
}

/** The filter built from a plugin's namespaces and labelSelector args (upstream podutil.NewOptions). */
export function podArgsFilter(ns: Namespaces | undefined, labelSelector: LabelSelector | undefined): (pod: Pod) => boolean {
  const include = ns?.include?.length ? new Set(ns.include) : undefined;
  const exclude = new Set(ns?.exclude ?? []);
  const selector = labelSelector ? labelSelectorAsSelector(labelSelector) : undefined;
  return (pod) => {
    const n = pod.metadata?.namespace ?? '';
    if (include && !include.has(n)) return false;
    if (exclude.has(n)) return false;
    return !selector || matchesLabels(selector, pod.metadata?.labels);
  };
}
