// Local APIService objects for the group-versions this server serves itself, as kube-aggregator's
// autoregister controller and kube-apiserver's crdregistration controller keep them: one per
// built-in group-version (`v1.`, `v1.apps`, `v2.autoscaling`, …) with upstream's priorities,
// labelled kube-aggregator.kubernetes.io/automanaged=onstart, and one per group-version a CRD
// serves (automanaged=true, groupPriorityMinimum 1000, versionPriority 100). None has a
// spec.service, so the aggregator never routes them: discovery and /apis are unchanged.
//
// Upstream's sync table (autoregister_controller.go's checkAPIService), per APIService name:
//   - desired, missing: create (an onstart one only until its first successful sync);
//   - present without the label (someone else's): left alone;
//   - onstart, but created after this controller started: left alone;
//   - onstart, already synced once: left alone (user edits and deletions stick);
//   - managed but no longer desired: deleted (an onstart one only on its first sync);
//   - managed, desired, spec differs: spec put back (an onstart one only on its first sync).
// The work runs after the server reports ready, one write at a time, as upstream's post-start hook.
import { KeyedWorkQueue } from '../keyed-work-queue.js';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { StatusError } from '../../api/status.js';
import type { Logger } from '../../util/log.js';
import { systemContext } from '../registry/context.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { CacheEvent, ResourceCache, WatchCache } from '../watch-cache.js';
import type { APIService, APIServiceSpec } from './types.js';

export const autoRegisterManagedLabel = 'kube-aggregator.kubernetes.io/automanaged';
type ManageType = 'onstart' | 'true';

/**
 * groupPriorityMinimum and versionPriority of the built-in group-versions: kube-apiserver's
 * apiVersionPriorities (the generic control plane's table merged with kube-apiserver's own).
 * A served group-version missing here gets no APIService, as upstream's makeAPIService skips it.
 */
export const apiVersionPriorities: Readonly<Record<string, readonly [group: number, version: number]>> = {
  '/v1': [18000, 1],
  'apps/v1': [17800, 15],
  'events.k8s.io/v1': [17750, 15],
  'events.k8s.io/v1beta1': [17750, 5],
  'authentication.k8s.io/v1': [17700, 15],
  'authentication.k8s.io/v1beta1': [17700, 9],
  'authentication.k8s.io/v1alpha1': [17700, 1],
  'authorization.k8s.io/v1': [17600, 15],
  'autoscaling/v1': [17500, 15],
  'autoscaling/v2': [17500, 30],
  'autoscaling/v2beta1': [17500, 9],
  'autoscaling/v2beta2': [17500, 1],
  'batch/v1': [17400, 15],
  'batch/v1beta1': [17400, 9],
  'batch/v2alpha1': [17400, 9],
  'certificates.k8s.io/v1': [17300, 15],
  'certificates.k8s.io/v1beta1': [17300, 9],
  'certificates.k8s.io/v1alpha1': [17300, 1],
  'networking.k8s.io/v1': [17200, 15],
  'networking.k8s.io/v1beta1': [17200, 9],
  'policy/v1': [17100, 15],
  'policy/v1beta1': [17100, 9],
  'rbac.authorization.k8s.io/v1': [17000, 15],
  'storage.k8s.io/v1': [16800, 15],
  'storage.k8s.io/v1beta1': [16800, 9],
  'storage.k8s.io/v1alpha1': [16800, 1],
  'apiextensions.k8s.io/v1': [16700, 15],
  'admissionregistration.k8s.io/v1': [16700, 15],
  'admissionregistration.k8s.io/v1beta1': [16700, 12],
  'admissionregistration.k8s.io/v1alpha1': [16700, 9],
  'scheduling.k8s.io/v1': [16600, 15],
  'coordination.k8s.io/v1': [16500, 15],
  'coordination.k8s.io/v1beta1': [16500, 13],
  'coordination.k8s.io/v1alpha2': [16500, 12],
  'node.k8s.io/v1': [16300, 15],
  'node.k8s.io/v1beta1': [16300, 9],
  'node.k8s.io/v1alpha1': [16300, 1],
  'discovery.k8s.io/v1': [16200, 15],
  'discovery.k8s.io/v1beta1': [16200, 12],
  'resource.k8s.io/v1beta2': [16200, 15],
  'resource.k8s.io/v1beta1': [16200, 9],
  'resource.k8s.io/v1alpha3': [16200, 1],
  'flowcontrol.apiserver.k8s.io/v1': [16100, 21],
  'flowcontrol.apiserver.k8s.io/v1beta3': [16100, 18],
  'flowcontrol.apiserver.k8s.io/v1beta2': [16100, 15],
  'flowcontrol.apiserver.k8s.io/v1beta1': [16100, 12],
  'flowcontrol.apiserver.k8s.io/v1alpha1': [16100, 9],
  'internal.apiserver.k8s.io/v1alpha1': [16000, 9],
  'storagemigration.k8s.io/v1alpha1': [15800, 9],
  // Not upstream's: metrics-server registers v1beta1.metrics.k8s.io (100/100) for its Service;
  // this server serves metrics.k8s.io itself, so it records that APIService as a local one.
  'metrics.k8s.io/v1beta1': [100, 100],
};

/** crdregistration's priorities: CRDs sort after the built-in groups, by kube-like version within theirs. */
const crdGroupPriorityMinimum = 1000;
const crdVersionPriority = 100;

export interface AutoRegisterOptions {
  registry: ResourceRegistry;
  cache: WatchCache;
  generic: GenericStore;
  log?: Logger;
  /** How long a failed sync waits before it is tried again. */
  retryMs?: number;
}

interface Desired {
  manage: ManageType;
  spec: APIServiceSpec;
}

/** An APIService's name for a group-version: `<version>.<group>` (`v1.` for the core group). */
export const apiServiceName = (group: string, version: string): string => `${version}.${group}`;

export class AutoRegister {
  /** The built-in group-versions' APIServices (fixed when the server is made, before any CRD is served). */
  private readonly builtin = new Map<string, Desired>();
  /** Group-versions served by built-in resources, which CRDs never get an APIService for. */
  private readonly builtinGroupVersions = new Set<string>();
  /** The CRDs' group-versions' APIServices. */
  private crdDesired = new Map<string, Desired>();
  private readonly syncedOnce = new Set<string>();
  private readonly atStart = new Set<string>();
  private readonly queue: KeyedWorkQueue;
  private entry: ResourceEntry | undefined;
  private apiServices: ResourceCache | undefined;
  private crds: ResourceCache | undefined;
  private stopWatches: (() => void)[] = [];
  private started = false;
  private stopped = false;
  private readonly retryMs: number;

  /** Call with the registry holding the built-in resources only (before CRDs are served). */
  constructor(private readonly opts: AutoRegisterOptions) {
    this.retryMs = opts.retryMs ?? 1000;
    this.queue = new KeyedWorkQueue({
      work: (name) => this.sync(name),
      retryAfter: (name, err) => {
        // A lost race (another API server, or this cache behind this controller's own write) is
        // decided again shortly; anything else after retryMs.
        const conflict = err instanceof StatusError && err.code === 409;
        if (!conflict) this.opts.log?.warn({ apiService: name, err: String(err) }, 'APIService autoregistration failed');
        return conflict ? Math.min(100, this.retryMs) : this.retryMs;
      },
      // Off the caller's stack (a watch dispatch, or start()): the writes never hold up the server.
      deferStart: true,
    });
    for (const { group, versions } of opts.registry.groupVersions()) {
      for (const version of versions) {
        this.builtinGroupVersions.add(`${group}/${version}`);
        const priority = apiVersionPriorities[`${group}/${version}`];
        if (!priority) continue;
        this.builtin.set(apiServiceName(group, version), { manage: 'onstart', spec: { group, version, groupPriorityMinimum: priority[0], versionPriority: priority[1] } });
      }
    }
  }

  /** The names of the built-in group-versions' APIServices. */
  builtinNames(): string[] {
    return [...this.builtin.keys()];
  }

  /** Starts syncing (after the watch cache started; upstream: the kube-apiserver-autoregistration post-start hook). */
  start(): void {
    if (this.started || this.stopped) return;
    const entry = this.opts.registry.find('apiregistration.k8s.io', 'v1', 'apiservices');
    const crdEntry = this.opts.registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!entry) return;
    this.started = true;
    this.entry = entry;
    const cache = this.opts.cache;
    this.apiServices = cache.resourceFor(entry.prefix);
    for (const obj of this.apiServices.objects.values()) this.atStart.add(obj.metadata.name);
    this.stopWatches.push(this.apiServices.addWatcher({ onEvent: (ev) => this.onAPIServiceEvent(ev), onClose: () => undefined }, cache.revision));
    if (crdEntry) {
      this.crds = cache.resourceFor(crdEntry.prefix);
      // Every CRD is known before the first sync: a CRD's APIService present at start is not deleted.
      this.crdDesired = this.desiredForCRDs();
      this.stopWatches.push(this.crds.addWatcher({ onEvent: () => this.onCRDEvent(), onClose: () => undefined }, cache.revision));
    }
    for (const name of this.builtin.keys()) this.enqueue(name);
    for (const name of this.crdDesired.keys()) this.enqueue(name);
    // Managed APIServices nobody wants any more (a CRD deleted while the server was down).
    for (const obj of this.apiServices.objects.values()) if (managedType(obj as APIService)) this.enqueue(obj.metadata.name);
  }

  stop(): void {
    this.stopped = true;
    for (const stop of this.stopWatches) stop();
    this.stopWatches = [];
    this.queue.stop();
  }

  private onAPIServiceEvent(ev: CacheEvent): void {
    const name = ev.object.metadata.name;
    if (this.desired(name) || managedType(ev.object as APIService)) this.enqueue(name);
  }

  /** crdregistration: each group-version a CRD serves (and no built-in resource does) gets an APIService. */
  private onCRDEvent(): void {
    const next = this.desiredForCRDs();
    const previous = this.crdDesired;
    this.crdDesired = next;
    for (const [name, d] of next) if (!sameSpec(previous.get(name)?.spec, d.spec)) this.enqueue(name);
    for (const name of previous.keys()) if (!next.has(name)) this.enqueue(name);
  }

  private desiredForCRDs(): Map<string, Desired> {
    const out = new Map<string, Desired>();
    for (const obj of this.crds?.objects.values() ?? []) {
      const crd = obj as unknown as CustomResourceDefinition;
      const group = crd.spec?.group;
      if (!group) continue;
      for (const v of crd.spec.versions ?? []) {
        if (!v.served || this.builtinGroupVersions.has(`${group}/${v.name}`)) continue;
        const name = apiServiceName(group, v.name);
        if (this.builtin.has(name)) continue;
        out.set(name, { manage: 'true', spec: { group, version: v.name, groupPriorityMinimum: crdGroupPriorityMinimum, versionPriority: crdVersionPriority } });
      }
    }
    return out;
  }

  private desired(name: string): Desired | undefined {
    return this.builtin.get(name) ?? this.crdDesired.get(name);
  }

  // ---- the work queue ---------------------------------------------------------------------

  private enqueue(name: string): void {
    if (this.stopped || !this.started) return;
    this.queue.add(name);
  }

  /** One pass of upstream's checkAPIService for one name. */
  private async sync(name: string): Promise<void> {
    const entry = this.entry!;
    const desired = this.desired(name);
    const current = this.apiServices!.objects.get(`${entry.prefix}${name}`) as APIService | undefined;
    const hasSynced = this.syncedOnce.has(name);
    const ctx = systemContext();
    if (!current && !desired) return this.synced(name);
    // An onstart APIService is written once: afterwards it is the users' to change or delete.
    if (desired?.manage === 'onstart' && hasSynced) return;
    if (!current) {
      await this.opts.generic.create(entry, '', {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name, labels: { [autoRegisterManagedLabel]: desired!.manage } },
        spec: { ...desired!.spec },
      }, ctx);
      return this.synced(name);
    }
    const manage = managedType(current);
    if (!manage) return this.synced(name);
    if (manage === 'onstart' && (!this.atStart.has(name) || hasSynced)) return this.synced(name);
    if (!desired) {
      try {
        await this.opts.generic.delete(entry, '', name, { preconditions: { uid: current.metadata.uid } }, ctx);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
      return this.synced(name);
    }
    if (sameSpec(current.spec, desired.spec)) return this.synced(name);
    await this.opts.generic.update(entry, '', name, '', ctx, (latest) => ({ ...latest, spec: { ...desired.spec } }));
    this.synced(name);
  }

  private synced(name: string): void {
    this.syncedOnce.add(name);
  }
}

function managedType(obj: APIService | undefined): ManageType | undefined {
  const v = obj?.metadata.labels?.[autoRegisterManagedLabel];
  return v === 'onstart' || v === 'true' ? v : undefined;
}

/** The spec fields a local APIService has (upstream compares the whole spec). */
function sameSpec(a: APIServiceSpec | undefined, b: APIServiceSpec | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.group === b.group &&
    a.version === b.version &&
    a.groupPriorityMinimum === b.groupPriorityMinimum &&
    a.versionPriority === b.versionPriority &&
    !a.service === !b.service &&
    !a.insecureSkipTLSVerify === !b.insecureSkipTLSVerify &&
    (a.caBundle ?? '') === (b.caBundle ?? '')
  );
}
