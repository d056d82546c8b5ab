// The Store contract as a test suite any backend runs: the sqlite test calls it today, the etcd
// backend will call it with its own factory. Every test gets a fresh, empty store.
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type Store,
  type WatchEvent,
} from '../../src/storage/store.js';

export interface StoreHarness {
  store: Store;
  /** Closes the current store and opens a new one over the same data. */
  reopen(): Promise<Store>;
  /** Closes whatever is open and removes the data. */
  dispose(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreHarness>;

/** Collects a watcher's events; lets a test await "everything up to revision R arrived". */
export class EventCollector {
  readonly events: WatchEvent[] = [];
  readonly batches: number[] = [];
  error: Error | undefined;
  private waiters: { rev: number; resolve: () => void; reject: (e: Error) => void }[] = [];

  onEvents = (events: WatchEvent[]): void => {
    this.batches.push(events.length);
    this.events.push(...events);
    const last = this.lastRevision();
    this.waiters = this.waiters.filter((w) => (w.rev <= last ? (w.resolve(), false) : true));
  };

  onError = (err: Error): void => {
    this.error = err;
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
  };

  lastRevision(): number {
    return this.events.length ? this.events[this.events.length - 1].kv.modRevision : 0;
  }

  /** Resolves once an event with modRevision >= rev has arrived; rejects if the watch errors. */
  until(rev: number): Promise<void> {
    if (this.lastRevision() >= rev) return Promise.resolve();
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiters.push({ rev, resolve, reject }));
  }

  /** Resolves with the error the watch ended with. */
  errored(): Promise<Error> {
    if (this.error) return Promise.resolve(this.error);
    return new Promise((resolve) => this.waiters.push({ rev: Infinity, resolve: () => {}, reject: resolve }));
  }

  revisions(): number[] {
    return this.events.map((e) => e.kv.modRevision);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function kv(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return { key, value, createRevision, modRevision };
}

export interface ConformanceOptions {
  /**
   * A compaction issued right after watch() returned may still come after the watch's replay
   * (etcd: the watch and the compaction are separate requests, and either may reach etcd
   * first). The watcher then gets its whole history instead of CompactedError; either way it
   * must never see part of it.
   */
  replayMayPrecedeCompaction?: boolean;
}

export function runStoreConformance(name: string, factory: StoreFactory, options: ConformanceOptions = {}): void {
  // A store that stops answering fails its test instead of holding the run until CI's limit.
  const test = (title: string, fn: () => Promise<void>) => nodeTest(title, { timeout: 60_000 }, fn);
  /** Runs body with a fresh store and always disposes of it. */
  const withStore = (body: (s: Store, h: StoreHarness) => Promise<void>) => async () => {
    const h = await factory();
    try {
      await body(h.store, h);
    } finally {
      await h.dispose();
    }
  };

  test(`${name}: an empty store is at revision 0 and every successful write adds exactly one`, withStore(async (s) => {
    assert.equal(await s.currentRevision(), 0);
    assert.equal(await s.compactedRevision(), 0);
    const a = await s.create('/r/a', '1');
    assert.deepEqual(a, kv('/r/a', '1', 1, 1));
    const b = await s.update('/r/a', '2', 1);
    assert.deepEqual(b, kv('/r/a', '2', 1, 2));
    const c = await s.create('/r/b', 'x');
    assert.equal(c.modRevision, 3);
    const d = await s.delete('/r/a');
    assert.deepEqual(d, kv('/r/a', '2', 1, 4));
    assert.equal(await s.currentRevision(), 4);
  }));

  test(`${name}: failed writes (exists, not found, conflict) leave the revision and the data unchanged`, withStore(async (s) => {
    await s.create('/f/a', '1');
    await assert.rejects(s.create('/f/a', 'again'), KeyExistsError);
    await assert.rejects(s.update('/f/missing', 'v', 1), KeyNotFoundError);
    await assert.rejects(s.update('/f/a', 'v', 99), ConflictError);
    await assert.rejects(s.delete('/f/missing'), KeyNotFoundError);
    await assert.rejects(s.delete('/f/a', 99), ConflictError);
    assert.equal(await s.currentRevision(), 1);
    assert.deepEqual(await s.get('/f/a'), kv('/f/a', '1', 1, 1));
  }));

  test(`${name}: creating a key that is live fails with KeyExistsError naming the key`, withStore(async (s) => {
    await s.create('/c/a', '1');
    const err = await s.create('/c/a', '2').catch((e: unknown) => e);
    assert.ok(err instanceof KeyExistsError);
    assert.equal(err.key, '/c/a');
  }));

  test(`${name}: a key deleted and created again starts a new incarnation with a new createRevision`, withStore(async (s) => {
    await s.create('/c/a', '1'); // 1
    await s.delete('/c/a'); // 2
    const again = await s.create('/c/a', '2'); // 3
    assert.deepEqual(again, kv('/c/a', '2', 3, 3));
    assert.deepEqual(await s.get('/c/a'), again);
  }));

  test(`${name}: update with a stale modRevision fails with ConflictError carrying the current value`, withStore(async (s) => {
    await s.create('/u/a', 'v1'); // 1
    await s.update('/u/a', 'v2', 1); // 2
    const err = await s.update('/u/a', 'v3', 1).catch((e: unknown) => e);
    assert.ok(err instanceof ConflictError);
    assert.equal(err.key, '/u/a');
    assert.deepEqual(err.current, kv('/u/a', 'v2', 1, 2));
    assert.deepEqual(await s.update('/u/a', 'v3', 2), kv('/u/a', 'v3', 1, 3));
  }));

  test(`${name}: delete honours its precondition and returns the last value at the delete's revision`, withStore(async (s) => {
    await s.create('/d/a', 'v1'); // 1
    await s.update('/d/a', 'v2', 1); // 2
    const err = await s.delete('/d/a', 1).catch((e: unknown) => e);
    assert.ok(err instanceof ConflictError);
    assert.deepEqual(err.current, kv('/d/a', 'v2', 1, 2));
    assert.deepEqual(await s.delete('/d/a', 2), kv('/d/a', 'v2', 1, 3));
    assert.equal(await s.get('/d/a'), undefined);
    await assert.rejects(s.delete('/d/a'), KeyNotFoundError);
  }));

  test(`${name}: list by prefix pages with limit, startKey and more at the current revision`, withStore(async (s) => {
    for (const k of ['a', 'b', 'c', 'd', 'e']) await s.create(`/l/${k}`, k);
    await s.create('/m/z', 'other');
    const cases: { what: string; limit?: number; startKey?: string; keys: string[]; more: boolean }[] = [
      { what: 'everything', keys: ['a', 'b', 'c', 'd', 'e'], more: false },
      { what: 'first page of two', limit: 2, keys: ['a', 'b'], more: true },
      { what: 'page starting at an existing key (inclusive)', limit: 2, startKey: '/l/c', keys: ['c', 'd'], more: true },
      { what: 'page starting between keys', limit: 2, startKey: '/l/bb', keys: ['c', 'd'], more: true },
      { what: 'last page exactly filled', limit: 2, startKey: '/l/d', keys: ['d', 'e'], more: false },
      { what: 'limit larger than the rest', limit: 10, startKey: '/l/e', keys: ['e'], more: false },
      { what: 'limit equal to the count', limit: 5, keys: ['a', 'b', 'c', 'd', 'e'], more: false },
      { what: 'startKey past the end', startKey: '/l/f', keys: [], more: false },
    ];
    for (const c of cases) {
      const r = await s.list('/l/', { limit: c.limit, startKey: c.startKey });
      assert.deepEqual(r.items.map((i) => i.value), c.keys, c.what);
      assert.equal(r.more, c.more, c.what);
      assert.equal(r.revision, 6, c.what);
    }
    const all = await s.list('/l/');
    assert.deepEqual(all.items[0], kv('/l/a', 'a', 1, 1));
  }));

  test(`${name}: list at a historical revision sees values, deletions and creations as of then`, withStore(async (s) => {
    await s.create('/h/a', 'a1'); // 1
    await s.create('/h/b', 'b1'); // 2
    await s.update('/h/a', 'a2', 1); // 3
    await s.delete('/h/b'); // 4
    await s.create('/h/c', 'c1'); // 5
    await s.create('/h/b', 'b2'); // 6
    const at = async (rev: number, limit?: number, startKey?: string) => {
      const r = await s.list('/h/', { revision: rev, limit, startKey });
      assert.equal(r.revision, rev);
      return { vals: r.items.map((i) => i.value), more: r.more };
    };
    assert.deepEqual(await at(1), { vals: ['a1'], more: false });
    assert.deepEqual(await at(2), { vals: ['a1', 'b1'], more: false });
    assert.deepEqual(await at(3), { vals: ['a2', 'b1'], more: false });
    assert.deepEqual(await at(4), { vals: ['a2'], more: false });
    assert.deepEqual(await at(5), { vals: ['a2', 'c1'], more: false });
    assert.deepEqual(await at(6), { vals: ['a2', 'b2', 'c1'], more: false });
    assert.deepEqual(await at(3, 1), { vals: ['a2'], more: true });
    assert.deepEqual(await at(3, 1, '/h/b'), { vals: ['b1'], more: false });
    assert.deepEqual(await at(5, 1, '/h/b'), { vals: ['c1'], more: false }, 'a key deleted at that revision is skipped');
    const r3 = await s.list('/h/', { revision: 3 });
    assert.deepEqual(r3.items, [kv('/h/a', 'a2', 1, 3), kv('/h/b', 'b1', 2, 2)]);
  }));

  test(`${name}: get at a revision returns the value then, or undefined when absent or deleted then`, withStore(async (s) => {
    await s.create('/g/a', 'v1'); // 1
    await s.update('/g/a', 'v2', 1); // 2
    await s.create('/g/other', 'x'); // 3
    await s.delete('/g/a'); // 4
    await s.create('/g/a', 'v3'); // 5
    const cases: [number, KeyValue | undefined][] = [
      [1, kv('/g/a', 'v1', 1, 1)],
      [2, kv('/g/a', 'v2', 1, 2)],
      [3, kv('/g/a', 'v2', 1, 2)],
      [4, undefined],
      [5, kv('/g/a', 'v3', 5, 5)],
    ];
    for (const [rev, want] of cases) assert.deepEqual(await s.get('/g/a', rev), want, `at revision ${rev}`);
    assert.equal(await s.get('/g/other', 2), undefined);
    assert.deepEqual(await s.get('/g/a'), kv('/g/a', 'v3', 5, 5));
  }));

  test(`${name}: reads at a revision above the current one fail with FutureRevisionError`, withStore(async (s) => {
    await s.create('/x/a', '1');
    await assert.rejects(s.get('/x/a', 2), FutureRevisionError);
    await assert.rejects(s.list('/x/', { revision: 5 }), FutureRevisionError);
  }));

  test(`${name}: a prefix matches only keys that start with it ("/a/b" does not see "/a/bc")`, withStore(async (s) => {
    await s.create('/a/b', 'exact');
    await s.create('/a/b/1', 'child');
    await s.create('/a/bc', 'sibling');
    await s.create('/a/bc/1', 'sibling child');
    await s.create('/a/b0', 'after slash');
    assert.deepEqual((await s.list('/a/b/')).items.map((i) => i.key), ['/a/b/1']);
    assert.deepEqual((await s.list('/a/bc/')).items.map((i) => i.key), ['/a/bc/1']);
    assert.equal(await s.count('/a/b/'), 1);
    assert.equal(await s.count('/a/'), 5);
    assert.equal(await s.count(''), 5);
    assert.equal(await s.count('/nothing/'), 0);
    const w = new EventCollector();
    const watcher = s.watch('/a/b/', { afterRevision: 0, ...w });
    await s.create('/a/bc/2', 'no');
    await s.create('/a/b/2', 'yes');
    await w.until(7);
    watcher.close();
    assert.deepEqual(w.events.map((e) => e.kv.key), ['/a/b/1', '/a/b/2']);
  }));

  test(`${name}: keys are ordered bytewise by their UTF-8 encoding`, withStore(async (s) => {
    // UTF-16 order would put U+1F600 (a surrogate pair) before U+FFFD; UTF-8 puts it after.
    const keys = ['/o/\u{1F600}', '/o/\uFFFD', '/o/z', '/o/Z', '/o/é', '/o/a', '/o/ab', '/o/a/'];
    for (const k of keys) await s.create(k, k);
    const want = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(want.slice(-2), ['/o/\uFFFD', '/o/\u{1F600}']);
    assert.deepEqual((await s.list('/o/')).items.map((i) => i.key), want);
    assert.deepEqual((await s.list('')).items.map((i) => i.key), want, 'the empty prefix lists everything');
    assert.deepEqual((await s.list('/o/\uFFFD')).items.map((i) => i.key), ['/o/\uFFFD']);
  }));

  test(`${name}: watch reports puts with prevKv for updates, none for creates, and deletes with prevKv`, withStore(async (s) => {
    const w = new EventCollector();
    const watcher = s.watch('/w/', { afterRevision: 0, ...w });
    await s.create('/w/a', 'v1'); // 1
    await s.update('/w/a', 'v2', 1); // 2
    await s.delete('/w/a'); // 3
    await w.until(3);
    watcher.close();
    assert.deepEqual(w.events, [
      { type: 'put', kv: kv('/w/a', 'v1', 1, 1) },
      { type: 'put', kv: kv('/w/a', 'v2', 1, 2), prevKv: kv('/w/a', 'v1', 1, 1) },
      { type: 'delete', kv: kv('/w/a', 'v2', 1, 3), prevKv: kv('/w/a', 'v2', 1, 2) },
    ]);
  }));

  test(`${name}: events replayed from history equal the events that were delivered live`, withStore(async (s) => {
    const live = new EventCollector();
    const lw = s.watch('/e/', { afterRevision: 0, ...live });
    await s.create('/e/a', 'a1');
    await s.create('/e/b', 'b1');
    await s.update('/e/a', 'a2', 1);
    await s.delete('/e/b', 2);
    await s.create('/e/b', 'b2');
    await s.delete('/e/a');
    await live.until(6);
    lw.close();
    const replay = new EventCollector();
    const rw = s.watch('/e/', { afterRevision: 0, ...replay });
    await replay.until(6);
    rw.close();
    assert.deepEqual(replay.events, live.events);
    assert.equal(live.events.length, 6);
  }));

  test(`${name}: watch from a revision replays history, then goes live with no gap and no duplicate under concurrent writes`, withStore(async (s) => {
    const writes = 400;
    let done = 0;
    let lastC = 0;
    const writer = (async () => {
      for (let i = 0; i < writes; i++) {
        const k = `/c/${i % 17}`;
        const cur = await s.get(k);
        if (!cur) lastC = (await s.create(k, `v${i}`)).modRevision;
        else if (i % 5 === 0) lastC = (await s.delete(k, cur.modRevision)).modRevision;
        else lastC = (await s.update(k, `v${i}`, cur.modRevision)).modRevision;
        if (i % 3 === 0) await s.create(`/other/${i}`, 'noise');
        done++;
        if (i % 7 === 0) await tick();
      }
    })();
    // Start watchers at different moments while the writer runs, each from an older revision.
    const collectors: { after: number; c: EventCollector; close(): void }[] = [];
    while (done < writes) {
      const rev = await s.currentRevision();
      const after = Math.max(0, rev - 25);
      const c = new EventCollector();
      const w = s.watch('/c/', { afterRevision: after, ...c });
      collectors.push({ after, c, close: () => w.close() });
      for (let i = 0; i < 20; i++) await tick();
    }
    await writer;
    const final = await s.currentRevision();
    const history = new EventCollector();
    const hw = s.watch('/c/', { afterRevision: 0, ...history });
    await history.until(lastC);
    hw.close();
    assert.ok(collectors.length >= 3, `started ${collectors.length} watchers while writing`);
    for (const { after, c, close } of collectors) {
      await c.until(lastC);
      close();
      const want = history.events.filter((e) => e.kv.modRevision > after);
      assert.deepEqual(c.revisions(), want.map((e) => e.kv.modRevision), `watch after ${after} (final ${final})`);
      assert.deepEqual(c.events, want);
    }
  }));

  test(`${name}: watch delivers batches, never synchronously from watch() itself, and nothing after close()`, withStore(async (s) => {
    for (let i = 0; i < 10; i++) await s.create(`/b/${i}`, 'v');
    const c = new EventCollector();
    const w = s.watch('/b/', { afterRevision: 0, ...c });
    assert.equal(c.events.length, 0, 'no callback inside watch()');
    await c.until(10);
    assert.ok(c.batches.length < 10, `replay came in ${c.batches.length} batches`);
    w.close();
    await s.create('/b/late', 'v');
    await tick();
    await tick();
    assert.equal(c.lastRevision(), 10);
  }));

  test(`${name}: a write made from inside onEvents is delivered to the same watcher after the current batch`, withStore(async (s) => {
    await s.create('/n/a', '1');
    const c = new EventCollector();
    let wrote = false;
    const w = s.watch('/n/', {
      afterRevision: 0,
      onEvents: (evs) => {
        c.onEvents(evs);
        if (!wrote) {
          wrote = true;
          void s.create('/n/b', '2');
        }
      },
      onError: c.onError,
    });
    await c.until(2);
    w.close();
    assert.deepEqual(c.revisions(), [1, 2]);
  }));

  test(`${name}: compaction makes reads and watches below it fail and keeps everything at or above it`, withStore(async (s) => {
    await s.create('/k/a', 'a1'); // 1
    await s.create('/k/b', 'b1'); // 2
    await s.update('/k/a', 'a2', 1); // 3
    await s.delete('/k/b'); // 4
    await s.update('/k/a', 'a3', 3); // 5
    await s.create('/k/c', 'c1'); // 6
    await s.update('/k/a', 'a4', 5); // 7
    await s.compact(5);
    assert.equal(await s.compactedRevision(), 5);
    for (const rev of [1, 4]) {
      await assert.rejects(s.get('/k/a', rev), CompactedError);
      await assert.rejects(s.list('/k/', { revision: rev }), CompactedError);
      assert.throws(() => s.watch('/k/', { afterRevision: rev, onEvents: () => {}, onError: () => {} }), CompactedError);
    }
    assert.deepEqual((await s.list('/k/', { revision: 5 })).items, [kv('/k/a', 'a3', 1, 5)]);
    assert.deepEqual((await s.list('/k/', { revision: 6 })).items, [kv('/k/a', 'a3', 1, 5), kv('/k/c', 'c1', 6, 6)]);
    assert.deepEqual(await s.get('/k/a', 5), kv('/k/a', 'a3', 1, 5));
    assert.equal(await s.get('/k/b', 5), undefined);
    assert.deepEqual((await s.list('/k/')).items.map((i) => i.value), ['a4', 'c1']);
    const c = new EventCollector();
    const w = s.watch('/k/', { afterRevision: 5, ...c });
    await c.until(7);
    w.close();
    assert.deepEqual(c.events, [
      { type: 'put', kv: kv('/k/c', 'c1', 6, 6) },
      { type: 'put', kv: kv('/k/a', 'a4', 1, 7), prevKv: kv('/k/a', 'a3', 1, 5) },
    ]);
    await s.compact(3); // below the compacted revision: nothing to do
    assert.equal(await s.compactedRevision(), 5);
    await assert.rejects(s.compact(100), FutureRevisionError);
  }));

  test(`${name}: a deletion at the compacted revision still gives later watchers the right prevKv`, withStore(async (s) => {
    await s.create('/p/a', 'a1'); // 1
    await s.update('/p/a', 'a2', 1); // 2
    await s.delete('/p/a'); // 3
    await s.create('/p/a', 'a3'); // 4
    await s.update('/p/a', 'a4', 4); // 5
    await s.delete('/p/a'); // 6 — the newest write is a deletion, compacted over below
    await s.compact(6);
    assert.equal(await s.get('/p/a', 6), undefined);
    assert.equal(await s.count('/p/'), 0);
    await s.create('/p/a', 'a5'); // 7
    assert.equal(await s.currentRevision(), 7);
    const c = new EventCollector();
    const w = s.watch('/p/', { afterRevision: 6, ...c });
    await c.until(7);
    w.close();
    assert.deepEqual(c.events, [{ type: 'put', kv: kv('/p/a', 'a5', 7, 7) }]);
  }));

  test(`${name}: a watcher that falls behind a compaction ends with CompactedError`, withStore(async (s) => {
    for (let i = 0; i < 5; i++) await s.create(`/q/${i}`, 'v');
    const c = new EventCollector();
    const w = s.watch('/q/', { afterRevision: 0, ...c }); // replay has not run yet
    await s.compact(3);
    const outcome = await Promise.race([c.errored(), ...(options.replayMayPrecedeCompaction ? [c.until(5).then(() => 'replayed' as const)] : [])]);
    w.close();
    if (outcome === 'replayed') {
      assert.deepEqual(c.revisions(), [1, 2, 3, 4, 5], 'the whole history, before the compaction');
      return;
    }
    assert.ok(outcome instanceof CompactedError, String(outcome));
    assert.equal(c.events.length, 0);
  }));

  test(`${name}: reopening the data gives the same keys, history, revisions and compaction floor`, withStore(async (s0, h) => {
    await s0.create('/r/a', 'a1'); // 1
    await s0.create('/r/b', 'b1'); // 2
    await s0.update('/r/a', 'a2', 1); // 3
    await s0.delete('/r/b'); // 4
    await s0.compact(2);
    const before = await s0.list('/r/');
    const s = await h.reopen();
    assert.equal(await s.currentRevision(), 4);
    assert.equal(await s.compactedRevision(), 2);
    assert.deepEqual(await s.list('/r/'), before);
    assert.deepEqual(await s.get('/r/b', 3), kv('/r/b', 'b1', 2, 2));
    await assert.rejects(s.get('/r/a', 1), CompactedError);
    assert.deepEqual(await s.create('/r/c', 'c'), kv('/r/c', 'c', 5, 5));
    const c = new EventCollector();
    const w = s.watch('/r/', { afterRevision: 2, ...c });
    await c.until(5);
    w.close();
    assert.deepEqual(c.revisions(), [3, 4, 5]);
    assert.deepEqual(c.events[1], { type: 'delete', kv: kv('/r/b', 'b1', 2, 4), prevKv: kv('/r/b', 'b1', 2, 2) });
  }));

  test(`${name}: the revision survives a reopen even when the newest write was compacted away`, withStore(async (s0, h) => {
    await s0.create('/t/a', '1'); // 1
    await s0.delete('/t/a'); // 2
    await s0.compact(2);
    const s = await h.reopen();
    assert.equal(await s.currentRevision(), 2);
    assert.equal((await s.create('/t/b', '1')).modRevision, 3);
  }));

  test(`${name}: closing the store ends open watches through onError`, withStore(async (s0, h) => {
    const c = new EventCollector();
    s0.watch('/z/', { afterRevision: 0, ...c });
    await h.reopen();
    const err = await c.errored();
    assert.match(err.message, /closed/);
  }));
}
