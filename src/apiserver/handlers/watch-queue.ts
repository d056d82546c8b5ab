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

import { RingQueue } from '../../util/ring-queue.js';

/** What the queue writes to: a response stream (HTTP/1.1 or HTTP/2). */
export interface WatchOutput {
  write(chunk: string): boolean;
  once(event: 'drain', fn: () => void): void;
}

/** Lines written together are cut into writes of about this many characters. */
const maxChunkChars = 64 * 1024;

export class WatchQueue {
  private readonly lines = new RingQueue<() => string>();
  private live = false;
  /** Lines of the initial snapshot and replay still queued (counted from markLive on). */
  private initialLeft = 0;
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
    this.lines.push(typeof render === 'string' ? () => render : render);
    if (this.live && this.lines.length - this.initialLeft > this.maxQueued) {
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
    this.live = true;
    this.initialLeft = this.lines.length;
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
    while (this.lines.length > 0 && !this.closed) {
      let chunk = '';
      while (this.lines.length > 0 && chunk.length < maxChunkChars) {
        chunk += this.lines.shift()!() + '\n';
        // The initial lines are at the front.
        if (this.initialLeft > 0) this.initialLeft--;
      }
      if (!this.out.write(chunk)) {
        this.waitingForDrain = true;
        this.out.once('drain', this.pump);
        break;
      }
    }
  };
}
