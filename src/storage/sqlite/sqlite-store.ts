// The embedded Store: SQLite through better-sqlite3. All database work is synchronous and runs
// on the caller's thread; the async Store methods wrap it so the interface matches the etcd
// backend. This process is the only writer of the file (one store per file), which is what lets
// watch events be delivered in-process right after each commit instead of polling the log.
//
// Group commit: writes are queued and applied on the next turn of the event loop (setImmediate),
// all writes queued by then in one transaction, each with its own revision and its own outcome
// (a failed precondition fails that write only). Promises settle only after COMMIT has returned,
// so "acknowledged" still means "committed"; batching only saves per-transaction work (WAL
// frames for pages several writes touch, the commit itself, and with fsync the flush).
//
// Durability: a write's promise resolves only after its transaction has committed to the WAL.
// With synchronous=NORMAL the commit is a write() into the -wal file without fsync: the data is
// in the OS page cache, so it survives kill -9 / a crash of this process (the durability test
// proves it), but the last commits may be lost on power failure or a kernel crash (the database
// stays consistent). synchronous=FULL adds an fsync per commit and survives power loss at a
// cost of one disk flush per write batch. The default is NORMAL (fsync: false): the embedded
// store serves laptops, CI and tests, where process crashes matter and power loss does not, and
// an fsync per write would cap throughput at the disk's flush rate. Deployments that need
// power-loss durability set fsync: true (or use etcd).
//
// Space: see schema.ts for why live values stay dense. WAL checkpoints (page copies and two
// fsyncs each) run on a second connection on its own thread and never on this one; wal-keeper.ts
// keeps the -wal file near walLimitPages with short, capped write holds that let a checkpoint
// catch up so the WAL restarts, and truncates it to zero, with surplus free pages returned to
// the file system, once writes have stopped for idleCheckpointMs.
//
// Maintenance steps on this connection (compaction batches, vacuum steps) are short synchronous
// transactions with a turn of the event loop between them, so queued writes go in between; the
// compaction batch shrinks when a batch takes longer than maintenanceSliceMs. Every step is timed
// (stats().timings) so a writer stall can be told apart from a descheduled process.
import type Database from 'better-sqlite3';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
} from '../store.js';
import { prefixEnd } from '../keys.js';
import { KIND_CREATE, KIND_DELETE, KIND_UPDATE, getMeta, openDb, setMeta, type Db } from './schema.js';
import { WatchHub } from './watch-hub.js';
import { HistCompactor, incrementalVacuum, pageDemand, pagesToVacuum, spaceInfo, type SpaceInfo } from './compaction.js';
import { StepTimings, runDelayMs, type StepName, type StepTiming } from './step-timings.js';
import { WalKeeper, walFileBytes } from './wal-keeper.js';

export type StoreLog = (msg: string, fields?: object) => void;

export interface SqliteStoreOptions {
  /** The database file; its -wal and -shm files live beside it. */
  path: string;
  log?: StoreLog;
  /** fsync every commit (synchronous=FULL). Default false; see the comment at the top of this file. */
  fsync?: boolean;
  /** Revisions deleted per compaction transaction (each one holds the thread). Default 250 (~1.5 ms for 1 KiB values). */
  compactBatchRows?: number;
  /** Pages returned per incremental_vacuum step (each one holds the thread). Default 32 (~0.5 ms). */
  vacuumStepPages?: number;
  /**
   * After this long without a write, truncate the WAL to zero bytes and return surplus free
   * pages to the file system. Default 1000 ms.
   */
  idleCheckpointMs?: number;
  /** Log revisions scanned per watch-replay step (each step holds the thread). Default 2000. */
  watchReplayChunk?: number;
  /**
   * WAL frames (pages) from which a restart is due (see wal-keeper.ts): checkpoints run back to
   * back until one is short, then writes wait up to maxWriteHoldMs while a last checkpoint
   * catches up, and the WAL restarts from its start. Default: 16 MiB worth of pages (2048 at
   * 8 KiB). Every restart pauses writers for at least three fsyncs (two in that checkpoint, one
   * for the new WAL header) however it is scheduled, so a smaller limit means more pauses, not
   * shorter ones: at 4 MiB (and 4 KiB pages) a single writer of 1 KiB objects (~16 KiB of WAL
   * frames each) restarted the WAL over 30 times a second. The -wal file is truncated to zero
   * once idle, so this only costs space while writes go on.
   */
  walLimitPages?: number;
  /**
   * WAL frames past which writes wait for the catch-up checkpoint however long it takes.
   * Default 4 × walLimitPages (64 MiB at the defaults): reached only while the checkpoints the
   * windows need stay longer than maxWriteHoldMs (fsyncs or the checkpointer thread slow, e.g. a
   * machine with more runnable threads than cores).
   */
  walHardLimitPages?: number;
  /** Longest a restart window holds writes back. Default 4 ms. */
  maxWriteHoldMs?: number;
  /** Least time between two background checkpoints while writes go on and no restart is due. Default 20 ms. */
  checkpointIntervalMs?: number;
  /**
   * While the checkpoint before a restart window runs, write transactions are spaced at least
   * this many ms apart (queued writes share one), so the window's own checkpoint has little to
   * copy and sync. 0: no such checkpoint. Default 1 ms.
   */
  windowPrepareSpacingMs?: number;
  /** A compaction batch that takes longer than this makes the next one smaller. Default 1 ms. */
  maintenanceSliceMs?: number;
  /**
   * Page size of a new file (an existing file keeps its own). Default 8192. Objects of 1-8 KiB
   * (pods with their managedFields and status are 1.5-6 KiB) sit in their leaf page instead of
   * one per 4 KiB page or spilling into overflow pages, so a commit writes about half the WAL
   * frames, each frame two pwrite()s: in a pod create/bind/event mix, store CPU per pod -18%
   * against 4096; the scheduler bench 5 of 7 alternated runs faster (median difference +206
   * pods/s); 1 KiB churn 7,614 writes/s and a settled file 2.5× live (4096: 6,219 and 2.8×).
   * It costs where a commit touches many pages for few bytes: 450-byte creates spread over 50
   * namespaces, 15-20% fewer creates/s (bench/storage-write.ts). A B-tree page split also
   * parks a page at the lock-byte page number, so SQLite walks its whole page-cache hash table
   * at the next commit; fewer, larger pages make that walk and the splits rarer.
   */
  pageSize?: number;
  /** SQLite page cache in KiB. Default 32768 (32 MiB). */
  cacheKiB?: number;
  /** At most this many queued writes share one transaction. Default 128. */
  maxBatch?: number;
  /** Clock for the idle test above. */
  now?: () => number;
}

export interface SqliteStoreStats {
  /** Successful writes since open. */
  writes: number;
  /** Write transactions committed since open (writes / commits = mean group-commit batch). */
  commits: number;
  /** compact() calls that advanced the compacted revision. */
  compactions: number;
  /** History rows removed by compaction since open. */
  compactedRows: number;
  /** Pages returned to the file system by incremental vacuum since open. */
  vacuumedPages: number;
  /** WAL checkpoints that truncated the -wal file since open. */
  walTruncations: number;
  /** Restart windows (see wal-keeper.ts): opened, caught up, ended by maxWriteHoldMs, opened past the hard limit. */
  walWindows: { opened: number; caughtUp: number; timedOut: number; hard: number };
  /**
   * Time the checkpointer thread waited for a CPU while writes were held, in total: the part of
   * the writeHold step that was the machine being busy rather than the store's own work.
   */
  walHoldWaitMs: number;
  currentRevision: number;
  compactedRevision: number;
  /** Size of the main database file (page_count × page_size). */
  dbBytes: number;
  /** Size of the -wal file. */
  walBytes: number;
  /** Free pages inside the database file, reusable by later writes. */
  freeBytes: number;
  /** Live keys. */
  keys: number;
  /** Active watchers. */
  watchers: number;
  /** How long each kind of step took (max, total, count): see step-timings.ts. */
  timings: Partial<Record<StepName, StepTiming>>;
}

export interface SqliteStore extends Store {
  readonly path: string;
  /** Plain counters for metrics; cheap enough to call on every scrape. */
  stats(): SqliteStoreStats;
}

export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  return new SqliteStoreImpl(opts);
}

interface KvRow {
  id: number;
  key: string;
  create_rev: number;
  mod_rev: number;
  value: string;
}

interface HistRow {
  rev: number;
  key: string;
  kind: number;
  prev_create_rev: number | null;
  prev_mod_rev: number | null;
  prev_value: string | null;
  /** The value the write at rev produced (puts only), wherever it lives now. */
  value: string | null;
}

type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected: number | undefined };

interface Pending {
  op: WriteOp;
  resolve(kv: KeyValue): void;
  reject(err: Error): void;
  /** Set inside the transaction. */
  event?: WatchEvent;
  error?: Error;
}

const toKv = (r: { key: string; value: string; create_rev: number; mod_rev: number }): KeyValue => ({
  key: r.key,
  value: r.value,
  createRevision: r.create_rev,
  modRevision: r.mod_rev,
});

const isPreconditionError = (e: unknown): e is Error =>
  e instanceof KeyExistsError || e instanceof KeyNotFoundError || e instanceof ConflictError;

// SQLite orders every TEXT value before every BLOB, so an empty BLOB is an upper bound above all
// keys; using it keeps one statement (and an index range scan) for bounded and unbounded prefixes.
const NO_UPPER_BOUND = Buffer.alloc(0);
const upperBound = (prefix: string): string | Buffer => prefixEnd(prefix) ?? NO_UPPER_BOUND;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const KV_COLS = 'id, key, create_rev, mod_rev, value';
const DEFAULT_WAL_BYTES = 16 * 1024 * 1024;

class SqliteStoreImpl implements SqliteStore {
  readonly path: string;
  private readonly db: Db;
  private readonly log: StoreLog;
  private readonly hub: WatchHub;
  private readonly compactor: HistCompactor;
  private readonly batchRows: number;
  /** Rows in the next compaction batch: batchRows, less while batches run long. */
  private compactRows: number;
  private readonly sliceMs: number;
  private readonly fsync: boolean;
  private readonly wal: WalKeeper;
  private readonly timings = new StepTimings();
  /** Set by the WAL keeper during a restart window: no write transaction may begin. */
  private writesHeld = false;
  /** Set by the WAL keeper before a restart window: write transactions at least this many ms apart, no maintenance ones. */
  private writeSpacingMs = 0;
  private lastCommitAt = 0;
  private spacingTimer: NodeJS.Timeout | undefined;
  private writableWaiters: (() => void)[] = [];
  private readonly vacuumStep: number;
  private readonly idleCheckpointMs: number;
  private readonly maxBatch: number;
  private readonly now: () => number;
  private readonly q;
  private readonly commitBatch: Database.Transaction<(batch: Pending[]) => void>;
  /** The current (committed) revision; only changed after a commit, on this thread. */
  private rev: number;
  private compacted: number;
  private liveKeys: number;
  private closed = false;
  private lastWriteAt = 0;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Space after the last reclaim, and the pages the writes since the one before took (see reclaimSpace). */
  private spaceAfterReclaim: SpaceInfo | undefined;
  private pageDemand = 0;
  /** Serialises compaction and idle maintenance (both vacuum in steps). */
  private maintenance: Promise<void> = Promise.resolve();
  private readonly counters = { writes: 0, commits: 0, compactions: 0, compactedRows: 0, vacuumedPages: 0 };

  constructor(opts: SqliteStoreOptions) {
    this.path = opts.path;
    this.log = opts.log ?? (() => {});
    this.batchRows = this.compactRows = Math.max(1, opts.compactBatchRows ?? 250);
    this.sliceMs = opts.maintenanceSliceMs ?? 1;
    this.fsync = opts.fsync ?? false;
    this.vacuumStep = opts.vacuumStepPages ?? 32;
    this.idleCheckpointMs = opts.idleCheckpointMs ?? 1000;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 128);
    this.now = opts.now ?? Date.now;
    const db = (this.db = openDb({
      path: opts.path,
      fsync: this.fsync,
      pageSize: opts.pageSize ?? 8192,
      cacheKiB: opts.cacheKiB ?? 32768,
      log: this.log,
    }));
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const walPages = opts.walLimitPages ?? Math.max(16, Math.round(DEFAULT_WAL_BYTES / pageSize));
    const hardPages = opts.walHardLimitPages ?? 4 * walPages;
    // When the WAL restarts, cut back only a -wal file that grew well past the hard limit: cutting
    // it runs in the committing transaction and took 50-300 ms for tens of MB (see wal-keeper.ts),
    // and a file cut back to just under the size it reaches at every hard-limit restart (the
    // limit plus what the last checkpoint left) grows again by allocating blocks, which makes
    // commits wait for the file system's journal. Past the hard limit only writes committed
    // while one checkpoint ran are added, so half the limit again is margin enough.
    db.pragma(`journal_size_limit = ${Math.ceil(1.5 * hardPages) * (pageSize + 24)}`);
    this.wal = new WalKeeper({
      db,
      path: opts.path,
      fsync: this.fsync,
      limitPages: walPages,
      hardLimitPages: hardPages,
      maxHoldMs: opts.maxWriteHoldMs ?? 4,
      checkpointIntervalMs: opts.checkpointIntervalMs ?? 20,
      startBytes: Math.min(256 * 1024, (walPages * pageSize) / 4),
      timings: this.timings,
      log: this.log,
      pauseWrites: () => {
        this.writesHeld = true;
      },
      resumeWrites: () => this.resumeWrites(),
      prepareSpacingMs: opts.windowPrepareSpacingMs ?? 1,
      spaceWrites: (ms) => {
        this.writeSpacingMs = ms;
        if (ms === 0 && !this.writesHeld) this.resumeWrites();
      },
    });
    this.q = {
      live: db.prepare(`SELECT ${KV_COLS} FROM kv WHERE key = ?`),
      // A create that finds the key taken changes nothing (0 rows): one statement instead of a
      // lookup and an insert.
      insertKv: db.prepare('INSERT INTO kv (key, create_rev, mod_rev, value) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING'),
      updateKv: db.prepare('UPDATE kv SET mod_rev = ?, value = ? WHERE id = ?'),
      deleteKv: db.prepare('DELETE FROM kv WHERE id = ?'),
      insertHist: db.prepare(
        'INSERT INTO hist (rev, key, kind, prev_create_rev, prev_mod_rev, prev_value) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      // The first write to key after @rev: its superseded value is the key's value at @rev.
      nextWrite: db.prepare(
        'SELECT kind, prev_create_rev, prev_mod_rev, prev_value FROM hist WHERE key = ? AND rev > ? ORDER BY rev LIMIT 1',
      ),
      listLive: db.prepare(
        `SELECT ${KV_COLS} FROM kv WHERE key >= @start AND key < @end ORDER BY key LIMIT @limit`,
      ),
      // A key's value at @rev is its current value if that is no newer than @rev, otherwise the
      // value superseded by its first write after @rev (none if that write was a create). The
      // two halves never hold the same key.
      listAt: db.prepare(
        `SELECT key, create_rev, mod_rev, value FROM kv
           WHERE key >= @start AND key < @end AND mod_rev <= @rev
         UNION ALL
         SELECT h.key, h.prev_create_rev, h.prev_mod_rev, h.prev_value FROM hist h
           WHERE h.key >= @start AND h.key < @end AND h.rev > @rev AND h.kind <> ${KIND_CREATE}
             AND NOT EXISTS (SELECT 1 FROM hist e WHERE e.key = h.key AND e.rev > @rev AND e.rev < h.rev)
         ORDER BY 1 LIMIT @limit`,
      ),
      count: db.prepare('SELECT count(*) AS n FROM kv WHERE key >= @start AND key < @end'),
      countAll: db.prepare('SELECT count(*) AS n FROM kv'),
      // Events in (from, to] under [start, end). A put's value lives in kv if it is still current,
      // else in the key's next hist row. "+h.key" keeps the planner on the rev (rowid) range.
      changes: db.prepare(
        `SELECT h.rev, h.key, h.kind, h.prev_create_rev, h.prev_mod_rev, h.prev_value,
           CASE WHEN h.kind = ${KIND_DELETE} THEN NULL ELSE coalesce(
             (SELECT c.value FROM kv c WHERE c.key = h.key AND c.mod_rev = h.rev),
             (SELECT n.prev_value FROM hist n WHERE n.key = h.key AND n.rev > h.rev ORDER BY n.rev LIMIT 1)
           ) END AS value
         FROM hist h
         WHERE h.rev > @from AND h.rev <= @to AND +h.key >= @start AND +h.key < @end
         ORDER BY h.rev`,
      ),
      maxHistRev: db.prepare('SELECT max(rev) AS r FROM hist'),
      maxKvRev: db.prepare('SELECT max(mod_rev) AS r FROM kv'),
    };
    this.commitBatch = db.transaction((batch: Pending[]) => {
      let rev = this.rev;
      for (const p of batch) {
        try {
          p.event = this.apply(p.op, rev + 1);
          rev++;
        } catch (err) {
          // Preconditions are checked before anything is written, so a failed write leaves no
          // trace and the others in the batch go on; anything else aborts the whole batch.
          if (!isPreconditionError(err)) throw err;
          p.error = err;
        }
      }
    });
    this.compactor = new HistCompactor(db);
    this.compacted = getMeta(db, 'compacted') ?? 0;
    // Every write leaves a hist row at its revision until compacted; compaction never goes
    // above the current revision, so this recovers the revision even if the newest row is gone.
    const maxHist = (this.q.maxHistRev.get() as { r: number | null }).r ?? 0;
    const maxKv = (this.q.maxKvRev.get() as { r: number | null }).r ?? 0;
    this.rev = Math.max(maxHist, maxKv, this.compacted);
    this.liveKeys = (this.q.countAll.get() as { n: number }).n;
    this.hub = new WatchHub({
      readChanges: (from, to, start, end) => this.readChanges(from, to, start, end),
      currentRevision: () => this.rev,
      compactedRevision: () => this.compacted,
      log: this.log,
      replayChunk: opts.watchReplayChunk,
    });
    this.log('sqlite store opened', { path: this.path, revision: this.rev, compacted: this.compacted });
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    this.checkOpen();
    if (!revision) {
      const r = this.q.live.get(key) as KvRow | undefined;
      return r && toKv(r);
    }
    this.checkReadable(revision);
    const cur = this.q.live.get(key) as KvRow | undefined;
    if (cur && cur.mod_rev <= revision) return toKv(cur);
    const next = this.q.nextWrite.get(key, revision) as Omit<HistRow, 'rev' | 'key' | 'value'> | undefined;
    if (!next || next.kind === KIND_CREATE) return undefined;
    return { key, value: next.prev_value as string, createRevision: next.prev_create_rev as number, modRevision: next.prev_mod_rev as number };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const start = opts.startKey ?? prefix;
    if (!start.startsWith(prefix)) throw new Error(`startKey ${JSON.stringify(start)} is outside prefix ${JSON.stringify(prefix)}`);
    const end = upperBound(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const sqlLimit = limit ? limit + 1 : -1;
    let rows: KvRow[];
    let revision: number;
    if (opts.revision !== undefined && opts.revision > 0) this.checkReadable(opts.revision);
    // A read at the current revision is a current read: use kv alone.
    if (!opts.revision || opts.revision === this.rev) {
      revision = this.rev;
      rows = this.q.listLive.all({ start, end, limit: sqlLimit }) as KvRow[];
    } else {
      revision = opts.revision;
      rows = this.q.listAt.all({ start, end, rev: revision, limit: sqlLimit }) as KvRow[];
    }
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { items: rows.map(toKv), revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    if (prefix === '') return this.liveKeys;
    return (this.q.count.get({ start: prefix, end: upperBound(prefix) }) as { n: number }).n;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value, expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'delete', key, expected: expectedModRevision });
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.checkOpen();
    return this.hub.watch(prefix, opts);
  }

  compact(revision: number): Promise<void> {
    const run = this.maintenance.then(() => this.compactNow(revision));
    // A failed compaction must not wedge later ones.
    this.maintenance = run.catch(() => {});
    return run;
  }

  stats(): SqliteStoreStats {
    const space = this.closed ? { pageSize: 0, pageCount: 0, freePages: 0 } : spaceInfo(this.db);
    const walBytes = walFileBytes(this.path);
    return {
      ...this.counters,
      walTruncations: this.wal.truncations,
      walWindows: { ...this.wal.windows },
      walHoldWaitMs: +this.wal.holdWaitMs.toFixed(3),
      timings: this.timings.snapshot(),
      currentRevision: this.rev,
      compactedRevision: this.compacted,
      dbBytes: space.pageCount * space.pageSize,
      walBytes,
      freeBytes: space.freePages * space.pageSize,
      keys: this.closed ? 0 : this.liveKeys,
      watchers: this.hub.size,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Writes already queued were accepted: commit them before closing, restart window or not.
    this.writesHeld = false;
    this.writeSpacingMs = 0;
    if (this.spacingTimer) clearTimeout(this.spacingTimer);
    while (this.queue.length > 0) this.flush();
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.hub.closeAll(new Error('storage is closed'));
    // Let an in-flight compaction notice `closed` and stop between batches.
    this.resumeWrites();
    await this.maintenance;
    // The checkpointer's connection closes first, so this one is the last and checkpoints the
    // WAL away on close.
    await this.wal.close();
    this.db.close();
    this.wal.closeFiles();
    this.log('sqlite store closed', { path: this.path, revision: this.rev });
  }

  // ---- writes ----

  private enqueue(op: WriteOp): Promise<KeyValue> {
    if (this.closed) return Promise.reject(new Error('storage is closed'));
    return new Promise<KeyValue>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  /** Commits up to maxBatch queued writes in one transaction, then publishes and settles them. */
  private flush(): void {
    // During a restart window the queue waits; resumeWrites flushes it.
    if (this.queue.length === 0 || this.closed || this.writesHeld) return;
    if (this.writeSpacingMs > 0) {
      const wait = this.lastCommitAt + this.writeSpacingMs - performance.now();
      if (wait > 0) {
        this.spacingTimer ??= setTimeout(() => {
          this.spacingTimer = undefined;
          this.flush();
        }, wait);
        return;
      }
    }
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    // A restarting commit is rare and fsyncs, so it is worth the thread's run delay read too.
    const restart = this.wal.restartExpected;
    const w0 = restart ? runDelayMs() : 0;
    const t0 = performance.now();
    try {
      this.commitBatch.immediate(batch);
    } catch (err) {
      // Rolled back: nothing in the batch happened.
      for (const p of batch) p.reject(err as Error);
      return;
    } finally {
      const ms = performance.now() - t0;
      if (restart) this.timings.add('restartCommit', ms, Math.min(ms, runDelayMs() - w0));
      else this.timings.add('commit', ms);
    }
    this.counters.commits++;
    this.lastCommitAt = performance.now();
    this.wal.afterCommit();
    // Committed: advance the revision and publish in revision order before any caller resumes.
    for (const p of batch) {
      if (!p.event) continue;
      this.rev = p.event.kv.modRevision;
      this.counters.writes++;
      if (p.op.kind === 'create') this.liveKeys++;
      else if (p.op.kind === 'delete') this.liveKeys--;
      this.hub.publish(p.event);
    }
    this.lastWriteAt = this.now();
    this.armIdleTimer();
    for (const p of batch) {
      if (p.event) p.resolve(p.event.kv);
      else p.reject(p.error as Error);
    }
  }

  /** Applies one write at revision rev inside the batch transaction; returns its event. */
  private apply(op: WriteOp, rev: number): WatchEvent {
    const { key } = op;
    if (op.kind === 'create') {
      if (this.q.insertKv.run(key, rev, rev, op.value).changes === 0) throw new KeyExistsError(key);
      this.q.insertHist.run(rev, key, KIND_CREATE, null, null, null);
      return { type: 'put', kv: { key, value: op.value, createRevision: rev, modRevision: rev } };
    }
    const cur = this.q.live.get(key) as KvRow | undefined;
    if (!cur) throw new KeyNotFoundError(key);
    if (op.expected !== undefined && cur.mod_rev !== op.expected) throw new ConflictError(key, toKv(cur));
    const prevKv = toKv(cur);
    if (op.kind === 'update') {
      this.q.insertHist.run(rev, key, KIND_UPDATE, cur.create_rev, cur.mod_rev, cur.value);
      this.q.updateKv.run(rev, op.value, cur.id);
      return { type: 'put', kv: { key, value: op.value, createRevision: cur.create_rev, modRevision: rev }, prevKv };
    }
    this.q.insertHist.run(rev, key, KIND_DELETE, cur.create_rev, cur.mod_rev, cur.value);
    this.q.deleteKv.run(cur.id);
    return { type: 'delete', kv: { key, value: cur.value, createRevision: cur.create_rev, modRevision: rev }, prevKv };
  }

  // ---- internals ----

  private checkOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  private checkReadable(revision: number): void {
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
  }

  private readChanges(from: number, to: number, start: string, end: string | undefined): WatchEvent[] {
    const rows = this.q.changes.all({ from, to, start, end: end ?? NO_UPPER_BOUND }) as HistRow[];
    return rows.map((r): WatchEvent => {
      if (r.kind === KIND_CREATE) {
        return { type: 'put', kv: { key: r.key, value: this.putValue(r), createRevision: r.rev, modRevision: r.rev } };
      }
      const prevKv: KeyValue = {
        key: r.key,
        value: r.prev_value as string,
        createRevision: r.prev_create_rev as number,
        modRevision: r.prev_mod_rev as number,
      };
      if (r.kind === KIND_DELETE) return { type: 'delete', kv: { ...prevKv, modRevision: r.rev }, prevKv };
      return { type: 'put', kv: { key: r.key, value: this.putValue(r), createRevision: prevKv.createRevision, modRevision: r.rev }, prevKv };
    });
  }

  private putValue(r: HistRow): string {
    // Unreachable unless the file is corrupt: a put's value is current or superseded later.
    if (r.value === null) throw new Error(`storage: the value written at revision ${r.rev} (${r.key}) is missing`);
    return r.value;
  }

  private async compactNow(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    const started = this.now();
    await this.writable();
    this.checkOpen();
    if (revision > this.compacted) {
      // Publish the new floor first: from here on reads and watches below it fail, so the rows
      // about to go can no longer be asked for.
      this.maintenanceTxn('compactBatch', () => setMeta(this.db, 'compacted', revision));
      this.compacted = revision;
      this.counters.compactions++;
    }
    // What the writes since the last compaction took: the reserve of free pages to keep for the
    // next interval (see reclaimSpace).
    if (this.spaceAfterReclaim) this.pageDemand = pageDemand(this.spaceAfterReclaim, spaceInfo(this.db));
    let deleted = 0;
    for (;;) {
      await this.writable();
      if (this.closed) return;
      const rows = this.compactRows;
      const t0 = performance.now();
      const step = this.maintenanceTxn('compactBatch', () => this.compactor.step(this.compacted, rows));
      const ms = performance.now() - t0;
      // Time-sliced: a batch that ran long makes the next one smaller, a quick one larger again.
      if (ms > this.sliceMs) this.compactRows = Math.max(Math.min(8, this.batchRows), Math.floor(rows / 2));
      else if (ms < this.sliceMs / 2) this.compactRows = Math.min(this.batchRows, Math.ceil(rows * 1.25));
      deleted += step.deleted;
      this.counters.compactedRows += step.deleted;
      if (step.finished) break;
      await yieldToLoop();
    }
    const vacuumed = await this.reclaimSpace();
    this.log('compacted', { revision: this.compacted, deletedRows: deleted, vacuumedPages: vacuumed, ms: this.now() - started });
  }

  private idle(): boolean {
    return this.now() - this.lastWriteAt >= this.idleCheckpointMs && this.queue.length === 0;
  }

  /**
   * Returns surplus free pages to the file system in small steps; when idle, also truncates the
   * WAL. While writes go on, the pages the last interval of writes took (or a quarter of the
   * file, if more) are kept free: churn refills freed history pages, and returning them would
   * only move pages around, through the WAL, to grow the file again.
   */
  private async reclaimSpace(): Promise<number> {
    let vacuumed = 0;
    for (;;) {
      await this.writable();
      if (this.closed) return vacuumed;
      const idle = this.idle();
      const n = Math.min(this.vacuumStep, pagesToVacuum(spaceInfo(this.db), idle ? 0 : 0.25, 16, idle ? 0 : this.pageDemand));
      if (n <= 0) break;
      this.maintenanceTxn('vacuumStep', () => incrementalVacuum(this.db, n));
      vacuumed += n;
      this.counters.vacuumedPages += n;
      await yieldToLoop();
    }
    if (!this.closed) this.spaceAfterReclaim = spaceInfo(this.db);
    if (!this.closed && this.idle()) await this.wal.truncateIfIdle(() => this.idle());
    return vacuumed;
  }

  /**
   * Runs one maintenance transaction on this connection, timed. With fsync it commits without
   * one: losing a compaction batch or vacuum step to power loss loses nothing (the next run redoes
   * it), and the next acknowledged write's fsync covers these frames too, so an fsync here would
   * only hold the event loop.
   */
  private maintenanceTxn<T>(name: StepName, fn: () => T): T {
    if (this.fsync) this.db.pragma('synchronous = NORMAL');
    try {
      // Maintenance steps are few (hundreds a second at most): worth the run-delay reads.
      return this.timings.time(name, fn, true);
    } finally {
      if (this.fsync) this.db.pragma('synchronous = FULL');
      this.wal.afterCommit();
    }
  }

  /** Resolves when no restart window holds writes back (at once, usually). */
  private async writable(): Promise<void> {
    while ((this.writesHeld || this.writeSpacingMs > 0) && !this.closed) {
      await new Promise<void>((resolve) => this.writableWaiters.push(resolve));
    }
  }

  private resumeWrites(): void {
    this.writesHeld = false;
    if (this.spacingTimer) {
      clearTimeout(this.spacingTimer);
      this.spacingTimer = undefined;
    }
    const waiters = this.writableWaiters;
    this.writableWaiters = [];
    if (this.queue.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    // Queued writes first (they waited longer): setImmediate callbacks run in order.
    if (waiters.length > 0) setImmediate(() => waiters.forEach((w) => w()));
  }

  /** Schedules idle maintenance for when writes have stopped for idleCheckpointMs. */
  private armIdleTimer(): void {
    if (this.idleTimer || this.closed) return;
    const fire = (): void => {
      this.idleTimer = undefined;
      if (this.closed) return;
      const wait = this.lastWriteAt + this.idleCheckpointMs - this.now();
      if (wait > 0 || this.queue.length > 0) {
        this.idleTimer = setTimeout(fire, Math.max(1, wait));
        this.idleTimer.unref();
        return;
      }
      const run = this.maintenance.then(() => this.reclaimSpace());
      this.maintenance = run.then(
        () => {},
        (err: unknown) => this.log('idle maintenance failed', { err: String(err) }),
      );
    };
    this.idleTimer = setTimeout(fire, this.idleCheckpointMs);
    // Maintenance alone must not keep the process alive.
    this.idleTimer.unref();
  }
}
