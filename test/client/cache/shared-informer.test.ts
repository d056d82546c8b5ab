import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { FakeClock } from '../../../src/client/clock.js';
import type { ResourceEventHandler } from '../../../src/client/cache/handler.js';
import { isDeletedFinalStateUnknown, type DeletedFinalStateUnknown } from '../../../src/client/cache/keys.js';
import { SharedIndexInformer, type SharedInformerOptions } from '../../../src/client/cache/shared-informer.js';
import { FakeListerWatcher, gone, pod, until } from './fake-lister-watcher.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

type Rec = string[];
const name = (o: KubeObject | DeletedFinalStateUnknown) => (isDeletedFinalStateUnknown(o) ? `tombstone(${o.key})` : (o.metadata?.name ?? '?'));

function recorder(log: Rec, prefix = ''): ResourceEventHandler {
  return {
    onAdd: (o, initial) => void log.push(`${prefix}add ${name(o)}${initial ? ' (initial)' : ''}`),
    onUpdate: (a, b) => void log.push(`${prefix}update ${name(b)} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: (o) => void log.push(`${prefix}delete ${name(o)}`),
  };
}

function setup(opts: SharedInformerOptions<KubeObject> = {}) {
  const lw = new FakeListerWatcher();
  const clock = new FakeClock();
  const errors: { err: Error; phase: string }[] = [];
  const informer = new SharedIndexInformer(lw, { name: 'pods', clock, random: () => 0.5, logger: silent, onError: (err, ctx) => errors.push({ err, phase: ctx.phase }), ...opts });
  return { lw, clock, errors, informer };
}

test('handlers see the initial list as adds marked initial, then live adds, updates and deletes, and the cache follows', async () => {
  const { lw, informer } = setup();
  lw.create(pod('a'), false);
  lw.create(pod('b', 'other'), false);
  const log: Rec = [];
  const reg = informer.addEventHandler(recorder(log));
  assert.equal(informer.hasSynced(), false);
  const running = informer.run();
  assert.equal(await informer.waitForCacheSync(), true);
  await reg.whenSynced();
  assert.equal(reg.hasSynced(), true);
  assert.deepEqual(log.sort(), ['add a (initial)', 'add b (initial)']);
  assert.equal(informer.lastSyncResourceVersion(), '102');
  await lw.waitForWatches(1);
  log.length = 0;
  lw.create(pod('c'));
  lw.modify(pod('a', 'default', { spec: { v: 2 } }));
  lw.remove(pod('b', 'other'));
  await until(() => log.length === 3);
  await informer.whenHandlersIdle();
  assert.deepEqual(log, ['add c', 'update a 101->104', 'delete b']);
  assert.deepEqual(informer.getIndexer().listKeys().sort(), ['default/a', 'default/c']);
  assert.deepEqual(informer.getIndexer().byIndex('namespace', 'default').map((o) => o.metadata?.name).sort(), ['a', 'c']);
  assert.equal(informer.lastSyncResourceVersion(), '105');
  await informer.stop();
  await running;
});

test('after a 410 the relist delivers adds, updates and DeletedFinalStateUnknown deletes for what changed while disconnected, and resync-style updates for the rest', async () => {
  const { lw, clock, informer } = setup();
  lw.create(pod('same'), false);
  lw.create(pod('changed'), false);
  lw.create(pod('vanished'), false);
  const log: Rec = [];
  informer.addEventHandler(recorder(log));
  void informer.run();
  const w1 = await lw.waitForWatches(1);
  await informer.whenHandlersIdle();
  log.length = 0;
  lw.modify(pod('changed', 'default', { spec: { v: 2 } }), false);
  lw.remove(pod('vanished'), false);
  lw.create(pod('born'), false);
  w1.push({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } as unknown as KubeObject });
  await clock.waitForTimers(1);
  clock.step(clock.delays()[0]);
  await lw.waitForWatches(2);
  await until(() => log.length === 4, 'relist notifications');
  await informer.whenHandlersIdle();
  // An unchanged object comes back as a resync-style update (same resourceVersion), as upstream:
  // a handler without a resync period is in the "syncing" set until a resync check runs.
  assert.deepEqual(log.sort(), ['add born', 'delete tombstone(default/vanished)', 'update changed 102->104', 'update same 101->101']);
  assert.deepEqual(informer.getIndexer().listKeys().sort(), ['default/born', 'default/changed', 'default/same']);
  await informer.stop();
});

test('the tombstone of an object deleted while disconnected carries its last known state', async () => {
  const { lw, clock, informer } = setup();
  lw.create(pod('v', 'default', { spec: { x: 1 } }), false);
  const deleted: (KubeObject | DeletedFinalStateUnknown)[] = [];
  informer.addEventHandler({ onDelete: (o) => void deleted.push(o) });
  void informer.run();
  const w1 = await lw.waitForWatches(1);
  lw.remove(pod('v'), false);
  w1.fail(gone());
  await clock.waitForTimers(1);
  clock.step(clock.delays()[0]);
  await until(() => deleted.length === 1);
  const t = deleted[0];
  assert.ok(isDeletedFinalStateUnknown(t));
  assert.equal(t.key, 'default/v');
  assert.deepEqual(t.obj?.spec, { x: 1 });
  await informer.stop();
});

test('a slow handler does not hold up the others, and still gets every event in order', async () => {
  const { lw, informer } = setup();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow: string[] = [];
  const fast: string[] = [];
  informer.addEventHandler({
    onAdd: async (o) => {
      await gate;
      slow.push(name(o));
    },
  });
  informer.addEventHandler({ onAdd: (o) => void fast.push(name(o)) });
  void informer.run();
  await lw.waitForWatches(1);
  for (let i = 0; i < 100; i++) lw.create(pod(`p${i}`));
  await until(() => fast.length === 100, 'fast handler sees all events');
  assert.equal(slow.length, 0, 'the slow handler is still stuck on its first event');
  release();
  await until(() => slow.length === 100);
  assert.deepEqual(slow, fast);
  await informer.stop();
});

test('a handler added after start first gets the cached objects as initial adds, then live events', async () => {
  const { lw, informer } = setup();
  lw.create(pod('a'), false);
  lw.create(pod('b'), false);
  void informer.run();
  await informer.waitForCacheSync();
  await lw.waitForWatches(1);
  const log: Rec = [];
  const reg = informer.addEventHandler(recorder(log));
  assert.equal(reg.hasSynced(), false, 'not synced until the replay is handled');
  await reg.whenSynced();
  lw.create(pod('c'));
  await until(() => log.length === 3);
  assert.deepEqual(log, ['add a (initial)', 'add b (initial)', 'add c']);
  await informer.stop();
});

test('each handler is resynced on its own period; handlers without one get no resync', async () => {
  const { lw, clock, informer } = setup();
  lw.create(pod('a'), false);
  const every1s: Rec = [];
  const never: Rec = [];
  informer.addEventHandler(recorder(every1s), { resyncPeriodMs: 1000 });
  informer.addEventHandler(recorder(never));
  void informer.run();
  await informer.waitForCacheSync();
  await lw.waitForWatches(1);
  await informer.whenHandlersIdle();
  clock.step(1000);
  await until(() => every1s.length === 2, 'resync update');
  await informer.whenHandlersIdle();
  assert.deepEqual(every1s, ['add a (initial)', 'update a 101->101']);
  assert.deepEqual(never, ['add a (initial)']);
  await informer.stop();
});

test('the transform runs before objects are cached, so neither the cache nor handlers see managedFields', async () => {
  const { lw, informer } = setup({
    transform: (o) => {
      const { managedFields: _m, ...metadata } = o.metadata ?? {};
      return { ...o, metadata };
    },
  });
  lw.create(pod('a', 'default', { metadata: { name: 'a', namespace: 'default', managedFields: [{ manager: 'kubectl', operation: 'Apply' }] } }), false);
  const seen: KubeObject[] = [];
  informer.addEventHandler({ onAdd: (o) => void seen.push(o) });
  void informer.run();
  await informer.waitForCacheSync();
  await until(() => seen.length === 1);
  assert.equal(seen[0].metadata?.managedFields, undefined);
  assert.equal(informer.getIndexer().getByKey('default/a')?.metadata?.managedFields, undefined);
  await informer.stop();
});

test('a handler that throws or rejects is reported and keeps receiving events; so is one that mutates a frozen cached object', async () => {
  const { lw, informer, errors } = setup({ freeze: true });
  const got: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => {
      got.push(name(o));
      if (name(o) === 'boom') throw new Error('handler bug');
      if (name(o) === 'reject') return Promise.reject(new Error('async handler bug'));
      if (name(o) === 'mutate') (o.metadata as { name: string }).name = 'changed';
    },
  });
  void informer.run();
  await lw.waitForWatches(1);
  for (const n of ['boom', 'reject', 'mutate', 'fine']) lw.create(pod(n));
  await until(() => got.length === 4);
  await informer.whenHandlersIdle();
  assert.deepEqual(got, ['boom', 'reject', 'mutate', 'fine']);
  assert.deepEqual(errors.map((e) => [e.phase, e.err.constructor.name]), [
    ['handler', 'Error'],
    ['handler', 'Error'],
    ['handler', 'TypeError'],
  ]);
  assert.equal(informer.getIndexer().getByKey('default/mutate')?.metadata?.name, 'mutate', 'the cache was not corrupted');
  await informer.stop();
});

test('a removed handler gets nothing more, stop ends the run and later handlers are refused', async () => {
  const { lw, informer } = setup();
  const log: Rec = [];
  const reg = informer.addEventHandler(recorder(log));
  const running = informer.run();
  await lw.waitForWatches(1);
  lw.create(pod('a'));
  await until(() => log.length === 1);
  assert.equal(informer.removeEventHandler(reg), true);
  lw.create(pod('b'));
  await until(() => informer.getIndexer().size === 2);
  await informer.whenHandlersIdle();
  assert.deepEqual(log, ['add a']);
  await informer.stop();
  await running;
  assert.equal(informer.isStopped, true);
  assert.equal(lw.currentWatch, undefined, 'the watch was stopped');
  assert.throws(() => informer.addEventHandler({}), /stopped/);
});

test('waitForCacheSync returns false when its signal aborts before the first list', async () => {
  const { lw, informer } = setup();
  lw.listErrors = [new Error('down')];
  void informer.run();
  const ac = new AbortController();
  const waiting = informer.waitForCacheSync(ac.signal);
  await lw.waitForLists(1);
  ac.abort();
  assert.equal(await waiting, false);
  await informer.stop();
});
