// Runs the Store conformance suite against the sqlite backend, plus sqlite-specific checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from '../../src/storage/sqlite/sqlite-store.js';
import Database from 'better-sqlite3';
import { ConflictError, KeyExistsError, KeyNotFoundError, type KeyValue, type WatchEvent } from '../../src/storage/store.js';
import { compareKeys } from '../../src/storage/keys.js';
import { EventCollector, runStoreConformance, type StoreHarness } from './conformance.js';

function harness(extra: Partial<SqliteStoreOptions> = {}): StoreHarness & { store: SqliteStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
  const path = join(dir, 'state.db');
  const h = {
    dir,
    // Small chunks so replays in the suite cross several steps.
    store: openSqliteStore({ path, watchReplayChunk: 7, ...extra }),
    async reopen(): Promise<SqliteStore> {
      await h.store.close();
      h.store = openSqliteStore({ path, watchReplayChunk: 7, ...extra });
      return h.store;
    },
    async dispose() {
      await h.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

runStoreConformance('sqlite', async () => harness());

test('sqlite: compaction in small batches removes the history at or below the revision and keeps every read above it', async () => {
  const h = harness({ compactBatchRows: 3 });
  try {
    const s = h.store;
    for (let i = 0; i < 10; i++) await s.create(`/k/${i}`, 'v0');
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 10; i++) await s.update(`/k/${i}`, `v${round}`, (await s.get(`/k/${i}`))!.modRevision);
    }
    for (let i = 0; i < 5; i++) await s.delete(`/k/${i}`);
    const rev = await s.currentRevision(); // 65
    const at55 = await s.list('/k/', { revision: rev - 10 });
    const before = s.stats();
    await s.compact(rev - 10);
    const after = s.stats();
    // One history row per revision: those of revisions 1..55 go.
    assert.equal(after.compactedRows, 55);
    assert.equal(after.compactions, before.compactions + 1);
    assert.deepEqual((await s.list('/k/')).items.map((i) => i.value), ['v5', 'v5', 'v5', 'v5', 'v5']);
    assert.deepEqual(await s.list('/k/', { revision: rev - 10 }), at55);
    assert.equal(at55.items.length, 10);
    await s.compact(rev);
    assert.equal(s.stats().compactedRows, 65);
    assert.deepEqual((await s.list('/k/')).items.map((i) => i.value), ['v5', 'v5', 'v5', 'v5', 'v5']);
    assert.equal(await s.currentRevision(), rev);
  } finally {
    await h.dispose();
  }
});

test('sqlite: a watch that replays history keeps writers running between its chunks', async () => {
  const h = harness({ watchReplayChunk: 10 });
  try {
    const s = h.store;
    for (let i = 0; i < 100; i++) await s.create(`/r/${i}`, 'v');
    const c = new EventCollector();
    const w = s.watch('/r/', { afterRevision: 0, ...c });
    // The first replay step runs on the next turn of the event loop, after this write.
    await s.create('/r/x', 'v');
    await c.until(101);
    w.close();
    assert.ok(c.batches.length >= 10, `replayed in ${c.batches.length} batches`);
    assert.deepEqual(c.revisions(), Array.from({ length: 101 }, (_, i) => i + 1));
  } finally {
    await h.dispose();
  }
});

test('sqlite: compaction returns free pages to the file system and truncates the WAL when idle', async () => {
  let now = 0;
  const h = harness({ vacuumStepPages: 16, idleCheckpointMs: 1000, now: () => now, pageSize: 4096 });
  try {
    const s = h.store;
    const big = 'x'.repeat(4000);
    for (let i = 0; i < 500; i++) await s.create(`/v/${i}`, big);
    for (let i = 0; i < 500; i++) await s.delete(`/v/${i}`);
    const grown = s.stats();
    now += 5000; // idle: the WAL may be truncated
    await s.compact(await s.currentRevision());
    const shrunk = s.stats();
    assert.ok(shrunk.vacuumedPages > 300, `vacuumed ${shrunk.vacuumedPages} pages`);
    assert.ok(shrunk.dbBytes < grown.dbBytes / 2, `db ${grown.dbBytes} -> ${shrunk.dbBytes}`);
    assert.equal(shrunk.walBytes, 0);
    assert.equal(shrunk.walTruncations, 1);
    assert.equal(shrunk.keys, 0);
  } finally {
    await h.dispose();
  }
});

test('sqlite: a file with a compaction interrupted part-way resumes it and keeps reads consistent', async () => {
  const h = harness({ compactBatchRows: 2 });
  try {
    const s = h.store;
    for (let i = 0; i < 20; i++) await s.create(`/i/${i % 4}`, `v${i}`).catch(async () => {
      const cur = (await s.get(`/i/${i % 4}`))!;
      await s.update(`/i/${i % 4}`, `v${i}`, cur.modRevision);
    });
    const want = await s.list('/i/', { revision: 15 });
    // Close while the compaction is between batches: it stops; what is left stays readable.
    const compaction = s.compact(15);
    while (s.stats().compactedRows === 0) await new Promise((resolve) => setImmediate(resolve));
    const s2 = await h.reopen();
    await compaction;
    const firstPart = s.stats().compactedRows;
    assert.ok(firstPart > 0 && firstPart < 15, `first run removed ${firstPart} rows`);
    assert.equal(await s2.compactedRevision(), 15);
    assert.deepEqual(await s2.list('/i/', { revision: 15 }), want);
    await s2.compact(15); // deletes the rest
    assert.deepEqual(await s2.list('/i/', { revision: 15 }), want);
    assert.equal(firstPart + h.store.stats().compactedRows, 15);
  } finally {
    await h.dispose();
  }
});

test('sqlite: writes issued in the same tick share one transaction, each with its own revision and outcome', async () => {
  const h = harness();
  try {
    const s = h.store;
    await s.create('/g/b', 'b0'); // 1
    const c = new EventCollector();
    const w = s.watch('/g/', { afterRevision: 1, ...c });
    const commits = s.stats().commits;
    const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: v }), (e: unknown) => ({ err: e }));
    const results = await Promise.all([
      settle(s.create('/g/a', 'a1')),
      settle(s.create('/g/a', 'again')),
      settle(s.update('/g/b', 'b1', 99)),
      settle(s.update('/g/b', 'b1', 1)),
      settle(s.delete('/g/missing')),
      settle(s.delete('/g/a')),
    ]);
    assert.equal(s.stats().commits, commits + 1, 'one transaction');
    assert.deepEqual(results[0], { ok: { key: '/g/a', value: 'a1', createRevision: 2, modRevision: 2 } });
    assert.ok('err' in results[1] && results[1].err instanceof KeyExistsError, 'the second create sees the first');
    assert.ok('err' in results[2] && results[2].err instanceof ConflictError);
    assert.deepEqual(results[3], { ok: { key: '/g/b', value: 'b1', createRevision: 1, modRevision: 3 } });
    assert.ok('err' in results[4] && results[4].err instanceof KeyNotFoundError);
    assert.deepEqual(results[5], { ok: { key: '/g/a', value: 'a1', createRevision: 2, modRevision: 4 } });
    assert.equal(await s.currentRevision(), 4);
    await c.until(4);
    w.close();
    assert.deepEqual(c.revisions(), [2, 3, 4]);
    assert.deepEqual(c.events[1].prevKv, { key: '/g/b', value: 'b0', createRevision: 1, modRevision: 1 });
  } finally {
    await h.dispose();
  }
});

test('sqlite: sixteen concurrent writers commit in fewer transactions than writes, every write acknowledged once', async () => {
  const h = harness();
  try {
    const s = h.store;
    const revs = await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const mine: number[] = [];
        for (let i = 0; i < 20; i++) mine.push((await s.create(`/c/${w}/${i}`, 'v')).modRevision);
        return mine;
      }),
    );
    const all = revs.flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 320 }, (_, i) => i + 1));
    const st = s.stats();
    assert.equal(st.writes, 320);
    assert.ok(st.commits <= 40, `${st.commits} commits for 320 writes`);
  } finally {
    await h.dispose();
  }
});

test('sqlite: close() commits writes that were queued but not yet flushed', async () => {
  const h = harness();
  const pending = h.store.create('/q/a', 'v');
  await h.reopen();
  assert.deepEqual(await pending, { key: '/q/a', value: 'v', createRevision: 1, modRevision: 1 });
  assert.equal((await h.store.get('/q/a'))?.value, 'v');
  await h.dispose();
});

test('sqlite: a file of another schema version is refused with a message that says what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
  const path = join(dir, 'state.db');
  try {
    const old = new Database(path);
    old.exec('CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
    old.exec("INSERT INTO meta VALUES ('schema', 1)");
    old.exec('CREATE TABLE log (rev INTEGER PRIMARY KEY, key TEXT, value TEXT)');
    old.close();
    assert.throws(() => openSqliteStore({ path }), /schema version 1 is not supported .*schema 2.*empty data directory/);
    // The refused file is left as it was.
    const again = new Database(path, { readonly: true });
    assert.deepEqual(again.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all(), [{ name: 'log' }, { name: 'meta' }]);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a new file gets 8 KiB pages; a file made with another page size keeps it when reopened', async () => {
  const fresh = harness();
  const old = harness({ pageSize: 4096 });
  try {
    await fresh.store.create('/p/a', 'x');
    await old.store.create('/p/a', 'x');
    const pageSize = (dir: string) => {
      const db = new Database(join(dir, 'state.db'), { readonly: true });
      try {
        return db.pragma('page_size', { simple: true });
      } finally {
        db.close();
      }
    };
    assert.equal(pageSize(fresh.dir), 8192);
    // Reopened with the default: the 4 KiB file is read as it is, its data intact.
    await old.store.close();
    old.store = openSqliteStore({ path: join(old.dir, 'state.db') });
    assert.equal(pageSize(old.dir), 4096);
    assert.equal((await old.store.get('/p/a'))?.value, 'x');
    await old.store.create('/p/b', 'y');
    assert.deepEqual((await old.store.list('/p/')).items.map((i) => i.value), ['x', 'y']);
  } finally {
    await fresh.dispose();
    await old.dispose();
  }
});

test('sqlite: after churn and compaction the live values stay dense: the file is close to live data plus retained history', async () => {
  let now = 0;
  const h = harness({ now: () => now, pageSize: 8192 });
  try {
    const s = h.store;
    const keys = 200;
    const value = (i: number, n: number) => `${i}:${n}:`.padEnd(1000, 'x');
    const revs: number[] = [];
    for (let i = 0; i < keys; i++) revs.push((await s.create(`/d/${i}`, value(i, 0))).modRevision);
    for (let n = 1; n <= 20; n++) {
      for (let i = 0; i < keys; i++) revs[i] = (await s.update(`/d/${i}`, value(i, n), revs[i])).modRevision;
      if (n % 5 === 0) await s.compact((await s.currentRevision()) - 100);
    }
    now += 10_000; // idle: compaction also returns free pages and truncates the WAL
    await s.compact((await s.currentRevision()) - 100);
    const st = s.stats();
    const live = keys * 1010;
    const history = 100 * 1010;
    assert.equal(st.walBytes, 0);
    const used = st.dbBytes - st.freeBytes;
    assert.ok(used < (live + history) * 1.35, `${used} bytes in use for ${live} live + ${history} history`);
    // Idle: free pages beyond a small reserve went back to the file system.
    assert.ok(st.freeBytes <= 16 * 8192, `${st.freeBytes} bytes free`);
  } finally {
    await h.dispose();
  }
});

test('sqlite: the WAL restarts from its start while writes go on, with checkpoints on another thread', async () => {
  // A small hard limit: past it a restart window waits for its checkpoint, so restarts do not
  // depend on how fast the checkpointer thread runs on a busy machine. How large the file gets
  // meanwhile is timing, measured by bench/storage-churn.ts, not asserted here.
  const h = harness({ walLimitPages: 16, walHardLimitPages: 64, pageSize: 4096 });
  try {
    const s = h.store;
    let rev = (await s.create('/w/a', 'x'.repeat(2000))).modRevision;
    let i = 0;
    for (; i < 20_000 && s.stats().walWindows.caughtUp < 2; i++) {
      rev = (await s.update('/w/a', `${i}`.padEnd(2000, 'y'), rev)).modRevision;
    }
    const st = s.stats();
    assert.ok(st.walWindows.caughtUp >= 2, `windows ${JSON.stringify(st.walWindows)} after ${i} writes`);
    assert.ok((st.timings.checkpoint?.count ?? 0) > 0, 'checkpoints ran on the checkpointer thread');
    assert.equal(st.timings.walTruncate, undefined, 'no truncation while writing');
    assert.equal((await s.get('/w/a'))?.value, `${i - 1}`.padEnd(2000, 'y'));
  } finally {
    await h.dispose();
  }
});

test('sqlite: under continuous writes the WAL restarts at its soft limit, by windows, without waiting for the hard limit', async () => {
  // Checkpoints run back to back once a restart is due, so one soon copies little enough for a
  // window; the window cap is generous so a busy machine cannot make every window time out.
  const h = harness({ walLimitPages: 32, walHardLimitPages: 100_000, maxWriteHoldMs: 500, pageSize: 4096 });
  try {
    const s = h.store;
    let rev = (await s.create('/w/a', 'x'.repeat(2000))).modRevision;
    let i = 0;
    for (; i < 20_000 && s.stats().walWindows.caughtUp < 3; i++) {
      rev = (await s.update('/w/a', `${i}`.padEnd(2000, 'y'), rev)).modRevision;
    }
    const st = s.stats();
    assert.ok(st.walWindows.caughtUp >= 3, `windows ${JSON.stringify(st.walWindows)} after ${i} writes`);
    assert.equal(st.walWindows.hard, 0, 'no window waited for the hard limit');
    // Each window followed a checkpoint run with writes spaced out, so it had little to copy.
    assert.ok((st.timings.prepare?.count ?? 0) >= st.walWindows.opened, `prepare ${st.timings.prepare?.count}, windows ${st.walWindows.opened}`);
    assert.ok((st.timings.restartCommit?.count ?? 0) >= 3, 'the WAL restarted');
    assert.equal((await s.get('/w/a'))?.value, `${i - 1}`.padEnd(2000, 'y'));
  } finally {
    await h.dispose();
  }
});

test('sqlite: while no restart window can fit, checkpoints keep their interval until near the hard limit, and the hard limit still restarts the WAL', async () => {
  // A window cap no checkpoint fits in: after the first (hard) window has measured that, only
  // the hard limit opens windows, so back-to-back checkpoints (one after nearly every commit)
  // buy nothing until the last eighth of the way from the soft limit to the hard one.
  const intervalMs = 20;
  const h = harness({ walLimitPages: 16, walHardLimitPages: 4096, maxWriteHoldMs: 0.001, checkpointIntervalMs: intervalMs, pageSize: 4096 });
  try {
    const s = h.store;
    let rev = (await s.create('/w/a', 'x'.repeat(2000))).modRevision;
    let i = 0;
    let from: { commits: number; checkpoints: number; at: number } | undefined;
    for (; i < 50_000 && s.stats().walWindows.hard < 3; i++) {
      rev = (await s.update('/w/a', `${i}`.padEnd(2000, 'y'), rev)).modRevision;
      if (!from && s.stats().walWindows.hard >= 1) {
        from = { commits: s.stats().commits, checkpoints: s.stats().timings.checkpoint?.count ?? 0, at: performance.now() };
      }
    }
    const st = s.stats();
    assert.ok(st.walWindows.hard >= 3, `windows ${JSON.stringify(st.walWindows)} after ${i} writes`);
    assert.ok((st.timings.restartCommit?.count ?? 0) >= 2, 'the WAL restarted');
    assert.ok(from);
    // At most one per interval, plus at most one per commit in the last eighth (measured here:
    // ~20 for ~2,000 commits; one after nearly every commit before, ~120-300).
    const commits = st.commits - from.commits;
    const checkpoints = (st.timings.checkpoint?.count ?? 0) - from.checkpoints;
    const bound = (performance.now() - from.at) / intervalMs + commits / 8 + 8;
    assert.ok(checkpoints <= bound, `${checkpoints} checkpoints for ${commits} commits (bound ${Math.round(bound)})`);
    assert.equal((await s.get('/w/a'))?.value, `${i - 1}`.padEnd(2000, 'y'));
  } finally {
    await h.dispose();
  }
});

test('sqlite: while writes go on, compaction keeps the free pages the next interval of writes will take', async () => {
  // The clock never moves, so the store is never idle: only compaction reclaims space.
  const h = harness({ now: () => 0, pageSize: 4096 });
  try {
    const s = h.store;
    const keys = 100;
    const value = (i: number, n: number) => `${i}:${n}:`.padEnd(1000, 'x');
    const revs: number[] = [];
    for (let i = 0; i < keys; i++) revs.push((await s.create(`/d/${i}`, value(i, 0))).modRevision);
    const after: { vacuumed: number; dbBytes: number }[] = [];
    for (let n = 1; n <= 8; n++) {
      for (let i = 0; i < keys; i++) revs[i] = (await s.update(`/d/${i}`, value(i, n), revs[i])).modRevision;
      await s.compact((await s.currentRevision()) - 50);
      const st = s.stats();
      after.push({ vacuumed: st.vacuumedPages, dbBytes: st.dbBytes });
    }
    // Once the first interval has measured what a round of writes takes, the freed history
    // pages are kept for the next round instead of being vacuumed and allocated again (a page
    // or two of slack aside): the file neither shrinks nor grows.
    const steady = after.slice(2);
    const last = steady[steady.length - 1];
    assert.ok(last.vacuumed - steady[0].vacuumed <= 4, JSON.stringify(after));
    assert.ok(
      steady.every((a) => a.dbBytes === steady[0].dbBytes),
      JSON.stringify(after),
    );
    for (let i = 0; i < keys; i++) assert.equal((await s.get(`/d/${i}`))?.value, value(i, 8));
  } finally {
    await h.dispose();
  }
});

test('sqlite: writes queued during a WAL restart window all commit once it closes, in revision order', async () => {
  // A long window cap so windows end by catching up, and a tiny WAL limit so many open.
  const h = harness({ walLimitPages: 16, maxWriteHoldMs: 1000, pageSize: 4096, compactBatchRows: 5 });
  try {
    const s = h.store;
    const c = new EventCollector();
    const w = s.watch('/q/', { afterRevision: 0, ...c });
    const writers = 8;
    // Whether a checkpoint catches up on its own between two commits (no window needed) is up
    // to the scheduler, so the writers go on until windows have opened (or give up).
    let stop = false;
    let total = 0;
    const last: string[] = [];
    await Promise.all(
      Array.from({ length: writers }, async (_, wi) => {
        let rev = (await s.create(`/q/${wi}`, 'v'.repeat(1500))).modRevision;
        total++;
        for (let i = 0; !stop; i++) {
          last[wi] = `${i}`.padEnd(1500, 'w');
          rev = (await s.update(`/q/${wi}`, last[wi], rev)).modRevision;
          total++;
          if (wi === 0 && i % 10 === 0) stop = i >= 5000 || s.stats().walWindows.opened >= 3;
          // Compaction steps also wait for windows to close.
          if (wi === 0 && i % 50 === 49) void s.compact(rev - 100);
        }
      }),
    );
    await c.until(total);
    w.close();
    assert.deepEqual(c.revisions(), Array.from({ length: total }, (_, i) => i + 1));
    const st = s.stats();
    assert.ok(st.walWindows.opened > 0, `windows ${JSON.stringify(st.walWindows)}`);
    assert.ok(st.walWindows.caughtUp > 0, `windows ${JSON.stringify(st.walWindows)}`);
    for (let wi = 0; wi < writers; wi++) assert.equal((await s.get(`/q/${wi}`))?.value, last[wi]);
    assert.equal(await s.currentRevision(), total);
  } finally {
    await h.dispose();
  }
});

test('sqlite: once writes stop, idle maintenance truncates the WAL without waiting for a compaction', async () => {
  const h = harness({ idleCheckpointMs: 20 });
  try {
    const s = h.store;
    for (let i = 0; i < 50; i++) await s.create(`/m/${i}`, 'v'.repeat(500));
    assert.ok(s.stats().walBytes > 0);
    const deadline = Date.now() + 5000;
    while (s.stats().walTruncations === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(s.stats().walTruncations, 1);
    assert.equal(s.stats().walBytes, 0);
    assert.equal((await s.get('/m/49'))?.value, 'v'.repeat(500));
  } finally {
    await h.dispose();
  }
});

test('sqlite: reads at every retained revision and replays from any of them match a model of the history', async () => {
  const h = harness({ compactBatchRows: 5 });
  try {
    const s = h.store;
    // The model: the full key/value map after each revision, and every event.
    const states: Map<string, KeyValue>[] = [new Map()];
    const events: WatchEvent[] = [];
    const live = new EventCollector();
    const lw = s.watch('/m/', { afterRevision: 0, ...live });
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let i = 0; i < 400; i++) {
      const key = `/m/${rnd(12)}`;
      const cur = states[states.length - 1].get(key);
      let kv: KeyValue;
      const next = new Map(states[states.length - 1]);
      if (!cur) {
        kv = await s.create(key, `v${i}`);
        next.set(key, kv);
        events.push({ type: 'put', kv });
      } else if (rnd(4) === 0) {
        kv = await s.delete(key, cur.modRevision);
        next.delete(key);
        events.push({ type: 'delete', kv, prevKv: cur });
      } else {
        kv = await s.update(key, `v${i}`, cur.modRevision);
        next.set(key, kv);
        events.push({ type: 'put', kv, prevKv: cur });
      }
      states.push(next);
      if (i % 97 === 96) await s.compact(kv.modRevision - 60);
    }
    await live.until(400);
    lw.close();
    assert.deepEqual(live.events, events);
    const floor = await s.compactedRevision();
    for (let rev = floor; rev <= 400; rev++) {
      const want = [...states[rev].values()].sort((a, b) => compareKeys(a.key, b.key));
      assert.deepEqual((await s.list('/m/', { revision: rev })).items, want, `list at ${rev}`);
      for (const k of ['/m/0', '/m/5', '/m/11']) assert.deepEqual(await s.get(k, rev), states[rev].get(k), `get ${k} at ${rev}`);
      if (rev % 20 === 0 && rev < 400) {
        const c = new EventCollector();
        const w = s.watch('/m/', { afterRevision: rev, ...c });
        await c.until(400);
        w.close();
        assert.deepEqual(c.events, events.slice(rev), `replay after ${rev}`);
      }
    }
  } finally {
    await h.dispose();
  }
});
