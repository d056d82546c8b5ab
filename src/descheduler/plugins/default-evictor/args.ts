// DefaultEvictorArgs (upstream defaultevictor/types.go, the 1.32-era fields): every field
// defaults to false/unset, so by default local-storage, DaemonSet, system-critical and bare
// pods are protected.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { parseGoDuration } from '../../../api/duration.js';

export interface DefaultEvictorArgs {
  nodeSelector?: string;
  evictLocalStoragePods: boolean;
  evictDaemonSetPods: boolean;
  evictSystemCriticalPods: boolean;
  ignorePvcPods: boolean;
  evictFailedBarePods: boolean;
  ignorePodsWithoutPDB: boolean;
  labelSelector?: LabelSelector;
  priorityThreshold?: { value?: number; name?: string };
  nodeFit: boolean;
  minReplicas: number;
  /** A Go duration ("5m"); unset = no minimum age. */
  minPodAge?: string;
}

export function defaults(raw: Record<string, unknown>): DefaultEvictorArgs {
  const r = raw as Partial<DefaultEvictorArgs>;
  return {
    ...r,
    evictLocalStoragePods: r.evictLocalStoragePods ?? false,
    evictDaemonSetPods: r.evictDaemonSetPods ?? false,
    evictSystemCriticalPods: r.evictSystemCriticalPods ?? false,
    ignorePvcPods: r.ignorePvcPods ?? false,
    evictFailedBarePods: r.evictFailedBarePods ?? false,
    ignorePodsWithoutPDB: r.ignorePodsWithoutPDB ?? false,
    nodeFit: r.nodeFit ?? false,
    minReplicas: r.minReplicas ?? 0,
  };
}

export function validate(args: DefaultEvictorArgs): string | undefined {
  const pt = args.priorityThreshold;
  if (pt && pt.value !== undefined && pt.value !== null && pt.name) return 'priority threshold misconfigured, only one of priorityThreshold fields can be set';
  if (args.minPodAge !== undefined && parseGoDuration(args.minPodAge) === undefined) return `minPodAge: invalid duration "${args.minPodAge}"`;
  return undefined;
}
