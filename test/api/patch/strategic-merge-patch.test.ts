// Strategic merge patch cases ported from upstream's apimachinery strategicpatch tests (the
// original/patch/result triples, restated here), run against the MergeItem fixture that
// carries the same struct tags as upstream's test type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch } from '../../../src/api/patch/strategic-merge-patch.js';
import { isStatusError } from '../../../src/api/status.js';
import { mergeItem } from './fixtures.js';

interface Case {
  name: string;
  original: Record<string, unknown>;
  patch: unknown;
  result: unknown;
}

const cases: Case[] = [
  // --- maps ---
  { name: 'a field missing from the original is added', original: { name: '1' }, patch: { value: '1' }, result: { name: '1', value: '1' } },
  {
    name: 'a null deletes the field and other fields are set',
    original: { name: '1', other: 'a' },
    patch: { name: null, value: '1' },
    result: { value: '1', other: 'a' },
  },
  {
    name: 'a null for a field the original does not have is ignored rather than stored',
    original: { name: 'a', other: 'a' },
    patch: { name: '1', value: '1', other: null, missing: null },
    result: { name: '1', value: '1' },
  },
  {
    name: 'a null inside a nested map deletes only that key',
    original: { simpleMap: { key1: '1', key2: '1', other: 'a' } },
    patch: { simpleMap: { key2: null } },
    result: { simpleMap: { key1: '1', other: 'a' } },
  },
  {
    name: 'nulls inside a value the original lacks are dropped before the value is stored',
    original: {},
    patch: { simpleMap: { a: 'x', b: null }, mergingList: [{ name: '1', value: null }] },
    result: { simpleMap: { a: 'x' }, mergingList: [{ name: '1' }] },
  },
  {
    name: '$patch delete inside a map empties the map but keeps the field',
    original: { simpleMap: { key1: '1', key2: '1' } },
    patch: { simpleMap: { $patch: 'delete' } },
    result: { simpleMap: {} },
  },
  { name: '$patch replace at the top with nothing else empties the object', original: { name: '1', value: '1' }, patch: { $patch: 'replace' }, result: {} },
  {
    name: '$patch replace at the top with other keys makes the object exactly those keys',
    original: { name: '1', value: '1' },
    patch: { other: 'a', $patch: 'replace' },
    result: { other: 'a' },
  },
  {
    name: 'a map field with the replace strategy is replaced, not merged',
    original: { replacingItem: { a: 1, b: 2 } },
    patch: { replacingItem: { c: 3 } },
    result: { replacingItem: { c: 3 } },
  },
  {
    name: 'a struct field with the merge strategy merges recursively',
    original: { mergeItemPtr: { name: 'x', value: 'a', other: 'b' } },
    patch: { mergeItemPtr: { value: 'c', other: null } },
    result: { mergeItemPtr: { name: 'x', value: 'c' } },
  },
  {
    name: 'a value of another shape than the original replaces it',
    original: { simpleMap: { a: 'b' } },
    patch: { simpleMap: 'scalar' },
    result: { simpleMap: 'scalar' },
  },
  {
    name: 'a map carrying a directive that the original lacks is not stored at all',
    original: {},
    patch: { mergeItemPtr: { $patch: 'delete', name: 'x' } },
    result: {},
  },
  // --- retainKeys ---
  {
    name: 'a retainKeys map still merges a new field when the patch has no $retainKeys',
    original: { retainKeysMap: { name: 'foo' } },
    patch: { retainKeysMap: { value: 'bar' } },
    result: { retainKeysMap: { name: 'foo', value: 'bar' } },
  },
  {
    name: 'a retainKeys map merged with an empty map is unchanged',
    original: { retainKeysMap: { name: 'foo', value: 'a' } },
    patch: { retainKeysMap: {} },
    result: { retainKeysMap: { name: 'foo', value: 'a' } },
  },
  {
    name: '$retainKeys drops every key of the map that it does not list',
    original: { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'c' } },
    result: { retainKeysMap: { name: 'foo', value: 'c' } },
  },
  {
    name: 'a retainKeys list deletes a field of one element with null',
    original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
    patch: { retainKeysMergingList: [{ name: 'foo', value: null }] },
    result: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo' }] },
  },
  // --- lists of primitives ---
  {
    name: 'a merging list of scalars becomes the union without duplicates',
    original: { mergingIntList: [1, 2] },
    patch: { mergingIntList: [2, 3] },
    result: { mergingIntList: [1, 2, 3] },
  },
  {
    name: 'a merging list of scalars takes the order of the patch',
    original: { mergingIntList: [1, 2, 3] },
    patch: { mergingIntList: [3, 1, 2] },
    result: { mergingIntList: [3, 1, 2] },
  },
  {
    name: 'a merging list of scalars keeps server-only values before patched values they preceded',
    original: { mergingIntList: [1, 2, 3] },
    patch: { mergingIntList: [3, 1] },
    result: { mergingIntList: [2, 3, 1] },
  },
  {
    name: 'a list of scalars without strategy is replaced',
    original: { nonMergingIntList: [1, 4] },
    patch: { nonMergingIntList: [2, 3] },
    result: { nonMergingIntList: [2, 3] },
  },
  {
    name: '$deleteFromPrimitiveList removes the values and $setElementOrder orders the rest',
    original: { mergingIntList: [1, 2, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: '$deleteFromPrimitiveList removes every copy of a duplicated value',
    original: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: '$deleteFromPrimitiveList and additions apply together',
    original: { mergingIntList: [1, 2, 3] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: '$deleteFromPrimitiveList for a list the object does not have adds nothing',
    original: { name: 'x' },
    patch: { '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { name: 'x' },
  },
  {
    name: '$setElementOrder naming values the list does not have only reorders the values it has',
    original: { mergingIntList: [1, 3] },
    patch: { '$setElementOrder/mergingIntList': [3, 2, 1] },
    result: { mergingIntList: [3, 1] },
  },
  // --- lists of maps ---
  {
    name: 'a merging list of maps merges elements by merge key and appends new ones in $setElementOrder order',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
      mergingList: [{ name: '4', value: '4' }, { name: '3', value: '3' }],
    },
    result: {
      mergingList: [
        { name: '4', value: '4' },
        { name: '1', other: 'a' },
        { name: '2', value: '2', other: 'b' },
        { name: '3', value: '3' },
      ],
    },
  },
  {
    name: 'a patched element keeps the fields only the server has',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '3', other: 'b' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }],
      mergingList: [{ name: '2', value: '2' }, { name: '3', value: '3' }],
    },
    result: {
      mergingList: [
        { name: '1', other: 'a' },
        { name: '2', value: '2', other: 'b' },
        { name: '3', value: '3' },
      ],
    },
  },
  {
    name: 'a merging list of maps takes the order of the patch without $setElementOrder',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] },
    result: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }] },
  },
  {
    name: 'server-only elements stay in front of patched elements that followed them',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] },
    result: { mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }] },
  },
  {
    name: '$setElementOrder naming elements the list does not have keeps only the merged elements',
    original: { mergingList: [{ name: '1' }, { name: '3' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: '3' }, { name: '2' }, { name: '1' }],
      mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }],
    },
    result: { mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
  },
  {
    name: '$patch delete elements remove their elements from the list',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', other: 'b' }] },
    patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '2', $patch: 'delete' }] },
    result: { mergingList: [] },
  },
  {
    name: '$patch delete elements against an empty list leave it empty',
    original: { mergingList: [] },
    patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '2', $patch: 'delete' }] },
    result: { mergingList: [] },
  },
  {
    name: 'one $patch delete element removes every duplicate of its merge key',
    original: { mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] },
    patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] },
    result: { mergingList: [{ name: '2', value: 'a' }] },
  },
  {
    name: 'a lone $patch replace element empties a merging list',
    original: { mergingList: [{ name: '1' }, { name: '2' }] },
    patch: { mergingList: [{ $patch: 'replace' }] },
    result: { mergingList: [] },
  },
  {
    name: 'a $patch replace element makes the other elements the whole list',
    original: { mergingList: [{ name: '1', value: 'a' }, { name: '2' }] },
    patch: { mergingList: [{ name: '3' }, { $patch: 'replace' }, { name: '1' }] },
    result: { mergingList: [{ name: '3' }, { name: '1' }] },
  },
  { name: 'two empty merging lists merge to an empty list', original: { mergingList: [] }, patch: { mergingList: [] }, result: { mergingList: [] } },
  {
    name: 'a new merging list drops its directive elements',
    original: {},
    patch: { mergingList: [{ name: '1' }, { name: '2', $patch: 'delete' }] },
    result: { mergingList: [{ name: '1' }] },
  },
  {
    name: 'a list of maps without strategy is replaced whole',
    original: { nonMergingList: [{ name: '1', value: 'a' }, { name: '2' }] },
    patch: { nonMergingList: [{ name: '1' }] },
    result: { nonMergingList: [{ name: '1' }] },
  },
  {
    // Without $setElementOrder a new element is placed before the server-only ones, as upstream does.
    name: 'merging lists nested in a merging list merge too, new elements first',
    original: { mergingList: [{ name: '1', mergingList: [{ name: 'a', value: 'x' }] }] },
    patch: { mergingList: [{ name: '1', mergingList: [{ name: 'b' }] }] },
    result: { mergingList: [{ name: '1', mergingList: [{ name: 'b' }, { name: 'a', value: 'x' }] }] },
  },
];

for (const c of cases) {
  test(`strategic merge patch: ${c.name}`, () => {
    const before = JSON.stringify([c.original, c.patch]);
    assert.deepEqual(strategicMergePatch(c.original, c.patch, mergeItem), c.result);
    assert.equal(JSON.stringify([c.original, c.patch]), before, 'inputs must not be modified');
  });
}

interface ErrorCase {
  name: string;
  original: Record<string, unknown>;
  patch: unknown;
  code: number;
  message: RegExp;
}

const errorCases: ErrorCase[] = [
  {
    name: 'a list element without the declared merge key is rejected naming the element and the key',
    original: { mergingList: [{ name: '1', value: 'a' }] },
    patch: { mergingList: [{ value: 'b' }] },
    code: 400,
    message: /^map: map\[value:b\] does not contain declared merge key: name$/,
  },
  {
    name: 'a $patch delete element without the merge key is rejected',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ $patch: 'delete', value: 'b' }] },
    code: 400,
    message: /does not contain declared merge key: name/,
  },
  {
    name: 'a patch list out of the $setElementOrder order is rejected',
    original: { mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
    code: 400,
    message: /doesn't match \$setElementOrder list/,
  },
  {
    name: 'a primitive patch list out of the $setElementOrder order is rejected',
    original: { mergingIntList: [1, 3, 2] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] },
    code: 400,
    message: /doesn't match/,
  },
  {
    name: '$patch merge in a map is an unknown patch type, as upstream has it',
    original: { simpleMap: { a: 'b' } },
    patch: { simpleMap: { $patch: 'merge', c: 'd' } },
    code: 400,
    message: /^unknown patch type: merge in map: map\[\$patch:merge c:d\]$/,
  },
  {
    name: '$patch merge in a list element is rejected',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ $patch: 'merge', name: '1' }] },
    code: 400,
    message: /^merging lists cannot yet be specified in the patch$/,
  },
  {
    name: 'an unknown $patch value in a list element is rejected',
    original: { mergingList: [{ name: '1' }] },
    patch: { mergingList: [{ $patch: 'explode', name: '1' }] },
    code: 400,
    message: /^unknown patch type: explode in map/,
  },
  {
    name: 'a patch key missing from $retainKeys is rejected',
    original: { retainKeysMap: { name: 'foo' } },
    patch: { retainKeysMap: { $retainKeys: ['name'], value: 'x' } },
    code: 400,
    message: /^invalid patch format of retainKeys$/,
  },
  {
    name: 'a $retainKeys that is not a list is rejected',
    original: { retainKeysMap: { name: 'foo' } },
    patch: { retainKeysMap: { $retainKeys: 'name' } },
    code: 400,
    message: /^invalid patch format of retainKeys$/,
  },
  {
    name: 'a $setElementOrder that is not a list is rejected with the Go type it got',
    original: { mergingIntList: [1] },
    patch: { '$setElementOrder/mergingIntList': 'x' },
    code: 400,
    message: /^expected a \[\]interface \{\}, but received a string$/,
  },
  {
    name: 'a $deleteFromPrimitiveList key without a slash is rejected',
    original: { mergingIntList: [1] },
    patch: { $deleteFromPrimitiveListmergingIntList: [1] },
    code: 400,
    message: /^invalid patch format of primitive list$/,
  },
  {
    name: 'a $setElementOrder key with another prefix is rejected',
    original: { mergingIntList: [1] },
    patch: { '$setElementOrderX/mergingIntList': [1] },
    code: 400,
    message: /^invalid patch format of setElementOrder list$/,
  },
  {
    name: 'a merging list of lists is answered 422 as upstream does',
    original: { mergingIntList: [[1]] },
    patch: { mergingIntList: [[2]] },
    code: 422,
    message: /^the server rejected our request due to an error in our request$/,
  },
  {
    name: 'a merging list mixing element types is rejected',
    original: { mergingIntList: [1] },
    patch: { mergingIntList: ['a'] },
    code: 400,
    message: /^list element types are not identical/,
  },
  {
    name: 'a patch body that is a list is rejected with the Go decode message',
    original: {},
    patch: [{ name: 'x' }],
    code: 400,
    message: /^json: cannot unmarshal array into Go value of type map\[string\]interface \{\}$/,
  },
];

for (const c of errorCases) {
  test(`strategic merge patch error: ${c.name}`, () => {
    assert.throws(
      () => strategicMergePatch(c.original, c.patch, mergeItem),
      (err: unknown) => isStatusError(err) && err.code === c.code && c.message.test(err.message),
    );
  });
}

test('strategic merge patch: a null patch changes nothing and returns a copy', () => {
  const original = { name: 'a', mergingList: [{ name: '1' }] };
  const result = strategicMergePatch(original, null, mergeItem);
  assert.deepEqual(result, original);
  assert.notEqual(result, original);
});

test('strategic merge patch: without a schema maps merge and lists are replaced', () => {
  const original = { spec: { list: [{ name: 'a' }, { name: 'b' }], map: { x: 1, y: 2 } } };
  const patch = { spec: { list: [{ name: 'c' }], map: { y: null, z: 3 } } };
  assert.deepEqual(strategicMergePatch(original, patch, undefined), { spec: { list: [{ name: 'c' }], map: { x: 1, z: 3 } } });
});

test('strategic merge patch: the result shares no objects with the patch', () => {
  const patch = { mergeItemPtr: { name: 'x', simpleMap: { a: 'b' } } };
  const result = strategicMergePatch({}, patch, mergeItem) as { mergeItemPtr: { simpleMap: Record<string, string> } };
  result.mergeItemPtr.simpleMap.a = 'changed';
  assert.equal(patch.mergeItemPtr.simpleMap.a, 'b');
});
