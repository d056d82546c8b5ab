// Serves the resources CustomResourceDefinitions define, and runs the apiextensions controllers
// that upstream runs inside the API server: naming (accepted names, NamesAccepted), establishing
// (Established) and finalizing (a deleted CRD's instances go first, then the CRD).
//
// It follows the watch cache's CRD resource: every change is applied to the registry at once, in
// the cache's dispatch, before any client watcher hears of it — a client that saw a CRD become
// Established finds its resource served. Status and finalizer writes go through a work queue, one
// CRD at a time, through the generic store like any client's writes.
import { KeyedWorkQueue } from '../keyed-work-queue.js';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { KubeObject, StoredObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import { celLoaded, loadCEL, usesCEL } from '../../api/cel/library.js';
import type { Logger } from '../../util/log.js';
import type { GenericStore } from '../registry/generic-store.js';
import { formatTime, systemContext } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { CacheEvent, ResourceCache, WatchCache } from '../watch-cache.js';
import { cleanupFinalizer, findCondition, isConditionTrue, namingStatus, sameStatus, storageVersionOf, withCondition } from './crd-status.js';
import { customResourceEntry } from './custom-resource-entry.js';
import { ConversionWebhook } from './conversion-webhook.js';
import { postAdmissionReview, resolveWebhookTarget } from '../admission/webhook/caller.js';

export interface CRDControllerOptions {
  registry: ResourceRegistry;
  cache: WatchCache;
  generic: GenericStore;
  log?: Logger;
  /** How long a failed reconcile waits before it is tried again. */
  retryMs?: number;
}

interface Served {
  /** What the entries were built from: rebuilt only when it changes. */
  fingerprint: string;
  entries: ResourceEntry[];
}

const isNotFound = (err: unknown): boolean => err instanceof StatusError && err.code === 404;

const asCRD = (obj: StoredObject): CustomResourceDefinition => obj as unknown as CustomResourceDefinition;

export class CRDController {
  private readonly registry: ResourceRegistry;
  private readonly cache: WatchCache;
  private readonly generic: GenericStore;
  private readonly log: Logger | undefined;
  private readonly retryMs: number;
  private crdEntry!: ResourceEntry;
  private crds!: ResourceCache;
  private readonly served = new Map<string, Served>();
  /** The CRDs this controller wrote last, newer than the cache until it catches up (upstream's mutation cache). */
  private readonly written = new Map<string, CustomResourceDefinition>();
  /** Watches on the instances of CRDs being deleted, to finish as soon as the last one goes. */
  private readonly instanceWatches = new Map<string, () => void>();
  private readonly queue: KeyedWorkQueue;
  private stopped = false;
  private stopWatch: (() => void) | undefined;

  constructor(opts: CRDControllerOptions) {
    this.registry = opts.registry;
    this.cache = opts.cache;
    this.generic = opts.generic;
    this.log = opts.log;
    this.retryMs = opts.retryMs ?? 1000;
    this.queue = new KeyedWorkQueue({
      work: (name) => this.reconcile(name),
      retryAfter: (name, err) => {
        // The CRD went meanwhile: its DELETED event has done what is left.
        if (isNotFound(err)) return undefined;
        this.log?.warn({ err, crd: name }, 'custom resource definition not reconciled; retrying');
        return this.retryMs;
      },
    });
  }

  /** Serves what the CRDs in the cache define and reconciles each. Call after the cache started. */
  async start(): Promise<void> {
    const entry = this.registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!entry) throw new Error('customresourcedefinitions are not served');
    this.crdEntry = entry;
    this.crds = this.cache.resourceFor(entry.prefix);
    // CRDs with CEL rules are served from the start: their validation needs the library.
    if ([...this.crds.objects.values()].some((o) => usesCEL((o as StoredObject).spec))) await loadCEL();
    for (const obj of this.crds.objects.values()) this.observe(asCRD(obj));
    this.stopWatch = this.crds.addWatcher({ onEvent: (ev) => this.onEvent(ev), onClose: () => undefined }, this.cache.revision);
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    for (const stop of this.instanceWatches.values()) stop();
    this.instanceWatches.clear();
    this.queue.stop();
  }

  private onEvent(ev: CacheEvent): void {
    const crd = asCRD(ev.object);
    if (ev.type === 'DELETED') {
      const name = crd.metadata?.name ?? '';
      this.unserve(name);
      this.written.delete(name);
      this.instanceWatches.get(name)?.();
      this.instanceWatches.delete(name);
      return;
    }
    this.observe(crd);
  }

  private observe(crd: CustomResourceDefinition): void {
    this.serve(crd);
    this.enqueue(crd.metadata?.name ?? '');
  }

  /** The CRD as this controller last knows it: the cache's copy, or its own newer write. */
  private current(name: string): CustomResourceDefinition | undefined {
    const cached = this.crds.objects.get(`${this.crdEntry.prefix}${name}`) as StoredObject | undefined;
    const mine = this.written.get(name);
    if (!cached) return undefined;
    if (mine && Number(mine.metadata?.resourceVersion) > Number(cached.metadata.resourceVersion)) return mine;
    if (mine) this.written.delete(name);
    return asCRD(cached);
  }

  // ---- serving ----------------------------------------------------------------------------

  /** Registers the served versions of an established CRD (and drops what it no longer serves). */
  private serve(crd: CustomResourceDefinition): void {
    const name = crd.metadata?.name ?? '';
    if (!isConditionTrue(crd, 'Established')) {
      this.unserve(name);
      return;
    }
    const fingerprint = JSON.stringify([crd.spec, crd.status?.acceptedNames, crd.status?.storedVersions]);
    if (this.served.get(name)?.fingerprint === fingerprint) return;
    if (!celLoaded() && usesCEL(crd.spec)) {
      // (another API server wrote it) Served once the library that validates its rules is in.
      void loadCEL().then(() => {
        const latest = this.current(name);
        if (latest && !this.stopped) this.serve(latest);
      });
      return;
    }
    this.unserve(name);
    const entries: ResourceEntry[] = [];
    const webhook = this.conversionWebhookOf(crd);
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const entry = customResourceEntry(crd, v, { terminating: () => Boolean(this.current(name)?.metadata?.deletionTimestamp), ...(webhook ? { webhook } : {}) });
      const taken = this.registry.find(entry.type.group, entry.type.version, entry.type.plural);
      if (taken && taken.custom?.crd !== name) {
        // A built-in resource (or another CRD's, until names settle) keeps its URL.
        this.log?.warn({ crd: name, version: v.name }, 'custom resource not served: its URL belongs to another resource');
        continue;
      }
      this.registry.add(entry);
      entries.push(entry);
    }
    this.served.set(name, { fingerprint, entries });
    this.log?.info({ crd: name, versions: entries.map((e) => e.type.version) }, 'serving custom resource');
  }

  /** The CRD's conversion webhook, reached where its clientConfig points at each call. */
  private conversionWebhookOf(crd: CustomResourceDefinition): ConversionWebhook | undefined {
    const conversion = crd.spec.conversion;
    if (conversion?.strategy !== 'Webhook') return undefined;
    return new ConversionWebhook({
      crd,
      target: () => resolveWebhookTarget(conversion.webhook?.clientConfig, this.cache, this.registry),
      call: postAdmissionReview,
    });
  }

  private unserve(name: string): void {
    const s = this.served.get(name);
    if (!s) return;
    for (const e of s.entries) this.registry.remove(e);
    this.served.delete(name);
  }

  // ---- the work queue ---------------------------------------------------------------------

  private enqueue(name: string): void {
    if (this.stopped || !name) return;
    this.queue.add(name);
  }

  private async reconcile(name: string): Promise<void> {
    const crd = this.current(name);
    if (!crd) return;
    if (crd.metadata?.deletionTimestamp) {
      if (crd.metadata.finalizers?.includes(cleanupFinalizer)) await this.finalize(crd);
      return;
    }
    const group = [...this.crds.objects.values()].map((o) => this.current(o.metadata.name) ?? asCRD(o));
    const now = formatTime(new Date());
    const status = namingStatus(crd, group, now);
    if (sameStatus(crd.status, status)) return;
    // Serve first, then tell: whoever sees Established finds the resource.
    if (status.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) this.serve({ ...crd, status });
    await this.writeStatus(name, (cur) => namingStatus(cur, group, now));
  }

  private async writeStatus(name: string, status: (crd: CustomResourceDefinition) => CustomResourceDefinition['status']): Promise<CustomResourceDefinition> {
    const written = await this.generic.update(this.crdEntry, '', name, 'status', systemContext(), (cur) => {
      const next = { ...cur, status: status(cur as unknown as CustomResourceDefinition) } as KubeObject;
      if (next.metadata) next.metadata = { ...next.metadata, resourceVersion: undefined };
      return next;
    });
    const crd = asCRD(written);
    this.written.set(name, crd);
    return crd;
  }

  // ---- finalizing -------------------------------------------------------------------------

  /** Sets the Terminating condition unless it already says this (a write would wake this controller again). */
  private async setTerminating(crd: CustomResourceDefinition, reason: string, message: string): Promise<void> {
    const cond = findCondition(crd, 'Terminating');
    if (cond?.reason === reason && cond.message === message) return;
    const now = formatTime(new Date());
    await this.writeStatus(crd.metadata?.name ?? '', (cur) => ({ ...cur.status, conditions: withCondition(cur.status?.conditions, { type: 'Terminating', status: 'True', reason, message }, now) }));
  }

  /** Deletes every instance; once none is left, removes the finalizer (and so the CRD). */
  private async finalize(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata?.name ?? '';
    const reason = findCondition(crd, 'Terminating')?.reason;
    if (reason !== 'InstanceDeletionCompleted') {
      // A CRD already waiting on instances' finalizers keeps saying so (InstanceDeletionCheck).
      if (reason !== 'InstanceDeletionCheck') await this.setTerminating(crd, 'InstanceDeletionInProgress', 'CustomResource deletion is in progress');
      const remaining = await this.deleteInstances(crd);
      if (remaining) {
        // The instance watch brings this CRD back when the last one goes.
        await this.setTerminating(this.current(name) ?? crd, 'InstanceDeletionCheck', `could not confirm zero CustomResources remaining: ${remaining} still have finalizers`);
        return;
      }
      await this.setTerminating(this.current(name) ?? crd, 'InstanceDeletionCompleted', 'removed all instances');
    }
    const gone = await this.generic.update(this.crdEntry, '', name, '', systemContext(), (cur) => ({
      ...cur,
      metadata: { ...cur.metadata, resourceVersion: undefined, finalizers: (cur.metadata?.finalizers ?? []).filter((f) => f !== cleanupFinalizer) },
    }));
    this.written.set(name, asCRD(gone));
    this.log?.info({ crd: name }, 'custom resource definition finalized');
  }

  /** Deletes every instance of the CRD (all versions share storage); returns how many stay for their finalizers. */
  private async deleteInstances(crd: CustomResourceDefinition): Promise<number> {
    const name = crd.metadata?.name ?? '';
    const storage = crd.spec.versions.find((v) => v.name === storageVersionOf(crd)) ?? crd.spec.versions[0];
    const entry = customResourceEntry(crd, storage, { terminating: () => true });
    const instances = this.cache.resourceFor(entry.prefix);
    this.watchInstances(name, instances);
    let remaining = 0;
    for (const obj of [...instances.objects.values()]) {
      try {
        const result = await this.generic.delete(entry, obj.metadata.namespace ?? '', obj.metadata.name, {}, systemContext());
        if (!result.deleted) remaining++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return remaining;
  }

  /** Re-reconciles a terminating CRD when its last instance goes. */
  private watchInstances(name: string, instances: ResourceCache): void {
    if (this.instanceWatches.has(name)) return;
    const stop = instances.addWatcher(
      {
        onEvent: (ev) => {
          if (ev.type === 'DELETED' && instances.objects.size === 0) this.enqueue(name);
        },
        onClose: () => undefined,
      },
      this.cache.revision,
    );
    this.instanceWatches.set(name, stop);
  }
}
