import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactionTarget, startCompactor } from '../../src/storage/compactor.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

test('compactionTarget keeps the retention window and the minimum number of revisions', () => {
  const samples = [
    { time: 0, revision: 0 },
    { time: 60, revision: 5000 },
    { time: 120, revision: 9000 },
    { time: 180, revision: 9500 },
  ];
  const cases: { what: string; now: number; current: number; retain: number; min: number; want: number | undefined }[] = [
    { what: 'no sample is old enough yet', now: 50, current: 6000, retain: 100, min: 10, want: undefined },
    { what: 'the newest sample at the window start wins', now: 180, current: 9500, retain: 60, min: 10, want: 9000 },
    { what: 'the minimum revisions bind when the window holds few', now: 180, current: 9500, retain: 60, min: 1000, want: 8500 },
    { what: 'a window reaching the first sample compacts nothing', now: 180, current: 9500, retain: 150, min: 10, want: undefined },
    { what: 'zero retention compacts to the latest sample', now: 180, current: 9500, retain: 0, min: 100, want: 9400 },
    { what: 'fewer revisions than the minimum compacts nothing', now: 180, current: 500, retain: 0, min: 1000, want: undefined },
  ];
  for (const c of cases) assert.equal(compactionTarget(samples, c.now, c.current, c.retain, c.min), c.want, c.what);
});

test('the compactor compacts to the revision as of the retention window, driven by an injected clock', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-compactor-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  let now = 1_000_000;
  const c = startCompactor(store, { intervalMs: 3_600_000, retainMs: 60_000, minRetainRevisions: 5, now: () => now });
  try {
    for (let i = 0; i < 20; i++) await store.create(`/k/${i}`, 'v');
    assert.equal(await c.runOnce(), undefined, 'nothing is older than the window yet');
    now += 30_000;
    for (let i = 0; i < 20; i++) await store.update(`/k/${i}`, 'v2', i + 1); // revisions 21..40
    assert.equal(await c.runOnce(), undefined);
    now += 31_000; // the sample at revision 20 is now 61 s old
    for (let i = 0; i < 10; i++) await store.update(`/k/${i}`, 'v3', i + 21); // 41..50
    assert.equal(await c.runOnce(), 20);
    assert.equal(await store.compactedRevision(), 20);
    now += 30_000; // the sample at revision 40 is 60 s old
    assert.equal(await c.runOnce(), 40);
    now += 3_600_000; // long quiet: only the minimum revisions are kept
    assert.equal(await c.runOnce(), 45);
    assert.equal(await store.compactedRevision(), 45);
  } finally {
    c.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
