// Delivers watch events for a store that is the only writer of its log. Contract:
// - Each watcher sees every change with revision > afterRevision under its prefix, exactly once,
//   in revision order, in batches (onEvents gets an array).
// - A new watcher first replays history from the log in bounded chunks (yielding to the event
//   loop between chunks so writers keep going), then switches to live delivery. The switch happens
//   in the same synchronous step as the last replay read, and writes publish synchronously right
//   after their commit, so nothing falls between replay and live and nothing is seen twice.
// - User callbacks run from a microtask or a setImmediate callback, never inside a transaction
//   and never inside watch() itself. A callback that throws ends that watcher through onError.
import { CompactedError, type WatchEvent, type WatchOptions, type Watcher } from '../store.js';
import { prefixEnd } from '../keys.js';

/** Reads committed changes with from < revision <= to under [start, end) in revision order. */
export type ReadChanges = (from: number, to: number, start: string, end: string | undefined) => WatchEvent[];

export interface WatchHubDeps {
  readChanges: ReadChanges;
  currentRevision(): number;
  compactedRevision(): number;
  log(msg: string, fields?: object): void;
  /** Revisions scanned per replay step; bounds how long one step holds the event loop. */
  replayChunk?: number;
}

interface WatchState {
  readonly prefix: string;
  readonly end: string | undefined;
  readonly opts: WatchOptions;
  /** Highest revision delivered or queued for delivery. */
  cursor: number;
  live: boolean;
  closed: boolean;
  queue: WatchEvent[];
  flushScheduled: boolean;
}

export class WatchHub {
  private readonly watchers = new Set<WatchState>();
  private readonly chunk: number;

  constructor(private readonly deps: WatchHubDeps) {
    this.chunk = deps.replayChunk ?? 2000;
  }

  get size(): number {
    return this.watchers.size;
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    const compacted = this.deps.compactedRevision();
    if (opts.afterRevision < compacted) throw new CompactedError(opts.afterRevision, compacted);
    const w: WatchState = {
      prefix,
      end: prefixEnd(prefix),
      opts,
      cursor: opts.afterRevision,
      live: false,
      closed: false,
      queue: [],
      flushScheduled: false,
    };
    this.watchers.add(w);
    if (w.cursor >= this.deps.currentRevision()) w.live = true;
    else setImmediate(() => this.replayStep(w));
    return {
      close: () => {
        w.closed = true;
        w.queue = [];
        this.watchers.delete(w);
      },
    };
  }

  /** Called synchronously after each committed write, in revision order. */
  publish(event: WatchEvent): void {
    const rev = event.kv.modRevision;
    for (const w of this.watchers) {
      if (!w.live || rev <= w.cursor || !event.kv.key.startsWith(w.prefix)) continue;
      w.cursor = rev;
      w.queue.push(event);
      if (!w.flushScheduled) {
        w.flushScheduled = true;
        queueMicrotask(() => this.flush(w));
      }
    }
  }

  /** Ends every watcher with err (the store is closing). */
  closeAll(err: Error): void {
    for (const w of [...this.watchers]) this.fail(w, err);
  }

  private replayStep(w: WatchState): void {
    if (w.closed) return;
    try {
      const compacted = this.deps.compactedRevision();
      // Compaction may overtake a long replay; then the rows it still needs are gone.
      if (w.cursor < compacted) throw new CompactedError(w.cursor, compacted);
      const current = this.deps.currentRevision();
      const to = Math.min(current, w.cursor + this.chunk);
      const events = this.deps.readChanges(w.cursor, to, w.prefix, w.end);
      w.cursor = to;
      // Go live before running user code: a write made from inside onEvents must be queued.
      if (to >= current) w.live = true;
      else setImmediate(() => this.replayStep(w));
      if (events.length > 0) this.deliver(w, events);
    } catch (err) {
      this.fail(w, err as Error);
    }
  }

  private flush(w: WatchState): void {
    w.flushScheduled = false;
    if (w.closed || w.queue.length === 0) return;
    const batch = w.queue;
    w.queue = [];
    this.deliver(w, batch);
  }

  private deliver(w: WatchState, events: WatchEvent[]): void {
    try {
      w.opts.onEvents(events);
    } catch (err) {
      this.deps.log('watch callback threw; ending the watch', { prefix: w.prefix, err: String(err) });
      this.fail(w, err as Error);
    }
  }

  private fail(w: WatchState, err: Error): void {
    if (w.closed) return;
    w.closed = true;
    w.queue = [];
    this.watchers.delete(w);
    try {
      w.opts.onError(err);
    } catch (e) {
      this.deps.log('watch onError threw', { prefix: w.prefix, err: String(e) });
    }
  }
}
