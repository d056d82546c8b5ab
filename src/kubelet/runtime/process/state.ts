// What the process runtime persists under its rootDir, so that a restarted agent knows its sandboxes
// and containers (including those that ended while it was down):
//   ROOT/sandboxes/ID.json            a SandboxRecord
//   ROOT/containers/ID/container.json a ContainerRecord, plus the shim's files (see shim.ts)
//   ROOT/ipam.json                    the pod IP allocator's cursor
//   ROOT/bin/shim.sh                  the shim script
// Records are written whole, by rename, mode 0600 (a container's env may hold secrets).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupPaths } from '../../cgroups/cgroups.js';
import type { ContainerConfig, ContainerState, PodSandboxConfig, SandboxState } from '../types.js';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  createdAt: number;
  state: SandboxState;
  /** '' once stopped (the address is released). */
  ip: string;
  /** Cgroup name relative to the cgroup manager's base (containers go below it). */
  cgroupName?: string;
  cgroup?: CgroupPaths;
}

export interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  hostname: string;
  createdAt: number;
  state: ContainerState;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  /** Absolute path of the CRI log. */
  logPath: string;
  /** Whether it runs in its own mount/UTS/IPC(/PID) namespaces. */
  namespaced: boolean;
  /** With its own PID namespace (then `pid` is unshare's and the program is its child). */
  pidNamespace: boolean;
  /** The full environment the program gets. */
  env: Record<string, string>;
  cwd: string;
  cgroup?: CgroupPaths;
  shimPid?: number;
  /** /proc/PID/stat start time of the shim, to tell it from a later process with the same pid. */
  shimStartTime?: string;
  /** Process group leader of the container (setsid'd). */
  pid?: number;
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or undefined when the pid is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** Whether the process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Direct children of a process (Linux /proc/PID/task/PID/children). */
export function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
