// JSON patch (RFC 6902) with the API server's answers: 400 for a body that is not a list of
// operations, 413 past 10000 operations, 422 with the generic message when an operation fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, maxJSONPatchOperations } from '../../../src/api/patch/json-patch.js';
import { isStatusError } from '../../../src/api/status.js';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
});

interface Case {
  name: string;
  patch: unknown;
  result: unknown;
}

const cases: Case[] = [
  {
    name: 'add sets a new map key',
    patch: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }],
    result: { ...pod(), metadata: { name: 'p', labels: { app: 'web', tier: 'front' } } },
  },
  {
    name: 'add with - appends to a list',
    patch: [{ op: 'add', path: '/spec/containers/-', value: { name: 'side', image: 'busybox' } }],
    result: { ...pod(), spec: { containers: [{ name: 'app', image: 'nginx' }, { name: 'side', image: 'busybox' }] } },
  },
  {
    name: 'replace changes an existing value inside a list element',
    patch: [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' }],
    result: { ...pod(), spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
  {
    name: 'remove deletes a key, and escaped slashes in keys are honoured',
    patch: [
      { op: 'add', path: '/metadata/labels/example.com~1team', value: 'x' },
      { op: 'remove', path: '/metadata/labels/app' },
    ],
    result: { ...pod(), metadata: { name: 'p', labels: { 'example.com/team': 'x' } } },
  },
  {
    name: 'a passing test lets the following operations apply',
    patch: [
      { op: 'test', path: '/metadata/labels/app', value: 'web' },
      { op: 'replace', path: '/metadata/labels/app', value: 'api' },
    ],
    result: { ...pod(), metadata: { name: 'p', labels: { app: 'api' } } },
  },
  {
    name: 'move and copy take values from another path',
    patch: [
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/moved' },
    ],
    result: { ...pod(), metadata: { name: 'p', labels: { copy: 'web', moved: 'web' } } },
  },
  { name: 'a JSON null body is an empty patch', patch: null, result: pod() },
  { name: 'an empty list of operations changes nothing', patch: [], result: pod() },
];

for (const c of cases) {
  test(`json patch: ${c.name}`, () => {
    const original = pod();
    const patchBefore = JSON.stringify(c.patch);
    assert.deepEqual(jsonPatch(original, c.patch), c.result);
    assert.deepEqual(original, pod(), 'the original must not be modified');
    assert.equal(JSON.stringify(c.patch), patchBefore, 'the patch must not be modified');
  });
}

interface ErrorCase {
  name: string;
  patch: unknown;
  code: number;
  message: string;
}

const generic422 = 'the server rejected our request due to an error in our request';

const errorCases: ErrorCase[] = [
  { name: 'a failed test operation', patch: [{ op: 'test', path: '/metadata/labels/app', value: 'db' }], code: 422, message: generic422 },
  { name: 'replacing a path that does not exist', patch: [{ op: 'replace', path: '/spec/nodeName', value: 'n1' }], code: 422, message: generic422 },
  { name: 'removing a key that does not exist', patch: [{ op: 'remove', path: '/metadata/annotations/x' }], code: 422, message: generic422 },
  { name: 'adding under a parent that does not exist', patch: [{ op: 'add', path: '/metadata/annotations/x', value: 'y' }], code: 422, message: generic422 },
  { name: 'an index past the end of a list', patch: [{ op: 'add', path: '/spec/containers/5', value: {} }], code: 422, message: generic422 },
  { name: 'an unknown op', patch: [{ op: 'frobnicate', path: '/x' }], code: 422, message: generic422 },
  { name: "the patch library's internal _get op", patch: [{ op: '_get', path: '/kind' }], code: 422, message: generic422 },
  { name: 'a null operation', patch: [null], code: 422, message: generic422 },
  { name: 'an operation without a path', patch: [{ op: 'add', value: 1 }], code: 422, message: generic422 },
  {
    name: 'a body that is an object instead of a list',
    patch: { op: 'add', path: '/a', value: 1 },
    code: 400,
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  },
  { name: 'a body that is a string', patch: 'add', code: 400, message: 'json: cannot unmarshal string into Go value of type jsonpatch.Patch' },
  {
    name: 'an operation that is not an object',
    patch: ['add'],
    code: 400,
    message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
  },
];

for (const c of errorCases) {
  test(`json patch error: ${c.name} is answered ${c.code}`, () => {
    const original = pod();
    assert.throws(
      () => jsonPatch(original, c.patch),
      (err: unknown) => isStatusError(err) && err.code === c.code && err.message === c.message,
    );
    assert.deepEqual(original, pod(), 'a failed patch must leave the original untouched');
  });
}

test('json patch: a failed operation answers Invalid with empty details, as upstream does', () => {
  try {
    jsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'q' }]);
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(isStatusError(err));
    assert.deepEqual(err.toStatus(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: generic422,
      reason: 'Invalid',
      code: 422,
      details: {},
    });
  }
});

test('json patch: more operations than upstream allows is answered 413', () => {
  const ops = Array.from({ length: maxJSONPatchOperations + 1 }, () => ({ op: 'test', path: '/kind', value: 'Pod' }));
  assert.throws(
    () => jsonPatch(pod(), ops),
    (err: unknown) => isStatusError(err) && err.code === 413 && err.message === 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
  );
});

test('json patch: a value added by the patch is not shared with the patch body', () => {
  const patch = [
    { op: 'add', path: '/metadata/annotations', value: { a: '1' } },
    { op: 'add', path: '/metadata/annotations/b', value: '2' },
  ];
  const result = jsonPatch(pod(), patch) as { metadata: { annotations: Record<string, string> } };
  assert.deepEqual(result.metadata.annotations, { a: '1', b: '2' });
  assert.deepEqual(patch[0].value, { a: '1' });
});
