import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { EventBroadcaster } from '../../../src/client/record/index.js';
import { FakeClock, settle } from '../../../src/client/clock.js';
import { createLogger } from '../../../src/util/log.js';
import { CodeError, FakeSink } from './fake-sink.js';

const lines: string[] = [];
const log = createLogger('test', { level: 'debug', format: 'json', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as never });

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'apps', uid: 'uid-1', resourceVersion: '7' },
};
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'uid-n' } };

function setup(opts: { maxQueuedEvents?: number } = {}) {
  const clock = new FakeClock(Date.UTC(2024, 4, 1, 12, 0, 0, 250));
  const sink = new FakeSink();
  const b = new EventBroadcaster({ clock, log, random: () => 0.5, ...opts });
  b.startRecordingToSink(sink);
  const r = b.newRecorder({ component: 'test-controller', host: 'node-a' });
  return { clock, sink, b, r };
}

test('an event about an object is written as a core/v1 Event naming the object, the source and the times', async () => {
  const { sink, b, r, clock } = setup();
  r.event(pod, 'Normal', 'Scheduled', 'Successfully assigned apps/web-1 to node-a');
  await b.flush();
  const [e] = sink.list();
  assert.match(e.metadata.name!, /^web-1\.[0-9a-f]+$/);
  assert.equal(e.metadata.name, `web-1.${(BigInt(clock.now()) * 1_000_000n).toString(16)}`);
  assert.equal(e.metadata.namespace, 'apps');
  assert.deepEqual(e.involvedObject, { kind: 'Pod', apiVersion: 'v1', name: 'web-1', namespace: 'apps', uid: 'uid-1', resourceVersion: '7' });
  assert.deepEqual(e.source, { component: 'test-controller', host: 'node-a' });
  assert.equal(e.reportingComponent, 'test-controller');
  assert.equal(e.reportingInstance, 'node-a');
  assert.equal(e.firstTimestamp, '2024-05-01T12:00:00Z');
  assert.equal(e.lastTimestamp, '2024-05-01T12:00:00Z');
  assert.equal(e.count, 1);
  assert.equal(e.type, 'Normal');
  assert.equal(e.reason, 'Scheduled');
});

test('events about cluster-scoped objects go to the default namespace; eventf formats; annotatedEventf annotates', async () => {
  const { sink, b, r } = setup();
  r.eventf(node, 'Warning', 'NodeNotReady', 'Node %s status is now: %v', 'n1', 'NodeNotReady');
  r.annotatedEventf(pod, { 'example.com/why': 'test' }, 'Normal', 'Annotated', 'with %d annotation', 1);
  await b.flush();
  const [a, c] = sink.list();
  assert.equal(a.metadata.namespace, 'default');
  assert.equal(a.message, 'Node n1 status is now: NodeNotReady');
  assert.equal(a.involvedObject.namespace, undefined);
  assert.deepEqual(c.metadata.annotations, { 'example.com/why': 'test' });
  assert.equal(c.message, 'with 1 annotation');
});

test('events with an unknown type or about an object without kind are dropped with an error log, never thrown', async () => {
  const { sink, b, r } = setup();
  lines.length = 0;
  r.event(pod, 'Bogus' as never, 'X', 'y');
  r.event({ metadata: { name: 'nokind' } }, 'Normal', 'X', 'y');
  await b.flush();
  assert.equal(sink.list().length, 0);
  assert.ok(lines.some((l) => l.includes('unsupported event type')));
  assert.ok(lines.some((l) => l.includes('could not construct reference')));
});

test('recording returns at once while the sink is slow, and a full queue drops events instead of blocking', async () => {
  const { sink, b, r } = setup({ maxQueuedEvents: 5 });
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  const create = sink.create.bind(sink);
  sink.create = async (e) => (await gate, create(e));
  for (let i = 0; i < 20; i++) r.event(pod, 'Normal', `Reason${i}`, 'm');
  await settle();
  assert.equal(sink.list().length, 0, 'nothing written yet: the recorder did not wait');
  release();
  await b.flush();
  // One was being written when the others queued; five fit in the queue.
  assert.equal(sink.list().length, 6);
});

test('a transport error is retried after a sleep, a server rejection is not', async () => {
  const { sink, b, r, clock } = setup();
  sink.failures = [new Error('ECONNRESET'), new Error('ECONNRESET')];
  r.event(pod, 'Normal', 'Retried', 'm');
  await settle();
  assert.equal(sink.calls.length, 1);
  await clock.advance(5000); // first sleep: randomised, 10 s × 0.5
  assert.equal(sink.calls.length, 2);
  await clock.advance(10_000);
  assert.equal(sink.calls.length, 3);
  await b.flush();
  assert.equal(sink.list().length, 1);

  sink.failures = [new CodeError(422, 'invalid')];
  r.event(pod, 'Normal', 'Rejected', 'm');
  await b.flush();
  await clock.advance(60_000);
  assert.equal(sink.calls.filter((c) => (c.body as { reason?: string }).reason === 'Rejected').length, 1);
  assert.equal(sink.list().length, 1);
});

test('a repeat whose first event was deleted on the server is created again', async () => {
  const { sink, b, r } = setup();
  r.event(pod, 'Normal', 'Again', 'm');
  await b.flush();
  sink.events.clear();
  r.event(pod, 'Normal', 'Again', 'm');
  await b.flush();
  assert.deepEqual(sink.calls.map((c) => c.verb), ['create', 'patch', 'create']);
  const [e] = sink.list();
  assert.equal(e.count, 2);
});

test('shutdown abandons pending retries and later events are refused', async () => {
  const { sink, b, r } = setup();
  sink.failures = [new Error('down')];
  r.event(pod, 'Normal', 'X', 'm');
  await settle();
  await b.shutdown();
  r.event(pod, 'Normal', 'Y', 'm');
  await settle();
  assert.equal(sink.calls.length, 1);
});

test('structured logging sees every event', async () => {
  const { b, r } = setup();
  lines.length = 0;
  b.startStructuredLogging(log);
  r.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await b.flush();
  const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'Event occurred');
  assert.ok(line);
  assert.equal(line.object, 'apps/web-1');
  assert.equal(line.reason, 'BackOff');
});
