// The pod event handlers every pod-owning controller repeats (upstream ReplicaSet and Job
// controllers' addPod/updatePod/deletePod): find the pod's owner through its controller
// reference, tell the expectations what the informer has now shown (a creation, or a deletion —
// counted as soon as graceful deletion starts, so a replacement need not wait out the grace
// period), and enqueue the owner. An orphan wakes every owner whose selector matches it, so one
// may adopt it: on add, and on an update that changed its labels or controller reference.
// Controllers add their own bookkeeping through the optional hooks.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { isEverything, labelSelectorAsSelector, matchesLabels } from '../../api/selectors/labels.js';
import { isDeletedFinalStateUnknown, type ReadonlyIndexer, type ResourceEventHandler } from '../../client/cache/index.js';
import type { UIDTrackingExpectations } from './expectations.js';
import { getControllerOf, objectKey } from './owner.js';

type PodObj = Pod & KubeObject;
/** An object that selects pods (ReplicaSet, Job, ...). */
export type PodOwner = KubeObject & { spec?: { selector?: LabelSelector } };

export interface PodEventHandlerOptions<O extends KubeObject> {
  /** The owner a controller reference names, if it is cached with that uid. */
  resolveControllerRef(namespace: string | undefined, ref: OwnerReference): O | undefined;
  /** Owners whose selector matches the orphan (candidates to adopt it). */
  ownersMatching(pod: PodObj): O[];
  expectations: UIDTrackingExpectations;
  /** Adds an owner's key to the controller's work queue. */
  enqueue(key: string): void;
  /** A pod (added or updated, not deleted) whose owner is known; `old` is set on updates. */
  onOwnedPod?(owner: O, key: string, pod: PodObj, old?: PodObj): void;
  /** A pod of a known owner is being deleted or is gone. */
  onOwnedPodDeleted?(owner: O, key: string, pod: PodObj): void;
  /** A pod in the cache without a controller reference. */
  onOrphanPod?(pod: PodObj): void;
  /** A pod in the cache whose controller reference names no cached owner. */
  onUnresolvedPod?(pod: PodObj, ref: OwnerReference): void;
}

/** The ResourceEventHandler for a pod informer of a controller that owns pods. */
export function podEventHandlers<O extends KubeObject>(o: PodEventHandlerOptions<O>): ResourceEventHandler<PodObj> {
  /** Records that the pod is going or gone. `inCache`: it is still there (add/update), so the hooks for unowned pods apply. */
  function deleted(pod: PodObj, inCache: boolean): void {
    const ref = getControllerOf(pod);
    if (!ref) {
      if (inCache) o.onOrphanPod?.(pod);
      return;
    }
    const owner = o.resolveControllerRef(pod.metadata?.namespace, ref);
    if (!owner) {
      if (inCache) o.onUnresolvedPod?.(pod, ref);
      return;
    }
    const key = objectKey(owner);
    o.expectations.deletionObservedOf(key, objectKey(pod));
    o.onOwnedPodDeleted?.(owner, key, pod);
    o.enqueue(key);
  }

  function enqueueMatching(pod: PodObj): void {
    for (const owner of o.ownersMatching(pod)) o.enqueue(objectKey(owner));
  }

  return {
    onAdd: (pod) => {
      if (pod.metadata?.deletionTimestamp) {
        // A restarted controller sees a pod already terminating: it is a deletion, not a creation.
        deleted(pod, true);
        return;
      }
      const ref = getControllerOf(pod);
      if (!ref) {
        o.onOrphanPod?.(pod);
        enqueueMatching(pod);
        return;
      }
      const owner = o.resolveControllerRef(pod.metadata?.namespace, ref);
      if (!owner) {
        o.onUnresolvedPod?.(pod, ref);
        return;
      }
      const key = objectKey(owner);
      o.expectations.creationObserved(key);
      o.onOwnedPod?.(owner, key, pod);
      o.enqueue(key);
    },
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return; // resync
      const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      if (cur.metadata?.deletionTimestamp) {
        // Graceful deletion started: count it now, so a replacement is created without waiting
        // for the grace period (upstream does the same).
        deleted(cur, true);
        // A deletion timestamp is never unset, so the old labels' owner may count it too.
        if (labelsChanged) deleted(old, false);
        return;
      }
      const curRef = getControllerOf(cur);
      const oldRef = getControllerOf(old);
      const refChanged = curRef?.uid !== oldRef?.uid;
      if (refChanged && oldRef) {
        // The old owner lost a pod: let it know.
        const before = o.resolveControllerRef(old.metadata?.namespace, oldRef);
        if (before) o.enqueue(objectKey(before));
      }
      if (curRef) {
        const owner = o.resolveControllerRef(cur.metadata?.namespace, curRef);
        if (!owner) {
          o.onUnresolvedPod?.(cur, curRef);
          return;
        }
        const key = objectKey(owner);
        o.onOwnedPod?.(owner, key, cur, old);
        o.enqueue(key);
        return;
      }
      o.onOrphanPod?.(cur);
      if (labelsChanged || refChanged) enqueueMatching(cur);
    },
    onDelete: (obj) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (pod) deleted(pod, false);
    },
  };
}

/**
 * resolveControllerRef for owners of one kind in an informer cache: the reference must name the
 * kind (in the kind's API group) and the cached object must have the referenced uid — a
 * same-named successor is not the owner.
 */
export function controllerRefResolver<O extends KubeObject>(indexer: ReadonlyIndexer<O>, kind: { apiVersion: string; kind: string }): (namespace: string | undefined, ref: OwnerReference) => O | undefined {
  const slash = kind.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : kind.apiVersion.slice(0, slash);
  const inGroup = (apiVersion: string) => (group ? apiVersion.startsWith(`${group}/`) : !apiVersion.includes('/'));
  return (namespace, ref) => {
    if (ref.kind !== kind.kind || !inGroup(ref.apiVersion)) return undefined;
    const owner = indexer.getByKey(`${namespace}/${ref.name}`);
    return owner && owner.metadata?.uid === ref.uid ? owner : undefined;
  };
}

/** Owners in the pod's namespace whose (valid, non-empty) selector matches its labels. */
export function ownersSelecting<O extends PodOwner>(indexer: ReadonlyIndexer<O>, pod: Pod): O[] {
  return indexer.byIndex('namespace', pod.metadata?.namespace ?? '').filter((owner) => {
    try {
      const sel = labelSelectorAsSelector(owner.spec?.selector);
      return !isEverything(sel) && matchesLabels(sel, pod.metadata?.labels);
    } catch {
      return false; // an invalid selector adopts nothing
    }
  });
}
