// Looks at the sqlite file itself, below the API server: after a kill the file (with its WAL)
// must pass integrity_check and every stored value must be a whole JSON object. This knows the
// storage layout (src/storage/sqlite/schema.ts: tables log and kv); it is a durability test's
// business to look under the covers.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface DbCheck {
  problems: string[];
  /** Rows in the revision log. */
  logRows: number;
  /** Live keys under the prefix, with their revision and value. */
  live: Map<string, { rev: number; value: string }>;
}

/**
 * Checks the database at dbPath. With copy, works on a copy of the file and its WAL (so the
 * server that opens it next still finds the file exactly as the kill left it).
 */
export function checkDatabase(dbPath: string, livePrefix: string, opts: { copy: boolean }): DbCheck {
  let path = dbPath;
  let tmp: string | undefined;
  if (opts.copy) {
    tmp = mkdtempSync(join(tmpdir(), 'k8ts-dbcheck-'));
    path = join(tmp, 'state.db');
    copyFileSync(dbPath, path);
    // The -shm index is rebuilt from the WAL on open; copying a stale one would only confuse it.
    if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${path}-wal`);
  }
  const problems: string[] = [];
  const live = new Map<string, { rev: number; value: string }>();
  let logRows = 0;
  const db = new Database(path, { readonly: !opts.copy });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    for (const row of db.prepare('SELECT rev, key, deleted, value FROM log').iterate() as Iterable<{ rev: number; key: string; deleted: number; value: string }>) {
      logRows++;
      if (!row.key.startsWith('/registry/')) continue;
      try {
        const obj = JSON.parse(row.value) as { metadata?: { name?: string; uid?: string } };
        if (!obj.metadata?.name || !obj.metadata.uid) problems.push(`log row ${row.rev} (${row.key}) has no name or uid`);
      } catch {
        problems.push(`log row ${row.rev} (${row.key}) is not JSON: ${row.value.slice(0, 80)}…`);
      }
    }
    const dangling = db.prepare('SELECT count(*) AS n FROM kv LEFT JOIN log ON log.rev = kv.rev WHERE log.rev IS NULL OR log.key != kv.key OR log.deleted = 1').get() as { n: number };
    if (dangling.n) problems.push(`${dangling.n} kv rows point at no live log row`);
    const rows = db
      .prepare('SELECT kv.key, kv.rev, log.value FROM kv JOIN log ON log.rev = kv.rev WHERE kv.key >= ? AND kv.key < ?')
      .all(livePrefix, livePrefix + '\uffff') as { key: string; rev: number; value: string }[];
    for (const r of rows) live.set(r.key.slice(livePrefix.length), { rev: r.rev, value: r.value });
  } finally {
    db.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  return { problems, logRows, live };
}
