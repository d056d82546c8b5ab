// Running a command in a container of the process runtime: exec probes and hooks (execSync) and
// streaming exec sessions (kubectl exec). The command runs with the container's env and working
// directory, in its cgroups, and — when the container has namespaces — inside them through nsenter.
// With a tty it runs under `script` (util-linux), which gives it a pseudo-terminal without native
// modules; resize sets the pty's size with `stty -F` (the kernel then sends SIGWINCH).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { PassThrough } from 'node:stream';
import type { ExecResult, StreamSession } from '../types.js';
import { childPids } from './state.js';

export interface ExecTarget {
  env: Record<string, string>;
  cwd: string;
  /** Host pid whose namespaces to enter; undefined: no namespaces. */
  nsPid?: number;
  pidNamespace: boolean;
  /** cgroup.procs files to join. */
  cgroupProcs: string[];
}

// Joins the cgroups listed after "--" ... then execs the rest. $0 is the working directory.
// Its one variable has a name of ours: it runs with the container's environment, where an
// assignment to an exported name would change what the command sees.
const JOIN_AND_CD = `_k8ts_wd=$0; while [ "$1" != -- ]; do echo $$ > "$1" 2>/dev/null; shift; done; shift
cd "$_k8ts_wd" 2>/dev/null; unset PWD OLDPWD; exec "$@"`;

/** The argv that runs `cmd` in the target's context. */
export function execArgv(target: ExecTarget, cmd: string[], tools: { nsenter: string }): string[] {
  const inner = ['/bin/sh', '-c', JOIN_AND_CD, target.cwd, ...target.cgroupProcs, '--'];
  if (target.nsPid === undefined) return [...inner, ...cmd];
  const ns = [tools.nsenter, '-t', String(target.nsPid), '-m', '-u', '-i', ...(target.pidNamespace ? ['-p'] : []), '--'];
  // Join the cgroups first (outside), then enter the namespaces; cd happens inside.
  return ['/bin/sh', '-c', JOIN_AND_CD, '/', ...target.cgroupProcs, '--', ...ns, '/bin/sh', '-c', JOIN_AND_CD, target.cwd, '--', ...cmd];
}

export function shellQuote(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}

export function runSync(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            killGroup(child, 'SIGKILL');
          }, timeoutMs)
        : undefined;
    const finish = (exitCode: number) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode, timedOut });
    };
    child.on('error', (e) => {
      err.push(Buffer.from(String(e.message)));
      finish(126);
    });
    child.on('close', (code, signal) => finish(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 0;
}

/** A streaming session for `argv`; with tty, under `script` so it has a pseudo-terminal. */
export function startSession(argv: string[], env: Record<string, string>, opts: { stdin: boolean; tty: boolean; script: string }): StreamSession {
  const full = opts.tty ? [opts.script, '-q', '-f', '-e', '-c', shellQuote(argv), '/dev/null'] : argv;
  const childEnv = opts.tty ? { ...env, TERM: env.TERM ?? 'xterm', SHELL: '/bin/sh' } : env;
  const child = spawn(full[0], full.slice(1), { env: childEnv, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  child.stdout!.pipe(stdout);
  if (opts.tty) child.stderr!.pipe(stdout, { end: false });
  else child.stderr!.pipe(stderr);
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(126));
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
  return {
    stdin: opts.stdin ? child.stdin! : undefined,
    stdout,
    stderr: opts.tty ? undefined : stderr,
    exited,
    kill: () => killGroup(child, 'SIGKILL'),
    resize: (cols, rows) => {
      if (!opts.tty || child.pid === undefined) return;
      void resizePty(child.pid, cols, rows);
    },
  };
}

// The pty slave is the stdin of script's child; wait briefly for that child to exist.
export async function resizePty(scriptPid: number, cols: number, rows: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    for (const pid of childPids(scriptPid)) {
      let tty = '';
      try {
        tty = fs.readlinkSync(`/proc/${pid}/fd/0`);
      } catch {
        continue;
      }
      if (tty.startsWith('/dev/pts/')) {
        spawnSync('stty', ['-F', tty, 'cols', String(cols), 'rows', String(rows)], { stdio: 'ignore' });
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
