// The lines of one watch on their way to the client. Lines wait as renderers and are written at
// the client's pace: a watch that starts far behind catches up as fast as it reads. The lines
// queued in one synchronous run (the store delivers a commit's events, often dozens, in one go)
// go out as one stream write once that run is over: a write costs about the same for one line
// as for many.
//
// A watcher more than maxQueued live events behind is too slow and is ended (it resumes from its
// last resourceVersion). The initial snapshot and the replay of missed events are queued before
// the watch goes live (markLive) and do not count: a watch of 150,000 pods from resourceVersion
// "0" is not too slow for having been handed 150,000 events at once.

/** What the queue writes to: a response stream (HTTP/1.1 or HTTP/2). */
export interface WatchOutput {
  write(chunk: string): boolean;
  once(event: 'drain', fn: () => void): void;
}

/** Lines written together are cut into writes of about this many characters. */
const maxChunkChars = 64 * 1024;

export class WatchQueue {
  private readonly queue: (() => string)[] = [];
  private head = 0;
  /** Index in queue of the first live event (Infinity until markLive). */
  private liveStart = Infinity;
  private waitingForDrain = false;
  private pumpQueued = false;
  private closed = false;

  constructor(
    private readonly out: WatchOutput,
    private readonly maxQueued: number,
    private readonly onTooSlow: () => void,
  ) {}

  /** Queues a line (or what renders it, called once when it is written). */
  push(render: string | (() => string)): void {
    if (this.closed) return;
    this.queue.push(typeof render === 'string' ? () => render : render);
    if (this.queue.length - Math.max(this.head, this.liveStart) > this.maxQueued) {
      this.onTooSlow();
      return;
    }
    if (!this.waitingForDrain && !this.pumpQueued) {
      this.pumpQueued = true;
      queueMicrotask(this.pump);
    }
  }

  /** Everything queued so far was the initial snapshot or replay; what follows counts as live. */
  markLive(): void {
    this.liveStart = this.queue.length;
  }

  /** Writes what is queued, unless the stream is full, and accepts nothing more. */
  close(): void {
    if (this.closed) return;
    if (!this.waitingForDrain) this.pump();
    this.closed = true;
  }

  private readonly pump = (): void => {
    this.pumpQueued = false;
    this.waitingForDrain = false;
    const q = this.queue;
    while (this.head < q.length && !this.closed) {
      let chunk = '';
      while (this.head < q.length && chunk.length < maxChunkChars) {
        chunk += q[this.head]() + '\n';
        q[this.head++] = undefined as never;
      }
      if (!this.out.write(chunk)) {
        this.waitingForDrain = true;
        this.out.once('drain', this.pump);
        break;
      }
    }
    if (this.head === q.length) {
      q.length = 0;
      if (this.liveStart !== Infinity) this.liveStart = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.liveStart = Math.max(0, this.liveStart - this.head);
      this.head = 0;
    }
  };
}
