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

/** Ends the thread, then closes the writer's connection, then the thread's files (see Checkpointer.closeFiles). */
async function dispose(f: ReturnType<typeof walFile>, cp: Checkpointer): Promise<void> {
  await cp.close();
  f.db.close();
  cp.closeFiles();
  rmSync(f.dir, { recursive: true, force: true });
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
    await dispose(f, cp);
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
    // Closed above already; closing again only waits for the same exit.
    await dispose(f, cp);
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

test('checkpointer: a window checkpoint (own fdatasyncs behind a pinned reader) copies what was committed, and the WAL then restarts', async () => {
  const f = walFile();
  const failures: Error[] = [];
  const cp = new Checkpointer({ path: f.path, fsync: false, onFailure: (err) => failures.push(err) });
  try {
    // Frames not yet copied: the path with the thread's own syncs.
    const a = await cp.checkpoint('window');
    assert.ok(a.log > 0 && a.checkpointed === a.log, `copied the whole log: ${JSON.stringify(a)}`);
    // Nothing left to copy: SQLite's own checkpoint, which copies nothing.
    const b = await cp.checkpoint('window');
    assert.deepEqual([b.log, b.checkpointed], [a.log, a.log]);
    // The pin was released: the writer's next transaction restarts the WAL from its first frame.
    f.write(1);
    const c = await cp.checkpoint('window');
    assert.ok(c.log > 0 && c.log < a.log, `restarted: ${c.log} frames now, ${a.log} before`);
    assert.equal(c.checkpointed, c.log);
    // A fresh connection reads every row.
    const other = new Database(f.path, { readonly: true });
    try {
      assert.equal((other.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 51);
    } finally {
      other.close();
    }
    assert.deepEqual(failures, []);
  } finally {
    await dispose(f, cp);
  }
});

test('checkpointer: window checkpoints with writes going on meanwhile leave a consistent file with every row', async () => {
  const f = walFile();
  const cp = new Checkpointer({ path: f.path, fsync: false, onFailure: () => {} });
  try {
    // A window that timed out: writes go on while its checkpoint runs.
    let last = { log: 0, checkpointed: 0 };
    for (let i = 0; i < 20; i++) {
      const p = cp.checkpoint('window');
      f.write(5);
      last = await p;
      assert.ok(last.checkpointed <= last.log, JSON.stringify(last));
    }
    const done = await cp.checkpoint('window');
    assert.equal(done.checkpointed, done.log);
    assert.equal((f.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    assert.equal((f.db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 150);
  } finally {
    await dispose(f, cp);
  }
});
