// Starts container shims from a small long-lived helper process instead of the agent's own.
//
// Why: child_process.spawn forks the calling process, and the agent usually shares its process with
// the API server, controllers and scheduler (`k8ts up`, ~150–200 MB): each fork copies its page
// tables, and libuv blocks the event loop until the child has exec'd — on a busy machine tens of
// milliseconds per container, during which no API request is served. (A Node helper would only move
// that wait: it too blocks until each child has exec'd, so a burst of starts is served one by one.)
//
// The helper is a loop of /bin/sh (SPAWNER_SCRIPT), started once, on the first pod. It reads
// container directories, one a line, and for each starts a background job that runs DIR/launch in
// a subshell — sourced, not run by a new sh: every exec of a program costs milliseconds of CPU, and
// a hundred pods started at once are a thousand processes, so the shim (shim.ts) is that subshell
// itself, a fork of the 1 MB helper. The launch script, written by the runtime, sets the shim's
// inputs (DIR, the container's argv and `cenv`, which exports the container's exact environment
// in the shim's subshell just before it execs argv: the shim itself runs with the helper's empty
// one; see launchScript) and sources the shim script.
//
// The helper reports on its stdout, one line each: "start DIR SHIMPID PID" (from the shim, on fd 4,
// once the program is forked) and "exit DIR" (when the shim ends, however it ends). So the runtime
// learns of a start and an end without polling a file.
//
// Lifetime: the helper runs in its own session (a Ctrl-C on the agent's terminal does not reach it)
// and exits when its stdin closes — the agent closed the runtime or ended. The shims are in their own
// sessions and outlive it, so an agent restart adopts them; only the reports are lost, and the
// runtime then polls exit files as for any adopted container.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../../util/log.js';
import { shellQuote } from './exec.js';
import { processStartTime } from './state.js';

// dash reaps finished background jobs when the loop goes round; a job that waits for a shim is one
// idle shell until the shim ends. A launch script that cannot be read ends only its subshell, so its
// end is still reported. fd 4 of the shim is the report pipe (the shim closes it for the program).
export const SPAWNER_SCRIPT = `while IFS= read -r d; do
  { ( . "$d/launch" ) 4>&1 </dev/null >/dev/null 2>&1; echo "exit $d"; } &
done
`;

/** A variable name the shell can export (POSIX: letters, digits, underscore, not a digit first). */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The DIR/launch script, sourced by the helper's subshell: writes `files` into DIR (the init
 * script's inputs: written by the shim with the shell's printf, so that each costs the agent no file
 * creation of its own; a failed write ends the launch before the program starts), sets the shim's
 * inputs and sources the shim script (shim.ts), which puts the program into the cgroups of
 * `cgroupProcs` (cgroup.procs files) and runs `argv` with exactly `env`.
 *
 * The environment: the shim's subshell runs with the helper's empty one (dash adds only PWD, which
 * the init scripts drop), so when every name is one the shell can export, the launch script
 * defines `cenv`, a function that exports them, and the subshell calls it just before it execs
 * argv — a process less per start than `env -i` (each exec costs milliseconds of CPU when a
 * hundred pods start at once). Other names (Kubernetes allows any printable name without '=')
 * go through `envPath -i`, as does an argv[0] that the container's PATH would have to find.
 */
export function launchScript(dir: string, shimPath: string, envPath: string, env: Record<string, string>, argv: string[], cgroupProcs: string[] = [], files: Record<string, string> = {}): string {
  if (cgroupProcs.some((f) => f.includes('\n'))) throw new Error(`cgroup path with a newline: ${JSON.stringify(cgroupProcs)}`);
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const writes = Object.entries(files).map(([name, text]) => {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`launch file name ${JSON.stringify(name)}`);
    return `printf '%s' ${shellQuote([text])} > "$d/${name}" || exit 125\n`;
  });
  const exported = argv[0]?.startsWith('/') && Object.keys(env).every((k) => SHELL_NAME.test(k));
  // `export` without operands would list the variables instead: an empty env is `:`.
  const cenv = exported && assignments.length > 0 ? `export ${shellQuote(assignments)}` : ':';
  const args = exported ? argv : [envPath, '-i', '--', ...assignments, ...argv];
  return `d=${shellQuote([dir])}\n${writes.join('')}cgroups=${shellQuote([cgroupProcs.join('\n')])}\ncenv() { ${cenv}; }\nset -- ${shellQuote(args)}\n. ${shellQuote([shimPath])}\n`;
}

/** What the helper reports about one shim. */
export interface SpawnCallbacks {
  /**
   * The shim forked the program (pids as the shim wrote them to DIR/shim and DIR/pid; the shim's
   * start time as /proc/PID/stat gives it, to tell it from a later process with its pid).
   */
  onStart(shim: { pid: number; startTime: string | undefined }, pid: number): void;
  /** The shim ended (after onStart, or instead of it when the launch failed). */
  onExit(): void;
}

export interface SpawnHandle {
  /** Whether the helper will still report this shim's end (false once it did or the helper died). */
  readonly reporting: boolean;
}

export class Spawner {
  private child?: ChildProcess;
  /** Container dir → its shim's handle and callbacks, while the helper may report it. */
  private readonly running = new Map<string, { handle: { reporting: boolean }; callbacks: SpawnCallbacks }>();
  private closed = false;

  constructor(
    /** Where the helper script is written (the runtime's bin directory). */
    private readonly scriptPath: string,
    private readonly log?: Logger,
  ) {}

  /**
   * Starts DIR/launch (written by the caller) in the background; the callbacks are called when the
   * shim reports the start and when it ends, while the helper is still there to see it. Returns at once.
   */
  spawn(dir: string, callbacks: SpawnCallbacks): SpawnHandle {
    if (this.closed) throw new Error('the runtime is closed');
    if (dir.includes('\n')) throw new Error(`container directory with a newline: ${JSON.stringify(dir)}`);
    const child = this.helper();
    const handle = { reporting: true };
    this.running.set(dir, { handle, callbacks });
    child.stdin!.write(`${dir}\n`);
    return {
      get reporting() {
        return handle.reporting;
      },
    };
  }

  /** Starts the helper ahead of the first spawn. */
  warmUp(): void {
    if (!this.closed) this.helper();
  }

  /** Ends the helper (the shims it started keep running). */
  close(): void {
    this.closed = true;
    this.child?.stdin?.end();
    this.lost();
  }

  private helper(): ChildProcess {
    if (this.child) return this.child;
    fs.mkdirSync(path.dirname(this.scriptPath), { recursive: true, mode: 0o700 });
    fs.writeFileSync(this.scriptPath, SPAWNER_SCRIPT, { mode: 0o600 });
    const child = spawn('/bin/sh', [this.scriptPath], { stdio: ['pipe', 'pipe', 'ignore'], detached: true, env: {} });
    this.child = child;
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('exit ')) this.exited(line.slice(5));
        else if (line.startsWith('start ')) this.started(line);
      }
    });
    child.stdin!.on('error', () => {});
    child.on('error', (err) => this.log?.warn({ err }, 'container spawner failed'));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.closed) this.log?.warn({ code, signal }, 'container spawner exited; it is started again for the next container');
      this.lost();
    });
    // The helper never keeps the agent's process alive: it ends with its stdin.
    child.unref();
    (child.stdout as unknown as { unref?(): void }).unref?.();
    (child.stdin as unknown as { unref?(): void }).unref?.();
    return child;
  }

  private started(line: string): void {
    const m = /^start (.*) (\d+) (\d+)$/.exec(line);
    const r = m ? this.running.get(m[1]) : undefined;
    // The shim's start time from /proc now, while it waits for its program (one small read here
    // costs less than the shim's byte-by-byte `read` of its stat line). Undefined if it has ended
    // already: its end is reported next.
    if (m && r) r.callbacks.onStart({ pid: Number(m[2]), startTime: processStartTime(Number(m[2])) }, Number(m[3]));
  }

  private exited(dir: string): void {
    const r = this.running.get(dir);
    if (!r) return;
    this.running.delete(dir);
    r.handle.reporting = false;
    r.callbacks.onExit();
  }

  /** The helper is gone: started shims are no longer reported. */
  private lost(): void {
    for (const r of this.running.values()) r.handle.reporting = false;
    this.running.clear();
  }
}
