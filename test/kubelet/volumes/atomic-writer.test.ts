// The atomic writer on a real directory: the ..data layout, nested paths, refused paths, and a
// reader that never sees files of two different versions while updates swap them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomic, type Payload } from '../../../src/kubelet/volumes/atomic-writer.js';

const payload = (files: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(files).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

describe('atomic writer', () => {
  test('user-visible names are symlinks through ..data; rewriting the same payload writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-atomic-'));
    try {
      assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/dir/b': '2' })), true);
      assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
      assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
      assert.equal(readFileSync(join(dir, 'sub/dir/b'), 'utf8'), '2');
      const names = readdirSync(dir).sort();
      assert.equal(names.length, 4, `a, sub, ..data and one timestamped dir: ${names.join(' ')}`);
      assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/dir/b': '2' })), false);
      assert.equal(await writeAtomic(dir, payload({ a: '1', 'sub/dir/b': '2' }, 0o600)), true, 'a mode change is a change');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('paths that are absolute, contain .. or start with .. are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-atomic-'));
    try {
      await assert.rejects(writeAtomic(dir, payload({ '/etc/passwd': 'x' })), /must be relative path/);
      await assert.rejects(writeAtomic(dir, payload({ 'a/../../b': 'x' })), /must not contain '\.\.'/);
      await assert.rejects(writeAtomic(dir, payload({ '..data': 'x' })), /must not start with '\.\.'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a reader going through ..data always sees one version of every file while updates run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-atomic-'));
    try {
      await writeAtomic(dir, payload({ a: 'v0', b: 'v0' }));
      let stop = false;
      let reads = 0;
      const reader = (async () => {
        while (!stop) {
          // Resolve ..data once, then read both files from that snapshot, as a careful app does.
          const ts = readlinkSync(join(dir, '..data'));
          try {
            const a = readFileSync(join(dir, ts, 'a'), 'utf8');
            const b = readFileSync(join(dir, ts, 'b'), 'utf8');
            assert.equal(a, b, 'both files come from the same version');
            reads++;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // that version was just removed
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      for (let v = 1; v <= 30; v++) await writeAtomic(dir, payload({ a: `v${v}`, b: `v${v}` }));
      stop = true;
      await reader;
      assert.ok(reads > 0);
      assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'v30');
      assert.equal(readdirSync(dir).filter((n) => n.startsWith('..') && n !== '..data').length, 1, 'old versions are removed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
