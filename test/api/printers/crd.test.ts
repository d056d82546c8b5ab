import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { customResourceDefaultPrinter, printerForCRD } from '../../../src/api/printers/index.js';

const now = new Date('2024-05-01T12:00:00Z');

/** A dotted-path evaluator, enough for the simple paths CRDs use. */
const dotted = (obj: KubeObject, path: string): unknown[] => {
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as object))) return [];
    cur = (cur as Record<string, unknown>)[part];
  }
  return [cur];
};

test('a CRD without printer columns prints NAME and AGE', () => {
  assert.equal(printerForCRD(undefined, dotted), customResourceDefaultPrinter);
  assert.equal(printerForCRD([], dotted), customResourceDefaultPrinter);
});

test('additionalPrinterColumns become typed cells after NAME, missing values are null', () => {
  const p = printerForCRD(
    [
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio' },
      { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
      { name: 'Owner', type: 'string', jsonPath: '.spec.owner', priority: 1 },
      { name: 'Selector', type: 'string', jsonPath: '.spec.selector' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nope' },
      { name: 'WrongType', type: 'integer', jsonPath: '.spec.owner' },
    ],
    dotted,
  );
  assert.deepEqual(p.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0],
    ['Replicas', 'integer', 0],
    ['Ratio', 'number', 0],
    ['Ready', 'boolean', 0],
    ['Owner', 'string', 1],
    ['Selector', 'string', 0],
    ['Age', 'date', 0],
    ['Missing', 'string', 0],
    ['WrongType', 'integer', 0],
  ]);
  const obj = {
    metadata: { name: 'w', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { replicas: 3, ratio: 0.5, owner: 'team-a', selector: { app: 'w' } },
    status: { ready: true },
  };
  assert.deepEqual(p.cells(obj, now), ['w', 3, 0.5, true, 'team-a', '{"app":"w"}', '60m', null, null]);
});

test('by default paths are client-go JSONPath: a path selecting several values shows the first', () => {
  const p = printerForCRD([
    { name: 'Containers', type: 'string', jsonPath: '.spec.containers[*].name' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Label', type: 'string', jsonPath: '.metadata.labels.app\\.kubernetes\\.io/name' },
  ]);
  const obj = {
    metadata: { name: 'w', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: { containers: [{ name: 'a' }, { name: 'b' }] },
    status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] },
  };
  assert.deepEqual(p.cells(obj, now), ['w', 'a', 'True', 'web']);
});

test('a string column prints any value as JSONPath prints it; other types need a value of their type', () => {
  const p = printerForCRD([
    { name: 'Int', type: 'string', jsonPath: '.spec.int' },
    { name: 'Float', type: 'string', jsonPath: '.spec.float' },
    { name: 'Big', type: 'string', jsonPath: '.spec.big' },
    { name: 'Null', type: 'string', jsonPath: '.spec.null' },
    { name: 'Map', type: 'string', jsonPath: '.spec.map' },
    { name: 'Truncated', type: 'integer', jsonPath: '.spec.float' },
    { name: 'AsNumber', type: 'number', jsonPath: '.spec.int' },
    { name: 'NotBool', type: 'boolean', jsonPath: '.spec.int' },
    { name: 'NullInt', type: 'integer', jsonPath: '.spec.null' },
  ]);
  const obj = { metadata: { name: 'w' }, spec: { int: 3, float: 2.5, big: 1234567.5, null: null, map: { z: 1, a: '<b>' } } };
  assert.deepEqual(p.cells(obj, now), ['w', '3', '2.5', '1.2345675e+06', '<no value>', '{"a":"\\u003cb\\u003e","z":1}', 2, 3, null, null]);
});

test('a date column: RFC 3339 as an age, an empty string as <unknown>, anything else as <invalid>', () => {
  const p = printerForCRD([
    { name: 'Age', type: 'date', jsonPath: '.a' },
    { name: 'Empty', type: 'date', jsonPath: '.b' },
    { name: 'Bad', type: 'date', jsonPath: '.c' },
    { name: 'DateOnly', type: 'date', jsonPath: '.d' },
    { name: 'Number', type: 'date', jsonPath: '.e' },
  ]);
  const obj = { metadata: { name: 'w' }, a: '2024-05-01T11:59:30.5+00:00', b: '', c: 'yesterday', d: '2024-05-01', e: 5 } as unknown as KubeObject;
  assert.deepEqual(p.cells(obj, now), ['w', '29s', '<unknown>', '<invalid>', '<invalid>', null]);
});

test('columns are served up to the first whose jsonPath does not parse; descriptions default to the path', () => {
  const p = printerForCRD([
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Described', type: 'string', jsonPath: '.spec.x', description: 'mine' },
    { name: 'Broken', type: 'string', jsonPath: '.spec[' },
    { name: 'After', type: 'string', jsonPath: '.spec.y' },
  ]);
  assert.deepEqual(p.columns.map((c) => [c.name, c.description]), [
    ['Name', p.columns[0].description],
    ['Replicas', 'Custom resource definition column (in JSONPath format): .spec.replicas'],
    ['Described', 'mine'],
  ]);
  assert.deepEqual(p.cells({ metadata: { name: 'w' }, spec: { replicas: 2 } }, now), ['w', 2, null]);
});
