// Periodic compaction for any Store. History is kept for a wall-clock window (so watchers that
// reconnect within it can resume) and for a minimum number of revisions (so a quiet cluster still
// keeps some history and a busy one cannot compact its newest writes away). The compactor
// samples (time, revision) pairs because revisions carry no timestamps.
import type { Store } from './store.js';

export interface CompactorOptions {
  /** Time between runs. Default 60 s. */
  intervalMs?: number;
  /** Keep every revision written within this long. Default 5 min. */
  retainMs?: number;
  /** Always keep at least this many of the newest revisions. Default 1000. */
  minRetainRevisions?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
  log?: (msg: string, fields?: object) => void;
}

export interface Compactor {
  /** Stops scheduling runs; a run in progress finishes (Store.close waits for it). */
  stop(): void;
  /**
   * Samples the revision and compacts if the retention allows; returns the revision compacted
   * to, or undefined if nothing was due. The timer calls this; tests call it directly.
   */
  runOnce(): Promise<number | undefined>;
}

interface Sample {
  time: number;
  revision: number;
}

/** The revision to compact to, given samples in time order; undefined if none is old enough. */
export function compactionTarget(
  samples: readonly Sample[],
  now: number,
  current: number,
  retainMs: number,
  minRetainRevisions: number,
): number | undefined {
  let asOf: number | undefined;
  for (const s of samples) if (s.time <= now - retainMs) asOf = s.revision;
  if (asOf === undefined) return undefined;
  const target = Math.min(asOf, current - minRetainRevisions);
  return target > 0 ? target : undefined;
}

export function startCompactor(store: Store, opts: CompactorOptions = {}): Compactor {
  const intervalMs = opts.intervalMs ?? 60_000;
  const retainMs = opts.retainMs ?? 5 * 60_000;
  const minRetain = opts.minRetainRevisions ?? 1000;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  let samples: Sample[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<number | undefined> | undefined;

  const run = async (): Promise<number | undefined> => {
    const time = now();
    const current = await store.currentRevision();
    samples.push({ time, revision: current });
    const target = compactionTarget(samples, time, current, retainMs, minRetain);
    // Samples older than the newest one at or before the window's start are never needed again.
    let keepFrom = 0;
    for (let i = 0; i < samples.length; i++) if (samples[i].time <= time - retainMs) keepFrom = i;
    samples = samples.slice(keepFrom);
    if (target === undefined || target <= (await store.compactedRevision())) return undefined;
    await store.compact(target);
    return target;
  };

  const runOnce = (): Promise<number | undefined> => {
    // Never two runs at once: a slow compaction makes the next tick wait, not pile up.
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      runOnce()
        .catch((err: unknown) => log('compaction failed', { err: String(err) }))
        .finally(schedule);
    }, intervalMs);
    // A compaction timer alone must not keep the process alive.
    timer.unref();
  };

  samples.push({ time: now(), revision: 0 });
  // The first sample is taken lazily on the first run so startCompactor stays synchronous; the
  // placeholder above only anchors the window's start (revision 0 compacts nothing).
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    runOnce,
  };
}
