import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { FakeClock } from '../../../src/client/clock.js';
import { Reflector, type ReflectorErrorContext, type ReflectorOptions, type ReflectorStore } from '../../../src/client/cache/reflector.js';
import { FakeListerWatcher, StatusCodeError, gone, pod, until } from './fake-lister-watcher.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

class RecordingStore implements ReflectorStore<KubeObject> {
  ops: string[] = [];
  replaced: { names: string[]; rv: string }[] = [];
  resyncs = 0;
  add(o: KubeObject) {
    this.ops.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`);
  }
  update(o: KubeObject) {
    this.ops.push(`update ${o.metadata?.name}@${o.metadata?.resourceVersion}`);
  }
  delete(o: KubeObject) {
    this.ops.push(`delete ${o.metadata?.name}@${o.metadata?.resourceVersion}`);
  }
  replace(items: KubeObject[], rv: string) {
    this.replaced.push({ names: items.map((i) => i.metadata!.name!).sort(), rv });
    this.ops.push(`replace@${rv}`);
  }
  resync() {
    this.resyncs++;
  }
}

function setup(opts: ReflectorOptions = {}) {
  const lw = new FakeListerWatcher();
  const store = new RecordingStore();
  const clock = new FakeClock();
  const errors: { err: Error; ctx: ReflectorErrorContext }[] = [];
  const ac = new AbortController();
  const reflector = new Reflector(lw, store, { clock, random: () => 0.5, logger: silent, onError: (err, ctx) => errors.push({ err, ctx }), ...opts });
  const start = () => reflector.run(ac.signal);
  return { lw, store, clock, errors, ac, reflector, start };
}

test('the first list asks for resourceVersion 0 in pages of 500, then watches from the list resourceVersion with bookmarks', async () => {
  const { lw, store, ac, reflector, start } = setup();
  lw.create(pod('a'), false);
  lw.create(pod('b'), false);
  const done = start();
  const w = await lw.waitForWatches(1);
  assert.deepEqual(lw.lists[0], { labelSelector: undefined, fieldSelector: undefined, resourceVersion: '0', limit: 500 });
  assert.deepEqual(store.replaced, [{ names: ['a', 'b'], rv: '102' }]);
  assert.equal(w.opts.resourceVersion, '102');
  assert.equal(w.opts.allowWatchBookmarks, true);
  assert.ok(w.opts.timeoutSeconds! >= 300 && w.opts.timeoutSeconds! < 600, 'watch timeout is randomised in [5m, 10m)');
  lw.create(pod('c'));
  lw.modify(pod('a'));
  lw.remove(pod('b'));
  await until(() => store.ops.length === 4, 'three events');
  assert.deepEqual(store.ops.slice(1), ['add c@103', 'update a@104', 'delete b@105']);
  assert.equal(reflector.lastSyncResourceVersion, '105');
  ac.abort();
  await done;
  assert.equal(w.stopped, true, 'stopping the reflector stops its watch');
});

test('a paginated list follows continue tokens without resourceVersion and replaces the store once with all pages', async () => {
  const { lw, store, ac, start } = setup({ pageSize: 2 });
  for (const n of ['a', 'b', 'c', 'd', 'e']) lw.create(pod(n), false);
  const done = start();
  await lw.waitForWatches(1);
  assert.deepEqual(
    lw.lists.map((l) => [l.limit, l.continue, l.resourceVersion]),
    [
      [2, undefined, '0'],
      [2, '2', undefined],
      [2, '4', undefined],
    ],
  );
  assert.deepEqual(store.replaced, [{ names: ['a', 'b', 'c', 'd', 'e'], rv: '105' }]);
  ac.abort();
  await done;
});

test('a watch the server closes is resumed at once from the last resourceVersion seen, without a relist', async () => {
  const { lw, store, ac, clock, start } = setup();
  const done = start();
  const w1 = await lw.waitForWatches(1);
  lw.create(pod('x'));
  await until(() => store.ops.length === 2);
  w1.end();
  const w2 = await lw.waitForWatches(2);
  assert.equal(w2.opts.resourceVersion, '101');
  assert.equal(lw.lists.length, 1);
  assert.deepEqual(clock.delays(), [], 'no backoff after a normal end');
  ac.abort();
  await done;
});

test('a broken watch stream is reported and resumed from the last resourceVersion after a backoff', async () => {
  const { lw, store, ac, clock, errors, start } = setup();
  const done = start();
  const w1 = await lw.waitForWatches(1);
  lw.create(pod('x'));
  await until(() => store.ops.length === 2);
  w1.fail(new Error('socket hang up'));
  await clock.waitForTimers(1);
  assert.deepEqual(clock.delays(), [1200], '800 ms plus jitter (random 0.5 → ×1.5)');
  assert.equal(errors[0].ctx.phase, 'watch');
  assert.match(errors[0].err.message, /socket hang up/);
  clock.step(1200);
  const w2 = await lw.waitForWatches(2);
  assert.equal(w2.opts.resourceVersion, '101');
  assert.equal(lw.lists.length, 1);
  ac.abort();
  await done;
});

test('bookmarks advance the resourceVersion a resumed watch starts from', async () => {
  const { lw, ac, reflector, start } = setup();
  const done = start();
  const w1 = await lw.waitForWatches(1);
  lw.bookmark(250);
  await until(() => reflector.lastSyncResourceVersion === '250', 'bookmark applied');
  w1.end();
  const w2 = await lw.waitForWatches(2);
  assert.equal(w2.opts.resourceVersion, '250');
  ac.abort();
  await done;
});

test('a 410 ERROR event on the watch makes the reflector relist consistently (resourceVersion "") and replace the store', async () => {
  const { lw, store, ac, clock, errors, start } = setup();
  lw.create(pod('a'), false);
  const done = start();
  const w1 = await lw.waitForWatches(1);
  // While "disconnected" a is deleted and b created; the watch then reports 410.
  lw.remove(pod('a'), false);
  lw.create(pod('b'), false);
  w1.push({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', code: 410, reason: 'Expired', message: 'too old resource version: 101 (150)' } as unknown as KubeObject });
  await clock.waitForTimers(1);
  assert.equal(errors[0].ctx.phase, 'watch');
  assert.equal((errors[0].err as { code?: number }).code, 410);
  clock.step(clock.delays()[0]);
  const w2 = await lw.waitForWatches(2);
  assert.equal(lw.lists[1].resourceVersion, '', 'a consistent list after 410');
  assert.deepEqual(store.replaced[1], { names: ['b'], rv: '103' });
  assert.equal(w2.opts.resourceVersion, '103');
  ac.abort();
  await done;
});

test('a watch that cannot start with 410 relists; one that fails otherwise retries the watch with growing backoff', async () => {
  const { lw, ac, clock, errors, start } = setup();
  lw.watchErrors = [new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED'), gone()];
  const done = start();
  await lw.waitForWatches(1);
  await clock.waitForTimers(1);
  assert.deepEqual(clock.delays(), [1200]);
  clock.step(1200);
  await lw.waitForWatches(2);
  await clock.waitForTimers(1);
  assert.deepEqual(clock.delays(), [2400], 'the second failure in a row doubles the backoff');
  clock.step(2400);
  await lw.waitForWatches(3);
  await clock.waitForTimers(1);
  clock.step(clock.delays()[0]);
  await lw.waitForWatches(4);
  assert.deepEqual(lw.lists.map((l) => l.resourceVersion), ['0', '']);
  assert.deepEqual(errors.map((e) => e.ctx.phase), ['watch', 'watch', 'watch']);
  ac.abort();
  await done;
});

test('a 410 on the first list at resourceVersion 0 is retried at once as a consistent list', async () => {
  const { lw, store, ac, clock, start } = setup();
  lw.listErrors = [gone()];
  const done = start();
  await lw.waitForWatches(1);
  assert.deepEqual(lw.lists.map((l) => l.resourceVersion), ['0', '']);
  assert.equal(store.replaced.length, 1);
  assert.deepEqual(clock.delays(), []);
  ac.abort();
  await done;
});

test('a failing list is reported and retried after backoff until it succeeds; the reflector never gives up', async () => {
  const { lw, store, ac, clock, errors, start } = setup();
  lw.listErrors = [new StatusCodeError(500, 'etcdserver: leader changed'), new StatusCodeError(503, 'unavailable'), new Error('ECONNRESET')];
  const done = start();
  for (let i = 1; i <= 3; i++) {
    await clock.waitForTimers(1);
    clock.step(clock.delays()[0]);
  }
  await lw.waitForWatches(1);
  assert.equal(lw.lists.length, 4);
  assert.deepEqual(errors.map((e) => e.ctx.phase), ['list', 'list', 'list']);
  assert.equal(store.replaced.length, 1);
  ac.abort();
  await done;
});

test('the backoff is capped at 30 s (plus jitter) and starts over after two quiet minutes', async () => {
  const { lw, ac, clock, start } = setup();
  lw.watchErrors = Array.from({ length: 9 }, () => new Error('refused'));
  const done = start();
  const waits: number[] = [];
  for (let i = 0; i < 8; i++) {
    await clock.waitForTimers(1);
    waits.push(clock.delays()[0]);
    clock.step(clock.delays()[0]);
  }
  assert.deepEqual(waits, [1200, 2400, 4800, 9600, 19200, 38400, 45000, 45000]);
  await clock.waitForTimers(1);
  clock.step(clock.delays()[0]);
  await lw.waitForWatches(10);
  // A healthy watch for more than two minutes, then a failure: back to 800 ms.
  clock.step(121_000);
  lw.currentWatch!.fail(new Error('reset'));
  await clock.waitForTimers(1);
  assert.deepEqual(clock.delays(), [1200]);
  ac.abort();
  await done;
});

test('a watch that ends at once without any event counts as a failure and backs off', async () => {
  const { lw, ac, clock, errors, start } = setup();
  const done = start();
  const w1 = await lw.waitForWatches(1);
  w1.end();
  await clock.waitForTimers(1);
  assert.match(errors[0].err.message, /very short watch/);
  ac.abort();
  await done;
});

test('an event without resourceVersion is reported and skipped while the watch goes on', async () => {
  const { lw, store, ac, errors, start } = setup();
  const done = start();
  const w = await lw.waitForWatches(1);
  w.push({ type: 'ADDED', object: pod('no-rv') });
  lw.create(pod('ok'));
  await until(() => store.ops.length === 2);
  assert.deepEqual(store.ops, ['replace@100', 'add ok@101']);
  assert.equal(errors[0].ctx.phase, 'event');
  ac.abort();
  await done;
});

test('WatchList mode streams the initial state, replaces the store at the initial-events-end bookmark and keeps the same watch', async () => {
  const { lw, store, ac, start } = setup({ useWatchList: true });
  lw.create(pod('a'), false);
  lw.create(pod('b'), false);
  const done = start();
  const w = await lw.waitForWatches(1);
  assert.equal(w.opts.sendInitialEvents, true);
  assert.equal(w.opts.resourceVersionMatch, 'NotOlderThan');
  assert.equal(w.opts.resourceVersion, '', 'the first WatchList asks for the freshest state');
  lw.create(pod('c'));
  await until(() => store.ops.length === 2);
  assert.deepEqual(store.replaced, [{ names: ['a', 'b'], rv: '102' }]);
  assert.deepEqual(store.ops, ['replace@102', 'add c@103']);
  assert.equal(lw.lists.length, 0);
  ac.abort();
  await done;
});

test('WatchList falls back to list when the server rejects sendInitialEvents', async () => {
  const { lw, store, ac, start, errors } = setup({ useWatchList: true });
  lw.watchErrors = [new StatusCodeError(400, 'sendInitialEvents is forbidden')];
  const done = start();
  await lw.waitForWatches(2);
  assert.equal(lw.lists.length, 1);
  assert.equal(store.replaced.length, 1);
  assert.equal(errors.length, 1);
  ac.abort();
  await done;
});

test('resync calls the store every period once listed, when shouldResync allows', async () => {
  let allow = true;
  const { lw, store, ac, clock, start } = setup({ resyncPeriodMs: 1000, shouldResync: () => allow });
  const done = start();
  await lw.waitForWatches(1);
  clock.step(1000);
  await until(() => store.resyncs === 1);
  allow = false;
  await clock.waitForTimers(1);
  clock.step(1000);
  await clock.waitForTimers(1);
  assert.equal(store.resyncs, 1);
  ac.abort();
  await done;
});
