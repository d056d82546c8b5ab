// The rate-limited event sink (the kubelet's eventRecordQPS/eventBurst) against the real API
// server in-process: a burst goes out at once up to `burst` events, the rest one per 1/qps s,
// none lost and in the order recorded; qps 0 is no limit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import type { Event } from 'kubernetes-types/core/v1.js';
import { EventBroadcaster, rateLimitedEventSink, restEventSink, type EventRateLimit } from '../../../src/client/record/index.js';
import { FakeClock, realClock, type Clock } from '../../../src/client/clock.js';
import type { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { createLogger } from '../../../src/util/log.js';
import { defaultEventBurst, defaultEventRecordQPS, eventRateLimit } from '../../../src/kubelet/config/event-rate-limit.js';
import { startInProcessApi, type InProcessApi } from '../transport/in-process-api.js';

const log = createLogger('test', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });

let api: InProcessApi;
let client: Client;
before(async () => {
  api = await startInProcessApi({ serviceAccounts: false, rootCA: false });
  client = api.client();
});
after(async () => {
  await client?.close();
  await api?.close();
});

/** One event about each of `count` objects (distinct objects, so none is aggregated or spam-filtered). */
function recordBurst(namespace: string, limit: EventRateLimit, clock: Clock, count: number, unlimit?: AbortSignal) {
  const b = new EventBroadcaster({ log, clock });
  const sink = restEventSink(client);
  b.startRecordingToSink(rateLimitedEventSink(sink, limit, clock, unlimit));
  const r = b.newRecorder({ component: 'kubelet', host: 'node-a' });
  for (let i = 0; i < count; i++) {
    r.event({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace, uid: `uid-${i}` } }, 'Normal', `Started${i}`, `started p${i}`);
  }
  return b;
}

/** The events written so far, in the order the server stored them. */
async function written(namespace: string): Promise<string[]> {
  const list = await client.resource(resources.coreEvents).list({ namespace });
  const items = list.items as Event[];
  return items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion)).map((e) => e.reason ?? '');
}

const reasons = (n: number) => Array.from({ length: n }, (_, i) => `Started${i}`);

describe('rate-limited event sink', () => {
  test('qps 5, burst 3: the first 3 events are written at once, the rest one every 200 ms, in order, none lost', async () => {
    const clock = new FakeClock();
    const b = recordBurst('default', { qps: 5, burst: 3 }, clock, 8);
    // The sink waits for a token (a timer on the fake clock) only once the burst is spent.
    await clock.waitForTimers(1);
    assert.deepEqual(await written('default'), reasons(3));
    assert.deepEqual(clock.delays(), [200]);
    for (let n = 4; n <= 8; n++) {
      await clock.advance(199);
      assert.deepEqual(await written('default'), reasons(n - 1), 'no event before its token');
      await clock.advance(1);
      if (n < 8) await clock.waitForTimers(1);
      else await b.flush();
      assert.deepEqual(await written('default'), reasons(n));
    }
    assert.equal(clock.pending(), 0);
    await b.shutdown();
  });

  test('once unlimited (the agent stopping), the queued events are written without waiting for tokens', async () => {
    const clock = new FakeClock();
    await client.resource(resources.namespaces).create({ metadata: { name: 'stopping' } });
    const stopping = new AbortController();
    const b = recordBurst('stopping', { qps: 5, burst: 3 }, clock, 8, stopping.signal);
    await clock.waitForTimers(1);
    assert.deepEqual(await written('stopping'), reasons(3));
    stopping.abort();
    // No clock advance: a stop must not take queue length / qps seconds.
    await b.shutdown();
    assert.deepEqual(await written('stopping'), reasons(8));
    assert.equal(clock.pending(), 0);
  });

  test('qps 0 is no limit: the sink is used as it is and a burst is written at once', async () => {
    const clock = new FakeClock();
    const sink = restEventSink(client);
    assert.equal(rateLimitedEventSink(sink, { qps: 0, burst: 3 }, clock), sink);
    await client.resource(resources.namespaces).create({ metadata: { name: 'unlimited' } });
    const b = recordBurst('unlimited', { qps: 0, burst: 3 }, clock, 8);
    await b.flush();
    assert.deepEqual(await written('unlimited'), reasons(8));
    assert.equal(clock.pending(), 0);
    await b.shutdown();
  });

  test('on the real clock the events beyond the burst take at least (n - burst) / qps', async () => {
    await client.resource(resources.namespaces).create({ metadata: { name: 'realtime' } });
    const start = performance.now();
    const b = recordBurst('realtime', { qps: 50, burst: 2 }, realClock, 5);
    await b.flush();
    const elapsed = performance.now() - start;
    assert.deepEqual(await written('realtime'), reasons(5));
    assert.ok(elapsed >= 59, `3 events at 50/s took ${elapsed} ms`);
    await b.shutdown();
  });
});

describe("the kubelet's eventRecordQPS and eventBurst", () => {
  test('default as upstream: 50 per second, bursts of 100; eventRecordQPS 0 stays 0 (no limit), eventBurst 0 is 100', () => {
    assert.deepEqual(eventRateLimit(), { qps: 50, burst: 100 });
    assert.equal(defaultEventRecordQPS, 50);
    assert.equal(defaultEventBurst, 100);
    assert.deepEqual(eventRateLimit({ eventRecordQPS: 0 }), { qps: 0, burst: 100 });
    assert.deepEqual(eventRateLimit({ eventRecordQPS: 5, eventBurst: 0 }), { qps: 5, burst: 100 });
    assert.deepEqual(eventRateLimit({ eventRecordQPS: 5, eventBurst: 3 }), { qps: 5, burst: 3 });
  });

  test('negative values are refused with upstream messages', () => {
    assert.throws(() => eventRateLimit({ eventRecordQPS: -1 }), { message: 'invalid configuration: eventRecordQPS (--event-qps) -1 must not be a negative number' });
    assert.throws(() => eventRateLimit({ eventRecordQPS: -1, eventBurst: -2 }), {
      message: '[invalid configuration: eventBurst (--event-burst) -2 must not be a negative number, invalid configuration: eventRecordQPS (--event-qps) -1 must not be a negative number]',
    });
  });
});
