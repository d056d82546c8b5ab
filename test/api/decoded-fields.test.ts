// The one-walk normalization of a decoded body gives exactly what the three separate walks gave:
// canonical times (first error wins), unknown-field reports and pruning.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDecodedFields } from '../../src/api/decoded-fields.js';
import { findUnknownFields } from '../../src/api/openapi/field-validation.js';
import { canonicalizeTimes, pruneUnknownFields } from './separate-walks.js';
import { schemaForKind } from '../../src/api/openapi/schema-nodes.js';
import type { SchemaNode } from '../../src/api/schema.js';

function separately(obj: unknown, schema: SchemaNode): { timeError: unknown; unknown: string[]; obj: unknown } {
  const copy = structuredClone(obj);
  const times = canonicalizeTimes(copy, schema);
  const unknown = findUnknownFields(copy, schema);
  pruneUnknownFields(copy, schema);
  return { timeError: times[0], unknown, obj: copy };
}

function together(obj: unknown, schema: SchemaNode): { timeError: unknown; unknown: string[]; obj: unknown } {
  const copy = structuredClone(obj);
  const r = normalizeDecodedFields(copy, schema, true);
  return { timeError: r.timeError, unknown: r.unknown, obj: copy };
}

const pod = schemaForKind('', 'v1', 'Pod')!;
const event = schemaForKind('events.k8s.io', 'v1', 'Event')!;
const crd = schemaForKind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition')!;

/** Times as list items and map values (not struct fields): rewritten in the list and the map. */
const timeLeaf: SchemaNode = { type: 'string', timePrecision: 'seconds' };
const microLeaf: SchemaNode = { type: 'string', timePrecision: 'micro' };
const timeHolders: SchemaNode = {
  type: 'object',
  fields: () => ({
    list: { schema: { type: 'array', items: timeLeaf } },
    byName: { schema: { type: 'map', values: microLeaf } },
    nested: { schema: { type: 'array', items: { type: 'map', values: timeLeaf } } },
  }),
} as SchemaNode;

const cases: { name: string; schema: SchemaNode; obj: unknown }[] = [
  {
    name: 'times as list items and map values are canonicalized where they are',
    schema: timeHolders,
    obj: { list: ['2024-01-02T03:04:05.9+01:00', '2024-01-02t03:04:05z'], byName: { a: '2024-01-02T04:04:05.123456+01:00' }, nested: [{ x: '2024-01-02T03:04:05-01:30' }] },
  },
  {
    name: 'a bad time as a map value inside a list item names its place',
    schema: timeHolders,
    obj: { list: ['2024-01-02T03:04:05Z'], nested: [{ ok: '2024-01-02T03:04:05Z' }, { bad: 'soon' }] },
  },
  {
    name: 'a valid pod with times in metadata, status and managedFields',
    schema: pod,
    obj: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' }, creationTimestamp: '2024-01-02T03:04:05.123+02:00', managedFields: [{ manager: 'm', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:x': {} } }] },
      spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: 'b' }] }] },
      status: { startTime: '2024-01-02t03:04:05z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-02T03:04:05-01:30', lastProbeTime: null }] },
    },
  },
  {
    name: 'unknown fields at the top, in metadata, in list items and in nested structs; typeMeta keys kept',
    schema: pod,
    obj: {
      apiVersion: 'v1',
      kind: 'Pod',
      extra: 1,
      metadata: { name: 'p', bogus: { deep: true }, labels: { x: 'y' } },
      spec: { containers: [{ name: 'c', image: 'i', unknownThing: 'x', resources: { requests: { cpu: '1' }, nope: {} }, kind: 'k' }], alsoUnknown: [1, 2] },
    },
  },
  {
    name: 'several bad times: the first in walk order is reported',
    schema: pod,
    obj: { metadata: { name: 'p', creationTimestamp: 'yesterday', deletionTimestamp: 'bad' }, status: { startTime: 'also bad' } },
  },
  {
    name: 'a bad time inside a list item',
    schema: pod,
    obj: { metadata: { name: 'p' }, status: { conditions: [{ type: 'A', lastTransitionTime: '2024-01-02T03:04:05Z' }, { type: 'B', lastTransitionTime: '2024-13-02T03:04:05Z' }] } },
  },
  {
    name: 'MicroTime needs six fractional digits',
    schema: event,
    obj: { metadata: { name: 'e' }, eventTime: '2024-01-02T03:04:05.123Z', note: 'x' },
  },
  {
    name: 'MicroTime canonicalized',
    schema: event,
    obj: { metadata: { name: 'e' }, eventTime: '2024-01-02T04:04:05.123456+01:00', series: { count: 2, lastObservedTime: '2024-01-02T03:04:05.000001Z' } },
  },
  {
    name: 'preserve-unknown-fields subtrees are kept and not reported',
    schema: crd,
    obj: {
      metadata: { name: 'x.y' },
      spec: { group: 'y', names: { plural: 'x', kind: 'X' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: { anything: { goes: 1 } } } }, strange: 1 }] },
    },
  },
  {
    name: 'values of the wrong JSON type are left alone',
    schema: pod,
    obj: { metadata: 'not an object', spec: { containers: { name: 'c' }, nodeSelector: ['a'] }, status: { startTime: 5 } },
  },
];

describe('normalizeDecodedFields', () => {
  const typeCases: [string, unknown, boolean][] = [
    ['a well-typed pod', { metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }], hostNetwork: false } }, false],
    ['a bool where a string goes (a label value)', { metadata: { labels: { a: true } } }, true],
    ['a string where an integer goes', { spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } }, true],
    ['a fraction where an integer goes', { spec: { terminationGracePeriodSeconds: 1.5 } }, true],
    ['an object where a list goes', { spec: { containers: { name: 'c' } } }, true],
    ['a list where a map goes', { spec: { nodeSelector: ['a'] } }, true],
    ['a number where a struct goes', { metadata: 5 }, true],
    ['nulls, which Go takes for any type', { metadata: { labels: null }, spec: { containers: null, hostNetwork: null } }, false],
    ['a number for an int-or-string', { spec: { containers: [{ name: 'c', livenessProbe: { httpGet: { port: 8080 } } }] } }, false],
  ];
  for (const [what, obj, mismatch] of typeCases) {
    test(`type check: ${what} ${mismatch ? 'is' : 'is not'} a type mismatch`, () => {
      assert.equal(normalizeDecodedFields(obj, pod, true).typeMismatch, mismatch);
    });
  }

  for (const c of cases) {
    test(`same as the three walks: ${c.name}`, () => {
      assert.deepEqual(together(c.obj, c.schema), separately(c.obj, c.schema));
    });
  }

  test('unknown fields are pruned but not reported when reporting is off', () => {
    const obj = { metadata: { name: 'p', bogus: 1 }, spec: { containers: [] } };
    assert.deepEqual(normalizeDecodedFields(obj, pod, false), { timeError: undefined, unknown: [], typeMismatch: false });
    assert.deepEqual(obj, { metadata: { name: 'p' }, spec: { containers: [] } });
  });

  test('a field named like an Object.prototype member is an unknown field, reported and dropped', () => {
    const obj = JSON.parse('{"metadata":{"name":"p","constructor":1,"toString":{}}}') as { metadata: Record<string, unknown> };
    const r = normalizeDecodedFields(obj, pod, true);
    assert.deepEqual(r.unknown, ['unknown field "metadata.constructor"', 'unknown field "metadata.toString"']);
    assert.deepEqual(Object.keys(obj.metadata), ['name']);
  });
});
