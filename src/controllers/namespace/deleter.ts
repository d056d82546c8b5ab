// Empties a terminating namespace, then releases it (upstream pkg/controller/namespace/deletion/
// namespaced_resources_deleter.go). One call is one pass: discover every namespaced resource that
// can be deleted, delete its collection (or each item when deletecollection is not served), and
// count what is left. Content that is still going away (graceful pods, finalizers) ends the pass
// with ResourcesRemainingError and an estimate; the caller comes back later. Only when nothing is
// left is the finalizer token removed through namespaces/<name>/finalize, which lets the API
// server delete the namespace.
import type { Namespace as CoreNamespace, Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { retryOnConflict } from '../../client/retry.js';
import { resourceRef } from '../../client/rest/resource-ref.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import { NamespaceConditionUpdater, type ContentTotals } from './conditions.js';
import { deletableNamespacedResources, gvrString, type DeletableResource } from './deletable-resources.js';

/** The token the API server puts in spec.finalizers of every namespace. */
export const kubernetesFinalizer = 'kubernetes';

/** Assumed time for finalizers to finish when items pending deletion carry some (upstream). */
export const finalizerEstimateSeconds = 15;

/** Content is still going away; try again in about estimate/2 seconds. */
export class ResourcesRemainingError extends Error {
  override readonly name = 'ResourcesRemainingError';
  constructor(readonly estimate: number) {
    super(`some content remains in the namespace, estimate ${estimate} seconds before it is removed`);
  }
}

export interface NamespaceDeleterOptions {
  client: Client;
  log: Logger;
  /** The finalizer this deleter owns (default "kubernetes"). */
  finalizerToken?: string;
  now?: () => Date;
}

export interface NamespaceDeleter {
  /** One deletion pass over namespace `name`; throws ResourcesRemainingError while content remains. */
  delete(name: string): Promise<void>;
}

interface ResourceOutcome {
  /** Seconds to wait; 0 means no estimate was made (not that everything is gone). */
  estimate: number;
  remaining: number;
  remainingByFinalizer: Map<string, number>;
  error?: string;
}

type Op = 'list' | 'deletecollection';

const isMethodNotSupported = (err: unknown): boolean => err instanceof StatusError && (err.code === 405 || err.reason === 'MethodNotAllowed');

type Namespace = CoreNamespace & KubeObject;

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function newNamespaceDeleter(opts: NamespaceDeleterOptions): NamespaceDeleter {
  const { client, log } = opts;
  const token = opts.finalizerToken ?? kubernetesFinalizer;
  const now = opts.now ?? (() => new Date());
  const namespaces = client.resource(resources.namespaces);
  // Operations a resource answered 405/404 to, though discovery listed them (upstream's opCache).
  const notSupported = new Set<string>();
  const opKey = (op: Op, r: DeletableResource) => `${op} ${r.group}/${r.version}/${r.plural}`;
  const supports = (op: Op, r: DeletableResource) => r.verbs.has(op) && !notSupported.has(opKey(op, r));

  const clientFor = (r: DeletableResource, ns: string): ResourceClient =>
    client.resource(resourceRef({ group: r.group, version: r.version, plural: r.plural, kind: r.kind, namespaced: true }), ns);

  /** Runs fn on the namespace, re-reading it after a conflict; fails if its uid changed meanwhile. */
  async function onLatestNamespace(ns: Namespace, fn: (ns: Namespace) => Promise<Namespace>): Promise<Namespace> {
    let latest = ns;
    return retryOnConflict({ steps: Infinity }, async (attempt) => {
      if (attempt > 0) {
        const prev = latest;
        latest = await namespaces.get(prev.metadata!.name!);
        if (prev.metadata?.uid !== latest.metadata?.uid) throw new Error('namespace uid has changed across retries');
      }
      return fn(latest);
    });
  }

  async function markTerminating(ns: Namespace): Promise<Namespace> {
    if (!ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return ns;
    return namespaces.updateStatus({ ...ns, status: { ...ns.status, phase: 'Terminating' } } as typeof ns);
  }

  async function finalize(ns: Namespace): Promise<Namespace> {
    const finalizers = [...new Set((ns.spec?.finalizers ?? []).filter((f) => f !== token))].sort();
    try {
      return await namespaces.updateSubresource<Namespace>(ns.metadata!.name!, 'finalize', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: ns.metadata,
        spec: { ...ns.spec, finalizers },
      });
    } catch (err) {
      if (isNotFound(err)) return ns; // someone finished it already
      throw err;
    }
  }

  /** deletecollection; false when the resource does not serve it. */
  async function deleteCollection(r: DeletableResource, ns: string): Promise<boolean> {
    if (!supports('deletecollection', r)) return false;
    try {
      // Background: the garbage collector must not add the orphan finalizer to what we delete.
      await clientFor(r, ns).deleteCollection({ propagationPolicy: 'Background' });
      return true;
    } catch (err) {
      // A listed resource may still answer 404 or 405 to the verb (upstream issue 22413).
      if (isMethodNotSupported(err) || isNotFound(err)) {
        notSupported.add(opKey('deletecollection', r));
        return false;
      }
      throw err;
    }
  }

  /** The items left; undefined when the resource does not serve list. */
  async function listCollection(r: DeletableResource, ns: string): Promise<KubeObject[] | undefined> {
    if (!supports('list', r)) return undefined;
    try {
      return (await clientFor(r, ns).listAll()).items;
    } catch (err) {
      if (isMethodNotSupported(err) || isNotFound(err)) {
        notSupported.add(opKey('list', r));
        return undefined;
      }
      throw err;
    }
  }

  async function deleteEachItem(r: DeletableResource, ns: string): Promise<void> {
    const items = await listCollection(r, ns);
    for (const item of items ?? []) {
      try {
        await clientFor(r, ns).delete(item.metadata!.name!, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err) && !isMethodNotSupported(err)) throw err;
      }
    }
  }

  /** The longest grace period of the namespace's running pods (upstream estimateGracefulTerminationForPods). */
  async function podsEstimate(ns: string): Promise<number> {
    const pods = (await client.resource(resources.pods, ns).listAll()).items as Pod[];
    let estimate = 0;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      estimate = Math.max(estimate, pod.spec?.terminationGracePeriodSeconds ?? 0);
    }
    return estimate;
  }

  /** Seconds that graceful deletion of this resource may still need, counted from the namespace's deletion. */
  async function estimateGracefulTermination(r: DeletableResource, ns: string, deletedAt: Date): Promise<number> {
    const estimate = r.group === '' && r.plural === 'pods' ? await podsEstimate(ns) : 0;
    const elapsedSeconds = (now().getTime() - deletedAt.getTime()) / 1000;
    return elapsedSeconds >= estimate ? 0 : estimate;
  }

  async function deleteAllContentFor(r: DeletableResource, ns: string, deletedAt: Date): Promise<ResourceOutcome> {
    const none = (estimate: number, error?: string): ResourceOutcome => ({ estimate, remaining: 0, remainingByFinalizer: new Map(), error });
    let estimate: number;
    try {
      estimate = await estimateGracefulTermination(r, ns, deletedAt);
    } catch (err) {
      return none(0, errorMessage(err));
    }
    let items: KubeObject[] | undefined;
    try {
      if (!(await deleteCollection(r, ns))) await deleteEachItem(r, ns);
      items = await listCollection(r, ns);
    } catch (err) {
      return none(estimate, errorMessage(err));
    }
    if (!items || items.length === 0) return none(items ? 0 : estimate);
    const remainingByFinalizer = new Map<string, number>();
    for (const item of items) {
      for (const f of item.metadata?.finalizers ?? []) remainingByFinalizer.set(f, (remainingByFinalizer.get(f) ?? 0) + 1);
    }
    if (estimate !== 0) return { estimate, remaining: items.length, remainingByFinalizer };
    // Finalizers are a normal reason to wait: give their owners time to finish.
    if (remainingByFinalizer.size) return { estimate: finalizerEstimateSeconds, remaining: items.length, remainingByFinalizer };
    return {
      estimate,
      remaining: items.length,
      remainingByFinalizer,
      error: `unexpected items still remain in namespace: ${ns} for gvr: ${gvrString(r)}`,
    };
  }

  /** Deletes everything in the namespace; returns the estimate of seconds until it is gone, and the namespace as last written. */
  async function deleteAllContent(ns: Namespace): Promise<{ estimate: number; ns: Namespace }> {
    const name = ns.metadata!.name!;
    const deletedAt = new Date(ns.metadata!.deletionTimestamp!);
    const conditions = new NamespaceConditionUpdater(() => now().toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const errors: string[] = [];
    let discovered: DeletableResource[] = [];
    try {
      const found = deletableNamespacedResources(await client.discovery.refresh());
      discovered = found.resources;
      if (found.parseErrors.length) {
        const msg = found.parseErrors.join(', ');
        errors.push(msg);
        conditions.groupVersionParsingFailed(msg);
      }
    } catch (err) {
      // Not fatal upstream either: what could be discovered is still deleted (here: nothing).
      errors.push(errorMessage(err));
      conditions.discoveryFailed(errorMessage(err));
    }
    let estimate = 0;
    const totals: ContentTotals = { remainingByResource: new Map(), remainingByFinalizer: new Map() };
    for (const r of discovered) {
      const outcome = await deleteAllContentFor(r, name, deletedAt);
      if (outcome.error) {
        errors.push(outcome.error);
        conditions.deleteContentFailed(outcome.error);
      }
      estimate = Math.max(estimate, outcome.estimate);
      if (outcome.remaining > 0) {
        totals.remainingByResource.set(`${r.plural}.${r.group}`, outcome.remaining);
        for (const [f, n] of outcome.remainingByFinalizer) totals.remainingByFinalizer.set(f, (totals.remainingByFinalizer.get(f) ?? 0) + n);
      }
    }
    conditions.contentTotals(totals);
    // Always reconciled: a condition that failed on an earlier pass must be cleared when it no longer does.
    let latest = ns;
    const updated = structuredClone(ns);
    if (conditions.update((updated.status ??= {}))) {
      try {
        latest = await namespaces.updateStatus(updated);
      } catch (err) {
        log.warn({ err, namespace: name }, "couldn't update status condition for namespace");
      }
    }
    log.debug({ namespace: name, estimate, errors }, 'namespace controller - deleteAllContent');
    if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
    return { estimate, ns: latest };
  }

  return {
    async delete(name) {
      let ns: Namespace;
      try {
        // Several controllers may edit a terminating namespace: start from the latest state.
        ns = await namespaces.get(name);
        if (!ns.metadata?.deletionTimestamp) return;
        ns = await onLatestNamespace(ns, markTerminating);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (!ns.metadata?.deletionTimestamp) return;
      if (!(ns.spec?.finalizers ?? []).length) return; // already finalized
      const { estimate, ns: latest } = await deleteAllContent(ns);
      if (estimate > 0) throw new ResourcesRemainingError(estimate);
      try {
        await onLatestNamespace(latest, finalize);
      } catch (err) {
        // Possible when two deleters share a token: the other one finished first.
        if (!isNotFound(err)) throw err;
      }
    },
  };
}
