// The kubelet's stats API (upstream k8s.io/kubelet/pkg/apis/stats/v1alpha1): what /stats/summary
// serves and what the eviction manager observes. Field names are the JSON names upstream uses
// ("ephemeral-storage", "maxpid", "curproc", "process_stats"), so the body is read unchanged by
// metrics-server and `kubectl get --raw /api/v1/nodes/N/proxy/stats/summary` users.
// Times are RFC 3339 strings; byte and inode counts are plain numbers.

export interface CpuStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

export interface RlimitStats {
  time: string;
  /** kernel.pid_max (or threads-max, the smaller). */
  maxpid?: number;
  /** Tasks running on the node. */
  curproc?: number;
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu?: CpuStats;
  memory?: MemoryStats;
  rootfs?: FsStats;
  logs?: FsStats;
}

export interface VolumeStats extends FsStats {
  name: string;
}

export interface PodReference {
  name: string;
  namespace: string;
  uid: string;
}

export interface PodStats {
  podRef: PodReference;
  startTime?: string;
  containers: ContainerStats[];
  cpu?: CpuStats;
  memory?: MemoryStats;
  volume?: VolumeStats[];
  'ephemeral-storage'?: FsStats;
  process_stats?: { process_count?: number };
}

export interface NodeStats {
  nodeName: string;
  startTime?: string;
  cpu?: CpuStats;
  memory?: MemoryStats;
  fs?: FsStats;
  runtime?: { imageFs?: FsStats; containerFs?: FsStats };
  rlimit?: RlimitStats;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/** Where the eviction manager gets its stats from (upstream stats.SummaryProvider). */
export interface SummaryProvider {
  get(): Promise<Summary>;
}

/** Node memory as the kernel reports it: capacity and the working set (usage − inactive file). */
export interface MemoryReading {
  capacityBytes: number;
  workingSetBytes: number;
  usageBytes?: number;
  rssBytes?: number;
}

export interface FsReading {
  capacityBytes: number;
  availableBytes: number;
  usedBytes: number;
  inodes: number;
  inodesFree: number;
}

/**
 * The node-level readings (upstream cadvisor + pidlimit): host readers in production
 * (host-signals.ts), a plain object in tests so that pressure is provoked without filling a disk.
 * Each returns undefined when the reading is unavailable (no signal is then observed).
 */
export interface NodeSignals {
  memory(): MemoryReading | undefined;
  /** The file system holding `path` (statfs). */
  fs(path: string): FsReading | undefined;
  rlimit(): { maxPid: number; running: number } | undefined;
  /** Cumulative CPU time of the node in ns (for cpu.usageCoreNanoSeconds). */
  cpuNanoSeconds?(): number | undefined;
}
