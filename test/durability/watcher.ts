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
  /** Times the server ended a watch cleanly (no ERROR) and stateAt reconnected from lastRv(). */
  reconnects(): number;
  /** Opens the watch from lastRv() on a (new) server; resolves once the server accepted it. */
  connect(client: ApiClient): Promise<void>;
  /**
   * Resolves with a copy of the state as of revision `rv`: taken when the first event above `rv`
   * arrives (before applying it). If the server ends the watch cleanly first (as it may for a
   * watcher with a large backlog), reconnects from the last revision seen, as a client would.
   * Rejects after an ERROR event, when the connection breaks, or when nothing comes in time.
   */
  stateAt(rv: number, timeoutMs?: number): Promise<Map<string, SeenObject>>;
  /** Resolves when the current connection ends, with the reason. */
  ended(): Promise<string>;
  /** Drops the connection (a client whose network broke); events after this are not seen. */
  disconnect(): void;
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
  let reconnects = 0;
  let errorOnConnection = false;
  let client: ApiClient | undefined;
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
      errorOnConnection = true;
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
  };

  return {
    state,
    events,
    eventByOp,
    problems,
    lastRv: () => last,
    reconnects: () => reconnects,
    async connect(c) {
      client = c;
      errorOnConnection = false;
      const path = `/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${last}&allowWatchBookmarks=true&timeoutSeconds=3600`;
      const s = await c.stream(path, onLine);
      if (s.status !== 200) throw new Error(`watch from ${last} answered ${s.status}`);
      ended = s.ended;
      abort = s.abort;
    },
    async stateAt(rv, timeoutMs = 15_000) {
      if (last > rv) throw new Error(`watch is already past ${rv} (at ${last})`);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const reached = new Promise<Map<string, SeenObject>>((resolve) => (waiter = { rv, resolve }));
      try {
        for (;;) {
          const r = await Promise.race([reached, timedOut, ended.then((why) => ({ why }))]);
          if (r === 'timeout') throw new Error(`no watch event after ${rv} within ${timeoutMs} ms (last seen ${last})`);
          if (r instanceof Map) return r;
          if (r.why !== 'end' || errorOnConnection || !client) throw new Error(`watch ended (${r.why}) before an event after ${rv}`);
          reconnects++;
          await this.connect(client);
        }
      } finally {
        clearTimeout(timer);
        waiter = undefined;
      }
    },
    ended: () => ended,
    disconnect: () => abort(),
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
