// Owner references (apimachinery metav1 controller_ref.go): the controller reference is the one
// ownerReference with controller: true; at most one object controls another.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';

/** The object's controller reference, if it has one. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * The controller reference an owner puts on what it creates (upstream NewControllerRef):
 * controller and blockOwnerDeletion true, so foreground deletion of the owner waits for it.
 */
export function newControllerRef(owner: KubeObject, gvk: { apiVersion: string; kind: string }): OwnerReference {
  const meta = owner.metadata;
  if (!meta?.name || !meta.uid) throw new Error(`owner ${gvk.kind} has no name or uid`);
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };
}

/** `namespace/name` of an object (the work-queue key of a controller object). */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

/**
 * Name of the index (upstream PodControllerUIDIndex) that files an object under its controller's
 * uid, and an orphan under orphanIndexKey(namespace). Controllers then find their pods (or
 * ReplicaSets) without scanning a namespace. Every controller registers it under this same name,
 * so the shared informer builds it once.
 */
export const controllerUIDIndex = 'controllerUID';

/** The index value orphans of `namespace` are filed under. */
export function orphanIndexKey(namespace: string | undefined): string {
  return `<orphan>/${namespace ?? ''}`;
}

export function controllerUIDIndexFunc(obj: KubeObject): string[] {
  const ref = getControllerOf(obj);
  return [ref ? ref.uid : orphanIndexKey(obj.metadata?.namespace)];
}
