// What the process runtime persists under its rootDir, so that a restarted agent knows its sandboxes
// and containers (including those that ended while it was down):
//   ROOT/sandboxes/ID.json            a SandboxRecord
//   ROOT/containers/ID/container.json a ContainerRecord, plus the shim's files (see shim.ts)
//   ROOT/ipam.json                    the pod IP allocator's cursor
//   ROOT/resolv/HASH.conf             resolv.conf files, shared by the containers that get the same one
//   ROOT/bin/shim.sh                  the shim script
// Records are written whole (see JsonWriter), mode 0600 (a container's env may hold secrets).
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
  /**
   * With namespaceOptions.pid 'pod' (and namespaces): pid 1 of the pod's PID namespace (a
   * `sleep infinity`, see runtime.ts) and its /proc start time, to tell it from a later process.
   */
  pidHolder?: { pid: number; startTime: string };
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
  /**
   * In a PID namespace other than the host's — its own, the pod's or a target container's (then
   * `pid` is unshare's and the program is its child).
   */
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

/**
 * Writes records off the event loop: whole (a temp file, then rename), one write at a time per
 * file, so the last value written is the last value given (a value given while a write is in
 * flight replaces any older queued one). A write whose directory is gone (the record was removed)
 * is dropped; it never creates the directory again.
 *
 * Off the event loop because creating a file is the expensive part of a write (on ext4 ~100 µs of
 * kernel time for the inode, which a pool thread spends instead of the main thread).
 *
 * `fresh`: the file is new (the first write of a record under a new id): it is written in place,
 * without the temp file and the rename. A crash in the middle leaves a torn file that readJson
 * rejects, which is the same as a crash just before the write (there is no older record to keep).
 */
export class JsonWriter {
  private readonly files = new Map<string, { running: Promise<void>; next?: string; fresh: boolean }>();
  private seq = 0;

  write(file: string, value: unknown, fresh = false): Promise<void> {
    const text = JSON.stringify(value);
    const q = this.files.get(file);
    if (q) {
      q.next = text;
      return q.running;
    }
    const entry: { running: Promise<void>; next?: string; fresh: boolean } = { running: Promise.resolve(), next: text, fresh };
    this.files.set(file, entry);
    entry.running = (async () => {
      try {
        while (entry.next !== undefined) {
          const t = entry.next;
          entry.next = undefined;
          if (entry.fresh) {
            entry.fresh = false;
            try {
              await fs.promises.writeFile(file, t, { mode: 0o600, flag: 'wx' });
              continue;
            } catch (err) {
              const code = (err as NodeJS.ErrnoException).code;
              if (code === 'ENOENT') continue;
              if (code !== 'EEXIST') throw err;
              // Not new after all: replaced whole, below.
            }
          }
          const tmp = `${file}.${++this.seq}.tmp`;
          try {
            await fs.promises.writeFile(tmp, t, { mode: 0o600 });
            await fs.promises.rename(tmp, file);
          } catch (err) {
            await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
        }
      } finally {
        this.files.delete(file);
      }
    })();
    return entry.running;
  }

  /** Drops a queued write of `file` and waits for the one in flight (before removing the record). */
  async forget(file: string): Promise<void> {
    const q = this.files.get(file);
    if (!q) return;
    q.next = undefined;
    await q.running.catch(() => undefined);
  }
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

// The same reads off the event loop, for the start path.

export async function processStartTimeAsync(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.promises.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
