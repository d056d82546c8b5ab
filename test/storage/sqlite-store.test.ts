// Runs the Store conformance suite against the sqlite backend, plus sqlite-specific checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from '../../src/storage/sqlite/sqlite-store.js';
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

test('sqlite: compaction in small batches removes superseded rows and deletion rows, then keeps history above it', async () => {
  const h = harness({ compactBatchRows: 3 });
  try {
    const s = h.store;
    for (let i = 0; i < 10; i++) await s.create(`/k/${i}`, 'v0');
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 10; i++) await s.update(`/k/${i}`, `v${round}`, (await s.get(`/k/${i}`))!.modRevision);
    }
    for (let i = 0; i < 5; i++) await s.delete(`/k/${i}`);
    const rev = await s.currentRevision(); // 65
    const before = s.stats();
    await s.compact(rev - 10);
    const after = s.stats();
    // Rows left: each key's newest row at or below rev-10 (10 rows), and the 10 writes above it.
    assert.equal(after.compactedRows, 65 - 20);
    assert.equal(after.compactions, before.compactions + 1);
    assert.deepEqual((await s.list('/k/')).items.map((i) => i.value), ['v5', 'v5', 'v5', 'v5', 'v5']);
    assert.equal((await s.list('/k/', { revision: rev - 10 })).items.length, 10);
    await s.compact(rev);
    // Left: the five live keys' rows and the newest row (a deletion), which always stays so the
    // revision survives a restart.
    assert.equal(s.stats().compactedRows, 65 - 6);
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
  const h = harness({ vacuumStepPages: 16, idleCheckpointMs: 1000, now: () => now });
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
    // Close while the compaction is between batches: it stops and records its progress.
    const compaction = s.compact(15);
    // Let batches run until the first deletions (the first rows are creates: nothing to delete).
    while (s.stats().compactedRows === 0) await new Promise((resolve) => setImmediate(resolve));
    const s2 = await h.reopen();
    await compaction;
    const firstPart = s.stats().compactedRows;
    assert.ok(firstPart > 0 && firstPart < 11, `first run removed ${firstPart} rows`);
    assert.equal(await s2.compactedRevision(), 15);
    assert.deepEqual(await s2.list('/i/', { revision: 15 }), want);
    await s2.compact(15); // resumes from the recorded progress
    assert.deepEqual(await s2.list('/i/', { revision: 15 }), want);
    assert.equal(firstPart + h.store.stats().compactedRows, 11);
  } finally {
    await h.dispose();
  }
});
