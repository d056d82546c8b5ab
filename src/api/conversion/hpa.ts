// autoscaling/v1 HorizontalPodAutoscaler ⇄ autoscaling/v2 (the stored version), as upstream's
// pkg/apis/autoscaling/v1/conversion.go: v1's targetCPUUtilizationPercentage is v2's CPU
// Resource metric with an Utilization target; everything v1 cannot express (other metrics,
// conditions, behavior, current metrics) rides in the autoscaling.alpha.kubernetes.io/*
// annotations so a v1 round trip loses nothing. (The annotations hold v2-shaped JSON.)
import type { KubeObject } from '../object.js';

type Obj = Record<string, unknown>;

const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';

interface Metric {
  type?: string;
  resource?: { name?: string; target?: { type?: string; averageUtilization?: number }; current?: { averageUtilization?: number } };
}

const isCpuUtilization = (m: Metric) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';
const isCpuCurrent = (m: Metric) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.current?.averageUtilization !== undefined;

function parseAnnotation<T>(annotations: Record<string, string>, key: string): T | undefined {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  delete annotations[key];
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

/** autoscaling/v2 → autoscaling/v1. */
export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Obj & { metrics?: Metric[]; behavior?: unknown };
  const status = (obj.status ?? {}) as Obj & { currentMetrics?: Metric[]; conditions?: unknown[] };
  const annotations: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  const cpu = spec.metrics?.find(isCpuUtilization);
  const others = spec.metrics?.filter((m) => m !== cpu) ?? [];
  if (others.length) annotations[metricsAnnotation] = JSON.stringify(others);
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior);
  const currentCpu = status.currentMetrics?.find(isCpuCurrent);
  const otherCurrent = status.currentMetrics?.filter((m) => m !== currentCpu) ?? [];
  if (otherCurrent.length) annotations[currentMetricsAnnotation] = JSON.stringify(otherCurrent);
  if (status.conditions?.length) annotations[conditionsAnnotation] = JSON.stringify(status.conditions);
  const v1Spec: Obj = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v1Spec.minReplicas = spec.minReplicas;
  if (cpu?.resource?.target?.averageUtilization !== undefined) v1Spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const v1Status: Obj = {};
  for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) if (status[k] !== undefined) v1Status[k] = status[k];
  if (currentCpu) v1Status.currentCPUUtilizationPercentage = currentCpu.resource!.current!.averageUtilization;
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: v1Spec, ...(obj.status !== undefined ? { status: v1Status } : {}) };
}

/** autoscaling/v1 → autoscaling/v2. */
export function hpaV1ToV2(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Obj & { targetCPUUtilizationPercentage?: number };
  const status = (obj.status ?? {}) as Obj & { currentCPUUtilizationPercentage?: number };
  const annotations: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  const metrics: Metric[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...(parseAnnotation<Metric[]>(annotations, metricsAnnotation) ?? []));
  const behavior = parseAnnotation<unknown>(annotations, behaviorAnnotation);
  const currentMetrics: Metric[] = [];
  if (status.currentCPUUtilizationPercentage !== undefined) {
    currentMetrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
  }
  currentMetrics.push(...(parseAnnotation<Metric[]>(annotations, currentMetricsAnnotation) ?? []));
  const conditions = parseAnnotation<unknown[]>(annotations, conditionsAnnotation);
  const v2Spec: Obj = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v2Spec.minReplicas = spec.minReplicas;
  if (metrics.length) v2Spec.metrics = metrics;
  if (behavior) v2Spec.behavior = behavior;
  const v2Status: Obj = {};
  for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) if (status[k] !== undefined) v2Status[k] = status[k];
  if (currentMetrics.length) v2Status.currentMetrics = currentMetrics;
  if (conditions?.length) v2Status.conditions = conditions;
  const metadata = { ...obj.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: v2Spec, ...(obj.status !== undefined ? { status: v2Status } : {}) };
}
