// Runs bin/k8ts as a child process for CLI tests: waits for a line on stdout, or for exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const K8TS_BIN = fileURLToPath(new URL('../../bin/k8ts', import.meta.url));

export interface K8tsProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching re; rejects if the process exits first. */
  waitForLine(re: RegExp): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or 128+signal number style name when killed). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** direct: run bin/k8ts as a program (its shebang picks node and the node flags), not through this node. */
export function startK8ts(args: string[], env: NodeJS.ProcessEnv = {}, opts: { direct?: boolean } = {}): K8tsProcess {
  const child = spawn(opts.direct ? K8TS_BIN : process.execPath, opts.direct ? args : [K8TS_BIN, ...args], {
    env: { ...process.env, K8TS_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const waitForLine = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        for (const line of out.split('\n').slice(0, -1)) {
          const m = line.match(re);
          if (m) {
            child.stdout!.off('data', check);
            resolve(m);
            return;
          }
        }
      };
      child.stdout!.on('data', check);
      check();
      exited.then(({ code, signal }) =>
        reject(new Error(`k8ts exited (code ${code}, signal ${signal}) before printing ${re}\nstdout:\n${out}\nstderr:\n${err}`)),
      );
    });
  return { child, stdout: () => out, stderr: () => err, waitForLine, exited };
}

/** Runs k8ts to completion. */
export async function runK8ts(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startK8ts(args, env);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}
