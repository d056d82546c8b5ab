// MarkPodsNotReady (upstream pkg/controller/util/node): when a node stops being Ready, the pods
// bound to it can no longer be trusted to serve, but their kubelet is not there to say so. The
// node lifecycle controller sets each pod's Ready condition to False (keeping its reason and
// message, as upstream's UpdatePodCondition does), so the endpoint controllers take the pods out
// of rotation; each marked pod gets a Warning "NodeNotReady" event.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceClient } from '../../client/rest/resource-client.js';
import type { EventRecorder } from '../../client/record/index.js';
import { isNotFound } from '../../client/rest/errors.js';

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The pod's conditions with Ready set to False, or undefined when it has no Ready condition or is already False. */
export function notReadyConditions(pod: Pod, now: number): PodCondition[] | undefined {
  const conditions = pod.status?.conditions ?? [];
  const i = conditions.findIndex((c) => c.type === 'Ready');
  // A pod the kubelet never reported Ready on has nothing to take back.
  if (i < 0 || conditions[i].status === 'False') return undefined;
  const next = [...conditions];
  next[i] = { ...conditions[i], status: 'False', lastTransitionTime: timestamp(now) };
  return next;
}

/**
 * Sets Ready=False on every pod of `pods` bound to `nodeName`. Pods deleted meanwhile are
 * skipped; any other failure is thrown after the remaining pods were tried (the caller retries
 * the node on its next pass).
 */
export async function markPodsNotReady(podClient: ResourceClient<Pod & KubeObject>, recorder: EventRecorder, pods: readonly Pod[], nodeName: string, now: number): Promise<void> {
  const errors: unknown[] = [];
  for (const pod of pods) {
    if (pod.spec?.nodeName !== nodeName) continue;
    const conditions = notReadyConditions(pod, now);
    if (!conditions) continue;
    try {
      await podClient.updateStatus({ ...pod, status: { ...pod.status, conditions } } as never, { namespace: pod.metadata?.namespace });
    } catch (err) {
      if (isNotFound(err)) continue;
      errors.push(err);
      continue;
    }
    // After the update, so the event is only for a pod that still exists.
    recorder.event(pod as never, 'Warning', 'NodeNotReady', 'Node is not ready');
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new AggregateError(errors, `marking ${errors.length} pods on node ${nodeName} not ready failed`);
}
