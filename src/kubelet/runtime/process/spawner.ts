// Starts container shims from a small long-lived helper process instead of the agent's own.
//
// Why: child_process.spawn forks the calling process, and the agent usually shares its process with
// the API server, controllers and scheduler (`k8ts up`, ~150–200 MB): each fork copies its page
// tables, and libuv blocks the event loop until the child has exec'd — on a busy machine tens of
// milliseconds per container, during which no API request is served. (A Node helper would only move
// that wait: it too blocks until each child has exec'd, so a burst of starts is served one by one.)
//
// The helper is a loop of /bin/sh (SPAWNER_SCRIPT), started once, on the first pod. It reads
// container directories, one a line, and starts each one's DIR/launch script in the background:
// forking a 1 MB shell costs little and does not wait for anything. The launch script, written by
// the runtime, records the shim's pid in DIR/shim and execs the shim with the container's exact
// environment (env -i). When a shim ends, the background job that waited for it prints
// "exit DIR", so the runtime learns of the end without polling. The runtime learns that the
// container started from DIR/pid, which the shim writes (see shim.ts).
//
// Lifetime: the helper runs in its own session (a Ctrl-C on the agent's terminal does not reach it)
// and exits when its stdin closes — the agent closed the runtime or ended. The shims are in their own
// sessions and outlive it, so an agent restart adopts them; only the exit report is lost, and the
// runtime then polls exit files as for any adopted container.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../../util/log.js';
import { shellQuote } from './exec.js';

// dash reaps finished background jobs when the loop goes round; a job that waits for a shim is one
// idle shell until the shim ends.
export const SPAWNER_SCRIPT = `while IFS= read -r d; do
  { /bin/sh "$d/launch" </dev/null >/dev/null 2>&1; echo "exit $d"; } &
done
`;

/** The DIR/launch script: records the shim's pid in DIR/shim, then becomes the shim with exactly `env`. */
export function launchScript(dir: string, envPath: string, env: Record<string, string>, argv: string[]): string {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return `echo $$ > ${shellQuote([path.join(dir, 'shim')])}\nexec ${shellQuote([envPath, '-i', '--', ...assignments, ...argv])}\n`;
}

export interface SpawnHandle {
  /** Whether the helper will still report this shim's end (false once it did or the helper died). */
  readonly reporting: boolean;
}

export class Spawner {
  private child?: ChildProcess;
  /** Container dir → its shim's handle and end callback, while the helper may report it. */
  private readonly running = new Map<string, { handle: { reporting: boolean }; onExit(): void }>();
  private closed = false;

  constructor(
    /** Where the helper script is written (the runtime's bin directory). */
    private readonly scriptPath: string,
    private readonly log?: Logger,
  ) {}

  /**
   * Starts DIR/launch (written by the caller) in the background; `onExit` is called when the shim
   * ends, if the helper is still there to see it. Returns at once: the caller waits for DIR/pid.
   */
  spawn(dir: string, onExit: () => void): SpawnHandle {
    if (this.closed) throw new Error('the runtime is closed');
    if (dir.includes('\n')) throw new Error(`container directory with a newline: ${JSON.stringify(dir)}`);
    const child = this.helper();
    const handle = { reporting: true };
    this.running.set(dir, { handle, onExit });
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

  private exited(dir: string): void {
    const r = this.running.get(dir);
    if (!r) return;
    this.running.delete(dir);
    r.handle.reporting = false;
    r.onExit();
  }

  /** The helper is gone: started shims are no longer reported. */
  private lost(): void {
    for (const r of this.running.values()) r.handle.reporting = false;
    this.running.clear();
  }
}
