// The taint eviction controller (upstream pkg/controller/tainteviction, the former "taint
// manager"): a pod bound to a node with NoExecute taints it does not tolerate is deleted at once;
// a pod that tolerates them only for tolerationSeconds is deleted when the shortest of those runs
// out (counted from when we first saw it exposed), unless the taint goes away first. Before the
// delete the pod gets the DisruptionTarget condition, as upstream, so its owner can tell why.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isConflict, isNotFound } from '../../client/rest/errors.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock, type TimerHandle } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import { matchingTolerations, minTolerationMs } from './taints.js';

export interface TaintEvictionOptions {
  clock?: Clock;
  workers?: number;
}

const nodeNameIndex = 'spec.nodeName';

interface Scheduled {
  createdAt: number;
  fireAt: number;
  timer: TimerHandle;
}

function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newTaintEvictionController(ctx: ControllerContext, opts: TaintEvictionOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const log = ctx.log.child({ controller: 'taint-eviction-controller' });
  const recorder = ctx.recorder('taint-eviction-controller');
  const pods = ctx.informers.for(resources.pods, { indexers: { [nodeNameIndex]: (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
  const nodes = ctx.informers.for(resources.nodes);
  const podClient = ctx.client.resource(resources.pods);
  // Pod keys to (re)consider, and pod keys whose deletion time has come.
  // The queues' retry backoff runs on real time; only tolerationSeconds follow the injected clock.
  const queue = newRateLimitingQueue<string>({ name: 'taint_eviction' });
  const evictions = newRateLimitingQueue<string>({ name: 'taint_eviction_delete' });
  const scheduled = new Map<string, Scheduled>();

  const podKey = (p: Pod) => `${p.metadata!.namespace}/${p.metadata!.name}`;
  const enqueueNode = (name: string | undefined) => {
    if (!name) return;
    for (const p of pods.getIndexer().byIndex(nodeNameIndex, name) as Pod[]) queue.add(podKey(p));
  };

  pods.addEventHandler({
    onAdd: (p: Pod) => {
      if (p.spec?.nodeName) queue.add(podKey(p));
    },
    onUpdate: (_o: Pod, p: Pod) => {
      if (p.spec?.nodeName) queue.add(podKey(p));
    },
    onDelete: (obj) => {
      const p = (isDeletedFinalStateUnknown(obj) ? obj.obj : obj) as Pod;
      cancel(podKey(p), false);
    },
  });
  nodes.addEventHandler({
    onAdd: (n: Node) => {
      if (noExecuteTaints(n).length) enqueueNode(n.metadata?.name);
    },
    onUpdate: (o: Node, n: Node) => {
      if (JSON.stringify(noExecuteTaints(o)) !== JSON.stringify(noExecuteTaints(n))) enqueueNode(n.metadata?.name);
    },
  });

  function cancel(key: string, withEvent: boolean, pod?: Pod): void {
    const s = scheduled.get(key);
    if (!s) return;
    s.timer.cancel();
    scheduled.delete(key);
    if (withEvent && pod) recorder.event(pod as never, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  function schedule(key: string, pod: Pod, createdAt: number, fireAt: number): void {
    recorder.event(pod as never, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const delay = fireAt - clock.now();
    const timer = delay > 0 ? clock.setTimeout(() => evictions.add(key), delay) : { cancel: () => undefined };
    scheduled.set(key, { createdAt, fireAt, timer });
    if (delay <= 0) evictions.add(key);
  }

  /** Decides, for one pod, whether and when it must go (processPodOnNode). */
  function syncPod(key: string): void {
    const pod = pods.getIndexer().getByKey(key) as Pod | undefined;
    if (!pod || !pod.spec?.nodeName || pod.metadata?.deletionTimestamp) {
      cancel(key, false);
      return;
    }
    const taints = noExecuteTaints(nodes.getIndexer().getByKey(pod.spec.nodeName) as Node | undefined);
    if (!taints.length) {
      cancel(key, true, pod);
      return;
    }
    const { allTolerated, used } = matchingTolerations(taints, pod.spec.tolerations ?? []);
    const now = clock.now();
    if (!allTolerated) {
      cancel(key, false);
      schedule(key, pod, now, now);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) {
      cancel(key, true, pod);
      return;
    }
    const existing = scheduled.get(key);
    let createdAt = now;
    if (existing) {
      createdAt = existing.createdAt;
      // Already due no later than the new deadline: keep it.
      if (createdAt + min >= existing.fireAt) return;
      cancel(key, false);
    }
    schedule(key, pod, createdAt, createdAt + min);
  }

  /** Marks the pod with DisruptionTarget, then deletes it (addConditionAndDeletePod). */
  async function evict(key: string): Promise<void> {
    if (!scheduled.has(key)) return;
    scheduled.delete(key);
    const [namespace, name] = key.split('/');
    let pod: Pod;
    try {
      pod = await podClient.get(name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const conditions = [...(pod.status?.conditions ?? [])];
    const at = timestamp(clock.now());
    const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
    const target = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: at };
    if (i < 0 || conditions[i].status !== 'True') {
      if (i < 0) conditions.push(target);
      else conditions[i] = target;
      try {
        await podClient.updateStatus({ ...pod, status: { ...pod.status, conditions } } as never, { namespace });
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) {
          // Someone changed the pod; decide again from the fresh state.
          queue.add(key);
          return;
        }
        throw err;
      }
    }
    try {
      await podClient.delete(name, { namespace, preconditions: { uid: pod.metadata?.uid } });
      log.info({ pod: key }, 'deleted pod for NoExecute taint');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  return {
    name: 'taint-eviction-controller',
    async run(signal) {
      signal.addEventListener('abort', () => {
        for (const s of scheduled.values()) s.timer.cancel();
        scheduled.clear();
      });
      await Promise.all([
        runWorkers(queue, 1, (key) => syncPod(key), signal, { log }),
        runWorkers(evictions, opts.workers ?? 8, (key) => evict(key), signal, { log }),
      ]);
    },
  };
}
