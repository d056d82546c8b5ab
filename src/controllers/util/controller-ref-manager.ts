// Adoption and release (upstream controller_ref_manager.go): a controller owns the objects whose
// controller reference names its uid. It adopts orphans its selector matches and releases owned
// objects its selector no longer matches, so ownership follows labels. Each write is a strategic
// merge patch carrying the object's own uid, so it fails (422) instead of touching a namesake that
// replaced the object. Orphans are never adopted by an owner that is being deleted.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { matchesLabels, type Selector } from '../../api/selectors/labels.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import { isInvalid, isNotFound } from '../../client/rest/errors.js';
import { getControllerOf, newControllerRef } from './owner.js';

export interface ControllerRefManagerOptions<T extends KubeObject> {
  /** The owner (as in the informer cache). */
  controller: KubeObject;
  /** The owner's apiVersion and kind, for the reference written onto adopted objects. */
  controllerKind: { apiVersion: string; kind: string };
  selector: Selector;
  /** Client for the owned resource (pods, replicasets, ...). */
  client: ResourceClient<T>;
  /**
   * Rechecks, against the server, that the owner may adopt (same uid, not being deleted); throws
   * if not. Called at most once per manager, only when there is an orphan to adopt. See
   * recheckDeletionTimestamp.
   */
  canAdopt: () => Promise<void>;
}

export class ControllerRefManager<T extends KubeObject> {
  private adoptCheck?: Promise<void>;

  constructor(private readonly opts: ControllerRefManagerOptions<T>) {}

  private get owner(): KubeObject {
    return this.opts.controller;
  }

  /**
   * The objects this controller owns after adopting and releasing: owned-and-matching plus
   * successfully adopted orphans. Objects owned by another controller are ignored. Every object
   * is tried; if any adoption/release failed, throws an AggregateError after all were tried (the
   * caller requeues, as upstream returns the aggregated error).
   */
  async claim(objs: readonly T[], filters: ReadonlyArray<(o: T) => boolean> = []): Promise<T[]> {
    const match = (o: T) => matchesLabels(this.opts.selector, o.metadata?.labels) && filters.every((f) => f(o));
    const claimed: T[] = [];
    const errors: unknown[] = [];
    await Promise.all(
      objs.map(async (obj) => {
        try {
          if (await this.claimOne(obj, match)) claimed.push(obj);
        } catch (err) {
          errors.push(err);
        }
      }),
    );
    if (errors.length) throw new AggregateError(errors, `claiming objects for ${this.owner.kind ?? ''} ${this.owner.metadata?.name ?? ''}: ${errors.map(String).join('; ')}`);
    // Keep the input order (Promise.all finishes in any order).
    const set = new Set(claimed);
    return objs.filter((o) => set.has(o));
  }

  private async claimOne(obj: T, match: (o: T) => boolean): Promise<boolean> {
    const ref = getControllerOf(obj);
    const ownerMeta = this.owner.metadata ?? {};
    if (ref) {
      if (ref.uid !== ownerMeta.uid) return false; // someone else's
      if (match(obj)) return true;
      // Ours but no longer selected: release, unless we are going away (the GC handles that).
      if (ownerMeta.deletionTimestamp) return false;
      await this.release(obj);
      return false;
    }
    // An orphan.
    if (ownerMeta.deletionTimestamp || !match(obj)) return false;
    if (obj.metadata?.deletionTimestamp) return false;
    if (ownerMeta.namespace && obj.metadata?.namespace !== ownerMeta.namespace) return false;
    this.adoptCheck ??= this.opts.canAdopt();
    await this.adoptCheck;
    try {
      await this.adopt(obj);
    } catch (err) {
      if (isNotFound(err)) return false; // gone already
      throw err;
    }
    return true;
  }

  private async adopt(obj: T): Promise<void> {
    const ref: OwnerReference = newControllerRef(this.owner, this.opts.controllerKind);
    const patch = { metadata: { ownerReferences: [ref], uid: obj.metadata?.uid } };
    await this.opts.client.patch(obj.metadata!.name!, patch, { namespace: obj.metadata?.namespace, type: 'strategic' });
  }

  private async release(obj: T): Promise<void> {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.owner.metadata?.uid }], uid: obj.metadata?.uid } };
    try {
      await this.opts.client.patch(obj.metadata!.name!, patch, { namespace: obj.metadata?.namespace, type: 'strategic' });
    } catch (err) {
      // Gone, or replaced by a namesake (uid mismatch): either way it is not ours to release.
      if (isNotFound(err) || isInvalid(err)) return;
      throw err;
    }
  }
}

/**
 * The canAdopt check upstream builds with RecheckDeletionTimestamp: fetch the owner fresh
 * (quorum read) and refuse when it was replaced (uid differs) or is being deleted.
 */
export function recheckDeletionTimestamp(getFresh: () => Promise<KubeObject>, owner: KubeObject): () => Promise<void> {
  return async () => {
    const fresh = await getFresh();
    const uid = owner.metadata?.uid;
    if (fresh.metadata?.uid !== uid) {
      throw new Error(`original ${owner.kind ?? ''} ${owner.metadata?.namespace ?? ''}/${owner.metadata?.name ?? ''} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${uid ?? ''}`);
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${owner.kind ?? ''} ${owner.metadata?.namespace ?? ''}/${owner.metadata?.name ?? ''} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}
