// The scheduler's Prometheus metrics, named as upstream's (pkg/scheduler/metrics).
import { componentMetrics } from '../util/metrics.js';

const m = componentMetrics('scheduler');

/** result: scheduled | unschedulable | error. */
export const scheduleAttempts = m.counter<'result' | 'profile'>({
  name: 'schedule_attempts_total',
  help: 'Number of attempts to schedule pods, by the result. Unschedulable means a pod could not be scheduled, while error means an internal scheduler problem.',
  labelNames: ['result', 'profile'],
});

export const schedulingAttemptDuration = m.histogram<'result' | 'profile'>({
  name: 'scheduling_attempt_duration_seconds',
  help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
  labelNames: ['result', 'profile'],
  buckets: [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
});

export const podSchedulingSLIDuration = m.histogram<'attempts'>({
  name: 'pod_scheduling_sli_duration_seconds',
  help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue until it is bound; may include multiple attempts.',
  labelNames: ['attempts'],
  buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36],
});

/**
 * queue: active | backoff | unschedulable; event: what put the pod there — a cluster event's
 * label (NodeAdd, AssignedPodDelete, …), UnscheduledPodAdd, ScheduleAttemptFailure,
 * BackoffComplete, PopFromBackoffQ, ForceActivate, UnschedulableTimeout.
 */
export const queueIncomingPods = m.counter<'queue' | 'event'>({
  name: 'queue_incoming_pods_total',
  help: 'Number of pods added to scheduling queues by event and queue type.',
  labelNames: ['queue', 'event'],
});

/** queue: active | backoff | unschedulable | gated. */
export const pendingPods = m.gauge<'queue'>({
  name: 'pending_pods',
  help: 'Number of pending pods, by the queue type.',
  labelNames: ['queue'],
});

/**
 * operation: binding — binding cycles in flight (upstream counts the goroutines running them).
 * Sampled with the other gauges (each second and when the queue empties) from
 * bindingCyclesInFlight, not moved twice per pod: a labelled gauge update hashes its labels.
 */
export const goroutines = m.gauge<'operation'>({
  name: 'goroutines',
  help: 'Number of running goroutines split by the work they do such as binding.',
  labelNames: ['operation'],
});

/** Binding cycles running in this process (every scheduler instance counts into it). */
export const bindingCycles = { inFlight: 0 };

/** Label sets reused on the per-pod path (prom-client keeps no reference to them). */
export const scheduledLabels = (profile: string) => ({ result: 'scheduled', profile }) as const;

/** type: nodes | pods | assumed_pods — what the scheduler's cache holds (sampled each second). */
export const cacheSize = m.gauge<'type'>({
  name: 'scheduler_cache_size',
  help: 'Number of nodes, pods, and assumed (bound) pods in the scheduler cache.',
  labelNames: ['type'],
});
