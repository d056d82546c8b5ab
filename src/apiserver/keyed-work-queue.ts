// The work queue of the API server's own controllers (CRDs, local APIServices): names are handled
// one at a time, in the order they were queued; a name queued again while it waits keeps its
// place, and one queued while it is being handled is handled once more afterwards. A failure may
// queue the name again after a delay (timers that keep no process alive, cleared by stop()).

export interface KeyedWorkQueueOptions {
  /** Handles one name. */
  work: (name: string) => Promise<void>;
  /** A failure of `work`: how many ms until the name is queued again, or undefined to drop it. */
  retryAfter: (name: string, err: unknown) => number | undefined;
  /** Start handling on a later turn of the event loop (setImmediate), never in the caller's stack. */
  deferStart?: boolean;
}

export class KeyedWorkQueue {
  private readonly queue = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private stopped = false;

  constructor(private readonly opts: KeyedWorkQueueOptions) {}

  add(name: string): void {
    if (this.stopped) return;
    this.queue.add(name);
    if (this.running) return;
    this.running = true;
    if (this.opts.deferStart) setImmediate(() => void this.drain());
    else void this.drain();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.clear();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && this.queue.size > 0) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        try {
          await this.opts.work(name);
        } catch (err) {
          if (this.stopped) return;
          const ms = this.opts.retryAfter(name, err);
          if (ms !== undefined) this.later(name, ms);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private later(name: string, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(name);
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}
