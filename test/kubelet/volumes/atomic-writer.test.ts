// The atomic writer on a real directory: the ..data layout, nested paths, refused paths, and a
// reader that never sees files of two different versions while updates swap them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
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
      // The writer is synchronous: the reader runs on another thread, truly side by side with it.
      const stop = new Int32Array(new SharedArrayBuffer(4));
      const reader = new Worker(
        `const { workerData, parentPort } = require('node:worker_threads');
        const { readlinkSync, readFileSync } = require('node:fs');
        const { join } = require('node:path');
        const { dir, stop } = workerData;
        let reads = 0;
        let mixed = '';
        while (!Atomics.load(stop, 0) && !mixed) {
          // Resolve ..data once, then read both files from that snapshot, as a careful app does.
          const ts = readlinkSync(join(dir, '..data'));
          try {
            const a = readFileSync(join(dir, ts, 'a'), 'utf8');
            const b = readFileSync(join(dir, ts, 'b'), 'utf8');
            if (a !== b) mixed = a + ' ' + b;
            reads++;
          } catch (err) {
            if (err.code !== 'ENOENT') throw err; // ENOENT: that version was just removed
          }
        }
        parentPort.postMessage({ reads, mixed });`,
        { eval: true, workerData: { dir, stop } },
      );
      const result = new Promise<{ reads: number; mixed: string }>((resolve, reject) => {
        reader.once('message', resolve);
        reader.once('error', reject);
      });
      await new Promise((resolve) => reader.once('online', resolve));
      for (let v = 1; v <= 30; v++) {
        await writeAtomic(dir, payload({ a: `v${v}`, b: `v${v}` }));
        await new Promise((r) => setTimeout(r, 1));
      }
      Atomics.store(stop, 0, 1);
      const { reads, mixed } = await result;
      assert.equal(mixed, '', 'both files come from the same version');
      assert.ok(reads > 0);
      assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'v30');
      assert.equal(readdirSync(dir).filter((n) => n.startsWith('..') && n !== '..data').length, 1, 'old versions are removed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a ..data_tmp left by a crash and a user-visible name that is not a symlink are replaced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-atomic-'));
    try {
      symlinkSync('..nowhere', join(dir, '..data_tmp'));
      writeFileSync(join(dir, 'a'), 'a plain file');
      assert.equal(await writeAtomic(dir, payload({ a: '1' }, 0o600)), true);
      assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
      assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
      assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o600);
      assert.equal(existsSync(join(dir, '..data_tmp')), false);
      // An update that drops a name removes it.
      assert.equal(await writeAtomic(dir, payload({ b: '2' })), true);
      assert.equal(existsSync(join(dir, 'a')), false);
      assert.equal(readFileSync(join(dir, 'b'), 'utf8'), '2');
      assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('..20')).length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
