// The watch.Broadcaster both event pipelines (core/v1 tools/record and events.k8s.io/v1
// tools/events) sit on: every watcher (the API sink, a logger) gets its own bounded queue, drained
// in order by one async loop, one event at a time. Sending never blocks and never throws: a full
// queue drops the event for that watcher, as upstream's DropIfChannelFull broadcaster does.
import type { Logger } from '../../util/log.js';

/** A running consumer of a broadcaster's events. */
export interface EventWatcher {
  stop(): void;
}

interface WatcherState<E> {
  handler: (e: E) => Promise<void> | void;
  queue: E[];
  running: boolean;
  stopped: boolean;
  idleWaiters: Array<() => void>;
}

export class EventFanout<E> {
  private readonly watchers = new Set<WatcherState<E>>();

  constructor(
    /** Events queued per watcher before new ones are dropped (upstream: 1000). */
    private readonly maxQueued: number,
    private readonly log: Logger,
  ) {}

  /** Calls handler for every event sent from now on, in order, one at a time. A throw is logged. */
  watch(handler: (e: E) => Promise<void> | void): EventWatcher {
    const w: WatcherState<E> = { handler, queue: [], running: false, stopped: false, idleWaiters: [] };
    this.watchers.add(w);
    return {
      stop: () => {
        w.stopped = true;
        w.queue = [];
        this.watchers.delete(w);
        if (!w.running) this.notifyIdle(w);
      },
    };
  }

  /** Queues e for every watcher; false when some watcher's queue was full and it was dropped there. */
  send(e: E): boolean {
    let sent = true;
    for (const w of this.watchers) {
      if (w.queue.length >= this.maxQueued) {
        sent = false;
        continue;
      }
      w.queue.push(e);
      if (!w.running) void this.drain(w);
    }
    return sent;
  }

  /** Resolves once every event sent so far has been handled by every watcher. */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.watchers].map((w) => (w.running || w.queue.length > 0 ? new Promise<void>((r) => w.idleWaiters.push(r)) : undefined)),
    );
  }

  /** Stops every watcher (queued events are abandoned; flush first to keep them). */
  stopAll(): void {
    for (const w of this.watchers) w.stopped = true;
    this.watchers.clear();
  }

  private async drain(w: WatcherState<E>): Promise<void> {
    w.running = true;
    try {
      while (!w.stopped && w.queue.length > 0) {
        const e = w.queue.shift()!;
        try {
          // A handler done at once (most are) is not awaited: no promise and no turn per event.
          const done = w.handler(e);
          if (done) await done;
        } catch (err) {
          this.log.error({ err }, 'event watcher failed');
        }
      }
    } finally {
      w.running = false;
      this.notifyIdle(w);
    }
  }

  private notifyIdle(w: WatcherState<E>): void {
    for (const r of w.idleWaiters.splice(0)) r();
  }
}
