import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageSince, humanDuration } from '../../../src/api/printers/duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

const cases: [number, string][] = [
  [-2 * s, '<invalid>'],
  [-1 * s, '0s'],
  [-999, '0s'],
  [0, '0s'],
  [999, '0s'],
  [1 * s, '1s'],
  [119 * s, '119s'],
  [120 * s, '2m'],
  [5 * m + 10 * s, '5m10s'],
  [9 * m + 59 * s, '9m59s'],
  [10 * m, '10m'],
  [10 * m + 30 * s, '10m'],
  [179 * m, '179m'],
  [3 * h, '3h'],
  [3 * h + 5 * m, '3h5m'],
  [7 * h + 59 * m, '7h59m'],
  [8 * h, '8h'],
  [47 * h + 59 * m, '47h'],
  [48 * h, '2d'],
  [2 * d + 3 * h, '2d3h'],
  [7 * d + 23 * h, '7d23h'],
  [8 * d, '8d'],
  [729 * d, '729d'],
  [730 * d, '2y'],
  [365 * 3 * d + 30 * d, '3y30d'],
  [365 * 8 * d, '8y'],
  [365 * 8 * d + 100 * d, '8y'],
];

for (const [ms, want] of cases) {
  test(`humanDuration(${ms}ms) prints ${want} as apimachinery's HumanDuration does`, () => {
    assert.equal(humanDuration(ms), want);
  });
}

test('ageSince reads RFC 3339 timestamps and reports missing ones as <unknown>', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  assert.equal(ageSince('2024-05-01T11:54:50Z', now), '5m10s');
  assert.equal(ageSince(undefined, now), '<unknown>');
  assert.equal(ageSince('not a time', now), '<unknown>');
});
