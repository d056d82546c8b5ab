// The stats provider (upstream pkg/kubelet/stats + server/stats/summary.go): node-level figures
// from NodeSignals and per-pod usage from the runtime and the pod's directories, in the
// /stats/summary shape. The eviction manager reads the same Summary, so what it acts on is what
// /stats/summary shows.
//
// Per pod: memory and cpu are the sum of its running containers' runtime.containerStats;
// ephemeral storage is its containers' logs (rootDir/logs/NS_NAME_UID/CONTAINER/) plus its local
// volumes (emptyDir dirs under rootDir/pods/UID/volumes/kubernetes.io~empty-dir/). The process
// runtime gives containers no writable layer, so rootfs is reported empty (0 bytes) on nodefs;
// imagefs is nodefs (one file system). process_stats counts the running containers' processes:
// from their cgroups when the runtime reports them (no /proc scan, as cadvisor counts a cgroup's
// procs), else the process trees of their host pids (one /proc scan per summary, after every
// pod's awaits so a slow round does not scan again).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/types.js';
import { containerNameLabel, podUidLabel } from '../container-labels.js';
import { metaTime } from '../status/time.js';
import { hostNodeSignals, processTreeCounter } from './host-signals.js';
import type { ContainerStats, FsReading, FsStats, NodeSignals, PodStats, Summary, SummaryProvider, VolumeStats } from './types.js';

export interface StatsProviderOptions {
  nodeName: string;
  /** The agent's directory: nodefs, pod dirs and logs live here. */
  rootDir: string;
  runtime: Runtime;
  /** The pods the agent runs (their containers and volumes are measured). */
  pods(): Pod[];
  /** Default: the host's readings. */
  signals?: NodeSignals;
  now?: () => number;
  /** Processes in the trees of these host pids (pid-pressure ranking). Default: a scan of /proc. */
  countProcesses?: (pids: number[]) => number;
  /** When the agent started (node.startTime). */
  startTime?: number;
}

export interface DirUsage {
  bytes: number;
  inodes: number;
}

/** Bytes allocated (st_blocks · 512, hard links once) and inodes under `dir`; 0 when absent. */
export async function dirUsage(dir: string): Promise<DirUsage> {
  const seen = new Set<string>();
  const out: DirUsage = { bytes: 0, inodes: 0 };
  const walk = async (p: string): Promise<void> => {
    let st;
    try {
      st = await fsp.lstat(p);
    } catch {
      return;
    }
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.inodes++;
    out.bytes += st.blocks !== undefined ? st.blocks * 512 : st.size;
    if (!st.isDirectory()) return;
    let names: string[] = [];
    try {
      names = await fsp.readdir(p);
    } catch {
      return;
    }
    for (const n of names) await walk(join(p, n));
  };
  await walk(dir);
  return out;
}

function fsStats(time: string, r: FsReading | undefined, used?: DirUsage): FsStats | undefined {
  if (!r) return used ? { time, usedBytes: used.bytes, inodesUsed: used.inodes } : undefined;
  const base: FsStats = { time, availableBytes: r.availableBytes, capacityBytes: r.capacityBytes, inodesFree: r.inodesFree, inodes: r.inodes };
  if (used) return { ...base, usedBytes: used.bytes, inodesUsed: used.inodes };
  return { ...base, usedBytes: r.usedBytes, inodesUsed: r.inodes - r.inodesFree };
}

const add = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));

export class StatsProvider implements SummaryProvider {
  private readonly signals: NodeSignals;
  private readonly countProcesses: (pids: number[]) => number;
  private readonly now: () => number;
  private readonly startTime: string;
  private lastCpu?: { ns: number; at: number; rate?: number };

  constructor(private readonly o: StatsProviderOptions) {
    this.signals = o.signals ?? hostNodeSignals();
    this.countProcesses = o.countProcesses ?? processTreeCounter();
    this.now = o.now ?? Date.now;
    this.startTime = metaTime(o.startTime ?? this.now());
  }

  get(): Promise<Summary> {
    return this.summary();
  }

  /** The /stats/summary body. */
  async summary(): Promise<Summary> {
    return (await this.collect(false)).summary;
  }

  /**
   * Upstream's GetCPUAndMemoryStats, for /metrics/resource: the same figures without file
   * systems, volumes or process counts (no directory walks), and the collection time in ms,
   * since the summary's times have second precision and a scraper's CPU rate needs better.
   */
  async cpuAndMemory(): Promise<{ at: number; summary: Summary }> {
    return this.collect(true);
  }

  private async collect(cpuAndMemoryOnly: boolean): Promise<{ at: number; summary: Summary }> {
    const at = this.now();
    const time = metaTime(at);
    const mem = this.signals.memory();
    const nodefs = cpuAndMemoryOnly ? undefined : this.signals.fs(this.o.rootDir);
    const rl = cpuAndMemoryOnly ? undefined : this.signals.rlimit();
    const cpuNs = this.signals.cpuNanoSeconds?.();
    const pods = await this.podStats(time, nodefs, cpuAndMemoryOnly);
    const summary: Summary = {
      node: {
        nodeName: this.o.nodeName,
        startTime: this.startTime,
        cpu: cpuNs === undefined ? undefined : { time, usageCoreNanoSeconds: cpuNs, usageNanoCores: this.cpuRate(cpuNs, at) },
        memory: mem && {
          time,
          availableBytes: Math.max(0, mem.capacityBytes - mem.workingSetBytes),
          usageBytes: mem.usageBytes,
          workingSetBytes: mem.workingSetBytes,
          rssBytes: mem.rssBytes,
        },
        fs: fsStats(time, nodefs),
        runtime: { imageFs: fsStats(time, nodefs) },
        rlimit: rl && { time, maxpid: rl.maxPid, curproc: rl.running },
      },
      pods,
    };
    return { at, summary };
  }

  private cpuRate(ns: number, at: number): number | undefined {
    const prev = this.lastCpu;
    if (prev && at > prev.at) {
      const rate = Math.max(0, Math.round(((ns - prev.ns) / (at - prev.at)) * 1e6));
      this.lastCpu = { ns, at, rate };
      return rate;
    }
    if (!prev) this.lastCpu = { ns, at };
    return prev?.rate;
  }

  private async podStats(time: string, nodefs: FsReading | undefined, cpuAndMemoryOnly: boolean): Promise<PodStats[]> {
    const containers = await this.o.runtime.listContainers().catch(() => []);
    const byPod = new Map<string, typeof containers>();
    for (const c of containers) {
      const uid = c.labels[podUidLabel];
      if (!uid) continue;
      const list = byPod.get(uid) ?? [];
      list.push(c);
      byPod.set(uid, list);
    }
    const out: PodStats[] = [];
    /** Per pod: processes counted from cgroups, and host pids whose trees are still to count. */
    const processes: { pod: PodStats; counted: number; pids: number[] }[] = [];
    for (const pod of this.o.pods()) {
      const m = pod.metadata ?? {};
      const uid = m.uid ?? '';
      const ns = m.namespace ?? 'default';
      const name = m.name ?? '';
      const logDir = join(this.o.rootDir, 'logs', `${ns}_${name}_${uid}`);
      // The newest attempt of each container name stands for the container.
      const newest = new Map<string, (typeof containers)[number]>();
      for (const c of byPod.get(uid) ?? []) {
        const cname = c.labels[containerNameLabel] ?? c.metadata.name;
        const prev = newest.get(cname);
        if (!prev || c.metadata.attempt > prev.metadata.attempt || (c.metadata.attempt === prev.metadata.attempt && c.createdAt > prev.createdAt)) newest.set(cname, c);
      }
      const cstats: ContainerStats[] = [];
      let cpuNano: number | undefined;
      let cpuNs: number | undefined;
      let ws: number | undefined;
      let rss: number | undefined;
      let ephemeral: DirUsage = { bytes: 0, inodes: 0 };
      let counted = 0;
      const uncounted: string[] = [];
      for (const [cname, c] of newest) {
        const s = c.state === 'Running' ? await this.o.runtime.containerStats?.(c.id).catch(() => undefined) : undefined;
        cpuNano = add(cpuNano, s?.cpuUsageNanoCores);
        cpuNs = add(cpuNs, s?.cpuUsageCoreNanoSeconds);
        ws = add(ws, s?.memoryWorkingSetBytes);
        rss = add(rss, s?.memoryRssBytes);
        const cpu = s ? { time, usageNanoCores: s.cpuUsageNanoCores, usageCoreNanoSeconds: s.cpuUsageCoreNanoSeconds } : undefined;
        const memory = s ? { time, workingSetBytes: s.memoryWorkingSetBytes, rssBytes: s.memoryRssBytes, usageBytes: s.memoryWorkingSetBytes } : undefined;
        if (cpuAndMemoryOnly) {
          cstats.push({ name: cname, startTime: metaTime(c.createdAt), cpu, memory });
          continue;
        }
        if (c.state === 'Running') {
          if (s?.processCount !== undefined) counted += s.processCount;
          else uncounted.push(c.id);
        }
        const logs = await dirUsage(join(logDir, cname));
        ephemeral = { bytes: ephemeral.bytes + logs.bytes, inodes: ephemeral.inodes + logs.inodes };
        cstats.push({
          name: cname,
          startTime: metaTime(c.createdAt),
          cpu,
          memory,
          rootfs: fsStats(time, nodefs, { bytes: 0, inodes: 0 }),
          logs: fsStats(time, nodefs, logs),
        });
      }
      const podCpu = cpuNano === undefined && cpuNs === undefined ? undefined : { time, usageNanoCores: cpuNano, usageCoreNanoSeconds: cpuNs };
      const podMemory = ws === undefined ? undefined : { time, workingSetBytes: ws, usageBytes: ws, rssBytes: rss };
      if (cpuAndMemoryOnly) {
        out.push({ podRef: { name, namespace: ns, uid }, startTime: pod.status?.startTime ?? m.creationTimestamp, containers: cstats, cpu: podCpu, memory: podMemory });
        continue;
      }
      const volumes: VolumeStats[] = [];
      for (const v of pod.spec?.volumes ?? []) {
        if (!v.emptyDir || v.emptyDir.medium === 'Memory') continue;
        const used = await dirUsage(join(this.o.rootDir, 'pods', uid, 'volumes', 'kubernetes.io~empty-dir', v.name));
        ephemeral = { bytes: ephemeral.bytes + used.bytes, inodes: ephemeral.inodes + used.inodes };
        volumes.push({ name: v.name, ...fsStats(time, nodefs, used)! });
      }
      // Running containers without a cgroup count: their host pids' trees (the process runtime
      // reports them); a container without one counts as one process.
      const pids: number[] = [];
      for (const id of uncounted) {
        const pid = (await this.o.runtime.containerStatus(id).catch(() => undefined))?.pid;
        if (pid) pids.push(pid);
        else counted++;
      }
      const stats: PodStats = {
        podRef: { name, namespace: ns, uid },
        startTime: pod.status?.startTime ?? m.creationTimestamp,
        containers: cstats,
        cpu: podCpu,
        memory: podMemory,
        volume: volumes.length ? volumes : undefined,
        'ephemeral-storage': fsStats(time, nodefs, ephemeral),
        process_stats: { process_count: counted },
      };
      out.push(stats);
      processes.push({ pod: stats, counted, pids });
    }
    // No await from here on: the trees of every pod come from one scan of /proc.
    for (const p of processes) if (p.pids.length) p.pod.process_stats = { process_count: p.counted + this.countProcesses(p.pids) };
    return out;
  }
}
