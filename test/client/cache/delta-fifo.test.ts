import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { DeltaFIFO, type Delta } from '../../../src/client/cache/delta-fifo.js';
import { CacheIndexer } from '../../../src/client/cache/indexer.js';
import { isDeletedFinalStateUnknown } from '../../../src/client/cache/keys.js';

const obj = (name: string, rv = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv } });

async function popAll(f: DeltaFIFO): Promise<{ key: string; types: string[]; initial: boolean; deltas: Delta[] }[]> {
  const out: { key: string; types: string[]; initial: boolean; deltas: Delta[] }[] = [];
  while (f.length > 0) {
    await f.pop((deltas, initial) => {
      const o = deltas[0].object;
      out.push({ key: isDeletedFinalStateUnknown(o) ? o.key : `ns/${o.metadata?.name}`, types: deltas.map((d) => d.type), initial, deltas });
    });
  }
  return out;
}

test('deltas of one key accumulate in order and keys pop in the order they first changed', async () => {
  const f = new DeltaFIFO();
  f.add(obj('a'));
  f.add(obj('b'));
  f.update(obj('a', '2'));
  const popped = await popAll(f);
  assert.deepEqual(popped.map((p) => [p.key, p.types]), [
    ['ns/a', ['Added', 'Updated']],
    ['ns/b', ['Added']],
  ]);
});

test('two consecutive deletions collapse into one, and a real final state beats a tombstone', async () => {
  const known = new CacheIndexer({ freeze: false });
  known.add(obj('a'));
  const f = new DeltaFIFO({ knownObjects: known });
  f.delete(obj('a', '5'));
  // A relist that no longer has "a" would add a tombstone right behind the real deletion.
  f.replace([], '6');
  const [p] = await popAll(f);
  assert.deepEqual(p.types, ['Deleted']);
  assert.ok(!isDeletedFinalStateUnknown(p.deltas[0].object), 'the real final state is kept');
  assert.equal((p.deltas[0].object as KubeObject).metadata?.resourceVersion, '5');
});

test('replace queues Replaced for every item and a DeletedFinalStateUnknown for known objects missing from the list', async () => {
  const known = new CacheIndexer({ freeze: false });
  known.add(obj('stays'));
  known.add(obj('vanished', '3'));
  const f = new DeltaFIFO({ knownObjects: known });
  f.replace([obj('stays', '4'), obj('new', '4')], '4');
  const popped = await popAll(f);
  assert.deepEqual(popped.map((p) => [p.key, p.types]), [
    ['ns/stays', ['Replaced']],
    ['ns/new', ['Replaced']],
    ['ns/vanished', ['Deleted']],
  ]);
  const tomb = popped[2].deltas[0].object;
  assert.ok(isDeletedFinalStateUnknown(tomb));
  assert.equal(tomb.key, 'ns/vanished');
  assert.equal(tomb.obj?.metadata?.resourceVersion, '3', 'the tombstone carries the last known state');
});

test('without knownObjects, replace makes tombstones for queued keys that are missing from the list', async () => {
  const f = new DeltaFIFO();
  f.add(obj('queued', '2'));
  f.replace([obj('other')], '3');
  const popped = await popAll(f);
  const queued = popped.find((p) => p.deltas.some((d) => isDeletedFinalStateUnknown(d.object)))!;
  assert.deepEqual(queued.types, ['Added', 'Deleted']);
  const tomb = queued.deltas[1].object;
  assert.ok(isDeletedFinalStateUnknown(tomb) && tomb.obj?.metadata?.resourceVersion === '2');
});

test('hasSynced turns true only after every key of the first replace has been popped, and isInInitialList says so', async () => {
  const f = new DeltaFIFO();
  assert.equal(f.hasSynced(), false);
  f.replace([obj('a'), obj('b')], '1');
  assert.equal(f.hasSynced(), false);
  let synced = false;
  void f.whenSynced().then(() => (synced = true));
  await f.pop((_d, initial) => assert.equal(initial, true));
  assert.equal(f.hasSynced(), false);
  await f.pop((_d, initial) => assert.equal(initial, true));
  assert.equal(f.hasSynced(), true);
  await Promise.resolve();
  assert.equal(synced, true);
  f.add(obj('c'));
  await f.pop((_d, initial) => assert.equal(initial, false));
});

test('an empty first replace counts as synced at once', () => {
  const f = new DeltaFIFO();
  f.replace([], '9');
  assert.equal(f.hasSynced(), true);
});

test('resync queues Sync deltas for known objects except those with pending deltas', async () => {
  const known = new CacheIndexer({ freeze: false });
  known.add(obj('idle'));
  known.add(obj('busy'));
  const f = new DeltaFIFO({ knownObjects: known });
  f.update(obj('busy', '2'));
  f.resync();
  const popped = await popAll(f);
  assert.deepEqual(popped.map((p) => [p.key, p.types]), [
    ['ns/busy', ['Updated']],
    ['ns/idle', ['Sync']],
  ]);
});

test('deleting an object neither queued nor known is ignored', () => {
  const f = new DeltaFIFO({ knownObjects: new CacheIndexer({ freeze: false }) });
  f.delete(obj('never-seen'));
  assert.equal(f.length, 0);
});

test('the transform is applied to queued objects but not to tombstones', async () => {
  const f = new DeltaFIFO({
    transform: (o) => {
      const { managedFields: _drop, ...metadata } = o.metadata ?? {};
      return { ...o, metadata };
    },
  });
  const withFields: KubeObject = { ...obj('a'), metadata: { ...obj('a').metadata, managedFields: [{ manager: 'kubectl' }] } };
  f.add(withFields);
  const [p] = await popAll(f);
  assert.equal((p.deltas[0].object as KubeObject).metadata?.managedFields, undefined);
});

test('pop waits for an item, and close wakes a waiting pop with false', async () => {
  const f = new DeltaFIFO();
  const waiting = f.pop(() => {});
  f.add(obj('late'));
  assert.equal(await waiting, true);
  const idle = f.pop(() => assert.fail('nothing to pop'));
  f.close();
  assert.equal(await idle, false);
  assert.throws(() => f.add(obj('x')), /closed queue/);
});
