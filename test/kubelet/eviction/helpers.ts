// Builders for eviction tests, after upstream's newPod / newPodMemoryStats / newPodDiskStats.
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { toValue } from '../../../src/api/validation/quantity.js';
import type { PodStats, Summary } from '../../../src/kubelet/stats/types.js';

export const lowPriority = -1;
export const defaultPriority = 0;
export const highPriority = 1;

export const q = (s: string) => toValue(s);

/** requests/limits as upstream newResourceList(cpu, memory, disk); "" = absent. */
export function resources(cpu: string, memory: string, disk: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (cpu) out.cpu = cpu;
  if (memory) out.memory = memory;
  if (disk) out['ephemeral-storage'] = disk;
  return out;
}

export function container(name: string, requests: Record<string, string>, limits: Record<string, string>): Container {
  return { name, image: 'busybox', resources: { requests, limits } };
}

export function newPod(name: string, priority: number, containers: Container[], volumes?: Volume[]): Pod {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { priority, containers, volumes } };
}

export const emptyDirVolume = (name = 'local-volume'): Volume => ({ name, emptyDir: {} });

export function podMemoryStats(pod: Pod, workingSet: string, time = '2026-01-01T00:00:00Z'): PodStats {
  const ws = q(workingSet);
  return {
    podRef: { name: pod.metadata!.name!, namespace: 'default', uid: pod.metadata!.uid! },
    containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, startTime: time, memory: { time, workingSetBytes: ws } })),
    memory: { time, workingSetBytes: ws },
  };
}

/** rootfs and logs per container, `perVolume` per local volume (bytes or inodes). */
export function podDiskStats(pod: Pod, rootfs: string, logs: string, perVolume: string, inodes = false): PodStats {
  const f = (v: string) => (inodes ? { time: '', inodesUsed: q(v) } : { time: '', usedBytes: q(v) });
  const local = (pod.spec?.volumes ?? []).filter((v) => v.emptyDir || v.hostPath || v.configMap).map((v) => v.name);
  return {
    podRef: { name: pod.metadata!.name!, namespace: 'default', uid: pod.metadata!.uid! },
    containers: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, startTime: '', rootfs: f(rootfs), logs: f(logs) })),
    volume: local.map((name) => ({ name, ...f(perVolume) })),
  };
}

export function podProcessStats(pod: Pod, count: number): PodStats {
  return { podRef: { name: pod.metadata!.name!, namespace: 'default', uid: pod.metadata!.uid! }, containers: [], process_stats: { process_count: count } };
}

export function statsFn(entries: [Pod, PodStats][]) {
  const m = new Map(entries.map(([p, s]) => [p.metadata!.uid!, s]));
  return (uid: string) => m.get(uid);
}

export const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name);

/** A node summary with the given memory available (of 10Gi) and disk figures. */
export function nodeSummary(o: {
  time: number;
  memoryAvailable?: string;
  memoryCapacity?: string;
  nodefsAvailable?: string;
  nodefsCapacity?: string;
  inodesFree?: number;
  inodes?: number;
  maxPid?: number;
  procs?: number;
  pods?: PodStats[];
}): Summary {
  const time = new Date(o.time).toISOString();
  const memCap = q(o.memoryCapacity ?? '10Gi');
  const avail = q(o.memoryAvailable ?? '8Gi');
  const fsCap = q(o.nodefsCapacity ?? '100Gi');
  const fsAvail = q(o.nodefsAvailable ?? '50Gi');
  const fs = { time, capacityBytes: fsCap, availableBytes: fsAvail, inodes: o.inodes ?? 1_000_000, inodesFree: o.inodesFree ?? 500_000 };
  return {
    node: {
      nodeName: 'n1',
      memory: { time, availableBytes: avail, workingSetBytes: memCap - avail },
      fs,
      runtime: { imageFs: fs },
      rlimit: { time, maxpid: o.maxPid ?? 32768, curproc: o.procs ?? 100 },
    },
    pods: o.pods ?? [],
  };
}
