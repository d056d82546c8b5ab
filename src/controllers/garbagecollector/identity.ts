// How the garbage collector names objects: an owner reference's coordinates (apiVersion, kind,
// name, uid) plus the namespace the object lives in ("" for cluster-scoped). Upstream's
// objectReference in pkg/controller/garbagecollector/graph.go; the string form is the one its
// events and logs print.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

export interface OwnerCoordinates {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export interface ObjectIdentity extends OwnerCoordinates {
  /** "" for a cluster-scoped object (or an owner whose scope is not known yet). */
  namespace: string;
}

export function ownerCoordinates(ref: OwnerReference): OwnerCoordinates {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid };
}

/** The identity an owner reference names, seen from a dependent in `namespace`. */
export function identityOfOwner(ref: OwnerReference, namespace: string): ObjectIdentity {
  return { ...ownerCoordinates(ref), namespace };
}

export function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && a.namespace === b.namespace;
}

/** True when the reference names exactly these coordinates (uid, name, kind and apiVersion). */
export function referenceMatchesCoordinates(ref: OwnerReference, c: OwnerCoordinates): boolean {
  return ref.uid === c.uid && ref.name === c.name && ref.kind === c.kind && ref.apiVersion === c.apiVersion;
}

/** "[apps/v1/ReplicaSet, namespace: default, name: web, uid: 1234]", as upstream prints it. */
export function identityString(id: ObjectIdentity): string {
  return `[${id.apiVersion}/${id.kind}, namespace: ${id.namespace}, name: ${id.name}, uid: ${id.uid}]`;
}

/** A map key for an identity (the absent-owner cache). */
export function identityKey(id: ObjectIdentity): string {
  return JSON.stringify([id.apiVersion, id.kind, id.namespace, id.name, id.uid]);
}

export interface ReferencePair {
  oldRef: OwnerReference;
  newRef: OwnerReference;
}

/** How a dependent's ownerReferences changed, matched by uid (upstream referencesDiffs). */
export function referencesDiffs(oldRefs: readonly OwnerReference[], newRefs: readonly OwnerReference[]): { added: OwnerReference[]; removed: OwnerReference[]; changed: ReferencePair[] } {
  const oldByUid = new Map(oldRefs.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: ReferencePair[] = [];
  for (const ref of newRefs) {
    const old = oldByUid.get(ref.uid);
    if (!old) added.push(ref);
    else {
      if (!sameReference(old, ref)) changed.push({ oldRef: old, newRef: ref });
      oldByUid.delete(ref.uid);
    }
  }
  return { added, removed: [...oldByUid.values()], changed };
}

function sameReference(a: OwnerReference, b: OwnerReference): boolean {
  return (
    a.uid === b.uid &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.apiVersion === b.apiVersion &&
    (a.controller ?? null) === (b.controller ?? null) &&
    (a.blockOwnerDeletion ?? null) === (b.blockOwnerDeletion ?? null)
  );
}

export const isBlocking = (ref: OwnerReference): boolean => ref.blockOwnerDeletion === true;
