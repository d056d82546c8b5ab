import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue, DelayingWorkQueue } from '../../../src/client/workqueue/index.js';
import { FakeClock, settle } from '../../../src/client/clock.js';

test('an item added twice while waiting is queued once, and items come out in the order they went in', async () => {
  const q = new WorkQueue<string>();
  for (const item of ['a', 'b', 'a', 'c', 'b']) q.add(item);
  assert.equal(q.len(), 3);
  const got = [];
  for (let i = 0; i < 3; i++) {
    const r = await q.get();
    assert.equal(r.shutdown, false);
    got.push(r.item);
  }
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.equal(q.len(), 0);
});

test('an item added while it is being processed is not handed to a second worker, and comes back after done()', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const first = await q.get();
  assert.equal(first.item, 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.len(), 0, 'the re-added item waits for done() instead of being queued');
  let second: string | undefined;
  void q.get().then((r) => (second = r.item));
  await settle(1);
  assert.equal(second, undefined);
  q.done('a');
  await settle(1);
  assert.equal(second, 'a');
  q.done('a');
  assert.equal(q.len(), 0, 'done() of an item that was not re-added does not queue it');
});

test('get() waits for an add, and several waiting workers each get a different item', async () => {
  const q = new WorkQueue<string>();
  const a = q.get();
  const b = q.get();
  q.add('x');
  q.add('y');
  assert.deepEqual([(await a).item, (await b).item], ['x', 'y']);
});

test('after shutDown the queued items are still handed out, then get() reports shutdown and adds are dropped', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('b');
  const waiting = new WorkQueue<string>();
  const blocked = waiting.get();
  q.shutDown();
  waiting.shutDown();
  assert.deepEqual(await blocked, { item: undefined, shutdown: true });
  q.add('c');
  assert.equal(q.shuttingDown(), true);
  assert.equal((await q.get()).item, 'a');
  assert.equal((await q.get()).item, 'b');
  assert.deepEqual(await q.get(), { item: undefined, shutdown: true });
});

test('shutDownWithDrain resolves only once every item in flight is done', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('b');
  await q.get();
  await q.get();
  let drained = false;
  const p = q.shutDownWithDrain().then(() => (drained = true));
  q.done('a');
  await settle(1);
  assert.equal(drained, false);
  q.done('b');
  await p;
  assert.equal(drained, true);
});

test('addAfter adds the item only once its delay has passed on the clock', async () => {
  const clock = new FakeClock();
  const q = new DelayingWorkQueue<string>({ clock });
  q.addAfter('a', 1000);
  q.addAfter('now', 0);
  assert.equal(q.len(), 1);
  clock.step(999);
  assert.equal(q.len(), 1);
  clock.step(1);
  assert.equal(q.len(), 2);
  assert.equal((await q.get()).item, 'now');
  assert.equal((await q.get()).item, 'a');
});

test('re-adding a waiting item keeps the earlier ready time and one timer serves every waiting item', () => {
  const clock = new FakeClock();
  const q = new DelayingWorkQueue<string>({ clock });
  q.addAfter('a', 5000);
  q.addAfter('b', 3000);
  q.addAfter('c', 4000);
  q.addAfter('a', 1000); // earlier: wins
  q.addAfter('b', 9000); // later: ignored
  assert.equal(clock.pending(), 1);
  assert.equal(q.waitingCount(), 3);
  const order: string[] = [];
  const drainReady = () => {
    while (q.len() > 0) void q.get().then((r) => order.push(r.item!));
  };
  for (const t of [1000, 2000, 1000, 1000]) {
    clock.step(t);
    drainReady();
  }
  return settle(1).then(() => {
    assert.deepEqual(order, ['a', 'b', 'c']);
    assert.equal(q.waitingCount(), 0);
    assert.equal(clock.pending(), 0);
  });
});

test('shutting a delaying queue down cancels its timer and ignores later addAfter calls', () => {
  const clock = new FakeClock();
  const q = new DelayingWorkQueue<string>({ clock });
  q.addAfter('a', 1000);
  q.shutDown();
  q.addAfter('b', 10);
  clock.step(2000);
  assert.equal(q.len(), 0);
  assert.equal(clock.pending(), 0);
});
