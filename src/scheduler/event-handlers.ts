// Informer events → cache and queue (upstream pkg/scheduler/eventhandlers.go). Assigned pods
// (spec.nodeName set) feed the cache; unassigned pods of our profiles feed the queue; nodes feed
// the cache. Every change is also a cluster event that may requeue parked pods. Terminated pods
// (Succeeded/Failed) hold no resources and are treated as gone.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Informers } from '../controllers/context.js';
import type { KubeObject } from '../api/object.js';
import { resources } from '../client/rest/builtin-resources.js';
import { isDeletedFinalStateUnknown, type DeletedFinalStateUnknown } from '../client/cache/keys.js';
import type { ResourceRef } from '../client/rest/resource-ref.js';
import type { ClusterEvent, EventResource } from './framework/types.js';
import { ActionType } from './framework/types.js';
import { Events, nodeSchedulingPropertiesChange, podSchedulingPropertiesChange, type LabeledEvent } from './queue/events.js';
import type { Scheduler } from './scheduler.js';

const assigned = (p: Pod) => !!p.spec?.nodeName;
const terminated = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const finalState = <T extends KubeObject>(o: T | DeletedFinalStateUnknown<T>): T | undefined => (isDeletedFinalStateUnknown(o) ? o.obj : o);

export function registerEventHandlers(sched: Scheduler, informers: Informers, registered: { event: ClusterEvent }[]): void {
  const { cache, queue } = sched;

  const addAssigned = (pod: Pod) => {
    cache.addPod(pod);
    queue.moveAllToActiveOrBackoffQueue(Events.AssignedPodAdd, undefined, pod);
  };
  const removeAssigned = (pod: Pod) => {
    cache.removePod(pod);
    queue.moveAllToActiveOrBackoffQueue(Events.AssignedPodDelete, pod, undefined);
  };
  const removeUnassigned = (pod: Pod) => {
    queue.delete(pod);
    for (const f of sched.profiles.values()) f.rejectWaitingPod(pod.metadata?.uid ?? '');
  };

  informers.for(resources.pods).addEventHandler({
    onAdd(pod) {
      if (terminated(pod)) return;
      if (assigned(pod)) addAssigned(pod);
      else if (sched.responsibleFor(pod)) queue.add(pod);
    },
    onUpdate(oldPod, newPod) {
      if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return;
      const wasAssigned = assigned(oldPod);
      if (assigned(newPod)) {
        if (!wasAssigned && sched.responsibleFor(oldPod)) removeUnassigned(oldPod);
        if (terminated(newPod)) {
          if (cache.hasPod(newPod)) removeAssigned(newPod);
          return;
        }
        if (!wasAssigned || !cache.hasPod(newPod) || cache.isAssumedPod(newPod)) return addAssigned(newPod);
        cache.updatePod(oldPod, newPod);
        for (const e of podSchedulingPropertiesChange('AssignedPod', newPod, oldPod)) queue.moveAllToActiveOrBackoffQueue(e, oldPod, newPod);
        return;
      }
      if (!sched.responsibleFor(newPod)) return;
      if (terminated(newPod)) return removeUnassigned(newPod);
      // The scheduler's own assumption races the informer: the bind is on its way.
      if (cache.isAssumedPod(newPod)) return;
      queue.update(oldPod, newPod);
    },
    onDelete(obj) {
      const pod = finalState(obj);
      if (!pod) return;
      if (assigned(pod) || cache.hasPod(pod)) {
        if (cache.hasPod(pod) && !cache.isAssumedPod(pod)) removeAssigned(pod);
        if (!assigned(pod)) removeUnassigned(pod);
        return;
      }
      if (sched.responsibleFor(pod)) removeUnassigned(pod);
    },
  });

  informers.for(resources.nodes).addEventHandler({
    onAdd(node: Node) {
      cache.addNode(node);
      queue.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, node);
    },
    onUpdate(oldNode: Node, newNode: Node) {
      cache.updateNode(oldNode, newNode);
      for (const e of nodeSchedulingPropertiesChange(newNode, oldNode)) queue.moveAllToActiveOrBackoffQueue(e, oldNode, newNode);
    },
    onDelete(obj) {
      const node = finalState(obj);
      if (!node) return;
      cache.removeNode(node);
      queue.moveAllToActiveOrBackoffQueue(Events.NodeDelete, node, undefined);
    },
  });

  // Other resources only when some plugin registered for their events (upstream's gvkMap).
  const wanted = new Set<EventResource>(registered.map((r) => r.event.resource));
  if (wanted.has('Namespace')) watchOther(informers, resources.namespaces, 'Namespace', sched);
  if (wanted.has('PodDisruptionBudget')) watchOther(informers, resources.podDisruptionBudgets, 'PodDisruptionBudget', sched);
}

function watchOther<T extends KubeObject>(informers: Informers, ref: ResourceRef<T>, resource: EventResource, sched: Scheduler): void {
  const ev = (actionType: number, label: string): LabeledEvent => ({ resource, actionType, label });
  const add = ev(ActionType.Add, `${resource}Add`);
  const update = ev(ActionType.Update, `${resource}Update`);
  const del = ev(ActionType.Delete, `${resource}Delete`);
  informers.for(ref).addEventHandler({
    onAdd: (o) => sched.queue.moveAllToActiveOrBackoffQueue(add, undefined, o),
    onUpdate: (o, n) => sched.queue.moveAllToActiveOrBackoffQueue(update, o, n),
    onDelete: (o) => sched.queue.moveAllToActiveOrBackoffQueue(del, finalState(o), undefined),
  });
}
