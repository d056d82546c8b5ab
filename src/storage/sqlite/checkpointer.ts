// A second connection to the database file, on its own thread, that runs WAL checkpoints.
// A checkpoint copies WAL frames into the database file and fsyncs both files; on this kind of
// disk an fsync takes 0.5 ms typically and hundreds of ms at worst, and better-sqlite3 runs
// every statement synchronously, so a checkpoint on the store's connection held the event loop
// (and every writer) for as long. PASSIVE checkpoints take no lock that writers need, so the
// store's connection keeps committing while this thread copies and syncs.
//
// The worker is inline JavaScript (eval) rather than a module file: the one-file build bundles
// src/ into dist/k8ts.mjs and a separate worker file would not be in it. It only loads
// better-sqlite3, whose resolved path the store passes in.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

export interface CheckpointResult {
  /** WAL frames (pages) in the log when the checkpoint ran. */
  log: number;
  /** Frames copied into the database file by this or earlier checkpoints. log === checkpointed: the WAL is fully backfilled. */
  checkpointed: number;
  /** How long the checkpoint ran on the worker thread. */
  ms: number;
  /**
   * Of ms, the time the thread waited for a CPU (run-queue delay, /proc/thread-self/schedstat;
   * 0 where unavailable). ms - waitMs is the checkpoint's own time: its copying and its fsyncs.
   */
  waitMs: number;
  /** Of ms, the thread's CPU time. ms - waitMs - cpuMs is time blocked: the fsyncs, mostly. */
  cpuMs: number;
  /** TRUNCATE only: it could not finish (a writer or reader was in the way). */
  busy: boolean;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = ' + (workerData.fsync ? 'FULL' : 'NORMAL'));
// The checkpointer never writes; it must not checkpoint on close either (the store's connection
// does that, last, when it closes).
db.pragma('wal_autocheckpoint = 0');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
// This thread's run-queue delay, so a slow checkpoint can be told apart from a busy machine.
const fs = require('node:fs');
let schedFd;
try {
  schedFd = fs.openSync('/proc/thread-self/schedstat', 'r');
} catch {}
const schedBuf = Buffer.alloc(128);
// [cpu, run-queue wait] in ms.
const sched = () => {
  if (schedFd === undefined) return [0, 0];
  const n = fs.readSync(schedFd, schedBuf, 0, schedBuf.length, 0);
  const f = schedBuf.toString('latin1', 0, n).split(' ');
  return [Number(f[0]) / 1e6 || 0, Number(f[1]) / 1e6 || 0];
};
const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    db.close();
    if (schedFd !== undefined) fs.closeSync(schedFd);
    parentPort.close();
    return;
  }
  const t0 = performance.now();
  const s0 = sched();
  try {
    const r = (m.type === 'truncate' ? truncate : passive).get();
    const ms = performance.now() - t0;
    const s1 = sched();
    const waitMs = Math.min(ms, s1[1] - s0[1]);
    const cpuMs = Math.min(ms - waitMs, s1[0] - s0[0]);
    parentPort.postMessage({ id: m.id, busy: r.busy, log: r.log, checkpointed: r.checkpointed, ms, waitMs, cpuMs });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});
`;

interface Reply {
  id: number;
  busy?: number;
  log?: number;
  checkpointed?: number;
  ms?: number;
  waitMs?: number;
  cpuMs?: number;
  error?: string;
}

/**
 * Owns the checkpointer thread. Requests are answered in order; at most one runs at a time on
 * the thread. The thread keeps the process alive only while a request is out.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: CheckpointResult): void; reject(err: Error): void }>();
  private failure: Error | undefined;
  private closing = false;
  private readonly exited: Promise<void>;

  constructor(opts: { path: string; fsync: boolean; onFailure(err: Error): void }) {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: opts.path, fsync: opts.fsync, sqlite } });
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      // While closing the thread stays referenced until it has ended: close() awaits its exit.
      if (this.pending.size === 0 && !this.closing) this.worker.unref();
      if (r.error !== undefined) p.reject(new Error(`wal checkpoint: ${r.error}`));
      else p.resolve({ log: r.log ?? 0, checkpointed: r.checkpointed ?? 0, ms: r.ms ?? 0, waitMs: r.waitMs ?? 0, cpuMs: r.cpuMs ?? 0, busy: r.busy === 1 });
    });
    const fail = (err: Error): void => {
      if (this.failure) return;
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (!this.closing) opts.onFailure(err);
    };
    this.worker.on('error', fail);
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        fail(new Error(`checkpointer thread exited (code ${code})`));
        resolve();
      });
    });
  }

  /**
   * Runs one checkpoint on the thread: PASSIVE (writers go on), or TRUNCATE, which takes the
   * write lock: the caller must keep its own connection from writing until it is answered, or
   * that connection would wait for the lock synchronously.
   */
  checkpoint(mode: 'passive' | 'truncate' = 'passive'): Promise<CheckpointResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced while a request is out, so whoever awaits the answer is not left hanging by
      // the process running out of other work.
      this.worker.ref();
      this.worker.postMessage({ type: mode, id });
    });
  }

  /** Closes the thread's connection and waits for the thread to end. */
  async close(): Promise<void> {
    this.closing = true;
    this.worker.ref();
    if (!this.failure) this.worker.postMessage({ type: 'close' });
    await this.exited;
  }
}
