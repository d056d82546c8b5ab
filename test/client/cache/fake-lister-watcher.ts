// A scripted ListerWatcher: a test double of the ListerWatcher INTERFACE (not of our server),
// so reflector and informer tests can produce exact sequences — a dropped watch, a 410, a
// bookmark — that a real server only produces by chance. It keeps a tiny "world" (objects and a
// revision counter) so lists and watch events agree with each other like a real server's.
import type { KubeObject } from '../../../src/api/object.js';
import type { ListerWatcher, ListOptions, ObjectList, WatchEvent, WatchOptions, WatchStream } from '../../../src/client/types.js';

type Item<T extends KubeObject> = { event: WatchEvent<T> } | { error: Error } | { end: true };

export class FakeWatch<T extends KubeObject> implements WatchStream<T> {
  stopped = false;
  private queue: Item<T>[] = [];
  private waiter: (() => void) | undefined;

  constructor(readonly opts: WatchOptions) {}

  push(event: WatchEvent<T>): void {
    this.enqueue({ event });
  }

  /** The stream breaks (the iterator throws), as a reset connection does. */
  fail(error: Error): void {
    this.enqueue({ error });
  }

  /** The server closes the stream normally (timeoutSeconds reached). */
  end(): void {
    this.enqueue({ end: true });
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    return {
      next: async () => {
        for (;;) {
          if (this.stopped) return { done: true, value: undefined };
          const item = this.queue.shift();
          if (item) {
            if ('event' in item) return { done: false, value: item.event };
            if ('error' in item) throw item.error;
            this.stopped = true;
            return { done: true, value: undefined };
          }
          await new Promise<void>((resolve) => (this.waiter = resolve));
        }
      },
      return: async () => {
        this.stop();
        return { done: true, value: undefined };
      },
    };
  }

  private enqueue(item: Item<T>): void {
    this.queue.push(item);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

export class StatusCodeError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason = '',
  ) {
    super(message);
  }
}

export const gone = (msg = 'too old resource version') => new StatusCodeError(410, msg, 'Expired');

export function pod(name: string, namespace = 'default', extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `uid-${namespace}-${name}` }, ...extra };
}

export class FakeListerWatcher<T extends KubeObject = KubeObject> implements ListerWatcher<T> {
  readonly lists: ListOptions[] = [];
  readonly watches: FakeWatch<T>[] = [];
  /** The world: objects by key, and the revision of the last change. */
  readonly objects = new Map<string, T>();
  rv = 100;
  /** Errors the next list()/watch() calls throw, in order. */
  listErrors: Error[] = [];
  watchErrors: Error[] = [];
  private waiters: (() => void)[] = [];

  get currentWatch(): FakeWatch<T> | undefined {
    const w = this.watches[this.watches.length - 1];
    return w && !w.stopped ? w : undefined;
  }

  async list(opts: ListOptions): Promise<ObjectList<T>> {
    this.lists.push(opts);
    this.notify();
    const err = this.listErrors.shift();
    if (err) throw err;
    const all = [...this.objects.values()].map((o) => structuredClone(o));
    const start = opts.continue ? Number(opts.continue) : 0;
    const end = opts.limit ? start + opts.limit : all.length;
    const page = all.slice(start, end);
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv), ...(end < all.length ? { continue: String(end) } : {}) }, items: page };
  }

  async watch(opts: WatchOptions): Promise<WatchStream<T>> {
    const err = this.watchErrors.shift();
    if (err) {
      this.watches.push(Object.assign(new FakeWatch<T>(opts), { stopped: true }));
      this.notify();
      throw err;
    }
    const w = new FakeWatch<T>(opts);
    this.watches.push(w);
    if (opts.sendInitialEvents) {
      for (const o of this.objects.values()) w.push({ type: 'ADDED', object: structuredClone(o) });
      w.push({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv), annotations: { 'k8s.io/initial-events-end': 'true' } } } as unknown as T });
    }
    this.notify();
    return w;
  }

  /** Resolves once at least `n` watch() calls (including failed ones) have been made. */
  async waitForWatches(n: number): Promise<FakeWatch<T>> {
    while (this.watches.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.watches[n - 1];
  }

  async waitForLists(n: number): Promise<ListOptions> {
    while (this.lists.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.lists[n - 1];
  }

  /** Changes the world; the open watch (if any, and `deliver`) sees the event. */
  create(obj: T, deliver = true): T {
    return this.change('ADDED', obj, deliver);
  }

  modify(obj: T, deliver = true): T {
    return this.change('MODIFIED', obj, deliver);
  }

  remove(obj: T, deliver = true): T {
    return this.change('DELETED', obj, deliver);
  }

  bookmark(rv = this.rv): void {
    this.currentWatch?.push({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(rv) } } as unknown as T });
  }

  private change(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T, deliver: boolean): T {
    const stored = structuredClone(obj);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.rv) };
    const key = `${stored.metadata.namespace ?? ''}/${stored.metadata.name}`;
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, stored);
    if (deliver) this.currentWatch?.push({ type, object: structuredClone(stored) });
    return stored;
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Resolves when `cond` holds, checking after each turn of the event loop (no timers). */
export async function until(cond: () => boolean, what = 'condition', maxTurns = 100_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (cond()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}
