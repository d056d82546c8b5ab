import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { CacheIndexer } from '../../../src/client/cache/indexer.js';
import { labelIndexFunc, namespaceIndex, metaNamespaceIndexFunc } from '../../../src/client/cache/indexers.js';
import { deletedFinalStateUnknown, metaNamespaceKey, splitMetaNamespaceKey } from '../../../src/client/cache/keys.js';

const obj = (name: string, namespace?: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels } });

test('keys are namespace/name for namespaced objects and name for cluster-scoped ones, and split back', () => {
  const cases: [KubeObject, string, { namespace: string; name: string }][] = [
    [obj('a', 'ns1'), 'ns1/a', { namespace: 'ns1', name: 'a' }],
    [obj('node-1'), 'node-1', { namespace: '', name: 'node-1' }],
  ];
  for (const [o, key, split] of cases) {
    assert.equal(metaNamespaceKey(o), key);
    assert.deepEqual(splitMetaNamespaceKey(key), split);
  }
  assert.throws(() => splitMetaNamespaceKey('a/b/c'), /unexpected key format/);
  assert.throws(() => metaNamespaceKey({ metadata: {} }), /no metadata.name/);
});

test('add, update, get, list, listKeys and delete keep the store keyed by namespace/name', () => {
  const s = new CacheIndexer({ freeze: false });
  s.add(obj('a', 'x'));
  s.add(obj('a', 'y'));
  s.update({ ...obj('a', 'x'), spec: { v: 2 } });
  assert.equal(s.size, 2);
  assert.deepEqual(s.listKeys().sort(), ['x/a', 'y/a']);
  assert.deepEqual(s.getByKey('x/a')?.spec, { v: 2 });
  assert.equal(s.get(obj('a', 'y'))?.metadata?.namespace, 'y');
  s.delete(obj('a', 'x'));
  assert.equal(s.getByKey('x/a'), undefined);
  s.delete(deletedFinalStateUnknown('y/a', undefined));
  assert.equal(s.size, 0);
  assert.deepEqual(s.list(), []);
});

test('replace swaps the whole content and rebuilds indices', () => {
  const s = new CacheIndexer({ freeze: false, indexers: { [namespaceIndex]: metaNamespaceIndexFunc } });
  s.add(obj('old', 'gone'));
  s.replace([obj('n1', 'a'), obj('n2', 'b')], '7');
  assert.deepEqual(s.listKeys().sort(), ['a/n1', 'b/n2']);
  assert.deepEqual(s.byIndex(namespaceIndex, 'gone'), []);
  assert.deepEqual(s.listIndexFuncValues(namespaceIndex).sort(), ['a', 'b']);
});

test('the namespace index answers byIndex and indexKeys and follows updates that move values', () => {
  const s = new CacheIndexer({ freeze: false, indexers: { [namespaceIndex]: metaNamespaceIndexFunc, labels: labelIndexFunc } });
  s.add(obj('p1', 'default', { app: 'web' }));
  s.add(obj('p2', 'default', { app: 'db' }));
  s.add(obj('p3', 'kube-system', { app: 'web' }));
  assert.deepEqual(s.byIndex(namespaceIndex, 'default').map((o) => o.metadata?.name).sort(), ['p1', 'p2']);
  assert.deepEqual(s.indexKeys('labels', 'app=web').sort(), ['default/p1', 'kube-system/p3']);
  s.update(obj('p1', 'default', { app: 'db' }));
  assert.deepEqual(s.indexKeys('labels', 'app=web'), ['kube-system/p3']);
  assert.deepEqual(s.indexKeys('labels', 'app=db').sort(), ['default/p1', 'default/p2']);
  assert.deepEqual(s.index('labels', obj('probe', 'z', { app: 'db' })).map((o) => o.metadata?.name).sort(), ['p1', 'p2']);
  s.delete(obj('p3', 'kube-system'));
  assert.ok(!s.listIndexFuncValues('labels').includes('app=web'), 'an emptied value is dropped from the index');
  assert.throws(() => s.byIndex('nope', 'x'), /does not exist/);
});

test('custom indexers can be added later and index existing objects, but not under a taken name', () => {
  const s = new CacheIndexer({ freeze: false });
  s.add(obj('a', 'x', { tier: 'fe' }));
  s.add(obj('b', 'x', { tier: 'be' }));
  s.addIndexers({ byTier: (o) => [o.metadata?.labels?.tier ?? ''] });
  assert.deepEqual(s.indexKeys('byTier', 'fe'), ['x/a']);
  assert.throws(() => s.addIndexers({ byTier: () => [] }), /indexer conflict/);
});

test('cached objects are deep-frozen when freezing is on, so a mutating reader throws instead of corrupting the cache', () => {
  const s = new CacheIndexer({ freeze: true });
  s.add(obj('a', 'x', { app: 'web' }));
  const cached = s.getByKey('x/a')!;
  assert.throws(() => {
    cached.metadata!.labels!.app = 'changed';
  }, TypeError);
  assert.equal(s.getByKey('x/a')?.metadata?.labels?.app, 'web');
});
