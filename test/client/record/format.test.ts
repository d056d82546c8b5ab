// The event formatting helpers' fast paths give what their plain forms give: formatMicroTime
// (built from a per-second prefix) as toISOString with three more zeros, and sprintf (formats
// parsed once and remembered) as one regex pass over the format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMicroTime } from '../../../src/client/record/time.js';
import { sprintf } from '../../../src/client/record/sprintf.js';

const plainMicroTime = (ms: number) => new Date(Math.floor(ms)).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

test('formatMicroTime is toISOString with microseconds, for any time Date can show, before and after 1970; it throws where toISOString does', () => {
  const times = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, -1, -999, -1000, -1001, 1.5, -0.5, 1714564800250, 1714564800999.9, 253402300799999, 8.64e15, -8.64e15];
  // Random times, and runs within one second and across second boundaries (the prefix is reused).
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 5000; i++) times.push(Math.floor(rnd() * 4e12) - 1e12);
  for (let t = 1714564799990; t < 1714564800010; t++) times.push(t);
  for (const t of times) assert.equal(formatMicroTime(t), plainMicroTime(t), String(t));
  for (const t of [NaN, Infinity, -Infinity, 8.64e15 + 1, -8.64e15 - 1]) assert.throws(() => formatMicroTime(t), RangeError);
});

test('sprintf gives the same text for a format however often it is used, with any arguments', () => {
  const cases: Array<[string, unknown[], string]> = [
    ['Successfully assigned %v/%v to %v', ['ns', 'p-1', 'node-a'], 'Successfully assigned ns/p-1 to node-a'],
    ['Successfully assigned %v/%v to %v', ['ns', 'p-2', 'node-b'], 'Successfully assigned ns/p-2 to node-b'],
    ['Successfully assigned %v/%v to %v', ['ns'], 'Successfully assigned ns/%!v(MISSING) to %!v(MISSING)'],
    ['%', [], '%'],
    ['%%%', [1], '%%%!(EXTRA 1)'],
    ['%z %v', ['a'], '%z a'],
    ['', [], ''],
    ['a%+#05.2fb', [3.14159], 'a3.14b'],
    ['%5.3f|%-x|%X|%t|%d|%%|%q', [1.5, 255, 'hi', true, 3.7, 'q"x'], '1.500|ff|6869|true|3|%|"q\\"x"'],
    ['%d %t %f', ['x', 1, null], '%!d(x) %!t(1) %!f(<nil>)'],
    ['%v %v', [{ a: 1 }, undefined], '{"a":1} <nil>'],
  ];
  for (let round = 0; round < 2; round++) for (const [fmt, args, want] of cases) assert.equal(sprintf(fmt, ...args), want, fmt);
});
