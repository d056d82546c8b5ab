// The checkpointer thread (src/storage/sqlite/checkpointer.ts) on its own: requests made while
// one is running wait their turn and are answered in order with what SQLite reports, close
// answers what is queued before it ends the thread, and a thread that cannot start fails every
// request and says so once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Checkpointer } from '../../src/storage/sqlite/checkpointer.js';
import { walFileBytes } from '../../src/storage/sqlite/wal-keeper.js';

/** A WAL-mode file with some committed frames, and the connection that wrote them (kept open, as the store's is). */
function walFile(): { dir: string; path: string; db: Database.Database; write(n: number): void } {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-ckpt-'));
  const path = join(dir, 'state.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const write = (n: number): void => {
    for (let i = 0; i < n; i++) insert.run('x'.repeat(1000));
  };
  write(50);
  return { dir, path, db, write };
}

test('checkpointer: requests made back to back are all answered, in order, with what SQLite reports', async () => {
  const f = walFile();
  const failures: Error[] = [];
  const cp = new Checkpointer({ path: f.path, fsync: false, onFailure: (err) => failures.push(err) });
  try {
    const order: string[] = [];
    const track = <T>(name: string, p: Promise<T>): Promise<T> => p.then((r) => (order.push(name), r));
    // Four at once: one runs, three wait for it.
    const [a, b, c, d] = await Promise.all([
      track('a', cp.checkpoint()),
      track('b', cp.checkpoint('passive')),
      track('c', cp.checkpoint('truncate')),
      track('d', cp.checkpoint()),
    ]);
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
    assert.ok(a.log > 0 && a.log === a.checkpointed, `first checkpoint copied the whole log: ${JSON.stringify(a)}`);
    assert.equal(b.log, a.log, 'nothing was written in between');
    assert.equal(c.busy, false);
    assert.equal(c.log, 0, 'TRUNCATE emptied the log');
    assert.equal(d.log, 0);
    assert.equal(walFileBytes(f.path), 0);
    // Later requests still reach the thread: new frames are seen and copied.
    f.write(20);
    const e = await cp.checkpoint();
    assert.ok(e.log > 0 && e.checkpointed === e.log, JSON.stringify(e));
    assert.ok(e.ms >= 0 && e.cpuMs >= 0 && e.waitMs >= 0);
    assert.deepEqual(failures, []);
  } finally {
    await cp.close();
    f.db.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('checkpointer: close answers the requests queued before it, then ends the thread', async () => {
  const f = walFile();
  const failures: Error[] = [];
  const cp = new Checkpointer({ path: f.path, fsync: false, onFailure: (err) => failures.push(err) });
  try {
    const queued = [cp.checkpoint(), cp.checkpoint(), cp.checkpoint()];
    await cp.close();
    const results = await Promise.all(queued);
    assert.equal(results.length, 3);
    for (const r of results) assert.equal(r.checkpointed, r.log);
    await assert.rejects(cp.checkpoint(), /checkpointer thread exited/);
    assert.deepEqual(failures, [], 'a close is not a failure');
  } finally {
    f.db.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('checkpointer: a thread that cannot open the file fails its requests and reports one failure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-ckpt-'));
  const failures: Error[] = [];
  let failed!: () => void;
  const reported = new Promise<void>((resolve) => (failed = resolve));
  const cp = new Checkpointer({
    path: join(dir, 'missing.db'),
    fsync: false,
    onFailure: (err) => {
      failures.push(err);
      failed();
    },
  });
  try {
    await assert.rejects(cp.checkpoint());
    await reported;
    await assert.rejects(cp.checkpoint());
    assert.equal(failures.length, 1);
  } finally {
    await cp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
