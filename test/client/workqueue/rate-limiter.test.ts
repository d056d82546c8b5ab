import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketRateLimiter, defaultControllerRateLimiter, itemExponentialFailureRateLimiter, itemFastSlowRateLimiter, newRateLimitingQueue } from '../../../src/client/workqueue/index.js';
import { FakeClock } from '../../../src/client/clock.js';

test('the per-item exponential limiter doubles from the base for each failure, caps at the max, and forget starts over', () => {
  const rl = itemExponentialFailureRateLimiter<string>(5, 1000);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(() => rl.when('a')), [5, 10, 20, 40, 80, 160, 320, 640]);
  assert.equal(rl.when('a'), 1000);
  assert.equal(rl.when('a'), 1000);
  assert.equal(rl.numRequeues('a'), 10);
  assert.equal(rl.when('b'), 5, 'items back off independently');
  rl.forget('a');
  assert.equal(rl.numRequeues('a'), 0);
  assert.equal(rl.when('a'), 5);
});

test('the exponential limiter stays at the max after very many failures instead of overflowing', () => {
  const rl = itemExponentialFailureRateLimiter<string>(5, 1000 * 1000);
  let last = 0;
  for (let i = 0; i < 2000; i++) last = rl.when('x');
  assert.equal(last, 1000 * 1000);
});

test('the fast-slow limiter is fast for the first attempts and slow after', () => {
  const rl = itemFastSlowRateLimiter<string>(10, 5000, 3);
  assert.deepEqual([1, 2, 3, 4, 5].map(() => rl.when('a')), [10, 10, 10, 5000, 5000]);
});

test('the bucket limiter lets a burst through at once and then spaces items at its rate, refilling as time passes', () => {
  const clock = new FakeClock();
  const rl = bucketRateLimiter<string>(10, 100, clock);
  for (let i = 0; i < 100; i++) assert.equal(rl.when(`item-${i}`), 0);
  assert.equal(rl.when('x'), 100);
  assert.equal(rl.when('y'), 200);
  clock.step(1000); // ten tokens come back, two already owed
  for (let i = 0; i < 8; i++) assert.equal(rl.when(`z-${i}`), 0);
  assert.equal(rl.when('z'), 100);
});

test('the default controller limiter is the max of 5 ms exponential backoff and a 10 qps / 100 burst bucket', () => {
  const clock = new FakeClock();
  const rl = defaultControllerRateLimiter<string>(clock);
  assert.equal(rl.when('a'), 5);
  assert.equal(rl.when('a'), 10);
  // Drain the bucket with other items: after 100 tokens in total the bucket dominates.
  for (let i = 0; i < 98; i++) rl.when(`other-${i}`);
  assert.equal(rl.when('fresh'), 100, 'the 101st token must wait 100 ms although the item never failed');
  assert.equal(rl.numRequeues('a'), 2);
  rl.forget('a');
  assert.equal(rl.numRequeues('a'), 0);
});

test('addRateLimited delays the item by the limiter and forget resets its requeue count', async () => {
  const clock = new FakeClock();
  const q = newRateLimitingQueue<string>({ clock });
  q.addRateLimited('a');
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 2);
  assert.equal(q.len(), 0);
  clock.step(5);
  assert.equal(q.len(), 1, 'the earlier ready time (5 ms) wins over the second (10 ms)');
  assert.equal((await q.get()).item, 'a');
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
});
