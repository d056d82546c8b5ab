// The patch entry point: Content-Type to patch type, and applyPatch's dispatch and its check
// that a patch yields an object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, patchTypeFromContentType, type PatchType } from '../../../src/api/patch/index.js';
import { isStatusError } from '../../../src/api/status.js';
import type { KubeObject } from '../../../src/api/object.js';
import { pod } from './fixtures.js';

const contentTypes: [string, PatchType | undefined][] = [
  ['application/json-patch+json', 'json'],
  ['application/merge-patch+json', 'merge'],
  ['application/strategic-merge-patch+json', 'strategic'],
  ['application/apply-patch+yaml', 'apply'],
  ['application/strategic-merge-patch+json; charset=utf-8', 'strategic'],
  ['Application/Merge-Patch+JSON', 'merge'],
  ['application/apply-patch+cbor', undefined],
  ['application/json', undefined],
  ['application/yaml', undefined],
  ['', undefined],
];

for (const [ct, type] of contentTypes) {
  test(`patchTypeFromContentType maps ${JSON.stringify(ct)} to ${String(type)}`, () => {
    assert.equal(patchTypeFromContentType(ct), type);
  });
}

const live = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
});

test('applyPatch with a strategic patch merges containers by name using the schema', () => {
  const result = applyPatch('strategic', live(), { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } }, pod);
  assert.deepEqual(result.spec, { containers: [{ name: 'app', image: 'nginx:2' }] });
});

test('applyPatch with a merge patch replaces the containers list whole', () => {
  const result = applyPatch('merge', live(), { spec: { containers: [{ name: 'other' }] } }, pod);
  assert.deepEqual(result.spec, { containers: [{ name: 'other' }] });
});

test('applyPatch with a JSON patch applies its operations', () => {
  const result = applyPatch('json', live(), [{ op: 'remove', path: '/metadata/labels' }], undefined);
  assert.deepEqual(result.metadata, { name: 'p' });
});

for (const [type, body] of [
  ['json', [{ op: 'replace', path: '', value: [1, 2] }]],
  ['merge', [1, 2]],
] as const) {
  test(`applyPatch answers 422 on "patch" when a ${type} patch yields a list instead of an object`, () => {
    assert.throws(
      () => applyPatch(type, live(), body, undefined),
      (err: unknown) =>
        isStatusError(err) &&
        err.code === 422 &&
        err.reason === 'Invalid' &&
        err.message.includes('patch: Invalid value: "[1,2]": json: cannot unmarshal array into Go value'),
    );
  });
}

test('applyPatch leaves the stored object untouched when the patch fails', () => {
  const original = live();
  assert.throws(() => applyPatch('json', original, [{ op: 'remove', path: '/metadata/labels/app' }, { op: 'test', path: '/kind', value: 'Node' }], undefined));
  assert.deepEqual(original, live());
});
