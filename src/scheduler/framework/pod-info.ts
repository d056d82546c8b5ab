// A pod as the scheduler keeps it: the object plus its inter-pod affinity terms parsed once
// (upstream framework.PodInfo). Parsing happens when the pod enters the queue or the cache, so
// Filter/Score never re-parse selectors.
import type { Container, ObjectReference, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { labelSelectorAsSelector, type Requirement, type Selector } from '../../api/selectors/labels.js';
import { podRequests, type Resource } from './resource.js';

export interface AffinityTerm {
  /** Namespaces the term applies to (the pod's own when both lists are empty). */
  namespaces: Set<string>;
  /** Labels of the pods the term matches. */
  selector: Selector;
  topologyKey: string;
  /** When set, namespaces whose labels match are added to `namespaces`; `everything` matches all. */
  namespaceSelector: Selector | undefined;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  preferredAffinityTerms: WeightedAffinityTerm[];
  preferredAntiAffinityTerms: WeightedAffinityTerm[];
  /** What the pod takes on a node, worked out on first use (podUsage). */
  usage?: PodUsage;
}

/** A host port a container of the pod claims (hostPort set). */
export interface HostPortUse {
  ip: string | undefined;
  protocol: string | undefined;
  port: number;
}

/**
 * What NodeInfo adds up for a pod and how it finds it, and what Filter with nominated pods and
 * preemption compare, read from the pod object once (upstream PodInfo caches its
 * resource the same way): NodeInfo adds and removes a pod many times over (every dry run of a
 * preemption removes and re-adds each lower-priority pod), and pods from the API come in many
 * object shapes, so each read of the object is slow. The pod a PodInfo holds never changes (an
 * updated pod gets a new PodInfo). Never mutated once made.
 */
export interface PodUsage {
  name: string;
  namespace: string;
  uid: string;
  /** spec.priority, 0 when unset. */
  priority: number;
  requests: Resource;
  /** Requests with the non-zero defaults for containers that request no cpu or memory (what scoring adds up). */
  nonZeroRequests: Resource;
  /** Of the init containers, then the regular ones, in order. */
  hostPorts: readonly HostPortUse[];
  /** "namespace/claim" of each PersistentVolumeClaim volume, in order. */
  pvcKeys: readonly string[];
}

const NONE: never[] = Object.freeze([]) as unknown as never[];

function hostPortsOf(containers: readonly Container[] | undefined, into: HostPortUse[]): void {
  if (!containers) return;
  for (const c of containers) {
    if (!c.ports) continue;
    for (const p of c.ports) if (p.hostPort) into.push({ ip: p.hostIP, protocol: p.protocol, port: p.hostPort });
  }
}

/** The pod's usage, cached in the PodInfo. */
export function podUsage(pi: PodInfo): PodUsage {
  let u = pi.usage;
  if (u) return u;
  const pod = pi.pod;
  const namespace = pod.metadata?.namespace ?? '';
  const hostPorts: HostPortUse[] = [];
  hostPortsOf(pod.spec?.initContainers, hostPorts);
  hostPortsOf(pod.spec?.containers, hostPorts);
  const pvcKeys: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (claim) pvcKeys.push(`${namespace}/${claim}`);
  }
  u = {
    name: pod.metadata?.name ?? '',
    namespace,
    uid: pod.metadata?.uid ?? '',
    priority: pod.spec?.priority ?? 0,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, { nonZero: true }),
    hostPorts: hostPorts.length ? hostPorts : NONE,
    pvcKeys: pvcKeys.length ? pvcKeys : NONE,
  };
  pi.usage = u;
  return u;
}

function affinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  const namespaceSelector = t.namespaceSelector ? labelSelectorAsSelector(t.namespaceSelector) : undefined;
  if (namespaces.size === 0 && !namespaceSelector) namespaces.add(pod.metadata?.namespace ?? 'default');
  let selector = labelSelectorAsSelector(t.labelSelector ?? null);
  // matchLabelKeys / mismatchLabelKeys (1.31+): add `key in (pod's value)` / `key notin (…)`.
  const labels = pod.metadata?.labels ?? {};
  const extra: Requirement[] = [];
  for (const key of t.matchLabelKeys ?? []) if (key in labels) extra.push({ key, operator: 'in', values: [labels[key]!] });
  for (const key of t.mismatchLabelKeys ?? []) if (key in labels) extra.push({ key, operator: 'notin', values: [labels[key]!] });
  if (extra.length && t.labelSelector) selector = { ...selector, requirements: [...selector.requirements, ...extra] };
  return { namespaces, selector, topologyKey: t.topologyKey, namespaceSelector };
}

const weighted = (pod: Pod, w: WeightedPodAffinityTerm): WeightedAffinityTerm => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight });

/** Shared by the (many) pods without terms of a kind; never mutated. */
const NO_TERMS: never[] = Object.freeze([]) as unknown as never[];

export function newPodInfo(pod: Pod): PodInfo {
  const a = pod.spec?.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) {
    return { pod, requiredAffinityTerms: NO_TERMS, requiredAntiAffinityTerms: NO_TERMS, preferredAffinityTerms: NO_TERMS, preferredAntiAffinityTerms: NO_TERMS, usage: undefined };
  }
  return {
    pod,
    requiredAffinityTerms: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    requiredAntiAffinityTerms: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    preferredAffinityTerms: (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => weighted(pod, t)),
    preferredAntiAffinityTerms: (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => weighted(pod, t)),
    usage: undefined,
  };
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** The pod's reference as upstream's GetReference gives it, for events (informer pods may carry no kind/apiVersion). */
export function podReference(pod: Pod): ObjectReference {
  const m = pod.metadata ?? {};
  return { kind: 'Pod', apiVersion: 'v1', name: m.name ?? '', namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
}
