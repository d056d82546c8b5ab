// Cgroups for pods and containers, on cgroup v1 (one hierarchy per controller) and v2 (unified).
// Layout as the kubelet's (cgroupfs driver): kubepods/ for Guaranteed pods, kubepods/burstable/ and
// kubepods/besteffort/ for the other QoS classes, one pod<uid>/ per pod and one directory per
// container below it.
//
// Where the tree lives: on v1, below the agent's own cgroup in each hierarchy (so that the limits of
// whatever runs the agent still apply to its pods); on v2, below the root (v2 forbids enabling
// controllers for the children of a cgroup that holds processes, and the agent is in its own).
// `parent` overrides both. When not root, or no cgroup file system is mounted, the manager is
// disabled: every call is a no-op and one line says so.
//
// A created cgroup is described by CgroupPaths (plain JSON, so the runtime can persist it and a
// restarted agent finds its containers' cgroups even if it now runs in another cgroup itself).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../util/log.js';
import type { LinuxResources } from '../runtime/types.js';

export type CgroupMode = 'v1' | 'v2' | 'none';
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** The v1 controllers we use; each may be its own hierarchy or share one (cpu,cpuacct). */
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'] as const;
type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface CgroupPaths {
  mode: 'v1' | 'v2';
  /** v1: controller → absolute directory; v2: { unified: dir }. */
  dirs: Partial<Record<V1Controller | 'unified', string>>;
}

export interface CgroupManagerOptions {
  /** Where the cgroup file systems are mounted are read from this mountinfo (tests). Default /proc/self/mountinfo. */
  mountinfo?: string;
  /** The agent's own cgroups. Default /proc/self/cgroup. */
  selfCgroup?: string;
  /**
   * Cgroup under which kubepods/ is created: absolute ("/k8ts") = that path in every hierarchy;
   * relative ("k8ts-test") = below the agent's own cgroup (v1) or the root (v2). See the file comment.
   */
  parent?: string;
  /** Force the mode (e.g. 'none' to disable). Default: detected. */
  mode?: CgroupMode;
  log?: Logger;
}

/** Upstream MinShares / the cgroup v1 → v2 cpu.weight conversion (runc's ConvertCPUSharesToCgroupV2Value). */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 0;
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** The pod cgroup name for a QoS class, as the kubelet names it. */
export function podCgroupName(qos: QosClass, podUid: string): string {
  const pod = `pod${podUid}`;
  if (qos === 'Guaranteed') return `kubepods/${pod}`;
  return `kubepods/${qos.toLowerCase()}/${pod}`;
}

interface Mount {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function readMounts(file: string): Mount[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mountPoint options [optional...] - fsType source superOptions
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const mountPoint = left.split(' ')[4];
    const [fsType, , superOpts] = right.split(' ');
    out.push({ mountPoint: mountPoint.replace(/\\040/g, ' '), fsType, superOptions: (superOpts ?? '').split(',') });
  }
  return out;
}

function readSelfCgroups(file: string): Map<string, string> {
  const out = new Map<string, string>();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') out.set('unified', m[2]);
    for (const c of m[1].split(',')) if (c) out.set(c, m[2]);
  }
  return out;
}

export class CgroupManager {
  readonly mode: CgroupMode;
  /** v1: controller → directory under which the tree lives; v2: unified → directory. */
  private readonly bases: Partial<Record<V1Controller | 'unified', string>> = {};
  private readonly log?: Logger;
  private readonly ownParent: boolean;

  constructor(opts: CgroupManagerOptions = {}) {
    this.log = opts.log;
    this.ownParent = opts.parent !== undefined && opts.parent !== '' && opts.parent !== '/';
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const mounts = readMounts(opts.mountinfo ?? '/proc/self/mountinfo');
    const self = readSelfCgroups(opts.selfCgroup ?? '/proc/self/cgroup');
    let mode: CgroupMode = 'none';
    const v1 = new Map<V1Controller, string>();
    for (const m of mounts) {
      if (m.fsType !== 'cgroup') continue;
      for (const c of V1_CONTROLLERS) if (m.superOptions.includes(c)) v1.set(c, m.mountPoint);
    }
    const unified = mounts.find((m) => m.fsType === 'cgroup2');
    if (v1.has('memory')) {
      mode = 'v1';
      for (const [c, mountPoint] of v1) {
        const own = self.get(c) ?? '/';
        this.bases[c] = path.join(mountPoint, opts.parent?.startsWith('/') ? opts.parent : path.join(own, opts.parent ?? ''));
      }
    } else if (unified && fs.existsSync(path.join(unified.mountPoint, 'cgroup.controllers'))) {
      const controllers = fs.readFileSync(path.join(unified.mountPoint, 'cgroup.controllers'), 'utf8');
      if (controllers.includes('memory')) {
        mode = 'v2';
        this.bases.unified = path.join(unified.mountPoint, opts.parent ?? '');
      }
    }
    if (opts.mode === 'none') mode = 'none';
    if (mode !== 'none' && !isRoot) {
      this.log?.info('not running as root: pods and containers get no cgroups (no resource limits, no OOM detection)');
      mode = 'none';
    } else if (mode === 'none' && opts.mode !== 'none') {
      this.log?.info('no usable cgroup file system: pods and containers get no cgroups');
    }
    this.mode = mode;
  }

  /**
   * Creates NAME (e.g. kubepods/burstable/pod<uid>/<container>) with its ancestors in every
   * hierarchy and applies the resources; returns where it is, or undefined when disabled.
   * Limits that the kernel refuses (e.g. below current usage) are logged, not thrown.
   */
  create(name: string, resources: LinuxResources = {}): CgroupPaths | undefined {
    if (this.mode === 'none') return undefined;
    const paths: CgroupPaths = { mode: this.mode, dirs: {} };
    for (const [key, base] of Object.entries(this.bases) as [V1Controller | 'unified', string][]) {
      const dir = path.join(base, name);
      if (this.mode === 'v2') this.enableV2Controllers(base, name);
      fs.mkdirSync(dir, { recursive: true });
      paths.dirs[key] = dir;
    }
    this.update(paths, resources);
    return paths;
  }

  /**
   * create() for the pod start path: the same directories and limits, with the directories made
   * through the thread pool, the hierarchies of cgroup v1 in parallel (a cgroupfs mkdir is slow;
   * ~50 µs of kernel time that a pool thread then spends instead of the main thread).
   */
  async createAsync(name: string, resources: LinuxResources = {}): Promise<CgroupPaths | undefined> {
    if (this.mode === 'none') return undefined;
    const paths: CgroupPaths = { mode: this.mode, dirs: {} };
    const entries = Object.entries(this.bases) as [V1Controller | 'unified', string][];
    for (const [key, base] of entries) paths.dirs[key] = path.join(base, name);
    await Promise.all(
      entries.map(async ([key, base]) => {
        if (this.mode === 'v2') await this.enableV2ControllersAsync(base, name);
        await fs.promises.mkdir(paths.dirs[key]!, { recursive: true });
      }),
    );
    // The limits synchronously: a write to an existing cgroupfs file costs less than the three
    // thread-pool round trips (open, write, close) of fs.promises.writeFile.
    this.update(paths, resources);
    return paths;
  }

  /** Writes the resource limits present in `resources`. */
  update(paths: CgroupPaths, resources: LinuxResources): void {
    for (const [dir, file, value] of this.limitWrites(paths, resources)) {
      try {
        fs.writeFileSync(path.join(dir, file), value);
      } catch (err) {
        this.log?.warn({ err, dir, file, value }, 'cannot set cgroup limit');
      }
    }
  }

  /** The [directory, file, value] writes that apply `resources`, in order. */
  private limitWrites(paths: CgroupPaths, r: LinuxResources): [string, string, string][] {
    const out: [string, string, string][] = [];
    const write = (dir: string | undefined, file: string, value: string | number) => {
      if (dir) out.push([dir, file, String(value)]);
    };
    if (paths.mode === 'v1') {
      const d = paths.dirs;
      if (r.cpuShares !== undefined) write(d.cpu, 'cpu.shares', Math.max(2, r.cpuShares));
      if (r.cpuQuota !== undefined && r.cpuQuota > 0) {
        write(d.cpu, 'cpu.cfs_period_us', r.cpuPeriod ?? 100000);
        write(d.cpu, 'cpu.cfs_quota_us', r.cpuQuota);
      }
      if (r.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0) write(d.memory, 'memory.limit_in_bytes', r.memoryLimitBytes);
      if (r.pidsLimit !== undefined && r.pidsLimit > 0) write(d.pids, 'pids.max', r.pidsLimit);
    } else {
      const d = paths.dirs.unified;
      if (r.cpuShares !== undefined) write(d, 'cpu.weight', sharesToWeight(Math.max(2, r.cpuShares)));
      if (r.cpuQuota !== undefined && r.cpuQuota > 0) write(d, 'cpu.max', `${r.cpuQuota} ${r.cpuPeriod ?? 100000}`);
      if (r.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0) {
        write(d, 'memory.max', r.memoryLimitBytes);
        write(d, 'memory.swap.max', 0);
      }
      if (r.pidsLimit !== undefined && r.pidsLimit > 0) write(d, 'pids.max', r.pidsLimit);
    }
    return out;
  }

  // v2: a controller is usable in a cgroup only if every ancestor enabled it in subtree_control.
  private enableV2Controllers(base: string, name: string): void {
    const parts = name.split('/').filter(Boolean);
    let dir = base;
    for (let i = 0; i < parts.length; i++) {
      try {
        fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), '+cpu +memory +pids');
      } catch (err) {
        this.log?.debug({ err, dir }, 'cannot enable cgroup v2 controllers');
      }
      dir = path.join(dir, parts[i]);
      fs.mkdirSync(dir, { recursive: true });
    }
  }

  private async enableV2ControllersAsync(base: string, name: string): Promise<void> {
    const parts = name.split('/').filter(Boolean);
    let dir = base;
    for (let i = 0; i < parts.length; i++) {
      try {
        fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), '+cpu +memory +pids');
      } catch (err) {
        this.log?.debug({ err, dir }, 'cannot enable cgroup v2 controllers');
      }
      dir = path.join(dir, parts[i]);
      await fs.promises.mkdir(dir, { recursive: true });
    }
  }

  /** The base directories of the tree (for tests and diagnostics). */
  baseDirs(): string[] {
    return Object.values(this.bases);
  }

  /**
   * Removes everything this manager may have created (killing what runs there): the `parent`
   * directories when one was given, else kubepods/ (never the agent's own cgroup).
   */
  async removeTree(): Promise<void> {
    if (this.mode === 'none') return;
    const dirs = [...new Set(Object.values(this.bases))].map((d) => (this.ownParent ? d : path.join(d, 'kubepods')));
    for (const dir of dirs) await removeCgroup({ mode: this.mode, dirs: { unified: dir } }, 2000, this.log);
  }
}

/** The files a process writes its pid into to join the cgroup (one per hierarchy). */
export function procsFiles(paths: CgroupPaths | undefined): string[] {
  if (!paths) return [];
  return [...new Set(Object.values(paths.dirs))].map((d) => path.join(d, 'cgroup.procs'));
}

/** Pids in the cgroup (memory hierarchy on v1). */
export function cgroupPids(paths: CgroupPaths | undefined): number[] {
  const dir = paths?.dirs.memory ?? paths?.dirs.unified;
  if (!dir) return [];
  try {
    return fs
      .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function readKeyed(file: string): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const [k, v] = line.trim().split(/\s+/);
      if (k && v !== undefined) out.set(k, Number(v));
    }
  } catch {
    // gone or not supported
  }
  return out;
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** How many times the kernel's OOM killer killed a process of this cgroup (0 when unknown). */
export function oomKillCount(paths: CgroupPaths | undefined): number {
  if (!paths) return 0;
  if (paths.mode === 'v1') {
    const dir = paths.dirs.memory;
    if (!dir) return 0;
    // memory.oom_control has an oom_kill counter since Linux 4.13.
    return readKeyed(path.join(dir, 'memory.oom_control')).get('oom_kill') ?? 0;
  }
  const dir = paths.dirs.unified;
  return dir ? (readKeyed(path.join(dir, 'memory.events')).get('oom_kill') ?? 0) : 0;
}

export interface CgroupStats {
  cpuUsageNs?: number;
  memoryUsageBytes?: number;
  memoryWorkingSetBytes?: number;
  memoryRssBytes?: number;
}

/** CPU time and memory of the cgroup, as cAdvisor computes them (working set = usage − inactive file). */
export function cgroupStats(paths: CgroupPaths | undefined): CgroupStats {
  if (!paths) return {};
  if (paths.mode === 'v1') {
    const d = paths.dirs;
    const usage = d.memory ? readNumber(path.join(d.memory, 'memory.usage_in_bytes')) : undefined;
    const stat = d.memory ? readKeyed(path.join(d.memory, 'memory.stat')) : new Map<string, number>();
    const inactive = stat.get('total_inactive_file') ?? 0;
    return {
      cpuUsageNs: d.cpuacct ? readNumber(path.join(d.cpuacct, 'cpuacct.usage')) : undefined,
      memoryUsageBytes: usage,
      memoryWorkingSetBytes: usage === undefined ? undefined : Math.max(0, usage - inactive),
      memoryRssBytes: stat.get('total_rss'),
    };
  }
  const d = paths.dirs.unified!;
  const usage = readNumber(path.join(d, 'memory.current'));
  const stat = readKeyed(path.join(d, 'memory.stat'));
  const cpu = readKeyed(path.join(d, 'cpu.stat')).get('usage_usec');
  return {
    cpuUsageNs: cpu === undefined ? undefined : cpu * 1000,
    memoryUsageBytes: usage,
    memoryWorkingSetBytes: usage === undefined ? undefined : Math.max(0, usage - (stat.get('inactive_file') ?? 0)),
    memoryRssBytes: stat.get('anon'),
  };
}

/**
 * Removes the cgroup (and any child cgroups), SIGKILLing processes still in it first. Resolves when
 * the directories are gone or after `timeoutMs` (then logs). Safe to call twice.
 */
export async function removeCgroup(paths: CgroupPaths | undefined, timeoutMs = 2000, log?: Logger): Promise<void> {
  if (!paths) return;
  const dirs = [...new Set(Object.values(paths.dirs))];
  const deadline = Date.now() + timeoutMs;
  for (const dir of dirs) {
    for (;;) {
      const leftovers = await rmTree(dir);
      if (leftovers.length === 0) break;
      for (const pid of leftovers) {
        if (pid <= 0) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (Date.now() > deadline) {
        log?.warn({ dir, pids: leftovers }, 'cannot remove cgroup: processes remain');
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

// rmdir depth-first; returns the pids found in directories that could not be removed (-1 for a
// directory that could not be removed although it lists no process: try again). Off the event loop:
// a cgroup directory lists dozens of files in every v1 hierarchy, and stopping 100 pods removes
// hundreds of them.
async function rmTree(dir: string): Promise<number[]> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const e of entries) if (e.isDirectory()) pids.push(...(await rmTree(path.join(dir, e.name))));
  try {
    await fs.promises.rmdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return pids;
    let inside: number[] = [];
    try {
      inside = (await fs.promises.readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
    } catch {
      // vanished
    }
    pids.push(...(inside.length ? inside : [-1]));
  }
  return pids;
}
