import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldSet, difference, fromFieldsV1, intersection, pathString, toFieldsV1, union } from '../../../../src/api/patch/apply/index.js';
import type { Path } from '../../../../src/api/patch/apply/index.js';

const f = (field: string) => ({ field });

test('FieldsV1 round trips keep every key and write them in structured-merge-diff order', () => {
  // Keys deliberately out of order: the encoder sorts f: < k: < v: < i:, numbers before strings,
  // and writes "." first.
  const input = {
    'f:spec': {
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"web"}': { 'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { 'f:containerPort': {}, '.': {} } }, '.': {}, 'f:image': {} },
            'k:{"name":"db"}': { '.': {}, 'f:name': {} },
          },
        },
      },
      'f:replicas': {},
    },
    'f:metadata': { 'f:finalizers': { 'v:"b"': {}, 'v:"a"': {}, 'v:3': {}, '.': {} } },
    'f:data': { 'i:10': {}, 'i:2': {} },
  };
  const encoded = toFieldsV1(fromFieldsV1(input));
  assert.deepEqual(encoded, input);
  assert.equal(
    JSON.stringify(encoded),
    '{"f:data":{"i:2":{},"i:10":{}},"f:metadata":{"f:finalizers":{".":{},"v:3":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}},' +
      '"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"db\\"}":{".":{},"f:name":{}},' +
      '"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:ports":{"k:{\\"containerPort\\":8080,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}',
  );
});

test('a key object whose fields arrive unsorted is written with its fields sorted, as Go marshals it', () => {
  const set = fromFieldsV1({ 'k:{"protocol":"UDP","containerPort":53}': {} });
  assert.deepEqual(toFieldsV1(set), { 'k:{"containerPort":53,"protocol":"UDP"}': {} });
});

for (const [name, bad, message] of [
  ['an unknown path element prefix is rejected', { 'x:foo': {} }, /unknown path element type/],
  ['a key that is not a JSON object is rejected', { 'k:[1]': {} }, /not a JSON object/],
  ['a value that is not an object is rejected', { 'f:a': 1 }, /must be an object/],
  ['a "." at the top level is rejected', { '.': {} }, /top level/],
] as const) {
  test(`decoding fieldsV1: ${name}`, () => {
    assert.throws(() => fromFieldsV1(bad), message);
  });
}

const paths = (...ps: Path[]) => FieldSet.of(...ps);
const a = paths([f('spec'), f('replicas')], [f('metadata'), f('labels'), f('app')], [f('spec')]);
const b = paths([f('spec'), f('replicas')], [f('spec'), f('paused')]);

for (const { name, got, want } of [
  { name: 'union holds the paths of both sets', got: union(a, b), want: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { '.': {}, 'f:paused': {}, 'f:replicas': {} } } },
  { name: 'intersection holds only paths in both sets', got: intersection(a, b), want: { 'f:spec': { 'f:replicas': {} } } },
  { name: 'difference removes each exact path it is given', got: difference(a, paths([f('spec')], [f('spec'), f('replicas')])), want: { 'f:metadata': { 'f:labels': { 'f:app': {} } } } },
  { name: 'difference keeps paths below a member it removes', got: difference(a, paths([f('spec')])), want: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } } },
  { name: 'recursive difference removes everything below a member', got: a.recursiveDifference(paths([f('spec')])), want: { 'f:metadata': { 'f:labels': { 'f:app': {} } } } },
]) {
  test(`set operations: ${name}`, () => {
    assert.deepEqual(toFieldsV1(got), want);
  });
}

test('paths print the way conflict messages show them', () => {
  assert.equal(
    pathString([f('spec'), f('template'), f('spec'), f('containers'), { key: [['name', 'nginx']] }, f('ports'), { key: [['containerPort', 80], ['protocol', 'TCP']] }, f('hostPort')]),
    '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].hostPort',
  );
  assert.equal(pathString([f('metadata'), f('finalizers'), { value: 'x' }]), '.metadata.finalizers[="x"]');
  assert.equal(pathString([f('spec'), f('args'), { index: 2 }]), '.spec.args[2]');
});
