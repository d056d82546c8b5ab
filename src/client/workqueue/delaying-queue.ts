// The delaying queue of client-go (delaying_queue.go): addAfter(item, ms) adds the item once the
// delay has passed. Waiting items sit in a heap ordered by ready time with one timer armed for the
// earliest; re-adding a waiting item keeps the earlier of the two ready times.
import type { TimerHandle } from '../clock.js';
import { MinHeap, type HeapEntry } from './heap.js';
import { WorkQueue, type Queue, type QueueOptions } from './queue.js';

export interface DelayingQueue<T> extends Queue<T> {
  /** Adds item after ms (at once when ms <= 0). Ignored after shutdown. */
  addAfter(item: T, ms: number): void;
}

interface Waiting<T> extends HeapEntry {
  item: T;
  readyAt: number;
  seq: number;
}

export class DelayingWorkQueue<T> extends WorkQueue<T> implements DelayingQueue<T> {
  private readonly waiting = new MinHeap<Waiting<T>>((a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq));
  private readonly known = new Map<T, Waiting<T>>();
  private seq = 0;
  private timer?: TimerHandle;
  private timerAt = Infinity;

  constructor(opts: QueueOptions = {}) {
    super(opts);
  }

  addAfter(item: T, ms: number): void {
    if (this.shuttingDown()) return;
    this.reportRetry();
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.known.get(item);
    if (existing) {
      if (readyAt < existing.readyAt) {
        existing.readyAt = readyAt;
        this.waiting.fix(existing);
      }
    } else {
      const entry: Waiting<T> = { item, readyAt, seq: this.seq++, index: -1 };
      this.known.set(item, entry);
      this.waiting.push(entry);
    }
    this.arm();
  }

  /** Items waiting for their delay to pass (not yet in the queue). */
  waitingCount(): number {
    return this.waiting.size;
  }

  override shutDown(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    super.shutDown();
  }

  /** Keeps exactly one timer, for the earliest waiting item. */
  private arm(): void {
    const next = this.waiting.peek();
    if (!next) return;
    if (this.timer && this.timerAt <= next.readyAt) return;
    this.timer?.cancel();
    this.timerAt = next.readyAt;
    this.timer = this.clock.setTimeout(() => this.fire(), next.readyAt - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.shuttingDown()) return;
    const now = this.clock.now();
    for (let next = this.waiting.peek(); next && next.readyAt <= now; next = this.waiting.peek()) {
      this.waiting.pop();
      this.known.delete(next.item);
      this.add(next.item);
    }
    this.arm();
  }
}
