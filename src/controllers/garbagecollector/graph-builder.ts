// The dependency graph builder (upstream graph_builder.go processGraphChanges): turns informer
// events and the collector's "virtual delete" events into the uid → node graph, and decides
// which nodes the collector must look at (attemptToDelete) or orphan (attemptToOrphan).
// Events are applied synchronously and one at a time (JavaScript runs one handler at a time),
// which gives upstream's single-threaded processing without a queue of its own.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import type { EventRecorder } from '../../client/record/index.js';
import type { RateLimitingQueue } from '../../client/workqueue/index.js';
import { AbsentOwnerCache } from './absent-owner-cache.js';
import {
  beingDeleted,
  cloneNode,
  deletingDependents,
  finalizerDeleteDependents,
  finalizerOrphanDependents,
  newNode,
  startsWaitingFor,
  type GraphNode,
} from './graph.js';
import { identityKey, identityOfOwner, identityString, referenceMatchesCoordinates, referencesDiffs, sameIdentity, type ObjectIdentity, type ReferencePair } from './identity.js';

export interface GraphEvent {
  type: 'add' | 'update' | 'delete';
  /** The object (metadata is all that is read). */
  obj: KubeObject;
  oldObj?: KubeObject;
  /** The apiVersion and kind of the informer (or the virtual identity) the event comes from. */
  apiVersion: string;
  kind: string;
  /** Made by the collector after a live GET found the object absent, not by an informer. */
  virtual?: boolean;
}

export interface GraphBuilderOptions {
  attemptToDelete: RateLimitingQueue<GraphNode>;
  attemptToOrphan: RateLimitingQueue<GraphNode>;
  recorder: EventRecorder;
  log: Logger;
}

export class GraphBuilder {
  /** Every node, by uid. */
  readonly uidToNode = new Map<string, GraphNode>();
  /** Owners verified absent (shared with the collector). */
  readonly absentOwnerCache = new AbsentOwnerCache();

  constructor(private readonly opts: GraphBuilderOptions) {}

  /** The collector verified `identity` absent: remove it from the graph as if an informer had said so. */
  enqueueVirtualDeleteEvent(identity: ObjectIdentity): void {
    this.processGraphChange({
      type: 'delete',
      virtual: true,
      apiVersion: identity.apiVersion,
      kind: identity.kind,
      obj: { apiVersion: identity.apiVersion, kind: identity.kind, metadata: { name: identity.name, namespace: identity.namespace || undefined, uid: identity.uid } },
    });
  }

  processGraphChange(event: GraphEvent): void {
    const meta = event.obj.metadata;
    const uid = meta?.uid;
    if (!uid || !meta?.name) return;
    const { attemptToDelete } = this.opts;
    let existing = this.uidToNode.get(uid);

    // An informer showed the object: the node is real from now on.
    if (existing && !event.virtual && existing.virtual) {
      const observed = identityFromEvent(event);
      if (!sameIdentity(observed, existing.identity)) {
        // Dependents that named this uid with other coordinates may hold an invalid reference:
        // let the collector check them (a no-op if their owners are sound).
        const [, potentiallyInvalid] = partitionDependents([...existing.dependents], observed);
        for (const dep of potentiallyInvalid) {
          if (observed.namespace && dep.identity.namespace !== observed.namespace) this.reportInvalidNamespaceOwnerRef(dep, observed.uid);
          attemptToDelete.add(dep);
        }
        // Replace the virtual node by a copy carrying the observed identity (queued pointers to the
        // old one are recognised as stale by the collector).
        existing = cloneNode(existing);
        existing.identity = observed;
        this.uidToNode.set(uid, existing);
      }
      existing.virtual = false;
    }

    if ((event.type === 'add' || event.type === 'update') && !existing) {
      const node = newNode(identityFromEvent(event), {
        owners: [...(meta.ownerReferences ?? [])],
        deletingDependents: deletingDependents(event.obj),
        beingDeleted: beingDeleted(event.obj),
      });
      this.insertNode(node);
      // An informer may fold a creation and a deletion into one event: handle both.
      this.processTransitions(event.oldObj, event.obj, node);
      return;
    }

    if ((event.type === 'add' || event.type === 'update') && existing) {
      const refs = meta.ownerReferences ?? [];
      const { added, removed, changed } = referencesDiffs(existing.owners, refs);
      if (added.length || removed.length || changed.length) {
        // Owners waiting for this dependent to go may now be unblocked.
        this.addUnblockedOwnersToDeleteQueue(removed, changed);
        existing.owners = [...refs];
        this.addDependentToOwners(existing, added);
        this.removeDependentFromOwners(existing, removed);
      }
      if (beingDeleted(event.obj)) existing.beingDeleted = true;
      this.processTransitions(event.oldObj, event.obj, existing);
      return;
    }

    if (event.type === 'delete' && existing) this.processDelete(event, existing);
  }

  private processDelete(event: GraphEvent, existing: GraphNode): void {
    const { attemptToDelete } = this.opts;
    let remove = true;
    if (event.virtual) {
      const deleted = identityFromEvent(event);
      if (existing.virtual) {
        // Dependents may disagree about who this owner is (kind, name, namespace): only the ones
        // naming the identity verified absent are collected; the node stays for the others.
        const [matching, nonmatching] = partitionDependents([...existing.dependents], deleted);
        if (nonmatching.length > 0) {
          remove = false;
          if (matching.length > 0) {
            this.absentOwnerCache.add(deleted);
            for (const dep of matching) attemptToDelete.add(dep);
          }
          if (sameIdentity(existing.identity, deleted)) {
            const alternate = alternateOwnerIdentity(nonmatching, deleted);
            if (alternate) {
              const replacement = cloneNode(existing);
              replacement.identity = alternate;
              this.uidToNode.set(replacement.identity.uid, replacement);
              attemptToDelete.addRateLimited(replacement);
            }
          }
        }
      } else if (!sameIdentity(existing.identity, deleted)) {
        // The real, observed object exists; only references with the wrong coordinates are dangling.
        remove = false;
        const [matching] = partitionDependents([...existing.dependents], deleted);
        if (matching.length > 0) {
          this.absentOwnerCache.add(deleted);
          for (const dep of matching) attemptToDelete.add(dep);
        }
      }
    }
    if (!remove) return;
    this.removeNode(existing);
    if (existing.dependents.size > 0) this.absentOwnerCache.add(identityFromEvent(event));
    for (const dep of existing.dependents) attemptToDelete.add(dep);
    for (const owner of existing.owners) {
      const ownerNode = this.uidToNode.get(owner.uid);
      // An owner deleting in the foreground may have been waiting for this one.
      if (ownerNode?.deletingDependents) attemptToDelete.add(ownerNode);
    }
  }

  private processTransitions(oldObj: KubeObject | undefined, obj: KubeObject, n: GraphNode): void {
    if (startsWaitingFor(oldObj, obj, finalizerOrphanDependents)) {
      this.opts.log.debug({ item: identityString(n.identity) }, 'add item to attemptToOrphan');
      this.opts.attemptToOrphan.add(n);
      return;
    }
    if (startsWaitingFor(oldObj, obj, finalizerDeleteDependents)) {
      this.opts.log.debug({ item: identityString(n.identity) }, 'add item and its dependents to attemptToDelete');
      // A node first added as virtual never had the flag set: set it here.
      n.deletingDependents = true;
      for (const dep of n.dependents) this.opts.attemptToDelete.add(dep);
      this.opts.attemptToDelete.add(n);
    }
  }

  private insertNode(n: GraphNode): void {
    this.uidToNode.set(n.identity.uid, n);
    this.addDependentToOwners(n, n.owners);
  }

  private removeNode(n: GraphNode): void {
    this.uidToNode.delete(n.identity.uid);
    this.removeDependentFromOwners(n, n.owners);
  }

  private addDependentToOwners(n: GraphNode, owners: readonly OwnerReference[]): void {
    // Whether some owner already in the graph disagrees with the reference (namespace or
    // coordinates): then the collector verifies this dependent's references.
    let potentiallyInvalid = false;
    for (const owner of owners) {
      let ownerNode = this.uidToNode.get(owner.uid);
      const known = ownerNode !== undefined;
      if (!ownerNode) {
        // A virtual node for an owner not seen yet; the collector checks whether it exists and,
        // if not, a virtual delete event removes it again.
        ownerNode = newNode(identityOfOwner(owner, n.identity.namespace), { virtual: true });
        this.uidToNode.set(owner.uid, ownerNode);
      }
      ownerNode.dependents.add(n);
      if (!known) {
        this.opts.attemptToDelete.add(ownerNode);
        continue;
      }
      if (potentiallyInvalid) continue;
      const ownerNamespaced = ownerNode.identity.namespace !== '';
      if (ownerNamespaced && ownerNode.identity.namespace !== n.identity.namespace) {
        // A namespaced owner can only own objects in its own namespace.
        if (!ownerNode.virtual) this.reportInvalidNamespaceOwnerRef(n, owner.uid);
        potentiallyInvalid = true;
      } else if (!referenceMatchesCoordinates(owner, ownerNode.identity)) {
        potentiallyInvalid = true;
      } else if (!ownerNamespaced && ownerNode.identity.namespace !== n.identity.namespace && ownerNode.virtual) {
        // A virtual cluster-scoped owner named from a namespace may really be a missing
        // namespaced object (upstream issue 98040): verify.
        potentiallyInvalid = true;
      }
    }
    if (potentiallyInvalid) this.opts.attemptToDelete.add(n);
  }

  private removeDependentFromOwners(n: GraphNode, owners: readonly OwnerReference[]): void {
    for (const owner of owners) this.uidToNode.get(owner.uid)?.dependents.delete(n);
  }

  private addUnblockedOwnersToDeleteQueue(removed: readonly OwnerReference[], changed: readonly ReferencePair[]): void {
    for (const ref of removed) {
      if (ref.blockOwnerDeletion !== true) continue;
      const node = this.uidToNode.get(ref.uid);
      if (node) this.opts.attemptToDelete.add(node);
    }
    for (const c of changed) {
      if (c.oldRef.blockOwnerDeletion === true && c.newRef.blockOwnerDeletion !== true) {
        const node = this.uidToNode.get(c.newRef.uid);
        if (node) this.opts.attemptToDelete.add(node);
      }
    }
  }

  private reportInvalidNamespaceOwnerRef(n: GraphNode, invalidOwnerUid: string): void {
    const ref = n.owners.find((o) => o.uid === invalidOwnerUid);
    if (!ref) return;
    const invalid = identityOfOwner(ref, n.identity.namespace);
    const { apiVersion, kind, namespace, name, uid } = n.identity;
    this.opts.recorder.eventf(
      { apiVersion, kind, namespace: namespace || undefined, name, uid },
      'Warning',
      'OwnerRefInvalidNamespace',
      'ownerRef %s does not exist in namespace %q',
      identityString(invalid),
      n.identity.namespace,
    );
  }
}

export function identityFromEvent(event: GraphEvent): ObjectIdentity {
  const m = event.obj.metadata ?? {};
  return { apiVersion: event.apiVersion, kind: event.kind, name: m.name ?? '', uid: m.uid ?? '', namespace: m.namespace ?? '' };
}

/**
 * Splits dependents into those whose reference to `owner.uid` matches the owner's coordinates and
 * namespace, and those that name the uid otherwise (a dependent can be in both).
 */
export function partitionDependents(dependents: readonly GraphNode[], owner: ObjectIdentity): [GraphNode[], GraphNode[]] {
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  const ownerNamespaced = owner.namespace !== '';
  for (const dep of dependents) {
    let match = false;
    let mismatch = false;
    if (ownerNamespaced && owner.namespace !== dep.identity.namespace) mismatch = true;
    else {
      for (const ref of dep.owners) {
        if (ref.uid !== owner.uid) continue;
        if (referenceMatchesCoordinates(ref, owner)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) nonmatching.push(dep);
  }
  return [matching, nonmatching];
}

/** Orders identities by kind, apiVersion, namespace, name, uid (upstream referenceLessThan). */
export function identityLess(a: ObjectIdentity, b: ObjectIdentity): boolean {
  for (const k of ['kind', 'apiVersion', 'namespace', 'name', 'uid'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k];
  }
  return false;
}

/**
 * Another identity the dependents give this uid, after `absent` was verified absent: the first
 * one sorting after it, else the first one (so alternatives are tried in turn, never twice in a row).
 */
export function alternateOwnerIdentity(deps: readonly GraphNode[], absent: ObjectIdentity): ObjectIdentity | undefined {
  const absentClusterScoped = absent.namespace === '';
  const seen = new Set<string>([identityKey(absent)]);
  let first: ObjectIdentity | undefined;
  let firstFollowing: ObjectIdentity | undefined;
  for (const dep of deps) {
    for (const ref of dep.owners) {
      if (ref.uid !== absent.uid) continue;
      if (referenceMatchesCoordinates(ref, absent) && (absentClusterScoped || absent.namespace === dep.identity.namespace)) continue;
      const alt = identityOfOwner(ref, dep.identity.namespace);
      // That apiVersion/kind is known to be cluster-scoped from the verified identity.
      if (absentClusterScoped && alt.apiVersion === absent.apiVersion && alt.kind === absent.kind) alt.namespace = '';
      const key = identityKey(alt);
      if (seen.has(key)) continue;
      seen.add(key);
      if (!first || identityLess(alt, first)) first = alt;
      if (identityLess(absent, alt) && (!firstFollowing || identityLess(alt, firstFollowing))) firstFollowing = alt;
    }
  }
  return firstFollowing ?? first;
}
