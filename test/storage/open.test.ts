import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/storage/open.js';

test('openStore("sqlite") puts state.db in the data dir and the store works after close and reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-open-'));
  try {
    const s = await openStore('sqlite', dir);
    await s.create('/a', '1');
    await s.close();
    assert.ok(existsSync(join(dir, 'state.db')));
    const again = await openStore('', dir);
    assert.equal((await again.get('/a'))?.value, '1');
    await again.close();
    const explicit = await openStore(`sqlite:${join(dir, 'other.db')}`, dir, { compactor: false });
    assert.equal(await explicit.currentRevision(), 0);
    await explicit.close();
    assert.ok(existsSync(join(dir, 'other.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore rejects etcd with a clear not-implemented error and unknown specs with the accepted forms', async () => {
  await assert.rejects(openStore('etcd://127.0.0.1:2379,10.0.0.2:2379', '/nonexistent'), /etcd .*not implemented yet/);
  await assert.rejects(openStore('postgres://x', '/nonexistent'), /unknown storage "postgres:\/\/x".*sqlite/);
});
