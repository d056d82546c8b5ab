// Compaction and space reclamation for the sqlite log. Every step here is a short synchronous
// transaction; the caller yields to the event loop between steps so writers (which share the
// one connection and the one thread) are never held up for more than a few milliseconds.
import { getMeta, setMeta, type Db } from './schema.js';

/**
 * Compaction to revision C removes, for rows Z with done < Z.rev <= C (visited once, in rev
 * order): the row Z supersedes (Z.prev_rev — superseded by Z <= C), and Z itself if it is a
 * deletion. That is exactly "rows below C superseded by a row <= C, and deletion rows <= C",
 * without any MAX(rev) GROUP BY scan. A deletion row's predecessor goes in the same transaction
 * as the deletion row, so a read at any revision >= C sees a consistent state between batches.
 * Progress is persisted (meta.compact_done) with each batch, so a crash resumes, not restarts.
 */
export class LogCompactor {
  private readonly scan;
  private readonly del;

  constructor(private readonly db: Db) {
    this.scan = db.prepare('SELECT rev, prev_rev, deleted FROM log WHERE rev > ? AND rev <= ? ORDER BY rev LIMIT ?');
    this.del = db.prepare('DELETE FROM log WHERE rev = ?');
  }

  /** Revisions up to which compaction has been applied. */
  done(): number {
    return getMeta(this.db, 'compact_done') ?? 0;
  }

  /**
   * One batch: visits at most batchRows rows above done() up to target. The row at `top` (the
   * store's current revision) is never deleted, so max(rev) always equals the current revision
   * and a restart recovers it. Returns rows deleted and whether target has been reached.
   */
  step(target: number, top: number, batchRows: number): { deleted: number; finished: boolean } {
    return this.db.transaction(() => {
      const from = this.done();
      if (from >= target) return { deleted: 0, finished: true };
      const rows = this.scan.all(from, target, batchRows) as { rev: number; prev_rev: number; deleted: number }[];
      let deleted = 0;
      let reached = rows.length < batchRows ? target : rows[rows.length - 1].rev;
      let stoppedAtTop = false;
      for (const r of rows) {
        if (r.prev_rev > 0) deleted += this.del.run(r.prev_rev).changes;
        if (r.deleted) {
          if (r.rev >= top) {
            // Keep the newest row; revisit it next time (deleting its predecessor again is a no-op).
            reached = r.rev - 1;
            stoppedAtTop = true;
            break;
          }
          deleted += this.del.run(r.rev).changes;
        }
      }
      setMeta(this.db, 'compact_done', reached);
      return { deleted, finished: reached >= target || stoppedAtTop };
    }).immediate();
  }
}

export interface SpaceInfo {
  pageSize: number;
  pageCount: number;
  freePages: number;
}

export function spaceInfo(db: Db): SpaceInfo {
  return {
    pageSize: db.pragma('page_size', { simple: true }) as number,
    pageCount: db.pragma('page_count', { simple: true }) as number,
    freePages: db.pragma('freelist_count', { simple: true }) as number,
  };
}

/**
 * Free pages beyond which incremental vacuum returns space to the file system. Free pages are
 * reused by later writes, so a modest reserve (what the next interval of writes will need) is
 * kept: vacuuming it away would only make the file grow again.
 */
export function pagesToVacuum(info: SpaceInfo, reserveFraction = 0.1, minReserve = 64): number {
  const reserve = Math.max(minReserve, Math.floor(info.pageCount * reserveFraction));
  return Math.max(0, info.freePages - reserve);
}

/** Returns up to n free pages to the file system. */
export function incrementalVacuum(db: Db, n: number): void {
  // exec() steps the pragma to completion (a single step would free only one page).
  db.exec(`PRAGMA incremental_vacuum(${Math.max(1, Math.floor(n))})`);
}

/** Checkpoints the WAL; with truncate, also shrinks the -wal file to zero bytes. */
export function checkpoint(db: Db, truncate: boolean): { busy: boolean; logFrames: number; checkpointed: number } {
  const row = db.pragma(`wal_checkpoint(${truncate ? 'TRUNCATE' : 'PASSIVE'})`) as {
    busy: number;
    log: number;
    checkpointed: number;
  }[];
  return { busy: row[0].busy === 1, logFrames: row[0].log, checkpointed: row[0].checkpointed };
}
