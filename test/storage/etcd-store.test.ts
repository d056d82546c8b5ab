// Runs the Store conformance suite against the etcd backend, each test on a fresh etcd, plus
// what only a shared, external store has: a second store on the same etcd sees the first's
// writes, compaction and watch events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openEtcdStore, prefixRangeEnd, type EtcdStore } from '../../src/storage/etcd/etcd-store.js';
import { CompactedError, ConflictError } from '../../src/storage/store.js';
import { startEtcd, etcdUnavailable, type EtcdServer } from '../helpers/etcd-server.js';
import { EventCollector, runStoreConformance, type StoreHarness } from './conformance.js';

const unavailable = etcdUnavailable();

async function harness(): Promise<StoreHarness & { store: EtcdStore; etcd: EtcdServer }> {
  const etcd = await startEtcd();
  const h = {
    etcd,
    store: await openEtcdStore({ endpoints: [etcd.endpoint] }),
    async reopen(): Promise<EtcdStore> {
      await h.store.close();
      h.store = await openEtcdStore({ endpoints: [etcd.endpoint] });
      return h.store;
    },
    async dispose() {
      await h.store.close();
      await etcd.stop();
    },
  };
  return h;
}

if (unavailable) {
  test('etcd store', { skip: unavailable }, () => {});
} else {
  runStoreConformance('etcd', harness, { replayMayPrecedeCompaction: true });

  test('etcd: two stores on one etcd (two API servers) share revisions, conflicts, compaction and watches', { timeout: 60_000 }, async () => {
    const h = await harness();
    const other = await openEtcdStore({ endpoints: [h.etcd.endpoint] });
    try {
      const a = h.store;
      const seen = new EventCollector();
      const w = other.watch('/s/', { afterRevision: 0, ...seen });
      const created = await a.create('/s/x', 'from a'); // 1
      assert.deepEqual(await other.get('/s/x'), created);
      const updated = await other.update('/s/x', 'from b', created.modRevision); // 2
      const lost = await a.update('/s/x', 'stale', created.modRevision).catch((e: unknown) => e);
      assert.ok(lost instanceof ConflictError);
      assert.deepEqual(lost.current, updated);
      await seen.until(2);
      w.close();
      assert.deepEqual(seen.revisions(), [1, 2]);
      await a.create('/s/y', 'y'); // 3
      await other.compact(2);
      // The first store learns the floor from etcd, not from its own compactions.
      assert.equal(await a.compactedRevision(), 2);
      await assert.rejects(a.get('/s/x', 1), CompactedError);
      // A floor it knows fails a watch at once; one it does not know yet, when etcd cancels it.
      assert.throws(() => a.watch('/s/', { afterRevision: 1, onEvents: () => {}, onError: () => {} }), CompactedError);
      const third = await openEtcdStore({ endpoints: [h.etcd.endpoint] });
      const late = new EventCollector();
      third.watch('/s/', { afterRevision: 0, ...late });
      const err = await late.errored();
      await third.close();
      assert.ok(err instanceof CompactedError, String(err));
      assert.equal(err.compacted, 2);
      assert.equal(late.events.length, 0);
      assert.equal(await a.currentRevision(), 3);
    } finally {
      await other.close();
      await h.dispose();
    }
  });

  test('etcd: a watch outlives an etcd restart, resuming after its last event with no gap and no duplicate', { timeout: 60_000 }, async () => {
    const h = await harness();
    const logged: string[] = [];
    const s = await openEtcdStore({ endpoints: [h.etcd.endpoint], log: (msg) => logged.push(msg) });
    try {
      const c = new EventCollector();
      const w = s.watch('/d/', { afterRevision: 0, ...c });
      await s.create('/d/a', '1'); // 1
      await s.create('/d/b', '1'); // 2
      await c.until(2);
      await h.etcd.restart();
      // The client reconnects by itself; a write right after the restart may still meet the old connection.
      let rev = 0;
      for (let i = 0; rev === 0; i++) {
        try {
          rev = (await s.update('/d/a', '2', 1)).modRevision;
        } catch (err) {
          if (i >= 100) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.equal(rev, 3);
      await s.delete('/d/b'); // 4
      await c.until(4);
      w.close();
      assert.equal(c.error, undefined);
      assert.deepEqual(c.revisions(), [1, 2, 3, 4]);
      assert.deepEqual(c.events[2].prevKv, { key: '/d/a', value: '1', createRevision: 1, modRevision: 1 });
      assert.ok(logged.includes('etcd watch stream lost; opening it again'), 'the stream was lost and opened again');
    } finally {
      await s.close();
      await h.dispose();
    }
  });
}

test('etcd: the range end of a prefix is the prefix with its last byte below 0xff incremented', () => {
  const end = (bytes: number[]) => [...prefixRangeEnd(Buffer.from(bytes))];
  assert.deepEqual(end([0x2f, 0x61, 0x2f]), [0x2f, 0x61, 0x30]);
  assert.deepEqual(end([0x61, 0xff]), [0x62]);
  assert.deepEqual(end([0xff, 0xff]), [0], 'no end: every key from the prefix on');
});
