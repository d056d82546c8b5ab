// The informer over the project's own REST client and in-process transport, against a real API
// server in this process: events flow, and after the API server is replaced by a fresh one over
// the same storage (a new watch cache) the informer converges on the server's state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { SharedIndexInformer } from '../../../src/client/cache/shared-informer.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { listerWatcher } from '../../../src/client/rest/lister-watcher.js';
import type { ListerWatcher, WatchOptions } from '../../../src/client/types.js';
import { dropManagedFields } from '../../../src/client/cache/managed-fields.js';
import { startInProcessApi } from '../transport/in-process-api.js';
import { until } from './fake-lister-watcher.js';

type CM = ConfigMap & KubeObject;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const cm = (name: string, v: string): CM => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { suite: 'inproc' } }, data: { v } });

test('an informer over the REST client and the in-process transport follows changes and converges after the API server is replaced', async () => {
  const api = await startInProcessApi();
  const client = api.client();
  const cms = client.resource(resources.configMaps, 'default');
  const real = listerWatcher(cms, { namespace: 'default', labelSelector: 'suite=inproc' }) as unknown as ListerWatcher<CM>;
  // While the helper swaps API servers, the old one still answers (with a stopped watch cache):
  // a watch opened then would hang. Refusing requests meanwhile plays the part of the closed port.
  let offline = false;
  const refuse = () => Promise.reject(new Error('connect ECONNREFUSED (restarting)'));
  const lw: ListerWatcher<CM> = { list: (o) => (offline ? refuse() : real.list(o)), watch: (o) => (offline ? refuse() : real.watch(o)) };
  const errors: string[] = [];
  const informer = new SharedIndexInformer<CM>(lw, { name: 'configmaps', logger: silent, backoff: { initialMs: 10, maxMs: 100 }, onError: (e, ctx) => void errors.push(`${ctx.phase}: ${e.message}`) });
  const log: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => void log.push(`add ${o.metadata?.name}`),
    onUpdate: (a, b) => void (a.metadata?.resourceVersion !== b.metadata?.resourceVersion && log.push(`update ${b.metadata?.name} ${b.data?.v}`)),
    onDelete: (o) => void log.push(`delete ${'key' in o ? o.key : o.metadata?.name}`),
  });
  const state = () => new Map(informer.getIndexer().list().map((o) => [o.metadata!.name!, o.data?.v]));
  try {
    await cms.create(cm('a', '1') as never);
    void informer.run();
    assert.equal(await informer.waitForCacheSync(), true);
    await cms.create(cm('b', '1') as never);
    await cms.update(cm('a', '2') as never);
    await until(() => log.length === 3, 'live events');
    assert.deepEqual(log, ['add a', 'add b', 'update a 2']);

    offline = true;
    await api.restart();
    offline = false;
    await cms.delete('b');
    await cms.create(cm('c', '1') as never);
    await until(() => state().size === 2 && state().has('c') && !state().has('b'), 'convergence after the API server was replaced', 30_000);
    assert.deepEqual(state(), new Map([['a', '2'], ['c', '1']]));
    const listed = (await cms.list({ labelSelector: 'suite=inproc' })).items.map((i) => i.metadata?.name).sort();
    assert.deepEqual([...state().keys()].sort(), listed);
    assert.ok(errors.some((e) => e.includes('ECONNREFUSED')), 'the outage was reported');
  } finally {
    await informer.stop();
    await api.close();
  }
});

test('an informer given dropManagedFields has its watches leave managedFields out while decoding: what it caches is what the transform alone makes of the server objects', async () => {
  const api = await startInProcessApi();
  const cms = api.client().resource(resources.configMaps, 'default');
  const asked: WatchOptions[] = [];
  const real = listerWatcher(cms, { namespace: 'default', labelSelector: 'suite=dropmf' }) as unknown as ListerWatcher<CM>;
  const lw: ListerWatcher<CM> = { list: (o) => real.list(o), watch: (o) => (asked.push(o), real.watch(o)) };
  const informer = new SharedIndexInformer<CM>(lw, { name: 'configmaps', logger: silent, transform: dropManagedFields });
  const mine = (name: string, v: string): CM => ({ ...cm(name, v), metadata: { ...cm(name, v).metadata, labels: { suite: 'dropmf' } } });
  try {
    await cms.create(mine('listed', '1') as never);
    void informer.run();
    assert.equal(await informer.waitForCacheSync(), true);
    // One object new on the watch, one changed there.
    for (const change of [() => cms.create(mine('watched', '1') as never), () => cms.update(mine('listed', '2') as never)]) await change();
    await until(() => informer.getIndexer().list().length === 2 && informer.getIndexer().getByKey('default/listed')?.data?.v === '2', 'the watched changes');
    assert.ok(asked.length > 0 && asked.every((o) => o.withoutManagedFields === true), 'every watch asked for it');
    for (const name of ['listed', 'watched']) {
      const server = await cms.get(name);
      assert.ok(server.metadata?.managedFields?.length, 'the server object has managedFields');
      assert.deepEqual(informer.getIndexer().getByKey(`default/${name}`), dropManagedFields(server));
    }
  } finally {
    await informer.stop();
    await api.close();
  }
});

test('an informer with any other transform decodes watches whole', async () => {
  const asked: WatchOptions[] = [];
  const lw: ListerWatcher<CM> = { list: async () => ({ metadata: { resourceVersion: '1' }, items: [] }), watch: (o) => (asked.push(o), Promise.reject(new Error('no watch here'))) };
  const informer = new SharedIndexInformer<CM>(lw, { name: 'configmaps', logger: silent, transform: (o) => dropManagedFields(o) });
  void informer.run();
  await until(() => asked.length > 0, 'the watch');
  assert.equal(asked[0]!.withoutManagedFields, undefined);
  await informer.stop();
});
