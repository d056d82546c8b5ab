import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { FakeClock } from '../../../src/client/clock.js';
import { SharedInformerFactory, type InformerKey } from '../../../src/client/cache/informer-factory.js';
import { resourceRef } from '../../../src/client/rest/resource-ref.js';
import type { ListerWatcher } from '../../../src/client/types.js';
import { FakeListerWatcher, pod } from './fake-lister-watcher.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const pods = resourceRef<Pod & KubeObject>({ group: '', version: 'v1', plural: 'pods', namespaced: true });
const configMaps = resourceRef<ConfigMap & KubeObject>({ group: '', version: 'v1', plural: 'configmaps', namespaced: true });

function setup(namespace?: string) {
  const built: { key: InformerKey; lw: FakeListerWatcher }[] = [];
  const factory = new SharedInformerFactory({
    namespace,
    clock: new FakeClock(),
    logger: silent,
    listerWatcherFor: <T extends KubeObject>(key: InformerKey<T>) => {
      const lw = new FakeListerWatcher();
      if (key.plural === 'pods') lw.create(pod('p1', key.namespace || 'default'), false);
      built.push({ key, lw });
      return lw as unknown as ListerWatcher<T>;
    },
  });
  return { factory, built };
}

test('asking twice for the same resource, namespace and selectors gives the same informer and one list+watch', async () => {
  const { factory, built } = setup();
  const a = factory.forResource(pods);
  const b = factory.forResource({ group: '', version: 'v1', plural: 'pods', namespaced: true });
  assert.equal(a, b);
  factory.start();
  factory.start();
  const synced = await factory.waitForCacheSync();
  assert.deepEqual([...synced.values()], [true]);
  assert.equal(built.length, 1);
  await built[0].lw.waitForWatches(1);
  assert.equal(built[0].lw.lists.length, 1);
  // The typed ref makes the cache typed: this reads Pod fields without a cast.
  const p: Pod | undefined = a.getIndexer().getByKey('default/p1');
  assert.equal(p?.metadata?.name, 'p1');
  await factory.shutdown();
  assert.equal(a.isStopped, true);
});

test('a different namespace, label selector or field selector is a different informer, and selectors reach the reflector', async () => {
  const { factory, built } = setup();
  const all = factory.forResource(pods);
  const inKubeSystem = factory.forResource({ ...pods, namespace: 'kube-system' });
  const web = factory.forResource({ ...pods, labelSelector: 'app=web' });
  const onNode = factory.forResource({ ...pods, fieldSelector: 'spec.nodeName=n1' });
  assert.equal(new Set([all, inKubeSystem, web, onNode]).size, 4);
  assert.equal(factory.keys().length, 4);
  factory.start();
  await factory.waitForCacheSync();
  assert.deepEqual(built.map((b) => b.key.namespace), ['', 'kube-system', '', '']);
  assert.equal(built[2].lw.lists[0].labelSelector, 'app=web');
  assert.equal(built[3].lw.lists[0].fieldSelector, 'spec.nodeName=n1');
  await factory.shutdown();
});

test('the factory namespace applies to informers whose key names none; informers asked for after start run on the next start', async () => {
  const { factory, built } = setup('team-a');
  const p = factory.forResource(pods);
  factory.start();
  await factory.waitForCacheSync();
  const cm = factory.forResource(configMaps, { indexers: { byName: (o) => [o.metadata?.name ?? ''] } });
  assert.equal(cm.hasSynced(), false);
  factory.start();
  const synced = await factory.waitForCacheSync();
  assert.deepEqual([...synced.values()], [true, true]);
  assert.deepEqual(built.map((b) => [b.key.plural, b.key.namespace]), [
    ['pods', 'team-a'],
    ['configmaps', 'team-a'],
  ]);
  assert.deepEqual(p.getIndexer().listKeys(), ['team-a/p1']);
  assert.ok('byName' in cm.getIndexer().getIndexers());
  await factory.shutdown();
  assert.throws(() => factory.forResource(pods), /shut down/);
});
