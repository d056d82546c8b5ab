// JSON merge patch (RFC 7386) as the API server applies it: cases from the RFC's appendix A,
// plus the library's null pruning and its rejection of null and scalar patches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch } from '../../../src/api/patch/merge-patch.js';
import { isStatusError } from '../../../src/api/status.js';

interface Case {
  name: string;
  original: unknown;
  patch: unknown;
  result: unknown;
}

const cases: Case[] = [
  { name: 'a changed member replaces the old value', original: { a: 'b' }, patch: { a: 'c' }, result: { a: 'c' } },
  { name: 'a new member is added', original: { a: 'b' }, patch: { b: 'c' }, result: { a: 'b', b: 'c' } },
  { name: 'a null member is removed', original: { a: 'b', b: 'c' }, patch: { a: null }, result: { b: 'c' } },
  { name: 'a null for a missing member changes nothing', original: { a: 'b' }, patch: { c: null }, result: { a: 'b' } },
  { name: 'an array is replaced, not merged', original: { a: ['b'] }, patch: { a: ['c', 'd'] }, result: { a: ['c', 'd'] } },
  { name: 'an array replaces an object', original: { a: { b: 'c' } }, patch: { a: ['c'] }, result: { a: ['c'] } },
  {
    name: 'nested objects merge and nested nulls delete',
    original: { a: { b: 'c', d: 'e' } },
    patch: { a: { d: null, f: 'g' } },
    result: { a: { b: 'c', f: 'g' } },
  },
  { name: 'an object replaces a scalar and loses its nulls', original: { e: 1 }, patch: { e: { f: null, g: 1 } }, result: { e: { g: 1 } } },
  { name: 'nulls inside a new member are pruned, in objects and arrays', original: {}, patch: { a: { b: null, c: [1, null, 2] } }, result: { a: { c: [1, 2] } } },
  { name: 'an empty patch object changes nothing', original: { a: 'b' }, patch: {}, result: { a: 'b' } },
  { name: 'an array patch becomes the document, without its nulls', original: { a: 'b' }, patch: ['c', null], result: ['c'] },
  {
    name: 'a scale-style patch changes only the replica count',
    original: { spec: { replicas: 1, selector: { matchLabels: { app: 'x' } } } },
    patch: { spec: { replicas: 3 } },
    result: { spec: { replicas: 3, selector: { matchLabels: { app: 'x' } } } },
  },
];

for (const c of cases) {
  test(`merge patch: ${c.name}`, () => {
    const before = JSON.stringify([c.original, c.patch]);
    assert.deepEqual(mergePatch(c.original, c.patch), c.result);
    assert.equal(JSON.stringify([c.original, c.patch]), before, 'inputs must not be modified');
  });
}

for (const [name, patch] of [
  ['null', null],
  ['a string', 'x'],
  ['a number', 3],
  ['a boolean', true],
] as const) {
  test(`merge patch: a patch that is ${name} is answered 400 Invalid JSON Patch`, () => {
    assert.throws(
      () => mergePatch({ a: 1 }, patch),
      (err: unknown) => isStatusError(err) && err.code === 400 && err.reason === 'BadRequest' && err.message === 'Invalid JSON Patch',
    );
  });
}

test('merge patch: the result shares no objects with the patch', () => {
  const patch = { a: { b: { c: 1 } } };
  const result = mergePatch({}, patch) as { a: { b: { c: number } } };
  result.a.b.c = 2;
  assert.equal(patch.a.b.c, 1);
});
