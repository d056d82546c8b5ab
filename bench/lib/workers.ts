// Forks load worker processes and talks to them over IPC: hand out a task, wait for messages.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monoMs } from './clock.js';
import type { ClosedLoopResult, OpenLoopResult, OrchestratorMessage, Task, WorkerMessage } from './tasks.js';

const workerPath = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

export interface Worker {
  pid: number;
  send(m: OrchestratorMessage): void;
  /** Resolves with the next message matching `accept`; rejects on a worker error, exit or timeout. */
  next(accept: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage>;
  kill(): void;
}

export function forkWorker(): Worker {
  const child: ChildProcess = fork(workerPath, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: WorkerMessage[] = [];
  const waiters = new Set<() => void>();
  let exited = false;
  child.on('message', (m: WorkerMessage) => {
    inbox.push(m);
    for (const w of waiters) w();
  });
  child.on('exit', () => {
    exited = true;
    for (const w of waiters) w();
  });
  return {
    pid: child.pid ?? 0,
    send: (m) => child.send(m),
    next: (accept, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const err = inbox.findIndex((m) => m.type === 'error');
          if (err >= 0) {
            done();
            reject(new Error(`load worker failed: ${(inbox[err] as { message: string }).message}`));
            return;
          }
          const i = inbox.findIndex(accept);
          if (i >= 0) {
            done();
            resolve(inbox.splice(i, 1)[0]);
          } else if (exited) {
            done();
            reject(new Error('load worker exited'));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`load worker: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/** Between the last worker's 'ready' and the common start: enough for the IPC message to land. */
const startMarginMs = 50;

/**
 * Forks one worker per task, waits until each has prepared, starts them together (onStart is
 * called at that moment), and returns their results; always kills the workers.
 */
export async function runOnWorkers<R extends ClosedLoopResult | OpenLoopResult>(tasks: Task[], timeoutMs: number, onStart?: () => void): Promise<R[]> {
  const workers = tasks.map(() => forkWorker());
  try {
    await Promise.all(workers.map((w) => w.next((m) => m.type === 'hello', 30_000)));
    tasks.forEach((task, i) => workers[i].send({ type: 'task', task }));
    await Promise.all(workers.map((w) => w.next((m) => m.type === 'ready', 60_000)));
    const startAt = monoMs() + startMarginMs;
    for (const w of workers) w.send({ type: 'start', startAt });
    if (onStart) setTimeout(onStart, startMarginMs);
    const msgs = await Promise.all(workers.map((w) => w.next((m) => m.type === 'result', timeoutMs)));
    return msgs.map((m) => (m as unknown as { result: R }).result);
  } finally {
    for (const w of workers) w.kill();
  }
}
