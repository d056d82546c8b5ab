// The node-level readings from the host, as upstream gets them:
// - memory: on cgroup v1 the root memory cgroup's working set (memory.usage_in_bytes −
//   total_inactive_file, floored at 0) against the machine's memory, as cadvisor reports the root
//   container; where that is not readable (cgroup v2 has no memory.current at the root, or no
//   cgroup file system) /proc/meminfo: working set = MemTotal − MemAvailable.
// - file systems: statfs of the path (nodefs = the agent's root dir).
// - pids: min(kernel.pid_max, kernel.threads-max) and the running task count from /proc/loadavg
//   (upstream pkg/kubelet/stats/pidlimit).
// Every reader is synchronous and cheap (a few small files); a failed read yields undefined.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { FsReading, MemoryReading, NodeSignals } from './types.js';

export interface HostSignalsOptions {
  /** Where /proc is (tests). */
  procDir?: string;
  /** mountinfo to find the cgroup v1 memory hierarchy in. Default PROC/self/mountinfo. */
  mountinfo?: string;
  /** The root memory cgroup directory, overriding the one found in mountinfo ("" = none). */
  memoryCgroupDir?: string;
  /** Machine memory (default os.totalmem()). */
  memoryCapacityBytes?: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The mount point of the cgroup v1 hierarchy that has the memory controller. */
export function memoryCgroupMount(mountinfo: string): string | undefined {
  const text = read(mountinfo);
  if (!text) return undefined;
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const [fsType, , superOpts] = right.split(' ');
    if (fsType === 'cgroup' && (superOpts ?? '').split(',').includes('memory')) return left.split(' ')[4]?.replace(/\\040/g, ' ');
  }
  return undefined;
}

/** Parses "key value" lines (memory.stat) or "Key:   value kB" lines (meminfo). */
function keyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):?\s+(\d+)(\s*kB)?/.exec(line);
    if (m) out.set(m[1], Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

export function cgroupV1Memory(dir: string, capacityBytes: number): MemoryReading | undefined {
  const usage = read(`${dir}/memory.usage_in_bytes`);
  const stat = read(`${dir}/memory.stat`);
  if (usage === undefined || stat === undefined) return undefined;
  const usageBytes = Number(usage.trim());
  if (!Number.isFinite(usageBytes)) return undefined;
  const s = keyed(stat);
  const inactiveFile = s.get('total_inactive_file') ?? s.get('inactive_file') ?? 0;
  return { capacityBytes, usageBytes, workingSetBytes: Math.max(0, usageBytes - inactiveFile), rssBytes: s.get('total_rss') ?? s.get('rss') };
}

export function meminfoMemory(procDir: string): MemoryReading | undefined {
  const text = read(`${procDir}/meminfo`);
  if (!text) return undefined;
  const m = keyed(text);
  const total = m.get('MemTotal');
  const available = m.get('MemAvailable');
  if (total === undefined || available === undefined) return undefined;
  return { capacityBytes: total, workingSetBytes: Math.max(0, total - available), usageBytes: total - (m.get('MemFree') ?? available) };
}

export function statfsReading(path: string): FsReading | undefined {
  try {
    const s = statfsSync(path);
    const bsize = Number(s.bsize);
    const capacityBytes = Number(s.blocks) * bsize;
    return {
      capacityBytes,
      // bavail: what an unprivileged writer can still use, as cadvisor's Available.
      availableBytes: Number(s.bavail) * bsize,
      usedBytes: (Number(s.blocks) - Number(s.bfree)) * bsize,
      inodes: Number(s.files),
      inodesFree: Number(s.ffree),
    };
  } catch {
    return undefined;
  }
}

export function pidLimits(procDir: string): { maxPid: number; running: number } | undefined {
  let maxPid = -1;
  for (const f of ['sys/kernel/pid_max', 'sys/kernel/threads-max']) {
    const n = Number(read(`${procDir}/${f}`)?.trim());
    if (Number.isFinite(n) && n > 0 && (maxPid === -1 || n < maxPid)) maxPid = n;
  }
  // "1.36 3.49 4.53 2/3518 3715089": the fourth field is running/total tasks.
  const total = Number(read(`${procDir}/loadavg`)?.split(/\s+/)[3]?.split('/')[1]);
  if (maxPid < 0 || !Number.isFinite(total)) return undefined;
  return { maxPid, running: total };
}

function cpuNanoSeconds(procDir: string): number | undefined {
  const line = read(`${procDir}/stat`)?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const f = line.split(/\s+/).slice(1).map(Number);
  // user nice system (irq softirq steal) in USER_HZ (100 on every Linux we run on).
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
  return busy * 1e7;
}

export function hostNodeSignals(opts: HostSignalsOptions = {}): NodeSignals {
  const proc = opts.procDir ?? '/proc';
  const capacity = opts.memoryCapacityBytes ?? totalmem();
  const cgroupDir = opts.memoryCgroupDir ?? memoryCgroupMount(opts.mountinfo ?? `${proc}/self/mountinfo`);
  return {
    memory: () => (cgroupDir ? cgroupV1Memory(cgroupDir, capacity) : undefined) ?? meminfoMemory(proc),
    fs: statfsReading,
    rlimit: () => pidLimits(proc),
    cpuNanoSeconds: () => cpuNanoSeconds(proc),
  };
}

/**
 * Counts the processes in the trees rooted at `pids` (each pid and its descendants): a pod's
 * process count for pid-pressure ranking when containers have no pids cgroup. The parent map
 * comes from one scan of /proc, reused for `maxAgeMs` so that one stats round (every pod) scans
 * the machine's processes once, not once per pod.
 */
export function processTreeCounter(procDir = '/proc', maxAgeMs = 1000): (pids: number[]) => number {
  let cached: { at: number; children: Map<number, number[]> } | undefined;
  const scan = (): Map<number, number[]> | undefined => {
    const now = Date.now();
    if (cached && now - cached.at < maxAgeMs) return cached.children;
    const children = new Map<number, number[]>();
    let names: string[];
    try {
      names = readdirSync(procDir);
    } catch {
      return undefined;
    }
    for (const n of names) {
      if (!/^\d+$/.test(n)) continue;
      const stat = read(`${procDir}/${n}/stat`);
      // "pid (comm) state ppid …" — comm may hold spaces and parentheses: split after the last ")".
      const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
      if (!Number.isFinite(ppid)) continue;
      const list = children.get(ppid) ?? [];
      list.push(Number(n));
      children.set(ppid, list);
    }
    cached = { at: now, children };
    return children;
  };
  return (pids) => {
    if (pids.length === 0) return 0;
    const children = scan();
    if (!children) return pids.length;
    const seen = new Set<number>();
    const stack = [...pids];
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      stack.push(...(children.get(p) ?? []));
    }
    return seen.size;
  };
}
