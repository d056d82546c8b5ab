// Opens the SQLite file and creates the schema. Layout (schema 2): every value is stored exactly
// once, either as a key's current value or as history, so live data stays dense however much
// history compaction removes.
//   kv   — one row per live key, its current value updated in place. A rowid table (not WITHOUT
//          ROWID: values of ~1 KiB would spill to overflow pages in an index B-tree) with a
//          unique index on key.
//   hist — one row per write, keyed by the write's revision, carrying the value that write
//          superseded (none for a create). A write's own value is found where it lives now: in
//          kv, or as prev_value of the key's next hist row. Rows enter at the right edge of the
//          B-tree and compaction to C is "delete rows with rev <= C" — exactly the values
//          superseded at or before C plus the events at or before C — from the left edge, so
//          history pages are freed whole and reused, never left one row per page.
//   meta — small named integers: schema version, compacted revision.
// Schema 1 (one log table holding every value, live ones included) is refused, not migrated:
// there are no users of it yet.
import Database from 'better-sqlite3';

export type Db = Database.Database;

export const SCHEMA_VERSION = 2;

/** hist.kind */
export const KIND_CREATE = 0;
export const KIND_UPDATE = 1;
export const KIND_DELETE = 2;

const DDL = `
CREATE TABLE IF NOT EXISTS kv (
  id         INTEGER PRIMARY KEY,
  key        TEXT    NOT NULL UNIQUE,
  create_rev INTEGER NOT NULL,
  mod_rev    INTEGER NOT NULL,
  value      TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS hist (
  rev             INTEGER PRIMARY KEY,  -- the write's revision
  key             TEXT    NOT NULL,
  kind            INTEGER NOT NULL,     -- 0 create, 1 update, 2 delete
  prev_create_rev INTEGER,              -- the superseded value (NULL for a create)
  prev_mod_rev    INTEGER,
  prev_value      TEXT
);
CREATE INDEX IF NOT EXISTS hist_key_rev ON hist (key, rev);
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

export interface OpenDbOptions {
  path: string;
  /** synchronous=FULL (fsync every commit) instead of NORMAL; see SqliteStoreOptions.fsync. */
  fsync: boolean;
  /** Page size for a new file (ignored for an existing one). */
  pageSize: number;
  /** Page cache per connection, in KiB. */
  cacheKiB: number;
  log: (msg: string, fields?: object) => void;
}

export function openDb(opts: OpenDbOptions): Db {
  const db = new Database(opts.path);
  try {
    // Refuse a file from another schema before touching it.
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
    const version = hasMeta ? getMeta(db, 'schema') : undefined;
    if (hasMeta && version !== SCHEMA_VERSION) {
      throw new Error(
        `${opts.path}: storage schema version ${version ?? 'unknown'} is not supported by this version (it reads schema ${SCHEMA_VERSION}); ` +
          'there is no migration: move the file aside and start with an empty data directory',
      );
    }
    // page_size and auto_vacuum only take effect before the first table is created.
    // auto_vacuum=INCREMENTAL lets the store give pages back to the file system in small steps.
    db.pragma(`page_size = ${opts.pageSize}`);
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.fsync ? 'FULL' : 'NORMAL'}`);
    db.pragma(`cache_size = -${opts.cacheKiB}`);
    db.pragma('busy_timeout = 5000');
    db.exec(DDL);
    if (version === undefined) setMeta(db, 'schema', SCHEMA_VERSION);
  } catch (err) {
    db.close();
    throw err;
  }
  if (db.pragma('auto_vacuum', { simple: true }) !== 2) {
    opts.log('sqlite file was created without auto_vacuum=INCREMENTAL; space is reused but not returned', {
      path: opts.path,
    });
  }
  return db;
}

export function getMeta(db: Db, name: string): number | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE name = ?').get(name) as { value: number } | undefined;
  return row?.value;
}

export function setMeta(db: Db, name: string, value: number): void {
  db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(
    name,
    value,
  );
}
