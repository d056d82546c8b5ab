import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { newRateLimitingQueue, runWorkers, WorkQueue } from '../../../src/client/workqueue/index.js';
import { FakeClock, settle } from '../../../src/client/clock.js';
import { metricsRegistry, metricsText } from '../../../src/util/metrics.js';
import { createLogger } from '../../../src/util/log.js';

const silent = createLogger('test', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });

async function value(metric: string, queue: string, suffix = ''): Promise<number | undefined> {
  const m = metricsRegistry.getSingleMetric(metric);
  assert.ok(m, `${metric} is registered`);
  const { values } = await m.get();
  return values.find((v) => v.labels.name === queue && (suffix === '' || (v as { metricName?: string }).metricName === metric + suffix))?.value;
}

test('a named queue exports depth, adds, queue and work durations, retries and unfinished work under upstream names', async () => {
  const clock = new FakeClock();
  const q = newRateLimitingQueue<string>({ name: 'metrics-test', clock });
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(await value('workqueue_adds_total', 'metrics-test'), 2);
  assert.equal(await value('workqueue_depth', 'metrics-test'), 2);
  clock.step(250);
  const { item } = await q.get();
  assert.equal(await value('workqueue_depth', 'metrics-test'), 1);
  assert.equal(await value('workqueue_queue_duration_seconds', 'metrics-test', '_sum'), 0.25);
  clock.step(1750); // to t=2000, when the 500 ms refresher runs
  assert.equal(await value('workqueue_unfinished_work_seconds', 'metrics-test'), 1.75);
  assert.equal(await value('workqueue_longest_running_processor_seconds', 'metrics-test'), 1.75);
  q.done(item!);
  assert.equal(await value('workqueue_work_duration_seconds', 'metrics-test', '_sum'), 1.75);
  q.addRateLimited('c');
  assert.equal(await value('workqueue_retries_total', 'metrics-test'), 1);
  q.shutDown();
  const text = await metricsText();
  assert.match(text, /workqueue_adds_total\{name="metrics-test"\} 2/);
});

test('an unnamed queue records no metrics and arms no refresh timer', () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({ clock });
  q.add('x');
  assert.equal(clock.pending(), 0);
});

test('runWorkers retries a failing item through the rate limiter and forgets its backoff once it succeeds', async () => {
  const clock = new FakeClock();
  const q = newRateLimitingQueue<string>({ clock });
  const attempts: string[] = [];
  let failuresLeft = 2;
  const ac = new AbortController();
  const done = runWorkers(
    q,
    2,
    (item) => {
      attempts.push(`${item}@${clock.now() - start}`);
      if (item === 'bad' && failuresLeft-- > 0) throw new Error('boom');
    },
    ac.signal,
    { log: silent },
  );
  const start = clock.now();
  q.add('bad');
  q.add('good');
  await settle();
  assert.deepEqual(attempts, ['bad@0', 'good@0']);
  assert.equal(q.numRequeues('bad'), 1);
  await clock.advance(5);
  assert.deepEqual(attempts.slice(2), ['bad@5']);
  await clock.advance(10);
  assert.deepEqual(attempts.slice(3), ['bad@15']);
  assert.equal(q.numRequeues('bad'), 0, 'success forgets the failures');
  ac.abort();
  await done;
  assert.equal(q.shuttingDown(), true);
});

test('runWorkers drops an item after maxRetries failures', async () => {
  const clock = new FakeClock();
  const q = newRateLimitingQueue<string>({ clock });
  let calls = 0;
  const ac = new AbortController();
  const done = runWorkers(q, 1, () => {
    calls++;
    throw new Error('always');
  }, ac.signal, { log: silent, maxRetries: 3 });
  q.add('x');
  await clock.advance(60_000);
  assert.equal(calls, 4, 'the first try and three retries');
  assert.equal(q.numRequeues('x'), 0);
  ac.abort();
  await done;
});

test('runWorkers logs a retried failure at the requeue level it is given, and a drop as an error', async () => {
  const lines: { level: string; msg: string }[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: string; msg: string });
      cb();
    },
  });
  const log = createLogger('test', { level: 'debug', format: 'json', destination: sink as never });
  for (const requeueLogLevel of [undefined, 'debug'] as const) {
    lines.length = 0;
    const clock = new FakeClock();
    const q = newRateLimitingQueue<string>({ clock });
    const ac = new AbortController();
    const done = runWorkers(q, 1, () => {
      throw new Error('always');
    }, ac.signal, { log, maxRetries: 2, requeueLogLevel });
    q.add('x');
    await clock.advance(60_000);
    ac.abort();
    await done;
    const retried = requeueLogLevel ?? 'error';
    assert.deepEqual(
      lines.map((l) => `${l.level} ${l.msg}`),
      [
        `${retried} error processing item; requeuing with rate limit`,
        `${retried} error processing item; requeuing with rate limit`,
        'error dropping item out of the work queue after too many failures',
      ],
    );
  }
});

test('aborting runWorkers lets the item in flight finish before resolving (graceful drain)', async () => {
  const q = newRateLimitingQueue<string>({ clock: new FakeClock() });
  const ac = new AbortController();
  let release!: () => void;
  let finished = false;
  const done = runWorkers(
    q,
    1,
    async () => {
      await new Promise<void>((r) => (release = r));
      finished = true;
    },
    ac.signal,
    { log: silent },
  );
  q.add('slow');
  await settle();
  let resolved = false;
  void done.then(() => (resolved = true));
  ac.abort();
  await settle();
  assert.equal(resolved, false);
  release();
  await done;
  assert.equal(finished, true);
});
