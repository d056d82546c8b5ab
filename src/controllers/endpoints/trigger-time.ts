// The last-change trigger time (upstream's endpointsliceutil.TriggerTimeTracker): when a sync
// writes Endpoints or EndpointSlices, `endpoints.kubernetes.io/last-change-trigger-time` says
// when the earliest change it reflects happened, so latency from a pod becoming ready to its
// endpoint being programmed can be measured. A pod's trigger time is its Ready condition's
// lastTransitionTime; a service's is its creationTimestamp. The first sync of a service (unknown
// to this tracker) has no trigger time, as upstream.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  podTimes: Map<string, number>;
  serviceTime: number;
}

function parseTime(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * The minimum trigger time among what changed since the previous call for this service, or
   * undefined (no annotation). Always records the current times, even if the sync is a no-op.
   */
  compute(namespace: string, svc: Service, pods: Pod[]): Date | undefined {
    const key = `${namespace}/${svc.metadata?.name ?? ''}`;
    const prev = this.states.get(key);
    let min = Infinity;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parseTime(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
      if (t === 0) continue;
      const name = pod.metadata?.name ?? '';
      podTimes.set(name, t);
      if (t > (prev?.podTimes.get(name) ?? 0)) min = Math.min(min, t);
    }
    const serviceTime = parseTime(svc.metadata?.creationTimestamp);
    if (serviceTime > (prev?.serviceTime ?? 0)) min = Math.min(min, serviceTime);
    this.states.set(key, { podTimes, serviceTime });
    if (!prev || min === Infinity) return undefined;
    return new Date(min);
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
