// Looks at the sqlite file itself, below the API server: after a kill the file (with its WAL)
// must pass integrity_check, and every value it holds, live or history, must be a whole object.
// The values are read through the Store interface (src/storage/open.ts), not by table name, so
// this keeps working when the storage layout changes.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/storage/open.js';
import type { KeyValue, Store, Watcher } from '../../src/storage/store.js';

export interface DbCheck {
  problems: string[];
  /** Revisions of history replayed (after the compacted revision). */
  historyEvents: number;
  /** Live keys under the prefix (prefix removed), with their revision and value. */
  live: Map<string, { rev: number; value: string }>;
}

/**
 * Checks the database at dbPath. With copy, works on a copy of the file and its WAL, so the
 * server that opens it next finds the file exactly as the kill left it.
 */
export async function checkDatabase(dbPath: string, livePrefix: string, opts: { copy: boolean }): Promise<DbCheck> {
  let path = dbPath;
  let tmp: string | undefined;
  if (opts.copy) {
    tmp = mkdtempSync(join(tmpdir(), 'k8ts-dbcheck-'));
    path = join(tmp, 'state.db');
    copyFileSync(dbPath, path);
    // The -shm index is rebuilt from the WAL on open; a copied one could only be stale.
    if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${path}-wal`);
  }
  const problems: string[] = [];
  const live = new Map<string, { rev: number; value: string }>();
  let historyEvents = 0;
  try {
    const db = new Database(path);
    try {
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    } finally {
      db.close();
    }
    const store = await openStore(`sqlite:${path}`, dirname(path), { compactor: false });
    try {
      const checkValue = (kv: KeyValue, what: string) => {
        try {
          const obj = JSON.parse(kv.value) as { metadata?: { name?: string; uid?: string } };
          if (!obj.metadata?.name || !obj.metadata.uid) problems.push(`${what} ${kv.key} at ${kv.modRevision} has no name or uid`);
        } catch {
          problems.push(`${what} ${kv.key} at ${kv.modRevision} is not JSON: ${kv.value.slice(0, 80)}…`);
        }
      };
      const listed = await store.list('/registry/');
      for (const kv of listed.items) {
        checkValue(kv, 'live value');
        if (kv.key.startsWith(livePrefix)) live.set(kv.key.slice(livePrefix.length), { rev: kv.modRevision, value: kv.value });
      }
      historyEvents = await checkHistory(store, (kv, what) => checkValue(kv, what), problems);
    } finally {
      await store.close();
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  return { problems, historyEvents, live };
}

/** Replays every retained revision: values must parse and revisions must strictly increase. */
async function checkHistory(store: Store, checkValue: (kv: KeyValue, what: string) => void, problems: string[]): Promise<number> {
  const current = await store.currentRevision();
  const compacted = await store.compactedRevision();
  if (current <= compacted) return 0;
  let count = 0;
  let last = compacted;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      problems.push(`history replay stopped at ${last}, below the current revision ${current}`);
      done();
    }, 60_000);
    let finished = false;
    let w: Watcher | undefined;
    const done = () => {
      finished = true;
      clearTimeout(timer);
      w?.close();
      resolve();
    };
    w = store.watch('/', {
      afterRevision: compacted,
      onEvents: (events) => {
        for (const ev of events) {
          if (finished) return;
          if (ev.kv.modRevision <= last) problems.push(`history revision ${ev.kv.modRevision} after ${last}`);
          last = ev.kv.modRevision;
          count++;
          if (ev.kv.key.startsWith('/registry/')) {
            checkValue(ev.kv, `history ${ev.type}`);
            if (ev.prevKv) checkValue(ev.prevKv, 'history previous value of');
          }
        }
        if (last >= current) done();
      },
      onError: (err) => {
        problems.push(`history replay failed at ${last}: ${err.message}`);
        done();
      },
    });
    // Events may have been delivered before watch() returned.
    if (finished) w.close();
  });
  return count;
}
