// A StatefulSet pod's identity and storage (upstream stateful_set_utils.go): the name
// `<set>-<ordinal>`, hostname = name, subdomain = serviceName, the pod-name and pod-index labels,
// and one PVC per volumeClaimTemplate named `<template>-<set>-<ordinal>` mounted as the template's
// volume. A pod whose identity or storage drifted is patched back.
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { controllerRevisionHashLabel } from '../history/index.js';

export type SetObject = StatefulSet & KubeObject;
export type PodObj = Pod & KubeObject;
export type ClaimObject = PersistentVolumeClaim & KubeObject;

export const statefulSetKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
/** Upstream apps.StatefulSetPodNameLabel. */
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
/** Upstream apps.PodIndexLabel. */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

const ordinalPattern = /^(.*)-([0-9]+)$/;

/** The set name and ordinal a pod name encodes; ordinal -1 when the name has none. */
export function parentAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = ordinalPattern.exec(pod.metadata?.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { parent: m[1], ordinal: n } : { parent: '', ordinal: -1 };
}

export function getOrdinal(pod: Pod): number {
  return parentAndOrdinal(pod).ordinal;
}

/** True when the pod's name says it belongs to set (upstream isMemberOf). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod).parent === set.metadata?.name;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

export function claimName(templateName: string, set: StatefulSet, ordinal: number): string {
  return `${templateName}-${podName(set, ordinal)}`;
}

/** spec.ordinals.start (0 when unset). */
export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** True when ordinal lies in [start, start + replicas). */
export function ordinalInRange(set: StatefulSet, ordinal: number): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicasOf(set);
}

/** True when the pod's name, hostname, subdomain and identity labels match its ordinal in set. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  const labels = pod.metadata?.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[podNameLabel] === pod.metadata?.name &&
    labels[podIndexLabel] === String(ordinal) &&
    pod.spec?.hostname === pod.metadata?.name &&
    (pod.spec?.subdomain ?? '') === (set.spec?.serviceName ?? '')
  );
}

/** Sets the identity fields on pod for ordinal (upstream updateIdentity). */
export function updateIdentity(set: StatefulSet, pod: Pod, ordinal: number): void {
  const name = podName(set, ordinal);
  pod.metadata = { ...pod.metadata, name, namespace: set.metadata?.namespace, labels: { ...(pod.metadata?.labels ?? {}), [podNameLabel]: name, [podIndexLabel]: String(ordinal) } };
  pod.spec = { ...(pod.spec ?? { containers: [] }), hostname: name };
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  else delete pod.spec.subdomain;
}

/** The claims set's templates give the pod at ordinal, keyed by template (volume) name. */
export function claimsFor(set: SetObject, ordinal: number): Map<string, ClaimObject> {
  const out = new Map<string, ClaimObject>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const tname = t.metadata?.name ?? '';
    const labels = { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    const claim: ClaimObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName(tname, set, ordinal), namespace: set.metadata?.namespace, labels },
      spec: structuredClone(t.spec ?? {}),
    };
    if (t.metadata?.annotations) claim.metadata!.annotations = { ...t.metadata.annotations };
    out.set(tname, claim);
  }
  return out;
}

/** True when each claim template is mounted from its PVC (upstream storageMatches). */
export function storageMatches(set: SetObject, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const [tname, claim] of claimsFor(set, ordinal)) {
    if (volumes.get(tname)?.persistentVolumeClaim?.claimName !== claim.metadata!.name) return false;
  }
  return true;
}

/** Replaces the template volumes with the pod's PVCs (upstream updateStorage). */
export function updateStorage(set: SetObject, pod: Pod, ordinal: number): void {
  const claims = claimsFor(set, ordinal);
  if (claims.size === 0) return;
  const volumes: Volume[] = [...claims].map(([tname, c]) => ({ name: tname, persistentVolumeClaim: { claimName: c.metadata!.name! } }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? { containers: [] }), volumes };
}

/**
 * The pod for ordinal from set's template at revision `revisionName` (upstream newStatefulSetPod
 * plus the revision label): template labels/annotations, the controller reference, identity and
 * storage.
 */
export function newStatefulSetPod(set: SetObject, ordinal: number, revisionName: string): PodObj {
  const t = set.spec?.template ?? {};
  const pod: PodObj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: set.metadata?.namespace,
      labels: { ...(t.metadata?.labels ?? {}), [controllerRevisionHashLabel]: revisionName },
      annotations: { ...(t.metadata?.annotations ?? {}) },
      ownerReferences: [
        { apiVersion: statefulSetKind.apiVersion, kind: statefulSetKind.kind, name: set.metadata!.name!, uid: set.metadata!.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: structuredClone(t.spec ?? { containers: [] }),
  };
  if (t.metadata?.finalizers?.length) pod.metadata!.finalizers = [...t.metadata.finalizers];
  updateIdentity(set, pod, ordinal);
  updateStorage(set, pod, ordinal);
  return pod;
}

/** The revision name on a pod's controller-revision-hash label. */
export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[controllerRevisionHashLabel] ?? '';
}
