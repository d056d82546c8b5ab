// Master leases on the real SQLite store, with each server's clock injected: a lease lives while
// its value keeps changing, judged on the reader's own clock against the duration its writer
// recorded; whoever finds one expired deletes it; a refresh in time keeps it.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MasterLeases, masterLeasePrefix } from '../../../src/apiserver/kubernetes-service/master-leases.js';
import { openSqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../../../src/storage/store.js';

/** A hand-driven monotonic clock. */
function clock(): { now: () => number; advance(ms: number): void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('master leases', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-leases-'));
    store = openSqliteStore({ path: join(dir, 'state.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every server\'s lease is listed by every server, sorted by IP, stored as upstream stores it (an Endpoints per IP under /registry/masterleases/, here with a name and uid as every value there)', async () => {
    const a = new MasterLeases({ store, now: clock().now });
    const b = new MasterLeases({ store, now: clock().now });
    await b.update('127.0.0.3');
    await a.update('127.0.0.2');
    const first = JSON.parse((await store.get(`${masterLeasePrefix}127.0.0.2`))!.value) as { metadata: { uid: string } };
    await a.update('127.0.0.2');
    assert.deepEqual(await a.list(), ['127.0.0.2', '127.0.0.3']);
    assert.deepEqual(await b.list(), ['127.0.0.2', '127.0.0.3']);
    const kv = await store.get(`${masterLeasePrefix}127.0.0.2`);
    const value = JSON.parse(kv!.value) as { kind: string; metadata: { name: string; uid: string; generation: number }; subsets: unknown };
    assert.equal(value.kind, 'Endpoints');
    assert.equal(value.metadata.name, '127.0.0.2');
    assert.equal(value.metadata.uid, first.metadata.uid, 'a whole object, whose uid a refresh keeps');
    assert.equal(value.metadata.generation, 2, 'each refresh is a new value');
    assert.deepEqual(value.subsets, [{ addresses: [{ ip: '127.0.0.2' }] }]);
  });

  test('a lease unchanged for its duration on the reader\'s clock is expired and deleted; one refreshed in time stays', async () => {
    const readerClock = clock();
    const reader = new MasterLeases({ store, now: readerClock.now });
    const alive = new MasterLeases({ store, ttlMs: 1000 });
    const dead = new MasterLeases({ store, ttlMs: 1000 });
    await alive.update('127.0.0.2');
    await dead.update('127.0.0.9');
    assert.deepEqual(await reader.list(), ['127.0.0.2', '127.0.0.9'], 'first seen: fresh');
    readerClock.advance(600);
    await alive.update('127.0.0.2');
    assert.deepEqual(await reader.list(), ['127.0.0.2', '127.0.0.9'], '600 ms unchanged is within the duration');
    readerClock.advance(600);
    assert.deepEqual(await reader.list(), ['127.0.0.2'], '1200 ms unchanged is past it');
    assert.equal(await store.get(`${masterLeasePrefix}127.0.0.9`), undefined, 'the reader deleted the expired lease');
    assert.ok(await store.get(`${masterLeasePrefix}127.0.0.2`));
  });

  test('the duration is the writer\'s, not the reader\'s: a short lease expires for a reader whose own leases are long', async () => {
    const readerClock = clock();
    const reader = new MasterLeases({ store, ttlMs: 60_000, now: readerClock.now });
    await new MasterLeases({ store, ttlMs: 500 }).update('127.0.0.9');
    await reader.update('127.0.0.2');
    await reader.list();
    readerClock.advance(500);
    // Its own lease is refreshed by its own passes; here only the 500 ms one has run out.
    assert.deepEqual(await reader.list(), ['127.0.0.2']);
  });

  test('a lease the reader first sees is counted fresh however old it is (the price of trusting no other clock)', async () => {
    await new MasterLeases({ store, ttlMs: 500 }).update('127.0.0.9');
    const laterClock = clock();
    laterClock.advance(1_000_000);
    const reader = new MasterLeases({ store, now: laterClock.now });
    assert.deepEqual(await reader.list(), ['127.0.0.9']);
    laterClock.advance(500);
    assert.deepEqual(await reader.list(), []);
  });

  test('remove deletes the server\'s own lease; removing one that is gone is no error', async () => {
    const a = new MasterLeases({ store });
    await a.update('127.0.0.2');
    await a.remove('127.0.0.2');
    assert.deepEqual(await a.list(), []);
    await a.remove('127.0.0.2');
  });

  test('a refresh after another server deleted the lease as expired writes it again', async () => {
    const readerClock = clock();
    const reader = new MasterLeases({ store, now: readerClock.now });
    const slow = new MasterLeases({ store, ttlMs: 100 });
    await slow.update('127.0.0.5');
    await reader.list();
    readerClock.advance(100);
    assert.deepEqual(await reader.list(), []);
    await slow.update('127.0.0.5');
    assert.deepEqual(await reader.list(), ['127.0.0.5']);
  });
});
