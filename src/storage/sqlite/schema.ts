// Opens the SQLite file and creates the schema. The layout (one value per revision, stored once):
//   log  — every write ever made (until compacted): rev is the rowid, so a revision is a B-tree
//          position and "rows after R" is a range scan. Deletion rows keep the deleted value so
//          DELETED events can carry prevKv after a restart.
//   kv   — key → rev of its live log row; the hot path for current reads (no MAX(rev) GROUP BY).
//   meta — small named integers: the compacted revision and compaction progress.
import Database from 'better-sqlite3';

export type Db = Database.Database;

export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS log (
  rev        INTEGER PRIMARY KEY,
  key        TEXT    NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev   INTEGER NOT NULL,  -- rev of the row this one supersedes; 0 for a create
  deleted    INTEGER NOT NULL,  -- 1: a deletion row, value = the value it deleted
  value      TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

export interface OpenDbOptions {
  path: string;
  /** synchronous=FULL (fsync every commit) instead of NORMAL; see SqliteStoreOptions.fsync. */
  fsync: boolean;
  log: (msg: string, fields?: object) => void;
}

export function openDb(opts: OpenDbOptions): Db {
  const db = new Database(opts.path);
  // auto_vacuum only takes effect when set before the first table is created; it is what lets
  // compaction give pages back to the file system in small incremental_vacuum steps.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.fsync ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  // After a checkpoint resets the WAL, truncate it to this size so one burst does not leave a
  // large -wal file behind for ever.
  db.pragma(`journal_size_limit = ${4 * 1024 * 1024}`);
  db.exec(DDL);
  const version = getMeta(db, 'schema');
  if (version === undefined) setMeta(db, 'schema', SCHEMA_VERSION);
  else if (version !== SCHEMA_VERSION) {
    db.close();
    throw new Error(`${opts.path}: unsupported storage schema version ${version} (want ${SCHEMA_VERSION})`);
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
