// The garbage collector (upstream garbagecollector.go). Monitors feed the graph builder; the
// builder queues nodes; workers here verify every decision against the live object and then
// delete dependents whose owners are all gone (background), delete the dependents of an owner
// deleting in the foreground and drop its finalizer once the blocking ones are gone, or strip an
// orphaning owner from its dependents and drop its finalizer. Resources are rediscovered every
// resyncPeriodMs so CRDs created later are collected too.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import { isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, type RateLimitingQueue } from '../../client/workqueue/index.js';
import type { Controller, ControllerContext } from '../context.js';
import { blockingDependents, finalizerDeleteDependents, finalizerOrphanDependents, hasFinalizer, type GraphNode } from './graph.js';
import { GraphBuilder } from './graph-builder.js';
import { identityOfOwner, identityString } from './identity.js';
import { metadataClient } from './metadata-client.js';
import { Monitors } from './monitors.js';
import { Operations, RestMappingError, type Propagation } from './operations.js';
import { defaultIgnoredResources, deletableResources, type GroupResource, type MonitoredResource } from './resources.js';
import { runNodeWorkers, type ItemAction } from './workers.js';

export interface GarbageCollectorOptions {
  /** Workers per queue (upstream --concurrent-gc-syncs, default 20). */
  workers?: number;
  /** How often resources are rediscovered (upstream 30 s). */
  resyncPeriodMs?: number;
  ignoredResources?: GroupResource[];
}

export interface GarbageCollector extends Controller {
  /** The dependency graph (tests and debugging). */
  readonly graph: GraphBuilder;
  /** Keys ("group/version/plural") of the resources being monitored. */
  monitoredResources(): string[];
}

/** The virtual delete event was queued; the node needs no requeue. */
class VirtualDeleteQueued extends Error {}
/** A cluster-scoped object names a namespaced owner: retrying cannot help. */
class NamespacedOwnerOfClusterScopedObject extends Error {}

export function newGarbageCollector(ctx: ControllerContext, opts: GarbageCollectorOptions = {}): GarbageCollector {
  const log: Logger = ctx.log.child({ controller: 'garbage-collector' });
  const attemptToDelete: RateLimitingQueue<GraphNode> = newRateLimitingQueue<GraphNode>({ name: 'garbage_collector_attempt_to_delete' });
  const attemptToOrphan: RateLimitingQueue<GraphNode> = newRateLimitingQueue<GraphNode>({ name: 'garbage_collector_attempt_to_orphan' });
  const graph = new GraphBuilder({ attemptToDelete, attemptToOrphan, recorder: ctx.recorder('garbage-collector-controller'), log });
  const metadata = metadataClient(ctx.client);
  const ops = new Operations(ctx.client, metadata);
  const ignored = opts.ignoredResources ?? defaultIgnoredResources;
  let monitors: Monitors | undefined;

  // ---- attemptToDelete ---------------------------------------------------------------------

  async function attemptToDeleteWorker(n: GraphNode): Promise<ItemAction> {
    if (n.virtual) {
      const inGraph = graph.uidToNode.get(n.identity.uid);
      // Requeued while the real object was observed (or verified gone): this copy is stale.
      if (!inGraph || !inGraph.virtual) return 'forget';
    }
    try {
      await attemptToDeleteItem(n);
    } catch (err) {
      if (err instanceof VirtualDeleteQueued || err instanceof NamespacedOwnerOfClusterScopedObject) return 'forget';
      if (err instanceof RestMappingError) log.debug({ err, item: identityString(n.identity) }, 'error syncing item');
      else log.error({ err, item: identityString(n.identity) }, 'error syncing item');
      return 'requeue';
    }
    // A virtual node not observed yet is checked again, so one created and deleted during a
    // watch gap cannot stay in the graph forever (upstream issue 56121).
    return n.virtual ? 'requeue' : 'forget';
  }

  function virtualDelete(n: GraphNode): never {
    graph.enqueueVirtualDeleteEvent(n.identity);
    throw new VirtualDeleteQueued();
  }

  async function attemptToDeleteItem(item: GraphNode): Promise<void> {
    // Being deleted is a one-way trip: wait for the deletion, then handle the dependents.
    if (item.beingDeleted && !item.deletingDependents) return;
    let latest: KubeObject;
    try {
      latest = await ops.getObject(item.identity);
    } catch (err) {
      if (isNotFound(err)) virtualDelete(item);
      throw err;
    }
    if (latest.metadata?.uid !== item.identity.uid) virtualDelete(item);
    if (item.deletingDependents) return processDeletingDependentsItem(item);

    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const { solid, dangling, waiting } = await classifyReferences(item, refs);
    const rv = latest.metadata?.resourceVersion ?? '';

    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Waiting owners are dropped too, or they would stay stuck with foregroundDeletion.
      await ops.deleteOwnerReferences(item.identity, [...dangling, ...waiting].map((r) => r.uid));
      return;
    }
    let policy: Propagation;
    if (waiting.length > 0 && item.dependents.size > 0) {
      for (const dep of item.dependents) {
        if (dep.deletingDependents) {
          // Owner and dependent both delete in the foreground: unblock to avoid a cycle.
          log.info({ item: identityString(item.identity), dependent: identityString(dep.identity) }, 'unblocking owner references to prevent a foreground deletion cycle');
          await ops.unblockOwnerReferences(item.identity);
          break;
        }
      }
      // Its own dependents go first; the graph brings it back to processDeletingDependentsItem.
      policy = 'Foreground';
    } else if (hasFinalizer(latest, finalizerOrphanDependents)) policy = 'Orphan';
    else if (hasFinalizer(latest, finalizerDeleteDependents)) policy = 'Foreground';
    else policy = 'Background';
    log.info({ item: identityString(item.identity), propagationPolicy: policy }, 'deleting item');
    try {
      await ops.deleteObject(item.identity, rv, latest.metadata?.ownerReferences, policy);
    } catch (err) {
      if (isNotFound(err)) virtualDelete(item);
      throw err;
    }
  }

  async function processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = blockingDependents(item);
    if (blocking.length === 0) {
      log.info({ item: identityString(item.identity) }, 'remove DeleteDependents finalizer for item');
      await ops.removeFinalizer(item.identity, finalizerDeleteDependents);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) attemptToDelete.add(dep);
  }

  async function classifyReferences(item: GraphNode, refs: readonly OwnerReference[]): Promise<{ solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] }> {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await liveOwner(ref, item);
      if (!owner) dangling.push(ref);
      else if (owner.metadata?.deletionTimestamp && hasFinalizer(owner, finalizerDeleteDependents)) waiting.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waiting };
  }

  /** The owner a reference names, by a live GET (uid must match), or undefined if dangling. */
  async function liveOwner(ref: OwnerReference, item: GraphNode): Promise<KubeObject | undefined> {
    const clusterKey = identityOfOwner(ref, '');
    if (graph.absentOwnerCache.has(clusterKey)) return undefined;
    const namespacedKey = identityOfOwner(ref, item.identity.namespace);
    if (graph.absentOwnerCache.has(namespacedKey)) return undefined;
    const resource = await ops.apiResource(ref.apiVersion, ref.kind);
    if (!item.identity.namespace && resource.namespaced) {
      log.info({ item: identityString(item.identity), owner: ref }, 'item is cluster-scoped, but refers to a namespaced owner');
      throw new NamespacedOwnerOfClusterScopedObject();
    }
    const absentKey = resource.namespaced ? namespacedKey : clusterKey;
    let owner: KubeObject;
    try {
      owner = await metadata.get(resource, item.identity.namespace, ref.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      graph.absentOwnerCache.add(absentKey);
      return undefined;
    }
    if (owner.metadata?.uid !== ref.uid) {
      graph.absentOwnerCache.add(absentKey);
      return undefined;
    }
    return owner;
  }

  // ---- attemptToOrphan ---------------------------------------------------------------------

  async function attemptToOrphanWorker(owner: GraphNode): Promise<ItemAction> {
    const dependents = [...owner.dependents];
    const results = await Promise.allSettled(
      dependents.map((dep) =>
        ops.deleteOwnerReferences(dep.identity, [owner.identity.uid]).catch((err: unknown) => {
          if (!isNotFound(err)) throw new Error(`orphaning ${identityString(dep.identity)} failed, ${(err as Error).message}`, { cause: err });
        }),
      ),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      log.error({ owner: identityString(owner.identity), errors: failed.map((f) => String((f.reason as Error).message)) }, 'failed to orphan dependents of owner');
      return 'requeue';
    }
    try {
      await ops.removeFinalizer(owner.identity, finalizerOrphanDependents);
    } catch (err) {
      log.error({ err, owner: identityString(owner.identity) }, 'removeOrphanFinalizer failed');
      return 'requeue';
    }
    return 'forget';
  }

  // ---- discovery and lifecycle -------------------------------------------------------------

  async function discover(): Promise<MonitoredResource[]> {
    return deletableResources(await ctx.client.discovery.refresh(), ignored);
  }

  async function resyncLoop(signal: AbortSignal): Promise<void> {
    const period = opts.resyncPeriodMs ?? 30_000;
    while (!signal.aborted) {
      await sleep(period, signal);
      if (signal.aborted) return;
      try {
        const { added, removed } = await monitors!.sync(await discover());
        if (added.length || removed.length) log.info({ added, removed }, 'synced garbage collector monitors');
      } catch (err) {
        log.error({ err }, 'failed to discover deletable resources; keeping the current monitors');
      }
    }
  }

  return {
    name: 'garbagecollector',
    graph,
    monitoredResources: () => monitors?.keys() ?? [],
    async run(signal) {
      monitors = new Monitors(graph, metadata, log, signal);
      const stopQueues = () => {
        attemptToDelete.shutDown();
        attemptToOrphan.shutDown();
      };
      signal.addEventListener('abort', stopQueues, { once: true });
      try {
        let resources: MonitoredResource[] | undefined;
        while (!resources && !signal.aborted) {
          try {
            resources = await discover();
          } catch (err) {
            log.error({ err }, 'failed to discover deletable resources; retrying');
            await sleep(1000, signal);
          }
        }
        if (!resources) return;
        await monitors.sync(resources);
        if (!(await monitors.waitForSync())) return;
        log.info({ resources: monitors.keys().length }, 'garbage collector: all resource monitors have synced, proceeding to collect garbage');
        const workers = opts.workers ?? 20;
        await Promise.all([
          runNodeWorkers(attemptToDelete, workers, attemptToDeleteWorker, log, signal),
          runNodeWorkers(attemptToOrphan, workers, attemptToOrphanWorker, log, signal),
          resyncLoop(signal),
        ]);
      } finally {
        signal.removeEventListener('abort', stopQueues);
        stopQueues();
        await monitors.stop();
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
