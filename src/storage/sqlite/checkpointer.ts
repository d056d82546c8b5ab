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
import { closeSync, openSync } from 'node:fs';
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
// A restart window's checkpoints ("window": the one before it, while writes are spaced out, and
// the one in it, while they are held) are what writers wait for, and their time is mostly the
// two syncs. SQLite's are fsync() (this build has no fdatasync), and an fsync of a file whose
// mtime changed also commits the file system's journal (a single-page sync here: fsync 2.1 ms,
// fdatasync 1.2 ms, median). So these run with synchronous=OFF and make the same two syncs
// themselves, in SQLite's order, with fdatasync: the WAL before any frame is copied (a page must
// not reach the database file before the frame it came from is durable), the database file
// before the WAL may restart (frames must not be overwritten before their pages are durable).
// Two things keep that order even if writes resume meanwhile (a window that timed out), which
// SQLite's syncs get from running inside the checkpoint:
// - A read transaction on a second connection ("pin"), begun before the WAL sync and ended after
//   the database sync. A checkpoint copies no frame past an open reader's snapshot, so it copies
//   only frames the WAL sync covers; and no writer can restart the WAL while a reader holds a
//   snapshot of it (a restart needs every reader slot free), so nothing is overwritten before
//   the database sync.
// - Both hold only for a reader of the WAL: a reader that begins while every frame is already
//   copied reads the database file alone and pins nothing. So this path runs only when the
//   wal-index (the -shm file; layout in SQLite's file format docs) shows frames not yet copied
//   (nBackfill < mxFrame). That stays true until a checkpoint copies them, and only this thread
//   checkpoints, so it still holds when the pin begins. Otherwise there is nothing to copy, and
//   SQLite's own checkpoint (with its syncs) runs, for commits that may have come meanwhile.
// Other checkpoints keep SQLite's syncs: nobody waits for them, and the pin costs CPU.
// The store opens the three fds and closes them after its own connection: closing any fd of
// these files drops this process's POSIX locks on them, SQLite's included.
const { walFd, dbFd, shmFd } = workerData.fds ?? {};
const syncOff = db.prepare('PRAGMA synchronous = OFF');
const syncOn = db.prepare('PRAGMA synchronous = ' + (workerData.fsync ? 'FULL' : 'NORMAL'));
const pin = new Database(workerData.path, { fileMustExist: true });
pin.pragma('wal_autocheckpoint = 0');
const pinRead = pin.prepare('SELECT count(*) FROM sqlite_master');
const shmBuf = Buffer.alloc(4);
const le = require('node:os').endianness() === 'LE';
const shmU32 = (offset) => {
  if (fs.readSync(shmFd, shmBuf, 0, 4, offset) !== 4) return 0;
  return le ? shmBuf.readUInt32LE(0) : shmBuf.readUInt32BE(0);
};
// nBackfill (WalCkptInfo, at 96) read before mxFrame (the first WalIndexHdr copy, at 16): see above.
const framesToCopy = () => {
  if (shmFd === undefined) return false;
  const nBackfill = shmU32(96);
  return shmU32(16) > nBackfill;
};
const ownSyncs = () => {
  pin.exec('BEGIN');
  try {
    pinRead.get();
    fs.fdatasyncSync(walFd);
    syncOff.run();
    let r;
    try {
      r = passive.get();
    } finally {
      syncOn.run();
    }
    fs.fdatasyncSync(dbFd);
    return r;
  } finally {
    pin.exec('COMMIT');
  }
};
const run = (type) => {
  if (type === 'truncate') return truncate.get();
  return type === 'window' && framesToCopy() ? ownSyncs() : passive.get();
};
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    pin.close();
    db.close();
    if (schedFd !== undefined) fs.closeSync(schedFd);
    parentPort.close();
    return;
  }
  const t0 = performance.now();
  const s0 = sched();
  try {
    const r = run(m.type);
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

interface SyncTargets {
  walFd: number;
  dbFd: number;
  shmFd: number;
}

/**
 * Read-only fds of the three files, or undefined if one is missing (the thread then uses SQLite's
 * syncs); opened gets every fd opened either way, for closeFiles.
 */
function openSyncTargets(path: string, opened: number[]): SyncTargets | undefined {
  try {
    for (const p of [`${path}-wal`, path, `${path}-shm`]) opened.push(openSync(p, 'r'));
    return { walFd: opened[0], dbFd: opened[1], shmFd: opened[2] };
  } catch {
    return undefined;
  }
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
  /** Of the database, -wal and -shm files, for the thread's own syncs (see the worker source). */
  private readonly openFds: number[] = [];

  constructor(opts: { path: string; fsync: boolean; onFailure(err: Error): void }) {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const fds = openSyncTargets(opts.path, this.openFds);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: opts.path, fsync: opts.fsync, sqlite, fds } });
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
   * Runs one checkpoint on the thread: PASSIVE (writers go on); PASSIVE for a restart window,
   * with cheaper syncs (see the worker source); or TRUNCATE, which takes the write lock: the
   * caller must keep its own connection from writing until it is answered, or that connection
   * would wait for the lock synchronously.
   */
  checkpoint(mode: 'passive' | 'window' | 'truncate' = 'passive'): Promise<CheckpointResult> {
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

  /**
   * Closes the files the thread synced. Only once no connection to the database is open in this
   * process (the store's included): closing them drops the process's locks on these files.
   */
  closeFiles(): void {
    for (const fd of this.openFds.splice(0)) closeSync(fd);
  }

  /** Closes the thread's connection and waits for the thread to end (see closeFiles for the files). */
  async close(): Promise<void> {
    this.closing = true;
    this.worker.ref();
    if (!this.failure) this.worker.postMessage({ type: 'close' });
    await this.exited;
  }
}
