// Keeps the -wal file bounded without checkpointing on the event loop.
//
// The store's connection never checkpoints (wal_autocheckpoint = 0): a checkpoint copies pages
// and fsyncs the WAL and the database file, and a single fsync on this disk ranges from 0.5 ms to
// tens of ms when other processes write. Instead, after commits, a PASSIVE checkpoint runs on the
// checkpointer thread (checkpointer.ts) while writers go on. A PASSIVE checkpoint never blocks
// writers, but the WAL only restarts from its first frame when a write transaction begins with
// every frame already copied, and under continuous writes a checkpoint never quite catches up:
// frames committed while it copies and fsyncs are left for the next one. So restarting the WAL
// needs a moment with no commits for exactly one checkpoint, and that checkpoint's two fsyncs
// (WAL, then database file) are the floor of any writer pause a restart costs.
//
// What the keeper does about it:
// - Below limitPages frames, checkpoints run at most every checkpointIntervalMs, each copying
//   what was committed since the last one.
// - From limitPages on, the restart is due and checkpoints run back to back: each one copies only
//   what was committed while the previous one ran, so they shorten until one takes no longer
//   than maxHoldMs (the copying shrinks; the fsyncs stay).
// - Then one more checkpoint runs while the store spaces its write transactions out (at most one
//   per prepareSpacingMs; queued writes share it; no maintenance transactions), so that few
//   frames are committed while it copies and syncs the backlog. Without it the window's
//   checkpoint copied what a whole back-to-back checkpoint let through (100-500 frames in the
//   churn bench), and its two syncs grew with that; with it, ~20 frames.
// - Then a restart window opens: writes are held back (queued, not refused; the event loop keeps
//   serving reads) while one more checkpoint copies the few frames written during the last one;
//   the next write then restarts the WAL. Both of these checkpoints sync with fdatasync instead of
//   SQLite's fsync (see checkpointer.ts). The window closes after maxHoldMs whether or not the
//   checkpoint finished, so a slow fsync costs writers at most maxHoldMs and the keeper tries
//   again later. The first commit after a restart fsyncs the new WAL header (SQLite does that so
//   a reordered write after a restart cannot corrupt the file): one more fsync, on the event loop.
// - Past hardLimitPages the window stays open until its checkpoint finishes: the bound on the
//   file wins over latency. It is reached only while checkpoints stay longer than maxHoldMs (a
//   slow disk, or a checkpointer thread waiting for a CPU on a machine with more runnable
//   threads than cores).
// - While recent windows' checkpoints took longer than maxHoldMs, no window opens before the
//   hard limit (see onResult), so back-to-back checkpoints cannot lead to one: then, until the
//   log is in the last eighth of the stretch from limitPages to hardLimitPages, they run at
//   checkpointIntervalMs, as below the limit. Back to back they ran after nearly every commit,
//   each copying one or two commits and costing the thread two fsyncs and the event loop a
//   message each way: 20-90% of all checkpoints in in-process create storms, the more the
//   fewer writes a commit carries. The last eighth is back to back again, so the hard window's
//   checkpoint copies as little as before.
// Before this, checkpoints ran every 20 ms even when a restart was due; each then copied 20 ms of
// writes and took ~8 ms, never short enough for a window, so every restart waited for the hard
// limit (64 MiB) and held writers for a long catch-up (mean 11 ms) plus a truncation of the
// oversized -wal file in the restarting commit.
//
// When writes stop, truncateIfIdle() checkpoints everything on the thread and then, with writes
// held (no cap: the thread holds the write lock meanwhile), truncates the -wal file to zero on
// the thread too. Truncating a -wal file of tens of MB took 50-300 ms on this machine, which is
// also why the file is not cut back when the WAL restarts under writes (journal_size_limit is
// the hard limit): the file keeps its size while writes go on and is truncated once idle.
//
// Durability is unchanged: a commit reaches the WAL before its write is acknowledged, and WAL
// frames are only overwritten after a checkpoint has copied them into the database file and
// fsynced it (SQLite's own rule; the keeper only chooses when checkpoints run).
import { statSync } from 'node:fs';
import type { Db } from './schema.js';
import { checkpoint } from './compaction.js';
import { Checkpointer, type CheckpointResult } from './checkpointer.js';
import type { StepTimings } from './step-timings.js';

export interface WalKeeperOptions {
  db: Db;
  path: string;
  fsync: boolean;
  /** Frames in the log from which a restart is due (checkpoints back to back, then a window). */
  limitPages: number;
  /** Frames past which a restart window waits for its checkpoint however long it takes. */
  hardLimitPages: number;
  /** Longest a restart window holds writes back. */
  maxHoldMs: number;
  /** Least time between the starts of two checkpoints while writes go on and no restart is due. */
  checkpointIntervalMs: number;
  /** The checkpointer thread starts once the -wal file reaches this size. */
  startBytes: number;
  timings: StepTimings;
  log: (msg: string, fields?: object) => void;
  /** The store must not begin a write transaction (its own maintenance included) until resumeWrites. */
  pauseWrites(): void;
  resumeWrites(): void;
  /**
   * Before a window: at most one write transaction per this many ms (0: none) while the
   * checkpoint that precedes the window runs, and no maintenance transactions meanwhile.
   */
  prepareSpacingMs: number;
  /** The store spaces its write transactions at least ms apart (0: as they come) until called again. */
  spaceWrites(ms: number): void;
}

export function walFileBytes(dbPath: string): number {
  try {
    return statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

export class WalKeeper {
  private checkpointer: Checkpointer | undefined;
  /** The checkpointer thread failed: the store's connection checkpoints for itself again. */
  private failed = false;
  private closed = false;
  /** Commits seen (afterCommit calls); a checkpoint caught up only if none came while it ran. */
  private commits = 0;
  private requestedAt = 0;
  private lastStart = -Infinity;
  private inFlight: Promise<CheckpointResult | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private hold: { started: number; cap: NodeJS.Timeout | undefined; waitMs: number } | undefined;
  private nextHoldAt = 0;
  /** A restart is due: the next checkpoint starts as soon as the last one ends. */
  private chasing = false;
  /** The running checkpoint precedes a window, with the store's writes spaced out (see onResult). */
  private preparing = false;
  /** How long restart windows' checkpoints take lately (moving average, ms). */
  private catchUpMs = 0;
  /** WAL frames in the log at the last checkpoint. */
  private lastLog = 0;
  /**
   * Time the checkpointer thread waited for a CPU during restart windows' checkpoints (writes
   * held), in total: the part of writeHold that was the machine being busy, not the store.
   */
  holdWaitMs = 0;
  /** WAL truncations to zero bytes. */
  truncations = 0;
  /**
   * The last checkpoint copied every frame and no commit came since: the next commit restarts
   * the WAL (and cuts the file back to journal_size_limit), so the store times it separately.
   */
  restartExpected = false;
  /** Restart windows: opened, ended by their checkpoint catching up, ended by maxHoldMs, opened past the hard limit. */
  readonly windows = { opened: 0, caughtUp: 0, timedOut: 0, hard: 0 };

  constructor(private readonly opts: WalKeeperOptions) {
    opts.db.pragma('wal_autocheckpoint = 0');
  }

  /** Call after every transaction the store's connection commits. */
  afterCommit(): void {
    this.commits++;
    this.restartExpected = false;
    this.maybeCheckpoint();
  }

  /**
   * With writes stopped: copies every frame into the database file on the checkpointer thread,
   * then truncates the -wal file to zero. False if a write came in meanwhile (or isIdle says so).
   */
  async truncateIfIdle(isIdle: () => boolean): Promise<boolean> {
    if (this.closed || walFileBytes(this.opts.path) === 0) return false;
    while (this.inFlight) await this.inFlight;
    if (this.closed || !isIdle()) return false;
    if (this.failed) return this.truncate();
    const at = this.commits;
    const r = await this.runCheckpoint('checkpoint');
    // Only a fully backfilled WAL is truncated here: anything else would copy and fsync on the
    // event loop, which is what the thread is for.
    if (!r || this.closed || this.commits !== at || r.log !== r.checkpointed || !isIdle()) return false;
    const cp = this.startCheckpointer();
    if (!cp) return false;
    this.opts.pauseWrites();
    const t0 = performance.now();
    try {
      const t = await cp.checkpoint('truncate');
      if (t.busy) return false;
      this.truncations++;
      return true;
    } catch {
      return false;
    } finally {
      this.opts.timings.add('walTruncate', performance.now() - t0);
      if (!this.hold) this.opts.resumeWrites();
    }
  }

  /** After the store's connection has closed: see Checkpointer.closeFiles. */
  closeFiles(): void {
    this.checkpointer?.closeFiles();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.endPrepare();
    this.endHold();
    while (this.inFlight) await this.inFlight;
    await this.checkpointer?.close();
  }

  private truncate(): boolean {
    const r = this.opts.timings.time('walTruncate', () => checkpoint(this.opts.db, true));
    if (r.busy) return false;
    this.truncations++;
    return true;
  }

  private maybeCheckpoint(): void {
    if (this.inFlight || this.timer || this.closed || this.failed || this.commits === this.requestedAt) return;
    // A store that never writes much never starts the thread.
    if (!this.checkpointer && (this.commits % 16 !== 0 || walFileBytes(this.opts.path) < this.opts.startBytes)) return;
    const wait = this.backToBack() ? 0 : this.lastStart + this.opts.checkpointIntervalMs - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.maybeCheckpoint();
      }, wait);
      this.timer.unref();
      return;
    }
    void this.runCheckpoint();
  }

  /**
   * Whether the next checkpoint starts as soon as the last one ends: a restart is due and a
   * window may follow: a soft one (recent windows' checkpoints fit in one), or, close to the
   * hard limit, the hard one.
   */
  private backToBack(): boolean {
    if (!this.chasing) return false;
    if (this.catchUpMs <= this.opts.maxHoldMs) return true;
    const { limitPages, hardLimitPages } = this.opts;
    return this.lastLog >= hardLimitPages - Math.max(1, (hardLimitPages - limitPages) / 8);
  }

  private runCheckpoint(step: 'checkpoint' | 'prepare' | 'catchUp' = 'checkpoint'): Promise<CheckpointResult | undefined> {
    const cp = this.startCheckpointer();
    if (!cp) return Promise.resolve(undefined);
    const at = (this.requestedAt = this.commits);
    this.lastStart = performance.now();
    const run = cp.checkpoint(step === 'checkpoint' ? 'passive' : 'window').then(
      (r) => {
        this.inFlight = undefined;
        this.opts.timings.add(step, r.ms, r.waitMs, r.cpuMs);
        if (step === 'catchUp') {
          this.catchUpMs = this.catchUpMs === 0 ? r.ms : 0.7 * this.catchUpMs + 0.3 * r.ms;
          if (this.hold) {
            this.hold.waitMs = r.waitMs;
            this.holdWaitMs += r.waitMs;
          }
        }
        this.onResult(r, at);
        return r;
      },
      (err: unknown) => {
        this.inFlight = undefined;
        this.endPrepare();
        this.endHold();
        if (!this.closed) this.opts.log('wal checkpoint failed', { err: String(err) });
        return undefined;
      },
    );
    this.inFlight = run;
    return run;
  }

  private onResult(r: CheckpointResult, at: number): void {
    if (this.closed) return;
    const caughtUp = r.log === r.checkpointed && this.commits === at;
    this.lastLog = r.log;
    if (r.log > 0 && caughtUp) this.restartExpected = true;
    // Due until the WAL has restarted (a caught-up checkpoint: the next commit restarts it).
    this.chasing = r.log >= this.opts.limitPages && !caughtUp;
    if (this.preparing) {
      // The checkpoint before a window: writes were spaced out while it ran, so the window's own
      // checkpoint has only the few commits made meanwhile to copy (and sync). Caught up: the
      // next write restarts the WAL without a window.
      if (this.chasing) {
        this.startHold(r.log >= this.opts.hardLimitPages);
        return;
      }
      this.endPrepare();
    } else if (this.hold) {
      // The window's checkpoint: if no write slipped in, the next write restarts the WAL.
      if (caughtUp) this.windows.caughtUp++;
      this.endHold();
    } else if (this.chasing) {
      const hard = r.log >= this.opts.hardLimitPages;
      // A window only pays when its checkpoint is likely to finish inside it; one that times out
      // holds writers for maxHoldMs for nothing. That checkpoint copies what is committed while
      // this one ran, so this one's duration predicts its copying: if it took more than half a
      // window, the next back-to-back checkpoint will copy less. Its fsyncs are predicted by
      // the recent windows' checkpoints: while the disk is slow, only the hard limit opens one.
      const likely = r.ms <= this.opts.maxHoldMs / 2 && this.catchUpMs <= this.opts.maxHoldMs;
      if (hard || (likely && performance.now() >= this.nextHoldAt)) {
        if (this.opts.prepareSpacingMs > 0) {
          this.preparing = true;
          this.opts.spaceWrites(this.opts.prepareSpacingMs);
          void this.runCheckpoint('prepare');
        } else {
          this.startHold(hard);
        }
        return;
      }
    }
    this.maybeCheckpoint();
  }

  private startHold(hard: boolean): void {
    this.opts.pauseWrites();
    this.endPrepare();
    this.windows.opened++;
    if (hard) this.windows.hard++;
    const cap = hard
      ? undefined
      : setTimeout(() => {
          this.windows.timedOut++;
          this.endHold();
        }, this.opts.maxHoldMs);
    cap?.unref();
    this.hold = { started: performance.now(), cap, waitMs: 0 };
    void this.runCheckpoint('catchUp');
  }

  private endPrepare(): void {
    if (!this.preparing) return;
    this.preparing = false;
    this.opts.spaceWrites(0);
  }

  private endHold(): void {
    const h = this.hold;
    if (!h) return;
    this.hold = undefined;
    if (h.cap) clearTimeout(h.cap);
    const now = performance.now();
    this.opts.timings.add('writeHold', now - h.started, h.waitMs);
    // Writers get at least ten windows' worth of time (at most 100 ms) between two windows.
    this.nextHoldAt = now + Math.min(100, 10 * this.opts.maxHoldMs);
    this.opts.resumeWrites();
  }

  private startCheckpointer(): Checkpointer | undefined {
    if (this.failed || this.closed) return undefined;
    this.checkpointer ??= new Checkpointer({
      path: this.opts.path,
      fsync: this.opts.fsync,
      onFailure: (err) => {
        if (this.closed) return;
        // Bounded WAL first: fall back to checkpoints in the committing transaction.
        this.failed = true;
        this.endHold();
        this.opts.db.pragma(`wal_autocheckpoint = ${this.opts.limitPages}`);
        this.opts.log('wal checkpointer thread failed; checkpointing on the store connection', { err: String(err) });
      },
    });
    return this.checkpointer;
  }
}
