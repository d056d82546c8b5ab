// Compaction and space reclamation for the sqlite store. Every step here is a short synchronous
// transaction; the caller yields to the event loop between steps so writers (which share the
// one connection and the one thread) are never held up for more than a few milliseconds.
import type { Db } from './schema.js';

/**
 * Compaction to revision C deletes hist rows with rev <= C: the values superseded at or before C
 * and the events at or before C (see schema.ts). A read or watch at any revision >= C needs none
 * of them, so once the compacted revision is published the rows can go in any number of batches,
 * and a crash between batches leaves nothing to repair: the next compaction deletes the rest.
 */
export class HistCompactor {
  private readonly lowest;
  private readonly del;

  constructor(db: Db) {
    this.lowest = db.prepare('SELECT min(rev) AS r FROM hist');
    this.del = db.prepare('DELETE FROM hist WHERE rev <= ?');
  }

  /** One batch: deletes the hist rows of at most batchRows revisions at or below target. */
  step(target: number, batchRows: number): { deleted: number; finished: boolean } {
    const lo = (this.lowest.get() as { r: number | null }).r;
    if (lo === null || lo > target) return { deleted: 0, finished: true };
    // Revisions in hist are dense (one row each), so a revision range bounds the batch's rows.
    const hi = Math.min(target, lo + batchRows - 1);
    const deleted = this.del.run(hi).changes;
    return { deleted, finished: hi >= target };
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
 * reused by later writes, so a reserve (what the next interval of writes will need: demand, or a
 * fraction of the file) is kept: vacuuming it away would only move pages to the front, write
 * them all to the WAL, and make the file grow again (each growth an allocation, which makes the
 * checkpoint's fsync of the database file commit the file system's journal too).
 */
export function pagesToVacuum(info: SpaceInfo, reserveFraction = 0.1, minReserve = 64, demand = 0): number {
  const reserve = Math.max(minReserve, Math.floor(info.pageCount * reserveFraction), demand);
  return Math.max(0, info.freePages - reserve);
}

/**
 * Pages the writes since `before` took from the free list or added to the file: what the same
 * interval of writes will need again.
 */
export function pageDemand(before: SpaceInfo, now: SpaceInfo): number {
  return Math.max(0, before.freePages - now.freePages) + Math.max(0, now.pageCount - before.pageCount);
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
