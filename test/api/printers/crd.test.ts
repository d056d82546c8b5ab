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
