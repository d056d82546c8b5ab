// Ranking pods for eviction (upstream helpers.go rank* and their comparators): the first pod in
// the ranked list is evicted first.
//   memory:  usage above requests first, then lower priority, then larger usage − request
//   disk:    the same with ephemeral-storage (or inodes): container rootfs + logs + local volumes
//   pids:    lower priority first, then more processes
// Pods without stats rank first (upstream: "prioritize evicting the pod for which no stats were
// found"). The sort is stable, so ties keep the order of the active pods list.
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { toValue } from '../../api/validation/quantity.js';
import type { PodStats } from '../stats/types.js';
import type { StatsFunc } from './observations.js';
import type { Signal } from './types.js';

type Cmp = (a: Pod, b: Pod) => number;
export type RankFunc = (pods: Pod[], stats: StatsFunc) => Pod[];

const uid = (p: Pod) => p.metadata?.uid ?? '';

function orderedBy(...cmps: Cmp[]): (pods: Pod[]) => Pod[] {
  return (pods) =>
    [...pods].sort((a, b) => {
      for (const c of cmps) {
        const r = c(a, b);
        if (r !== 0) return r;
      }
      return 0;
    });
}

/** true before false. */
const cmpBool = (a: boolean, b: boolean) => (a === b ? 0 : a ? -1 : 1);
const sign = (n: number) => (n > 0 ? 1 : n < 0 ? -1 : 0);

export function podPriority(p: Pod): number {
  return p.spec?.priority ?? 0;
}

/** upstream priority comparator: lower priority first. */
export const priority: Cmp = (a, b) => sign(podPriority(a) - podPriority(b));

const isRestartableInit = (c: Container) => c.restartPolicy === 'Always';
const request = (c: Container, r: string) => {
  const q = c.resources?.requests?.[r];
  return q === undefined ? 0 : toValue(String(q));
};

/**
 * The pod's effective request (upstream resource.PodRequests): the sum of app containers and
 * sidecars, or the largest init container (plus the sidecars started before it) if larger; plus
 * the pod overhead when the request is not zero.
 */
export function podRequest(p: Pod, r: string): number {
  let sum = 0;
  for (const c of p.spec?.containers ?? []) sum += request(c, r);
  let sidecars = 0;
  let initMax = 0;
  for (const c of p.spec?.initContainers ?? []) {
    if (isRestartableInit(c)) {
      sidecars += request(c, r);
      initMax = Math.max(initMax, sidecars);
    } else initMax = Math.max(initMax, sidecars + request(c, r));
  }
  let total = Math.max(sum + sidecars, initMax);
  const overhead = p.spec?.overhead?.[r];
  if (overhead !== undefined && total !== 0) total += toValue(String(overhead));
  return total;
}

export const memoryUsage = (s: PodStats) => s.memory?.workingSetBytes ?? 0;
export const processUsage = (s: PodStats) => s.process_stats?.process_count ?? 0;

/** upstream IsLocalEphemeralVolume + hostPath: the volumes counted as the pod's local storage. */
export function localVolumeNames(p: Pod): string[] {
  const local = (v: Volume) => v.hostPath !== undefined || v.gitRepo !== undefined || (v.emptyDir !== undefined && (v.emptyDir.medium ?? '') === '') || v.configMap !== undefined;
  return (p.spec?.volumes ?? []).filter(local).map((v) => v.name);
}

/** Container rootfs + logs + local volumes, in bytes or inodes. */
export function podDiskUsage(s: PodStats, p: Pod, resource: 'ephemeral-storage' | 'inodes'): number {
  const pick = (f: { usedBytes?: number; inodesUsed?: number } | undefined) => (resource === 'inodes' ? (f?.inodesUsed ?? 0) : (f?.usedBytes ?? 0));
  let total = 0;
  for (const c of s.containers) total += pick(c.rootfs) + pick(c.logs);
  for (const name of localVolumeNames(p)) {
    const v = s.volume?.find((x) => x.name === name);
    if (v) total += pick(v);
  }
  return total;
}

function withStats(stats: StatsFunc, f: (a: PodStats, b: PodStats) => number): Cmp {
  return (a, b) => {
    const sa = stats(uid(a));
    const sb = stats(uid(b));
    if (!sa || !sb) return cmpBool(!sa, !sb);
    return f(sa, sb);
  };
}

export const exceedMemoryRequests = (stats: StatsFunc): Cmp => (a, b) =>
  withStats(stats, (sa, sb) => cmpBool(memoryUsage(sa) > podRequest(a, 'memory'), memoryUsage(sb) > podRequest(b, 'memory')))(a, b);

/** Larger usage above request first. */
export const memory = (stats: StatsFunc): Cmp => (a, b) =>
  withStats(stats, (sa, sb) => sign(memoryUsage(sb) - podRequest(b, 'memory') - (memoryUsage(sa) - podRequest(a, 'memory'))))(a, b);

export const process = (stats: StatsFunc): Cmp => (a, b) => withStats(stats, (sa, sb) => sign(processUsage(sb) - processUsage(sa)))(a, b);

export const exceedDiskRequests = (stats: StatsFunc, resource: 'ephemeral-storage' | 'inodes'): Cmp => (a, b) =>
  withStats(stats, (sa, sb) => cmpBool(podDiskUsage(sa, a, resource) > podRequest(a, resource), podDiskUsage(sb, b, resource) > podRequest(b, resource)))(a, b);

/** Larger usage above the ephemeral-storage request first (upstream subtracts that request for inodes too). */
export const disk = (stats: StatsFunc, resource: 'ephemeral-storage' | 'inodes'): Cmp => (a, b) =>
  withStats(stats, (sa, sb) => sign(podDiskUsage(sb, b, resource) - podRequest(b, 'ephemeral-storage') - (podDiskUsage(sa, a, resource) - podRequest(a, 'ephemeral-storage'))))(a, b);

export const rankMemoryPressure: RankFunc = (pods, stats) => orderedBy(exceedMemoryRequests(stats), priority, memory(stats))(pods);
export const rankPIDPressure: RankFunc = (pods, stats) => orderedBy(priority, process(stats))(pods);
export const rankDiskPressure =
  (resource: 'ephemeral-storage' | 'inodes'): RankFunc =>
  (pods, stats) =>
    orderedBy(exceedDiskRequests(stats, resource), priority, disk(stats, resource))(pods);

/** One file system for images, containers and pods (the process runtime): every disk signal measures everything. */
export function rankFuncFor(signal: Signal): RankFunc {
  if (signal === 'memory.available' || signal === 'allocatableMemory.available') return rankMemoryPressure;
  if (signal === 'pid.available') return rankPIDPressure;
  return rankDiskPressure(signal.endsWith('inodesFree') ? 'inodes' : 'ephemeral-storage');
}
