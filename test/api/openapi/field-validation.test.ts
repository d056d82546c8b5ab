import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectNode } from '../../../src/api/schema.js';
import { schemaForKind, schemaFromJSONSchemaProps } from '../../../src/api/openapi/schema-nodes.js';
import { findDuplicateFields, findTypeErrors, findUnknownFields, MAX_SCAN_DEPTH } from '../../../src/api/openapi/field-validation.js';

const pod = schemaForKind('', 'v1', 'Pod') as ObjectNode;
const deployment = schemaForKind('apps', 'v1', 'Deployment') as ObjectNode;
const basePod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }): unknown =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });

const unknownCases: [string, ObjectNode, unknown, string[]][] = [
  ['a valid pod has no unknown fields', pod, basePod({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] }), []],
  ['an unknown top-level field is reported by its name', pod, { ...(basePod({ containers: [] }) as object), foo: 1 }, ['unknown field "foo"']],
  ['an unknown spec field is reported with its path', pod, basePod({ containers: [], foo: 'x' }), ['unknown field "spec.foo"']],
  ['a field inside a list item carries the item index', pod, basePod({ containers: [{ name: 'a' }, { name: 'b', imagePullPolice: 'Always' }] }), ['unknown field "spec.containers[1].imagePullPolice"']],
  ['several unknown fields are all reported in document order', pod, basePod({ containers: [{ name: 'a', x: 1, ports: [{ containerPort: 1, y: 2 }] }] }, { name: 'p', z: 3 }),
    ['unknown field "metadata.z"', 'unknown field "spec.containers[0].x"', 'unknown field "spec.containers[0].ports[0].y"']],
  ['arbitrary keys of maps (labels, resource limits) are not unknown fields', pod,
    basePod({ containers: [{ name: 'a', resources: { limits: { cpu: 1, 'example.com/gpu': '2' } } }] }, { name: 'p', labels: { anything: 'goes' }, annotations: { x: 'y' } }), []],
  ['raw extensions and managed fields are opaque', schemaForKind('apps', 'v1', 'ControllerRevision') as ObjectNode,
    { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r', managedFields: [{ fieldsV1: { 'f:spec': {} } }] }, data: { whatever: { deep: 1 } }, revision: 1 }, []],
  ['a nested pod template in a deployment is checked too', deployment,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', imagee: 'x' }] } } } },
    ['unknown field "spec.template.spec.containers[0].imagee"']],
  ['values of the wrong type are left to the type check', pod, basePod({ containers: 'not-a-list' }), []],
];

for (const [name, schema, obj, want] of unknownCases) {
  test(`unknown fields: ${name}`, () => assert.deepEqual(findUnknownFields(obj, schema), want));
}

test('unknown fields: preserve-unknown-fields subtrees of a CRD are not reported, pruned ones are', () => {
  const cr = schemaFromJSONSchemaProps({
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { size: { type: 'integer' }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
    },
  });
  const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', bad: 1 }, spec: { size: 1, extra: { a: { b: 1 } }, nope: true } };
  assert.deepEqual(findUnknownFields(obj, cr), ['unknown field "metadata.bad"', 'unknown field "spec.nope"']);
});

test('unknown fields: a path prefix is prepended to every message', () => {
  assert.deepEqual(findUnknownFields({ foo: 1 }, pod, 'items[0]'), ['unknown field "items[0].foo"']);
});

const typeCases: [string, unknown, string[]][] = [
  ['a string where an int32 is expected names the struct, the field path and the Go type', basePod({ containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] }),
    ['json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32']],
  ['an object where a list is expected', basePod({ containers: { name: 'c' } }),
    ['json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container']],
  ['a number where a string is expected', basePod({ containers: [{ name: 5 }] }),
    ['json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string']],
  ['a string where a bool is expected', basePod({ containers: [], hostNetwork: 'yes' }),
    ['json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool']],
  ['a fraction where an integer is expected', basePod({ containers: [], terminationGracePeriodSeconds: 1.5 }),
    ['json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64']],
  ['a number as a label value names the map field, not the key', basePod({ containers: [] }, { name: 'p', labels: { a: 1 } }),
    ['json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string']],
  ['quantities accept numbers and strings', basePod({ containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '128Mi' }, requests: { cpu: 0.5 } } }] }), []],
  ['int-or-string accepts both forms', basePod({ containers: [{ name: 'c', livenessProbe: { httpGet: { port: 'http' } }, readinessProbe: { tcpSocket: { port: 8080 } } }] }), []],
  ['a bool where a quantity is expected is an error', basePod({ containers: [{ name: 'c', resources: { limits: { cpu: true } } }] }),
    ['json: cannot unmarshal bool into Go struct field ResourceRequirements.spec.containers.resources.limits of type resource.Quantity']],
  ['null is accepted anywhere', basePod({ containers: [{ name: 'c', ports: null, resources: { limits: null } }], nodeName: null }), []],
];

for (const [name, obj, want] of typeCases) {
  test(`type errors: ${name}`, () => assert.deepEqual(findTypeErrors(obj, pod), want));
}

const dupCases: [string, string, string[]][] = [
  ['no duplicates in a plain document', '{"metadata":{"name":"a","namespace":"b"},"spec":{}}', []],
  ['a duplicate key is reported with its path', '{"metadata":{"name":"a","name":"b"}}', ['duplicate field "metadata.name"']],
  ['a top-level duplicate has a bare name', '{"kind":"Pod","kind":"Pod"}', ['duplicate field "kind"']],
  ['duplicates inside list items carry the index', '{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}}', ['duplicate field "spec.containers[1].image"']],
  ['the same key in sibling objects is not a duplicate', '{"a":{"x":1},"b":{"x":2},"c":[{"x":1},{"x":1}]}', []],
  ['keys that look alike only after unescaping are duplicates', '{"na\\u006de":1,"name":2}', ['duplicate field "name"']],
  ['strings containing braces, quotes and colons do not confuse the scanner', '{"a":"{\\"b\\":1}","b":"x:y","a2":["]","}"],"b":1}', ['duplicate field "b"']],
  ['whitespace between tokens is fine', ' { "a" : 1 ,\n "a" : 2 } ', ['duplicate field "a"']],
  ['a key repeated three times is reported twice', '{"a":1,"a":2,"a":3}', ['duplicate field "a"', 'duplicate field "a"']],
  ['truncated input reports what was found so far', '{"a":1,"a":2,"b":"unterminated', ['duplicate field "a"']],
];

for (const [name, json, want] of dupCases) {
  test(`duplicate fields: ${name}`, () => assert.deepEqual(findDuplicateFields(json), want));
}

test('duplicate fields: hostile nesting neither overflows the stack nor runs past the depth cap', () => {
  const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
  assert.deepEqual(findDuplicateFields(deep), []);
  const deepObjects = '{"a":'.repeat(MAX_SCAN_DEPTH - 1) + '{"x":1,"x":2}' + '}'.repeat(MAX_SCAN_DEPTH - 1);
  const found = findDuplicateFields(deepObjects);
  assert.equal(found.length, 1);
  assert.match(found[0], /^duplicate field "(a\.)+x"$/);
});

test('duplicate fields: the scan is linear in the input size', () => {
  // 200k keys in one object: a quadratic scan would take minutes, a linear one milliseconds.
  const keys = Array.from({ length: 200_000 }, (_, i) => `"k${i}":${i}`).join(',');
  assert.deepEqual(findDuplicateFields(`{${keys},"k7":0}`), ['duplicate field "k7"']);
});
