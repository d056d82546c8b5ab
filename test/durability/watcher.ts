// The storm's watcher: one logical watch on the namespace's configmaps that lives across kills.
// It keeps the state a client builds from events (name → object), the last resourceVersion it saw,
// and every event ever received (indexed by revision), and flags anything a gapless, ordered,
// duplicate-free watch could never produce. After each restart it resumes from its last
// resourceVersion on the new server.
import type { ApiClient } from './https-client.js';

export interface SeenObject {
  name: string;
  rv: string;
  data: Record<string, string> | undefined;
  /** The whole object as received, without kind and apiVersion (list items may omit them). */
  object: Record<string, unknown>;
}

export interface SeenEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  rv: number;
  op: string | undefined;
  data: Record<string, string> | undefined;
}

export interface WatchObject {
  metadata: { name: string; resourceVersion: string; managedFields?: unknown };
  data?: Record<string, string>;
}

export interface Watcher {
  readonly state: Map<string, SeenObject>;
  /** Every event ever received, by revision. */
  readonly events: Map<number, SeenEvent>;
  /** Revision of the op's event, by op id (data.op). */
  readonly eventByOp: Map<string, number>;
  readonly problems: string[];
  lastRv(): number;
  /** Events received on the current connection. */
  eventsThisConnection(): number;
  /** Opens the watch from lastRv() on a (new) server; resolves once the server accepted it. */
  connect(client: ApiClient): Promise<void>;
  /**
   * Resolves with a copy of the state as of revision `rv`: taken when the first event above `rv`
   * arrives (before applying it). Rejects if the watch ends first or nothing comes in time.
   */
  stateAt(rv: number, timeoutMs?: number): Promise<Map<string, SeenObject>>;
  /** Resolves when the current connection ends, with the reason. */
  ended(): Promise<string>;
  /** Starts over from a LIST (what a client does after 410 Gone); the event history is kept. */
  reset(items: WatchObject[], rv: number): void;
}

export function createWatcher(namespace: string, initial: { items: WatchObject[]; rv: number }): Watcher {
  const state = new Map<string, SeenObject>();
  const fill = (items: WatchObject[]) => {
    state.clear();
    for (const item of items) state.set(item.metadata.name, seen(item));
  };
  fill(initial.items);
  const events = new Map<number, SeenEvent>();
  const eventByOp = new Map<string, number>();
  const problems: string[] = [];
  let last = initial.rv;
  let count = 0;
  let ended: Promise<string> = Promise.resolve('not connected');
  let abort = () => {};
  let waiter: { rv: number; resolve: (s: Map<string, SeenObject>) => void } | undefined;

  const onLine = (line: string) => {
    let ev: { type: string; object: WatchObject & { code?: number; message?: string } };
    try {
      ev = JSON.parse(line) as typeof ev;
    } catch {
      problems.push(`watch line is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (ev.type === 'ERROR') {
      problems.push(`watch ERROR event after ${last}: ${ev.object.code} ${ev.object.message}`);
      return;
    }
    const rv = Number(ev.object.metadata?.resourceVersion);
    if (!Number.isSafeInteger(rv) || rv <= 0) {
      problems.push(`watch ${ev.type} without a valid resourceVersion: ${line.slice(0, 200)}`);
      return;
    }
    if (ev.type === 'BOOKMARK') {
      if (rv < last) problems.push(`bookmark ${rv} goes back from ${last}`);
      else last = rv;
      return;
    }
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') {
      problems.push(`unknown watch event type ${ev.type}`);
      return;
    }
    if (rv <= last) problems.push(`${ev.type} ${ev.object.metadata.name} at ${rv} is not after ${last} (duplicate or out of order)`);
    if (waiter && rv > waiter.rv) {
      waiter.resolve(new Map(state));
      waiter = undefined;
    }
    const name = ev.object.metadata.name;
    const had = state.has(name);
    if (ev.type === 'ADDED' && had) problems.push(`ADDED ${name} at ${rv} but it already existed (a DELETED was missed)`);
    if (ev.type !== 'ADDED' && !had) problems.push(`${ev.type} ${name} at ${rv} but it did not exist (an ADDED was missed)`);
    if (ev.type === 'DELETED') state.delete(name);
    else state.set(name, seen(ev.object));
    if (events.has(rv)) problems.push(`two events at revision ${rv}`);
    const op = ev.object.data?.op;
    events.set(rv, { type: ev.type, name, rv, op, data: ev.object.data });
    // A DELETED event carries the deleted content; it is not that op's own write.
    if (op !== undefined && ev.type !== 'DELETED') {
      if (eventByOp.has(op)) problems.push(`op ${op} appears in two events (${eventByOp.get(op)} and ${rv})`);
      eventByOp.set(op, rv);
    }
    last = Math.max(last, rv);
    count++;
  };

  return {
    state,
    events,
    eventByOp,
    problems,
    lastRv: () => last,
    eventsThisConnection: () => count,
    async connect(client) {
      count = 0;
      const path = `/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${last}&allowWatchBookmarks=true&timeoutSeconds=3600`;
      const s = await client.stream(path, onLine);
      if (s.status !== 200) throw new Error(`watch from ${last} answered ${s.status}`);
      ended = s.ended;
      abort = s.abort;
    },
    stateAt(rv, timeoutMs = 15_000) {
      if (last > rv) return Promise.reject(new Error(`watch is already past ${rv} (at ${last})`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no watch event after ${rv} within ${timeoutMs} ms (last seen ${last})`)), timeoutMs);
        const done = (s: Map<string, SeenObject>) => {
          clearTimeout(timer);
          resolve(s);
        };
        waiter = { rv, resolve: done };
        ended.then((why) => {
          clearTimeout(timer);
          reject(new Error(`watch ended (${why}) before an event after ${rv}`));
        });
      });
    },
    ended: () => ended,
    reset(items, rv) {
      abort();
      waiter = undefined;
      fill(items);
      last = rv;
    },
  };
}

export function seen(obj: WatchObject): SeenObject {
  const { kind: _k, apiVersion: _a, ...object } = obj as WatchObject & { kind?: string; apiVersion?: string };
  return { name: obj.metadata.name, rv: obj.metadata.resourceVersion, data: obj.data, object };
}
