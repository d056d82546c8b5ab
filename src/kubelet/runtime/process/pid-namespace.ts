// Shared PID namespaces of the process runtime (CRI NamespaceOption.pid POD and TARGET).
//
// A container normally gets its own PID namespace (`unshare --pid --fork --mount-proc`: the program
// is its pid 1). A container that shares one is started as
//   nsenter --target NSPID --pid --no-fork -- unshare --mount --uts --ipc --fork --mount-proc --kill-child INIT…
// nsenter (--no-fork) only sets the namespace its children are born in and execs unshare, so the
// process tree is the same as with a namespace of its own: `pid` (the shim's child, the process
// group leader) is unshare, in the host's namespace, which ignores SIGTERM/SIGINT while it waits;
// the program is its only child (PR_SET_PDEATHSIG through --kill-child), born in the shared
// namespace, where it mounts a fresh /proc — so /proc lists every process of that namespace. The
// program is not pid 1 there: as in a real pod that shares its namespace, SIGTERM ends it unless
// it handles it. Exit and kill tracking are unchanged (the shim waits for unshare, which reports
// its child's status; a stop signals unshare's process group).
//
// TARGET (an ephemeral container's targetContainerName): NSPID is the target's program. Should the
// target end, its namespace's pid 1 is gone and the kernel kills the debug container too, as with
// containerd.
//
// POD (shareProcessNamespace): NSPID is a holder, `sleep infinity` as pid 1 of a namespace of its
// own (`unshare --pid --fork --kill-child`), started with the sandbox and killed when it stops —
// what pause is to containerd. Why a holder rather than the first container's namespace: the
// namespace ends with its pid 1, so a first container that exits or restarts would kill every other
// container of the pod; and upstream's containers all see a pid 1 that is not theirs. (Unlike
// pause, sleep does not reap orphans re-parented to it: an orphan's zombie stays until the pod
// stops.) The holder runs in its own session, outlives an agent restart (its pid and start time are
// in the sandbox record) and sits in the agent's cgroup, not the pod's; it is forked from the agent
// once per such pod (a rare feature), not through the spawner.
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { childPids, processAlive, processStartTime } from './state.js';

export interface PidHolder {
  /** Host pid of the namespace's pid 1. */
  pid: number;
  startTime: string;
}


/** Starts a holder of a new PID namespace; resolves once its pid 1 runs. */
export async function startPidHolder(tools: { unshare: string; sleep: string }, timeoutMs = 5000): Promise<PidHolder> {
  const child = spawn(tools.unshare, ['--pid', '--fork', '--kill-child', tools.sleep, 'infinity'], { detached: true, stdio: 'ignore', env: {} });
  child.unref();
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the PID namespace holder ended (${signal ?? code})`)));
  });
  failed.catch(() => undefined);
  const unsharePid = child.pid;
  if (unsharePid === undefined) return failed;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    const pid = childPids(unsharePid)[0];
    const startTime = pid === undefined ? undefined : processStartTime(pid);
    if (pid !== undefined && startTime !== undefined && isSleep(pid)) return { pid, startTime };
    if (Date.now() > deadline) {
      killPid(unsharePid);
      throw new Error('timed out waiting for the PID namespace holder');
    }
    await Promise.race([sleep(wait), failed]);
  }
}

/** Whether the process runs sleep (unshare's child is unshare's copy until it has exec'd). */
function isSleep(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
  } catch {
    return false;
  }
}

/** Whether the holder is still the process that was started. */
export function pidHolderAlive(h: PidHolder): boolean {
  return processStartTime(h.pid) === h.startTime && processAlive(h.pid);
}

/** Kills the holder (and so every process left in its namespace). */
export function stopPidHolder(h: PidHolder): void {
  if (processStartTime(h.pid) === h.startTime) killPid(h.pid);
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
