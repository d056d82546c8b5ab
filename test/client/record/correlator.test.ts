import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventCorrelator, sprintf, type CoreEvent } from '../../../src/client/record/index.js';
import { FakeClock } from '../../../src/client/clock.js';

let n = 0;
function ev(over: Partial<CoreEvent> = {}): CoreEvent {
  return {
    metadata: { name: `web.${(n++).toString(16)}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', apiVersion: 'v1', name: 'web', namespace: 'default', uid: 'u1' },
    source: { component: 'ctrl', host: 'h' },
    reportingComponent: 'ctrl',
    reportingInstance: 'h',
    type: 'Normal',
    reason: 'Pulled',
    message: 'pulled image',
    count: 1,
    firstTimestamp: '2024-01-01T00:00:00Z',
    lastTimestamp: '2024-01-01T00:00:00Z',
    ...over,
  };
}

/** Correlates and pretends the server stored what it was given (as the sink path does). */
function write(c: EventCorrelator, e: CoreEvent) {
  const r = c.correlate(e);
  if (!r.skip) c.updateState({ ...r.event!, metadata: { ...r.event!.metadata, resourceVersion: '1' } });
  return r;
}

test('a repeated identical event becomes a patch of the first one with count, lastTimestamp and message', () => {
  const c = new EventCorrelator({ clock: new FakeClock() });
  const first = write(c, ev());
  assert.equal(first.patch, undefined);
  assert.equal(first.event!.count, 1);
  const second = write(c, ev({ lastTimestamp: '2024-01-01T00:00:05Z' }));
  assert.equal(second.event!.metadata.name, first.event!.metadata.name, 'the patch targets the first event');
  assert.deepEqual(second.patch, { count: 2, lastTimestamp: '2024-01-01T00:00:05Z', message: 'pulled image' });
  assert.equal(second.event!.firstTimestamp, '2024-01-01T00:00:00Z');
});

test('the spam filter lets 25 events about one object through, drops the rest, and refills one every five minutes', () => {
  const clock = new FakeClock();
  const c = new EventCorrelator({ clock });
  const results = Array.from({ length: 30 }, () => write(c, ev()));
  assert.equal(results.filter((r) => !r.skip).length, 25);
  assert.deepEqual(results.slice(25).map((r) => r.skip), [true, true, true, true, true]);
  assert.equal(results[24].event!.count, 25);
  assert.equal(write(c, ev({ reason: 'Other' })).skip, true, 'the bucket is per source and object, not per reason');
  clock.step(300_000);
  const later = write(c, ev());
  assert.equal(later.skip, false);
  assert.equal(later.event!.count, 31, 'dropped repeats were still counted, as upstream');
  assert.equal(write(c, ev()).skip, true);
  assert.equal(write(c, ev({ involvedObject: { kind: 'Pod', apiVersion: 'v1', name: 'other', namespace: 'default' } })).skip, false);
});

test('ten similar events with different messages within ten minutes turn into one aggregated event that is then counted up', () => {
  const clock = new FakeClock();
  const c = new EventCorrelator({ clock });
  const rs = Array.from({ length: 12 }, (_, i) => write(c, ev({ message: `attempt ${i}` })));
  for (let i = 0; i < 9; i++) assert.equal(rs[i].event!.message, `attempt ${i}`);
  assert.equal(rs[9].event!.message, '(combined from similar events): attempt 9');
  assert.equal(rs[9].event!.count, 1);
  assert.equal(rs[9].patch, undefined, 'the aggregate is a new object');
  assert.equal(rs[10].event!.metadata.name, rs[9].event!.metadata.name);
  assert.deepEqual(rs[10].patch, { count: 2, lastTimestamp: rs[10].event!.lastTimestamp, message: '(combined from similar events): attempt 10' });
  assert.equal(rs[11].event!.count, 3);
  const names = new Set(rs.slice(0, 10).map((r) => r.event!.metadata.name));
  assert.equal(names.size, 10, 'each distinct event and the aggregate have their own name');
});

test('similar events more than ten minutes apart are not aggregated', () => {
  const clock = new FakeClock();
  const c = new EventCorrelator({ clock, burstSize: 100 });
  for (let i = 0; i < 9; i++) write(c, ev({ message: `m${i}` }));
  clock.step(601_000);
  const r = write(c, ev({ message: 'm9' }));
  assert.equal(r.event!.message, 'm9');
});

test('sprintf formats Go verbs as upstream messages use them', () => {
  const cases: Array<[string, unknown[], string]> = [
    ['Created pod: %v', ['web-1'], 'Created pod: web-1'],
    ['Scaled up replica set %s to %d', ['web', 3], 'Scaled up replica set web to 3'],
    ['%q is invalid: %v', ['x y', new Error('bad')], '"x y" is invalid: bad'],
    ['100%% done in %.2f s', [1.5], '100% done in 1.50 s'],
    ['missing %v', [], 'missing %!v(MISSING)'],
    ['extra', [1], 'extra%!(EXTRA 1)'],
  ];
  for (const [fmt, args, want] of cases) assert.equal(sprintf(fmt, ...args), want);
});
