// Pod garbage collection (upstream pkg/controller/podgc). Every gcCheckPeriod it:
// - deletes terminated pods beyond terminatedPodThreshold, evicted then oldest first;
// - force-deletes terminating pods on nodes that are not Ready and carry the
//   node.kubernetes.io/out-of-service taint;
// - deletes pods bound to nodes that no longer exist, after the node name has been missing for
//   the quarantine time AND a live GET confirms it (a slow informer is not a deleted node); those
//   pods get the DisruptionTarget condition (reason DeletionByPodGC) first;
// - deletes terminating pods that were never scheduled.
// Pods that are not yet Succeeded/Failed are patched to Failed before the delete (grace 0), since
// no kubelet will ever do it.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { DelayingWorkQueue } from '../../client/workqueue/index.js';
import { realClock, sleep, type Clock } from '../../client/clock.js';
import type { Controller, ControllerContext, ControllerDescriptor } from '../context.js';
import { compareForDeletion, isPodTerminated } from './pod-order.js';

export interface PodGCOptions {
  /** Terminated pods kept before the oldest are deleted (--terminated-pod-gc-threshold; 0 disables). */
  terminatedPodThreshold?: number;
  /** How often the collection runs (upstream 20 s). */
  gcCheckPeriodMs?: number;
  /** How long a missing node's pods wait before the node is looked up (upstream 40 s). */
  quarantineMs?: number;
  clock?: Clock;
}

export const defaultTerminatedPodThreshold = 12500;
const outOfServiceTaint = 'node.kubernetes.io/out-of-service';

export function newPodGCController(ctx: ControllerContext, opts: PodGCOptions = {}): Controller {
  const pods = ctx.informers.for(resources.pods);
  const nodes = ctx.informers.for(resources.nodes);
  const clock = opts.clock ?? realClock;
  const threshold = opts.terminatedPodThreshold ?? defaultTerminatedPodThreshold;
  const period = opts.gcCheckPeriodMs ?? 20_000;
  const quarantine = opts.quarantineMs ?? 40_000;
  const nodeQueue = new DelayingWorkQueue<string>({ name: 'orphaned_pods_nodes', clock });
  const podClient = ctx.client.resource(resources.pods);
  const nodeClient = ctx.client.resource(resources.nodes);
  const log = ctx.log.child({ controller: 'pod-garbage-collector' });

  async function gc(): Promise<void> {
    const allPods = pods.getIndexer().list() as Pod[];
    const allNodes = nodes.getIndexer().list() as Node[];
    if (threshold > 0) await gcTerminated(allPods);
    await gcTerminating(allPods);
    await gcOrphaned(allPods, allNodes);
    await gcUnscheduledTerminating(allPods);
  }

  async function gcTerminated(all: Pod[]): Promise<void> {
    const terminated = all.filter(isPodTerminated);
    const deleteCount = terminated.length - threshold;
    if (deleteCount <= 0) return;
    log.info({ numPods: deleteCount }, 'garbage collecting pods');
    terminated.sort(compareForDeletion);
    await Promise.all(terminated.slice(0, deleteCount).map((p) => markFailedAndDelete(p)));
  }

  async function gcTerminating(all: Pod[]): Promise<void> {
    const victims: Pod[] = [];
    for (const pod of all) {
      if (!pod.metadata?.deletionTimestamp) continue;
      const node = nodes.getIndexer().getByKey(pod.spec?.nodeName ?? '') as Node | undefined;
      if (!node) continue;
      if (!isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === outOfServiceTaint)) victims.push(pod);
    }
    if (victims.length === 0) return;
    log.info({ numPods: victims.length }, 'garbage collecting pods that are terminating on nodes tainted with node.kubernetes.io/out-of-service');
    victims.sort(compareForDeletion);
    await Promise.all(victims.map((p) => markFailedAndDelete(p)));
  }

  async function gcOrphaned(all: Pod[], allNodes: Node[]): Promise<void> {
    const existing = new Set(allNodes.map((n) => n.metadata!.name!));
    // Newly seen unknown nodes go into quarantine.
    for (const pod of all) {
      const nodeName = pod.spec?.nodeName;
      if (nodeName && !existing.has(nodeName)) nodeQueue.addAfter(nodeName, quarantine);
    }
    const deleted = await discoverDeletedNodes(existing);
    for (const pod of all) {
      if (!deleted.has(pod.spec?.nodeName ?? '')) continue;
      log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, node: pod.spec?.nodeName }, 'found orphaned Pod assigned to the Node, deleting');
      await markFailedAndDelete(pod, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    }
  }

  /** Node names out of quarantine that a live GET confirms are gone. */
  async function discoverDeletedNodes(existing: Set<string>): Promise<Set<string>> {
    const deleted = new Set<string>();
    while (nodeQueue.len() > 0) {
      const next = await nodeQueue.get();
      if (next.shutdown) break;
      const name = next.item;
      try {
        if (!existing.has(name)) {
          await nodeClient.get(name);
        }
      } catch (err) {
        if (isNotFound(err)) deleted.add(name);
        // Otherwise the node is quarantined again on the next pass if still needed.
        else log.error({ err, node: name }, 'error while getting node');
      } finally {
        nodeQueue.done(name);
      }
    }
    return deleted;
  }

  async function gcUnscheduledTerminating(all: Pod[]): Promise<void> {
    for (const pod of all) {
      if (!pod.metadata?.deletionTimestamp || pod.spec?.nodeName) continue;
      log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'found unscheduled terminating Pod not assigned to any Node, deleting');
      await markFailedAndDelete(pod);
    }
  }

  async function markFailedAndDelete(pod: Pod, condition?: PodCondition): Promise<void> {
    const namespace = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    try {
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        const status: Record<string, unknown> = { phase: 'Failed' };
        if (condition) status.conditions = [withTransitionTime(pod, condition, new Date(clock.now()))];
        // A strategic merge keyed by condition type, with the uid as precondition (upstream PatchPodStatus).
        await podClient.patch(name, { metadata: { uid: pod.metadata!.uid }, status }, { type: 'strategic', subresource: 'status', namespace });
      }
      log.info({ pod: `${namespace}/${name}` }, 'PodGC is force deleting Pod');
      await podClient.delete(name, { namespace, gracePeriodSeconds: 0 });
    } catch (err) {
      if (isNotFound(err)) return;
      log.error({ err, pod: `${namespace}/${name}` }, 'failed to delete pod');
    }
  }

  return {
    name: 'podgc',
    async run(signal) {
      const onAbort = () => nodeQueue.shutDown();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        while (!signal.aborted) {
          try {
            await gc();
          } catch (err) {
            log.error({ err }, 'pod garbage collection failed');
          }
          await sleep(clock, period, signal);
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
        nodeQueue.shutDown();
      }
    },
  };
}

/** The condition with lastTransitionTime kept if its status is unchanged (upstream UpdatePodCondition). */
function withTransitionTime(pod: Pod, condition: PodCondition, now: Date): PodCondition {
  const old = pod.status?.conditions?.find((c) => c.type === condition.type);
  const lastTransitionTime = old && old.status === condition.status && old.lastTransitionTime ? old.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z');
  return { ...condition, lastTransitionTime };
}

function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function podGCControllerWith(opts: PodGCOptions): ControllerDescriptor {
  return { name: 'podgc', create: (ctx) => newPodGCController(ctx, opts) };
}

export const podGCController: ControllerDescriptor = podGCControllerWith({});
