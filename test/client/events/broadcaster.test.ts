// The events.k8s.io/v1 recorder (tools/events) against the real API server in-process: events
// are written in the new API, repeats become a series, and the series is kept current by PATCH.
// Time is a FakeClock, so the 6-minute finish and 30-minute refresh take no time.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Writable } from 'node:stream';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { FakeClock } from '../../../src/client/clock.js';
import { EventBroadcaster, finishTimeMs, refreshTimeMs, restEventSink, type EventsV1Event } from '../../../src/client/events/index.js';
import { formatMicroTime } from '../../../src/client/record/time.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { Client } from '../../../src/client/rest/client.js';
import { createLogger } from '../../../src/util/log.js';
import { startInProcessApi, type InProcessApi } from '../transport/in-process-api.js';

const lines: string[] = [];
const log = createLogger('test', { level: 'debug', format: 'json', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as never });

let api: InProcessApi;
let client: Client;
before(async () => {
  api = await startInProcessApi();
  client = api.client();
});
after(async () => {
  await api.close();
});

async function configMap(name: string): Promise<ConfigMap & KubeObject> {
  return client.resource(resources.configMaps).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: 'v' } });
}

async function eventsAbout(name: string): Promise<EventsV1Event[]> {
  const list = await client.resource(resources.events).list({ namespace: 'default' });
  return (list.items as unknown as EventsV1Event[]).filter((e) => e.regarding?.name === name).sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

function setup() {
  const clock = new FakeClock(Date.UTC(2024, 4, 1, 12, 0, 0, 250));
  const b = new EventBroadcaster({ clock, log, random: () => 0.5 });
  b.startRecordingToSink(restEventSink(client));
  const r = b.newRecorder('k8ts.io/test-controller', 'test-controller-node-a');
  return { clock, b, r };
}

test('an event is written as an events.k8s.io/v1 Event about regarding and related, and reads back as the same core/v1 Event', async () => {
  const { b, r, clock } = setup();
  const cm = await configMap('plain');
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'uid-p' } } as Pod & KubeObject;
  r.eventf(cm, pod, 'Normal', 'Mounted', 'Mount', 'mounted into %s', 'web-1');
  await b.flush();
  const [e, ...rest] = await eventsAbout('plain');
  assert.equal(rest.length, 0);
  assert.match(e.metadata.name!, /^plain\.[0-9a-f]+$/);
  assert.equal(e.eventTime, formatMicroTime(clock.now()));
  assert.equal(e.eventTime, '2024-05-01T12:00:00.250000Z');
  assert.deepEqual(
    { controller: e.reportingController, instance: e.reportingInstance, action: e.action, reason: e.reason, note: e.note, type: e.type, series: e.series },
    { controller: 'k8ts.io/test-controller', instance: 'test-controller-node-a', action: 'Mount', reason: 'Mounted', note: 'mounted into web-1', type: 'Normal', series: undefined },
  );
  assert.deepEqual(
    { kind: e.regarding?.kind, name: e.regarding?.name, namespace: e.regarding?.namespace, uid: e.regarding?.uid },
    { kind: 'ConfigMap', name: 'plain', namespace: 'default', uid: cm.metadata?.uid },
  );
  assert.deepEqual(e.related, { kind: 'Pod', apiVersion: 'v1', name: 'web-1', namespace: 'default', uid: 'uid-p' });
  const core = await client.resource(resources.coreEvents).get(e.metadata.name!, { namespace: 'default' });
  assert.equal(core.involvedObject.name, 'plain');
  assert.equal(core.related?.name, 'web-1');
  assert.equal(core.message, 'mounted into web-1');
  assert.equal(core.reportingComponent, 'k8ts.io/test-controller');
  assert.equal(core.action, 'Mount');
  await b.shutdown();
});

test('the second occurrence turns the event into a series by PATCH; later ones are written when the series has been quiet for 6 minutes; the next starts a new Event', async () => {
  const { b, r, clock } = setup();
  const cm = await configMap('repeated');
  const fail = () => r.eventf(cm, undefined, 'Warning', 'FailedMount', 'Mount', 'volume is not ready');
  fail();
  await b.flush();
  const [first] = await eventsAbout('repeated');
  assert.equal(first.series, undefined);

  clock.step(1000);
  fail();
  await b.flush();
  let events = await eventsAbout('repeated');
  assert.equal(events.length, 1, 'the repeat is the same Event');
  assert.equal(events[0].metadata.name, first.metadata.name);
  assert.deepEqual(events[0].series, { count: 2, lastObservedTime: '2024-05-01T12:00:01.250000Z' });
  assert.equal(events[0].eventTime, first.eventTime, 'eventTime stays the first occurrence');
  const core = await client.resource(resources.coreEvents).get(first.metadata.name!, { namespace: 'default' });
  assert.equal(core.series?.count, 2);

  clock.step(1000);
  fail();
  clock.step(1000);
  fail();
  await b.flush();
  events = await eventsAbout('repeated');
  assert.equal(events[0].series?.count, 2, 'the third and fourth are only counted until the series is written again');

  await clock.advance(finishTimeMs);
  await b.flush();
  assert.equal((await eventsAbout('repeated'))[0].series?.count, 2, 'six minutes after the series began it was last seen 3 s ago: not finished');
  await clock.advance(finishTimeMs);
  await b.flush();
  events = await eventsAbout('repeated');
  assert.equal(events.length, 1);
  assert.deepEqual(events[0].series, { count: 4, lastObservedTime: '2024-05-01T12:00:03.250000Z' }, 'the finished series carries its final count');

  fail();
  await b.flush();
  events = await eventsAbout('repeated');
  assert.equal(events.length, 2, 'after the series finished, the event starts over as a new Event');
  assert.equal(events[1].series, undefined);
  assert.notEqual(events[1].metadata.name, first.metadata.name);
  await b.shutdown();
});

test('what is sent is exactly the event as recorded: the create carries no series, the PATCH only the series; events handed to watchers are never changed afterwards', async () => {
  const clock = new FakeClock(Date.UTC(2024, 4, 1, 12, 0, 0, 250));
  const b = new EventBroadcaster({ clock, log, random: () => 0.5 });
  const real = restEventSink(client);
  const sent: string[] = [];
  b.startRecordingToSink({
    create: (e, keep) => (sent.push(`create ${JSON.stringify(e)}`), real.create(e, keep)),
    patch: (e, p) => (sent.push(`patch ${e.metadata.name} ${JSON.stringify(p)}`), real.patch(e, p)),
  });
  const seen: EventsV1Event[] = [];
  b.startEventWatcher((e) => void seen.push(e));
  const r = b.newRecorder('default-scheduler', 'default-scheduler-host-a');
  const pod = { kind: 'Pod', apiVersion: 'v1', name: 'wire-1', namespace: 'default', uid: 'uid-wire-1', resourceVersion: '7' };
  r.eventf(pod, undefined, 'Normal', 'Scheduled', 'Binding', 'Successfully assigned %v/%v to %v', 'default', 'wire-1', 'node-a');
  await b.flush();
  clock.step(1500);
  r.eventf(pod, undefined, 'Normal', 'Scheduled', 'Binding', 'Successfully assigned %v/%v to %v', 'default', 'wire-1', 'node-b');
  await b.flush();
  // (Name suffixes are unique process-wide, so earlier tests' events moved this one's on.)
  const name = seen[0]?.metadata.name;
  assert.match(name ?? '', /^wire-1\.[0-9a-f]+$/);
  assert.deepEqual(sent, [
    `create {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"${name}","namespace":"default"},"eventTime":"2024-05-01T12:00:00.250000Z","reportingController":"default-scheduler","reportingInstance":"default-scheduler-host-a","action":"Binding","reason":"Scheduled","regarding":{"kind":"Pod","apiVersion":"v1","name":"wire-1","namespace":"default","uid":"uid-wire-1","resourceVersion":"7"},"note":"Successfully assigned default/wire-1 to node-a","type":"Normal"}`,
    `patch ${name} {"series":{"count":2,"lastObservedTime":"2024-05-01T12:00:01.750000Z"}}`,
  ]);
  assert.equal(seen.length, 2);
  assert.equal(seen[0].series, undefined, 'the first occurrence a watcher holds did not become the series');
  assert.equal(seen[1].series, undefined);
  assert.equal(seen[1].note, 'Successfully assigned default/wire-1 to node-b');
  await b.shutdown();
});

test('an ongoing series is written again every 30 minutes with its current count', async () => {
  const { b, r, clock } = setup();
  const cm = await configMap('ongoing');
  const backoff = () => r.eventf(cm, undefined, 'Warning', 'BackOff', 'Restart', 'back-off restarting');
  backoff();
  backoff();
  await b.flush();
  for (let minute = 5; minute <= 25; minute += 5) {
    await clock.advance(5 * 60_000);
    backoff();
    await b.flush();
  }
  assert.equal((await eventsAbout('ongoing'))[0].series?.count, 2, 'never quiet for 6 minutes, so only the refresh writes it');
  await clock.advance(refreshTimeMs - 25 * 60_000);
  await b.flush();
  const [e, ...rest] = await eventsAbout('ongoing');
  assert.equal(rest.length, 0);
  assert.deepEqual(e.series, { count: 7, lastObservedTime: '2024-05-01T12:25:00.250000Z' });
  await b.shutdown();
});

test('events differing in action, type or related object are separate Events; a different note joins the series and keeps the first note', async () => {
  const { b, r } = setup();
  const cm = await configMap('variants');
  const other = { kind: 'Pod', apiVersion: 'v1', name: 'other', namespace: 'default' };
  r.eventf(cm, undefined, 'Normal', 'Synced', 'Sync', 'first note');
  r.eventf(cm, undefined, 'Normal', 'Synced', 'Sync', 'second note');
  r.eventf(cm, undefined, 'Normal', 'Synced', 'Resync', 'first note');
  r.eventf(cm, undefined, 'Warning', 'Synced', 'Sync', 'first note');
  r.eventf(cm, other, 'Normal', 'Synced', 'Sync', 'first note');
  await b.flush();
  const events = await eventsAbout('variants');
  assert.equal(events.length, 4);
  const series = events.filter((e) => e.series);
  assert.equal(series.length, 1);
  assert.equal(series[0].note, 'first note');
  assert.equal(series[0].action, 'Sync');
  assert.equal(series[0].series?.count, 2);
  await b.shutdown();
});

test('a series whose Event was deleted on the server is created again when the PATCH finds nothing', async () => {
  const { b, r } = setup();
  const cm = await configMap('deleted');
  r.eventf(cm, undefined, 'Normal', 'Pulled', 'Pull', 'image pulled');
  await b.flush();
  const [first] = await eventsAbout('deleted');
  await client.resource(resources.events).delete(first.metadata.name!, { namespace: 'default' });
  r.eventf(cm, undefined, 'Normal', 'Pulled', 'Pull', 'image pulled');
  await b.flush();
  const [again, ...rest] = await eventsAbout('deleted');
  assert.equal(rest.length, 0);
  assert.equal(again.metadata.name, first.metadata.name);
  assert.equal(again.series?.count, 2);
  await b.shutdown();
});

test('an event the server rejects is logged and not retried', async () => {
  const clock = new FakeClock();
  const b = new EventBroadcaster({ clock, log });
  b.startRecordingToSink(restEventSink(client));
  const before = clock.pending();
  // The event is named after the object: an invalid object name makes an invalid Event name (422).
  const bad = { kind: 'ConfigMap', apiVersion: 'v1', name: 'Not_A_Name', namespace: 'default' };
  b.newRecorder('k8ts.io/test-controller').eventf(bad, undefined, 'Normal', 'Synced', 'Sync', 'n');
  await b.flush();
  assert.deepEqual(await eventsAbout('Not_A_Name'), []);
  assert.ok(lines.some((l) => l.includes('server rejected event (will not retry!)')));
  assert.equal(clock.pending(), before, 'no retry is scheduled');
  await b.shutdown();
});

test('a transport error is retried after 10 s plus jitter, and the event is written then', async () => {
  const clock = new FakeClock();
  const b = new EventBroadcaster({ clock, log, random: () => 0.5 });
  const real = restEventSink(client);
  let failures = 1;
  b.startRecordingToSink({
    create: (e) => (failures-- > 0 ? Promise.reject(new Error('socket hang up')) : real.create(e)),
    patch: (e, p) => real.patch(e, p),
  });
  const cm = await configMap('retried');
  const loops = clock.pending();
  b.newRecorder('k8ts.io/test-controller').eventf(cm, undefined, 'Normal', 'Synced', 'Sync', 'n');
  await clock.waitForTimers(loops + 1);
  assert.ok(clock.delays().includes(11_250), '10 s × (1 + 0.25 × 0.5)');
  assert.deepEqual(await eventsAbout('retried'), []);
  await clock.advance(11_250);
  await b.flush();
  assert.equal((await eventsAbout('retried')).length, 1);
  await b.shutdown();
});

test('events are written side by side, at most maxInFlightWrites at once: a slow server delays them and drops none of a burst larger than the queue', async () => {
  const clock = new FakeClock();
  const b = new EventBroadcaster({ clock, log, maxInFlightWrites: 8 });
  const real = restEventSink(client);
  let inFlight = 0;
  let most = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  b.startRecordingToSink({
    create: async (e) => {
      most = Math.max(most, ++inFlight);
      await gate;
      try {
        return await real.create(e);
      } finally {
        inFlight--;
      }
    },
    patch: (e, p) => real.patch(e, p),
  });
  const r = b.newRecorder('k8ts.io/test-scheduler');
  // More distinct events than the queue holds (1000), recorded over a few turns of the event loop
  // (as a scheduler binds) while the server answers nothing.
  const count = 1500;
  for (let i = 0; i < count; i++) {
    r.eventf({ kind: 'Pod', apiVersion: 'v1', name: `burst-${i}`, namespace: 'default', uid: `u-${i}` }, undefined, 'Normal', 'Scheduled', 'Binding', 'assigned to node-a');
    if (i % 100 === 99) await new Promise((res) => setImmediate(res));
  }
  assert.equal(inFlight, 8, 'the cap is reached while the server is slow');
  release();
  await b.flush();
  assert.equal(most, 8);
  const written = (await client.resource(resources.events).list({ namespace: 'default' })).items.filter((e) => (e as unknown as EventsV1Event).regarding?.name?.startsWith('burst-'));
  assert.equal(written.length, count);
  assert.ok(!lines.some((l) => l.includes('too many queued events')));
  await b.shutdown();
});
