import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { FakeClock } from '../../../src/client/clock.js';
import { droppedEventReporter } from '../../../src/client/record/dropped-events.js';
import { createLogger } from '../../../src/util/log.js';

test('a burst of dropped events is reported once per interval, with the count dropped since the last report', async () => {
  const lines: Array<{ msg: string; dropped: number; reason: string }> = [];
  const log = createLogger('test', { level: 'info', format: 'json', destination: new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }) as never });
  const clock = new FakeClock();
  const report = droppedEventReporter(log, clock, 1000);
  for (let i = 0; i < 500; i++) report('Scheduled', `pod-${i}`);
  clock.step(999);
  report('Scheduled', 'pod-500');
  clock.step(1);
  report('Scheduled', 'pod-501');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lines.map((l) => [l.reason, l.dropped]), [['Scheduled', 1], ['Scheduled', 501]]);
  assert.match(lines[0]!.msg, /too many queued events, dropped event/);
});
