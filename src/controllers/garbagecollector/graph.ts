// The dependency graph's node (upstream graph.go). One node per uid: an object observed through
// an informer, or a "virtual" node standing for an owner some dependent names but no informer
// has shown yet (it may never have existed). Contract: only the graph builder mutates nodes and
// the uid map, synchronously from informer handlers and virtual delete events; the collector's
// workers read them between their awaits (single-threaded, so reads are always consistent).
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { ObjectIdentity } from './identity.js';

export const finalizerOrphanDependents = 'orphan';
export const finalizerDeleteDependents = 'foregroundDeletion';

export interface GraphNode {
  identity: ObjectIdentity;
  /** Nodes whose ownerReferences name this node's uid. */
  readonly dependents: Set<GraphNode>;
  /** The object's ownerReferences as last observed. */
  owners: OwnerReference[];
  /** deletionTimestamp set and the foregroundDeletion finalizer present. */
  deletingDependents: boolean;
  /** deletionTimestamp set. */
  beingDeleted: boolean;
  /** Not (yet) observed through an informer: only named by a dependent. */
  virtual: boolean;
}

export function newNode(identity: ObjectIdentity, init: Partial<Omit<GraphNode, 'identity' | 'dependents'>> = {}): GraphNode {
  return { identity, dependents: new Set(), owners: init.owners ?? [], deletingDependents: init.deletingDependents ?? false, beingDeleted: init.beingDeleted ?? false, virtual: init.virtual ?? false };
}

/** A copy sharing nothing mutable except the dependents (re-pointed at the copy by the caller's map). */
export function cloneNode(n: GraphNode): GraphNode {
  return { identity: { ...n.identity }, dependents: new Set(n.dependents), owners: [...n.owners], deletingDependents: n.deletingDependents, beingDeleted: n.beingDeleted, virtual: n.virtual };
}

/** Dependents that name this node with blockOwnerDeletion=true (foreground deletion waits for them). */
export function blockingDependents(n: GraphNode): GraphNode[] {
  return [...n.dependents].filter((dep) => dep.owners.some((ref) => ref.uid === n.identity.uid && ref.blockOwnerDeletion === true));
}

export function beingDeleted(obj: KubeObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

export function deletingDependents(obj: KubeObject): boolean {
  return beingDeleted(obj) && hasFinalizer(obj, finalizerDeleteDependents);
}

/** The object just entered (or was first seen in) deletion waiting for `finalizer`. */
export function startsWaitingFor(oldObj: KubeObject | undefined, obj: KubeObject, finalizer: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, finalizer)) return false;
  if (!oldObj) return true;
  return !beingDeleted(oldObj) || !hasFinalizer(oldObj, finalizer);
}
