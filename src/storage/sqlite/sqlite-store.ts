// The embedded Store: SQLite through better-sqlite3. All database work is synchronous and runs
// on the caller's thread; the async Store methods wrap it so the interface matches the etcd
// backend. This process is the only writer of the file (one store per file), which is what lets
// watch events be delivered in-process right after each commit instead of polling the log.
//
// Durability: a write's promise resolves only after its transaction has committed to the WAL.
// With synchronous=NORMAL the commit is a write() into the -wal file without fsync: the data is
// in the OS page cache, so it survives kill -9 / a crash of this process (the durability test
// proves it), but the last commits may be lost on power failure or a kernel crash (the database
// stays consistent). synchronous=FULL adds an fsync per commit and survives power loss at a
// cost of one disk flush per write. The default is NORMAL (fsync: false): the embedded store
// serves laptops, CI and tests, where process crashes matter and power loss does not, and an
// fsync per write would cap throughput at the disk's flush rate. Deployments that need
// power-loss durability set fsync: true (or use etcd).
import { statSync } from 'node:fs';
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
import { getMeta, openDb, setMeta, type Db } from './schema.js';
import { WatchHub } from './watch-hub.js';
import { LogCompactor, checkpoint, incrementalVacuum, pagesToVacuum, spaceInfo } from './compaction.js';

export type StoreLog = (msg: string, fields?: object) => void;

export interface SqliteStoreOptions {
  /** The database file; its -wal and -shm files live beside it. */
  path: string;
  log?: StoreLog;
  /** fsync every commit (synchronous=FULL). Default false; see the comment at the top of this file. */
  fsync?: boolean;
  /** Log rows visited per compaction transaction (each one holds the thread). Default 1000. */
  compactBatchRows?: number;
  /** Pages returned per incremental_vacuum step. Default 128 (512 KiB at 4 KiB pages). */
  vacuumStepPages?: number;
  /** After compaction, truncate the WAL if no write happened for this long. Default 1000 ms. */
  idleCheckpointMs?: number;
  /** Log revisions scanned per watch-replay step (each step holds the thread). Default 2000. */
  watchReplayChunk?: number;
  /**
   * WAL pages after which the committing write checkpoints (wal_autocheckpoint). Smaller keeps
   * the -wal file smaller but fsyncs the database more often; each commit adds ~3 pages.
   * Default 1000 (about 4 MiB).
   */
  walAutocheckpointPages?: number;
  /** Clock for the idle test above. */
  now?: () => number;
}

export interface SqliteStoreStats {
  /** Successful writes since open. */
  writes: number;
  /** compact() calls that advanced the compacted revision. */
  compactions: number;
  /** Log rows removed by compaction since open. */
  compactedRows: number;
  /** Pages returned to the file system by incremental vacuum since open. */
  vacuumedPages: number;
  /** WAL checkpoints that truncated the -wal file since open. */
  walTruncations: number;
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
}

export interface SqliteStore extends Store {
  readonly path: string;
  /** Plain counters for metrics; cheap enough to call on every scrape. */
  stats(): SqliteStoreStats;
}

interface LogRow {
  rev: number;
  key: string;
  create_rev: number;
  prev_rev: number;
  deleted: number;
  value: string;
}

interface ChangeRow extends LogRow {
  p_value: string | null;
  p_create_rev: number | null;
}

const COLS = 'l.rev, l.key, l.create_rev, l.prev_rev, l.deleted, l.value';

export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  return new SqliteStoreImpl(opts);
}

function toKv(r: LogRow): KeyValue {
  return { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev };
}

// SQLite orders every TEXT value before every BLOB, so an empty BLOB is an upper bound above all
// keys; using it keeps one statement (and an index range scan) for bounded and unbounded prefixes.
const NO_UPPER_BOUND = Buffer.alloc(0);
const upperBound = (prefix: string): string | Buffer => prefixEnd(prefix) ?? NO_UPPER_BOUND;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class SqliteStoreImpl implements SqliteStore {
  readonly path: string;
  private readonly db: Db;
  private readonly log: StoreLog;
  private readonly hub: WatchHub;
  private readonly compactor: LogCompactor;
  private readonly batchRows: number;
  private readonly vacuumStep: number;
  private readonly idleCheckpointMs: number;
  private readonly now: () => number;
  private readonly q;
  /** The current revision; only changed after a commit, on this thread. */
  private rev: number;
  private compacted: number;
  private closed = false;
  private lastWriteAt = 0;
  /** Serialises compact() calls. */
  private compacting: Promise<void> = Promise.resolve();
  private readonly counters = { writes: 0, compactions: 0, compactedRows: 0, vacuumedPages: 0, walTruncations: 0 };

  constructor(opts: SqliteStoreOptions) {
    this.path = opts.path;
    this.log = opts.log ?? (() => {});
    this.batchRows = opts.compactBatchRows ?? 1000;
    this.vacuumStep = opts.vacuumStepPages ?? 128;
    this.idleCheckpointMs = opts.idleCheckpointMs ?? 1000;
    this.now = opts.now ?? Date.now;
    const db = (this.db = openDb({ path: opts.path, fsync: opts.fsync ?? false, log: this.log }));
    db.pragma(`wal_autocheckpoint = ${opts.walAutocheckpointPages ?? 1000}`);
    this.q = {
      live: db.prepare(`SELECT ${COLS} FROM kv JOIN log l ON l.rev = kv.rev WHERE kv.key = ?`),
      at: db.prepare(`SELECT ${COLS} FROM log l WHERE l.key = ? AND l.rev <= ? ORDER BY l.rev DESC LIMIT 1`),
      insertLog: db.prepare(
        'INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertKv: db.prepare('INSERT INTO kv (key, rev) VALUES (?, ?)'),
      updateKv: db.prepare('UPDATE kv SET rev = ? WHERE key = ?'),
      deleteKv: db.prepare('DELETE FROM kv WHERE key = ?'),
      listLive: db.prepare(
        `SELECT ${COLS} FROM kv JOIN log l ON l.rev = kv.rev
         WHERE kv.key >= @start AND kv.key < @end ORDER BY kv.key LIMIT @limit`,
      ),
      // History: the newest row per key at or below @rev, skipping keys whose newest row there
      // is a deletion. Only used for reads at an old revision (the watch cache serves recent ones).
      listAt: db.prepare(
        `SELECT ${COLS} FROM log l
         WHERE l.key >= @start AND l.key < @end AND l.rev <= @rev AND l.deleted = 0
           AND NOT EXISTS (SELECT 1 FROM log n WHERE n.key = l.key AND n.rev > l.rev AND n.rev <= @rev)
         ORDER BY l.key LIMIT @limit`,
      ),
      count: db.prepare('SELECT count(*) AS n FROM kv WHERE key >= @start AND key < @end'),
      countAll: db.prepare('SELECT count(*) AS n FROM kv'),
      // "+l.key" keeps the planner on the rev (rowid) range instead of the key index.
      changes: db.prepare(
        `SELECT ${COLS}, p.value AS p_value, p.create_rev AS p_create_rev
         FROM log l LEFT JOIN log p ON p.rev = l.prev_rev AND l.prev_rev > 0
         WHERE l.rev > @from AND l.rev <= @to AND +l.key >= @start AND +l.key < @end
         ORDER BY l.rev`,
      ),
      maxRev: db.prepare('SELECT max(rev) AS r FROM log'),
    };
    this.compactor = new LogCompactor(db);
    this.compacted = getMeta(db, 'compacted') ?? 0;
    const maxRev = (this.q.maxRev.get() as { r: number | null }).r ?? 0;
    this.rev = Math.max(maxRev, this.compacted);
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
      const r = this.q.live.get(key) as LogRow | undefined;
      return r && toKv(r);
    }
    this.checkReadable(revision);
    const r = this.q.at.get(key, revision) as LogRow | undefined;
    return r && !r.deleted ? toKv(r) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const start = opts.startKey ?? prefix;
    if (!start.startsWith(prefix)) throw new Error(`startKey ${JSON.stringify(start)} is outside prefix ${JSON.stringify(prefix)}`);
    const end = upperBound(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const sqlLimit = limit ? limit + 1 : -1;
    let rows: LogRow[];
    let revision: number;
    if (opts.revision !== undefined && opts.revision > 0) this.checkReadable(opts.revision);
    // A read at the current revision is a current read: use kv, not the history scan.
    if (!opts.revision || opts.revision === this.rev) {
      revision = this.rev;
      rows = this.q.listLive.all({ start, end, limit: sqlLimit }) as LogRow[];
    } else {
      revision = opts.revision;
      rows = this.q.listAt.all({ start, end, rev: revision, limit: sqlLimit }) as LogRow[];
    }
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { items: rows.map(toKv), revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const row = (prefix === '' ? this.q.countAll.get() : this.q.count.get({ start: prefix, end: upperBound(prefix) })) as {
      n: number;
    };
    return row.n;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    const rev = this.rev + 1;
    this.db
      .transaction(() => {
        if (this.q.live.get(key)) throw new KeyExistsError(key);
        this.q.insertLog.run(rev, key, rev, 0, 0, value);
        this.q.insertKv.run(key, rev);
      })
      .immediate();
    const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev };
    this.committed(rev, { type: 'put', kv });
    return kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const rev = this.rev + 1;
    const prev = this.db
      .transaction(() => {
        const cur = this.current(key, expectedModRevision);
        this.q.insertLog.run(rev, key, cur.create_rev, cur.rev, 0, value);
        this.q.updateKv.run(rev, key);
        return cur;
      })
      .immediate();
    const kv: KeyValue = { key, value, createRevision: prev.create_rev, modRevision: rev };
    this.committed(rev, { type: 'put', kv, prevKv: toKv(prev) });
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const rev = this.rev + 1;
    const prev = this.db
      .transaction(() => {
        const cur = this.current(key, expectedModRevision);
        this.q.insertLog.run(rev, key, cur.create_rev, cur.rev, 1, cur.value);
        this.q.deleteKv.run(key);
        return cur;
      })
      .immediate();
    const kv: KeyValue = { key, value: prev.value, createRevision: prev.create_rev, modRevision: rev };
    this.committed(rev, { type: 'delete', kv, prevKv: toKv(prev) });
    return kv;
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.checkOpen();
    return this.hub.watch(prefix, opts);
  }

  compact(revision: number): Promise<void> {
    const run = this.compacting.then(() => this.compactNow(revision));
    // A failed compaction must not wedge later ones.
    this.compacting = run.catch(() => {});
    return run;
  }

  stats(): SqliteStoreStats {
    const space = this.closed ? { pageSize: 0, pageCount: 0, freePages: 0 } : spaceInfo(this.db);
    let walBytes = 0;
    try {
      walBytes = statSync(`${this.path}-wal`).size;
    } catch {
      // No WAL file (closed cleanly, or truncated away).
    }
    return {
      ...this.counters,
      currentRevision: this.rev,
      compactedRevision: this.compacted,
      dbBytes: space.pageCount * space.pageSize,
      walBytes,
      freeBytes: space.freePages * space.pageSize,
      keys: this.closed ? 0 : (this.q.countAll.get() as { n: number }).n,
      watchers: this.hub.size,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.closeAll(new Error('storage is closed'));
    // Let an in-flight compaction notice `closed` and stop between batches.
    await this.compacting;
    this.db.close();
    this.log('sqlite store closed', { path: this.path, revision: this.rev });
  }

  // ---- internals ----

  private checkOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  private checkReadable(revision: number): void {
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
  }

  /** The live row for key, checking the precondition; call inside the write transaction. */
  private current(key: string, expectedModRevision: number | undefined): LogRow {
    const cur = this.q.live.get(key) as LogRow | undefined;
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && cur.rev !== expectedModRevision) throw new ConflictError(key, toKv(cur));
    return cur;
  }

  /** After a commit: advance the revision and hand the event to watchers (delivered later). */
  private committed(rev: number, event: WatchEvent): void {
    this.rev = rev;
    this.counters.writes++;
    this.lastWriteAt = this.now();
    this.hub.publish(event);
  }

  private readChanges(from: number, to: number, start: string, end: string | undefined): WatchEvent[] {
    const rows = this.q.changes.all({ from, to, start, end: end ?? NO_UPPER_BOUND }) as ChangeRow[];
    return rows.map((r): WatchEvent => {
      if (r.deleted) {
        return {
          type: 'delete',
          kv: toKv(r),
          prevKv: { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.prev_rev },
        };
      }
      const ev: WatchEvent = { type: 'put', kv: toKv(r) };
      if (r.prev_rev > 0 && r.p_value !== null) {
        ev.prevKv = { key: r.key, value: r.p_value, createRevision: r.p_create_rev as number, modRevision: r.prev_rev };
      }
      return ev;
    });
  }

  private async compactNow(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    const started = this.now();
    if (revision > this.compacted) {
      // Publish the new floor first: from here on reads and watches below it fail, so the rows
      // about to go can no longer be asked for.
      setMeta(this.db, 'compacted', revision);
      this.compacted = revision;
      this.counters.compactions++;
    }
    let deleted = 0;
    for (;;) {
      if (this.closed) return;
      const step = this.compactor.step(this.compacted, this.rev, this.batchRows);
      deleted += step.deleted;
      this.counters.compactedRows += step.deleted;
      if (step.finished) break;
      await yieldToLoop();
    }
    const vacuumed = await this.reclaimSpace();
    this.log('compacted', { revision: this.compacted, deletedRows: deleted, vacuumedPages: vacuumed, ms: this.now() - started });
  }

  /** Returns surplus free pages to the file system in small steps, then shrinks the WAL if idle. */
  private async reclaimSpace(): Promise<number> {
    let vacuumed = 0;
    for (;;) {
      if (this.closed) return vacuumed;
      const info = spaceInfo(this.db);
      const n = Math.min(this.vacuumStep, pagesToVacuum(info));
      if (n <= 0) break;
      incrementalVacuum(this.db, n);
      vacuumed += n;
      this.counters.vacuumedPages += n;
      await yieldToLoop();
    }
    if (!this.closed && this.now() - this.lastWriteAt >= this.idleCheckpointMs) {
      const r = checkpoint(this.db, true);
      if (!r.busy) this.counters.walTruncations++;
    }
    return vacuumed;
  }
}
