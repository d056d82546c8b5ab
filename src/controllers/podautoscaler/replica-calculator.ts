// Upstream's replica calculator (pkg/controller/podautoscaler/replica_calculator.go): pure
// functions of the pods, their metrics and the clock (fetching is the caller's). Values are in
// milli-units (MilliValue of CPU cores, bytes or a custom metric), as upstream's. Resource,
// ContainerResource and Pods metrics go through the per-pod grouping below; Object and External
// metrics are one value (or a sum) set against the ready pods (usageRatioReplicas) or, for an
// AverageValue target, against the target's status replicas.
//
// Pods are grouped first: deleted or failed pods are ignored, pending ones are unready, pods
// without a metric are missing; for CPU, a pod is also unready when it has no Ready condition or
// start time, or — within the CPU initialization period after its start — when it is not Ready or
// its metric window began before it became Ready, or — after that period — when it is not Ready
// and its readiness last changed within the initial readiness delay of its start. Unready pods
// count only against a scale-up (as 0 usage); missing pods as 0 on a scale-up and as their
// request at max(100%, target) (or the target value) on a scale-down; a change the missing or
// unready pods would reverse, or that falls within the tolerance, is no change.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { toMilli } from '../../api/validation/quantity.js';

/** Upstream's --horizontal-pod-autoscaler-tolerance default. */
export const DEFAULT_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period default (5 min). */
export const DEFAULT_CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay default (30 s). */
export const DEFAULT_INITIAL_READINESS_DELAY_MS = 30_000;

export interface PodMetric {
  /** ms since the epoch */
  timestampMs: number;
  windowMs: number;
  /** milli-units */
  value: number;
}

export type PodMetricsInfo = Map<string, PodMetric>;

export interface CalculatorOptions {
  tolerance?: number;
  cpuInitializationPeriodMs?: number;
  delayOfInitialReadinessStatusMs?: number;
  now: number;
}

export class CalculatorError extends Error {}

interface Groups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function groupPods(pods: Pod[], metrics: PodMetricsInfo, resource: string, o: CalculatorOptions): Groups {
  const g: Groups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  const init = o.cpuInitializationPeriodMs ?? DEFAULT_CPU_INITIALIZATION_PERIOD_MS;
  const delay = o.delayOfInitialReadinessStatusMs ?? DEFAULT_INITIAL_READINESS_DELAY_MS;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const cond = readyCondition(pod);
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!cond || start === undefined) unready = true;
      else {
        const transition = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : 0;
        if (start + init > o.now) unready = cond.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        else unready = cond.status === 'False' && start + delay > transition;
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** Each pod's request of the resource (of one container, or the sum of its containers), in milli-units. */
export function calculatePodRequests(pods: Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container && c.name !== container) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) throw new CalculatorError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name}`);
      sum += toMilli(String(q));
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return out;
}

/** Usage ratio against a utilization target, the utilization (integer percent) and the average raw usage. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new CalculatorError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** Usage ratio against an average value target, and the average usage (GetMetricUsageRatio). */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

function prepare(pods: Pod[], metrics: PodMetricsInfo, resource: string, o: CalculatorOptions): Groups {
  if (pods.length === 0) throw new CalculatorError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metrics, resource, o);
  for (const name of [...g.ignored, ...g.unready]) metrics.delete(name);
  if (metrics.size === 0) throw new CalculatorError('did not receive metrics for targeted pods (pods might be unready)');
  return g;
}

/**
 * The replica count for a Utilization target (GetResourceReplicas), with the utilization
 * (percent of request) and the raw average usage. `metrics` is consumed.
 */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  container: string,
  pods: Pod[],
  metrics: PodMetricsInfo,
  o: CalculatorOptions,
): { replicas: number; utilization: number; rawAverage: number } {
  const tolerance = o.tolerance ?? DEFAULT_TOLERANCE;
  const g = prepare(pods, metrics, resource, o);
  const requests = calculatePodRequests(pods, container, resource);
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const unchanged = { replicas: currentReplicas, utilization, rawAverage };
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return unchanged;
    return { replicas: Math.ceil(ratio * g.readyPodCount), utilization, rawAverage };
  }
  if (g.missing.size > 0) {
    const fallback = Math.max(100, targetUtilization);
    for (const name of g.missing) metrics.set(name, { timestampMs: 0, windowMs: 0, value: ratio < 1 ? Math.trunc(((requests.get(name) ?? 0) * fallback) / 100) : 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestampMs: 0, windowMs: 0, value: 0 });
  const next = resourceUtilizationRatio(metrics, requests, targetUtilization).ratio;
  return { replicas: rebalanced(currentReplicas, ratio, next, metrics.size, tolerance), utilization, rawAverage };
}

/** The replica count for an AverageValue target (GetRawResourceReplicas / calcPlainMetricReplicas), with the average usage. */
export function rawResourceReplicas(currentReplicas: number, targetUsage: number, resource: string, pods: Pod[], metrics: PodMetricsInfo, o: CalculatorOptions): { replicas: number; usage: number } {
  const tolerance = o.tolerance ?? DEFAULT_TOLERANCE;
  const g = prepare(pods, metrics, resource, o);
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage };
  }
  // A ratio of exactly 1 leaves missing pods out (upstream fills them only below or above it).
  if (g.missing.size > 0 && ratio !== 1) for (const name of g.missing) metrics.set(name, { timestampMs: 0, windowMs: 0, value: ratio < 1 ? targetUsage : 0 });
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestampMs: 0, windowMs: 0, value: 0 });
  const next = metricUsageRatio(metrics, targetUsage).ratio;
  return { replicas: rebalanced(currentReplicas, ratio, next, metrics.size, tolerance), usage };
}

/** After filling in missing/unready pods: no change within tolerance or if the direction flipped. */
function rebalanced(currentReplicas: number, ratio: number, next: number, count: number, tolerance: number): number {
  if (Math.abs(1 - next) <= tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return currentReplicas;
  const replicas = Math.ceil(next * count);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return currentReplicas;
  return replicas;
}

/** The replica count for a Pods metric (GetMetricReplicas): the plain calculation without CPU's readiness rules. */
export function podsMetricReplicas(currentReplicas: number, targetUsage: number, pods: Pod[], metrics: PodMetricsInfo, o: CalculatorOptions): { replicas: number; usage: number } {
  return rawResourceReplicas(currentReplicas, targetUsage, '', pods, metrics, o);
}

/** getReadyPodsCount: pods that are Running with Ready True. */
export function readyPodsCount(pods: Pod[]): number {
  if (pods.length === 0) throw new CalculatorError('no pods returned by selector while calculating replica count');
  return pods.filter((p) => p.status?.phase === 'Running' && readyCondition(p)?.status === 'True').length;
}

/**
 * getUsageRatioReplicaCount: the ratio times the ready pods, or no change within the tolerance.
 * From zero replicas the ratio alone decides (scale to zero and back), without tolerance.
 */
export function usageRatioReplicas(currentReplicas: number, usageRatio: number, pods: Pod[], o: Pick<CalculatorOptions, 'tolerance'>): number {
  if (currentReplicas === 0) return Math.ceil(usageRatio);
  if (Math.abs(1 - usageRatio) <= (o.tolerance ?? DEFAULT_TOLERANCE)) return currentReplicas;
  let ready: number;
  try {
    ready = readyPodsCount(pods);
  } catch (err) {
    throw new CalculatorError(`unable to calculate ready pods: ${(err as Error).message}`);
  }
  return Math.ceil(usageRatio * ready);
}

/** An Object metric against a Value target (GetObjectMetricReplicas): `usage` is the object's value. */
export function objectMetricReplicas(currentReplicas: number, targetUsage: number, usage: number, pods: Pod[], o: Pick<CalculatorOptions, 'tolerance'>): { replicas: number; usage: number } {
  return { replicas: usageRatioReplicas(currentReplicas, usage / targetUsage, pods, o), usage };
}

/** An External metric against a Value target (GetExternalMetricReplicas): the values are summed. */
export function externalMetricReplicas(currentReplicas: number, targetUsage: number, values: number[], pods: Pod[], o: Pick<CalculatorOptions, 'tolerance'>): { replicas: number; usage: number } {
  return objectMetricReplicas(currentReplicas, targetUsage, sum(values), pods, o);
}

/**
 * A total against an AverageValue target (GetObjectPerPodMetricReplicas,
 * GetExternalPerPodMetricReplicas): the status replicas stay unless the total per replica is off
 * the target by more than the tolerance, then ceil(total / target). `usage` is the total per
 * replica, rounded up. (With no replicas upstream divides by zero; the total stands for it here.)
 */
export function perPodMetricReplicas(statusReplicas: number, targetAverageUsage: number, total: number, o: Pick<CalculatorOptions, 'tolerance'>): { replicas: number; usage: number } {
  const ratio = total / (targetAverageUsage * statusReplicas);
  const replicas = Math.abs(1 - ratio) > (o.tolerance ?? DEFAULT_TOLERANCE) ? Math.ceil(total / targetAverageUsage) : statusReplicas;
  return { replicas, usage: statusReplicas > 0 ? Math.ceil(total / statusReplicas) : total };
}

/** GetExternalPerPodMetricReplicas: the values summed, then perPodMetricReplicas. */
export function externalPerPodMetricReplicas(statusReplicas: number, targetAverageUsage: number, values: number[], o: Pick<CalculatorOptions, 'tolerance'>): { replicas: number; usage: number } {
  return perPodMetricReplicas(statusReplicas, targetAverageUsage, sum(values), o);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
