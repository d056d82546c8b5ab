// Go's time.ParseDuration, shared by eviction flags, scheduler extender timeouts and token TTLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from '../../src/api/duration.js';

test('Go durations parse to milliseconds, with units, fractions, signs and the bare zero', () => {
  const cases: [string, number][] = [['0', 0], ['+0', 0], ['1m30s', 90_000], ['1.5h', 5_400_000], ['300ms', 300], ['.5s', 500], ['1.s', 1000], ['-2s', -2000], ['1500us', 1.5], ['2h45m', 9_900_000]];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
});

test('anything else is not a duration', () => {
  for (const text of ['', '5', 'h', '1d', '1 h', ' 1h', '--1s', '1h-', 'abc']) assert.equal(parseGoDuration(text), undefined, JSON.stringify(text));
});
