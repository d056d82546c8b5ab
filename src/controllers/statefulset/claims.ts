// PersistentVolumeClaims of StatefulSet pods (upstream stateful_pod_control.go and the
// persistentVolumeClaimRetentionPolicy): claims are created before their pod and never deleted by
// this controller; the policy is expressed through ownerReferences, so the garbage collector
// deletes them: whenDeleted=Delete makes the set an owner; whenScaled=Delete makes a condemned
// (scaled-away) pod the owner, so the claim goes with the pod.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { ordinalInRange, getOrdinal, statefulSetKind, type ClaimObject, type PodObj, type SetObject } from './identity.js';

function policy(set: SetObject): { whenDeleted: string; whenScaled: string } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

function refTo(owner: KubeObject, kind: { apiVersion: string; kind: string }, controller: boolean): OwnerReference {
  const ref: OwnerReference = { apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata!.name!, uid: owner.metadata!.uid! };
  if (controller) {
    ref.controller = true;
    ref.blockOwnerDeletion = true;
  }
  return ref;
}

/**
 * The ownerReferences the claim should carry for set and pod under the retention policy, or
 * undefined when it already does (upstream claimOwnerMatchesSetAndPod / updateClaimOwnerRefForSetAndPod).
 * References to other owners are kept; stale references to this set or this pod name are removed.
 */
export function desiredClaimOwners(set: SetObject, pod: PodObj | undefined, claim: ClaimObject): OwnerReference[] | undefined {
  const { whenDeleted, whenScaled } = policy(set);
  const current = claim.metadata?.ownerReferences ?? [];
  const keep = current.filter((r) => !(r.kind === statefulSetKind.kind && r.name === set.metadata?.name) && !(r.kind === 'Pod' && pod && r.name === pod.metadata?.name));
  const want = [...keep];
  if (whenDeleted === 'Delete') want.push(refTo(set, statefulSetKind, true));
  const scaledDown = pod !== undefined && !ordinalInRange(set, getOrdinal(pod));
  if (whenScaled === 'Delete' && scaledDown && pod?.metadata?.uid) want.push(refTo(pod, { apiVersion: 'v1', kind: 'Pod' }, false));
  const key = (r: OwnerReference) => `${r.uid}/${r.controller ? 1 : 0}`;
  const same = want.length === current.length && want.every((r) => current.some((c) => key(c) === key(r)));
  return same ? undefined : want;
}

/** True when the claim is owned by a pod other than `pod` (a stale claim from a scaled-down pod about to be deleted). */
export function claimIsStale(claim: ClaimObject | undefined, pod: PodObj): boolean {
  if (!claim) return false;
  return (claim.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === pod.metadata?.name && r.uid !== pod.metadata?.uid);
}
