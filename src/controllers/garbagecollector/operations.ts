// The collector's writes and live reads, all by identity and all verified against the live
// object (upstream operations.go and patch.go): GET as metadata; DELETE with uid and
// resourceVersion preconditions; ownerReference and finalizer edits as JSON merge patches
// carrying the resourceVersion read, so a concurrent change makes them fail with a conflict
// instead of overwriting it. Merge patches work on every resource, CRDs included (upstream
// tries a strategic merge patch first and falls back to this for CRDs).
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { retryOnConflict } from '../../client/retry.js';
import type { DeleteOptions } from '../../client/rest/resource-client.js';
import { resourceRef, type ResourceRef } from '../../client/rest/resource-ref.js';
import { isDeepStrictEqual } from 'node:util';
import { identityString, type ObjectIdentity } from './identity.js';
import type { MetadataClient } from './metadata-client.js';

/** No resource serves this apiVersion/kind (yet): a CRD not discovered, or a bad reference. */
export class RestMappingError extends Error {
  override readonly name = 'RestMappingError';
  constructor(apiVersion: string, kind: string) {
    super(`unable to get REST mapping for ${kind}.${apiVersion}`);
  }
}

export type Propagation = NonNullable<DeleteOptions['propagationPolicy']>;

const maxConflictRetries = 5;

export class Operations {
  constructor(
    private readonly client: Client,
    private readonly metadata: MetadataClient,
  ) {}

  /** The resource serving apiVersion/kind (discovery; refreshed once on a miss). */
  async apiResource(apiVersion: string, kind: string): Promise<ResourceRef> {
    const found = await this.client.discovery.find(apiVersion, kind);
    if (!found) throw new RestMappingError(apiVersion, kind);
    return resourceRef({ group: found.group, version: found.version, plural: found.plural, namespaced: found.namespaced, kind: found.kind });
  }

  async getObject(id: ObjectIdentity): Promise<KubeObject> {
    const ref = await this.apiResource(id.apiVersion, id.kind);
    return this.metadata.get(ref, id.namespace, id.name);
  }

  /**
   * Deletes the object if it is still the one seen at `resourceVersion`. If only its
   * resourceVersion moved and its ownerReferences did not, the delete is retried at the new
   * version (what changed cannot affect the decision); a vanished object counts as deleted.
   */
  async deleteObject(id: ObjectIdentity, resourceVersion: string, ownersAtResourceVersion: readonly OwnerReference[] | undefined, policy: Propagation): Promise<void> {
    const ref = await this.apiResource(id.apiVersion, id.kind);
    const preconditions = { uid: id.uid, resourceVersion };
    try {
      await this.metadata.delete(ref, id.namespace, id.name, { preconditions, propagationPolicy: policy });
    } catch (err) {
      if (!isConflict(err) || !resourceVersion) throw err;
      let live: KubeObject;
      try {
        live = await this.metadata.get(ref, id.namespace, id.name);
      } catch (getErr) {
        if (isNotFound(getErr)) return;
        throw err;
      }
      const m = live.metadata ?? {};
      if (m.uid !== id.uid || m.resourceVersion === resourceVersion || !isDeepStrictEqual(m.ownerReferences ?? [], ownersAtResourceVersion ?? [])) throw err;
      await this.metadata.delete(ref, id.namespace, id.name, { preconditions: { uid: id.uid, resourceVersion: m.resourceVersion }, propagationPolicy: policy });
    }
  }

  /**
   * Rewrites the object's ownerReferences with `edit` (given the live ones; undefined = nothing to
   * change), retrying on conflicts. NotFound propagates to the caller.
   */
  async patchOwnerReferences(id: ObjectIdentity, edit: (refs: OwnerReference[]) => OwnerReference[] | undefined): Promise<void> {
    const ref = await this.apiResource(id.apiVersion, id.kind);
    await this.retryOnConflict(id, async () => {
      const live = await this.metadata.get(ref, id.namespace, id.name);
      if (live.metadata?.uid !== id.uid) return;
      const next = edit([...(live.metadata.ownerReferences ?? [])]);
      if (!next) return;
      await this.metadata.mergePatch(ref, id.namespace, id.name, { metadata: { resourceVersion: live.metadata.resourceVersion, ownerReferences: next.length ? next : null } });
    });
  }

  /** Removes `ownerUids` from the object's ownerReferences. */
  deleteOwnerReferences(id: ObjectIdentity, ownerUids: readonly string[]): Promise<void> {
    const drop = new Set(ownerUids);
    return this.patchOwnerReferences(id, (refs) => (refs.some((r) => drop.has(r.uid)) ? refs.filter((r) => !drop.has(r.uid)) : undefined));
  }

  /** Sets blockOwnerDeletion=false on every blocking reference (breaks foreground cycles). */
  unblockOwnerReferences(id: ObjectIdentity): Promise<void> {
    return this.patchOwnerReferences(id, (refs) => (refs.some((r) => r.blockOwnerDeletion) ? refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)) : undefined));
  }

  /** Removes one finalizer from the live object (gone or already removed: done). */
  async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    const ref = await this.apiResource(id.apiVersion, id.kind);
    await this.retryOnConflict(id, async () => {
      let live: KubeObject;
      try {
        live = await this.metadata.get(ref, id.namespace, id.name);
      } catch (err) {
        if (isNotFound(err)) return;
        throw new Error(`cannot finalize owner ${identityString(id)}, because cannot get it: ${(err as Error).message}. The garbage collector will retry later`, { cause: err });
      }
      const finalizers = live.metadata?.finalizers ?? [];
      if (live.metadata?.uid !== id.uid || !finalizers.includes(finalizer)) return;
      const rest = finalizers.filter((f) => f !== finalizer);
      try {
        await this.metadata.mergePatch(ref, id.namespace, id.name, { metadata: { resourceVersion: live.metadata.resourceVersion, finalizers: rest.length ? rest : null } });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    });
  }

  private async retryOnConflict(id: ObjectIdentity, attempt: () => Promise<void>): Promise<void> {
    try {
      await retryOnConflict({ steps: maxConflictRetries }, attempt);
    } catch (err) {
      if (!isConflict(err)) throw err;
      throw new Error(`updateMaxRetries(${maxConflictRetries}) has reached. The garbage collector will retry later for owner ${identityString(id)}`, { cause: err });
    }
  }
}
