// ControllerRevision helpers: hashing is by content (key order does not matter), the collision
// count changes the hash, names use upstream's safe alphabet, and revisions sort by number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisionName, hashRevisionData, newControllerRevision, safeEncodeString, sortRevisions, type RevisionObject } from '../../src/controllers/history/index.js';

test('safeEncodeString maps each character onto the consonant-and-digit alphabet', () => {
  assert.match(safeEncodeString('1234567890'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});

test('the same data hashes alike whatever the key order, and a collision count changes the hash', () => {
  const a = hashRevisionData({ spec: { template: { a: 1, b: [1, 2] } } });
  const b = hashRevisionData({ spec: { template: { b: [1, 2], a: 1 } } });
  assert.equal(a, b);
  assert.notEqual(hashRevisionData({ x: 1 }, 1), hashRevisionData({ x: 1 }));
  assert.notEqual(hashRevisionData({ x: 1 }), hashRevisionData({ x: 2 }));
});

test('a new revision is named after its parent and carries the hash label and a controller reference', () => {
  const parent = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
  const rev = newControllerRevision(parent, { apiVersion: 'apps/v1', kind: 'StatefulSet' }, { app: 'web' }, { d: 1 }, 3);
  const hash = rev.metadata!.labels!['controller-revision-hash'];
  assert.equal(rev.metadata!.name, controllerRevisionName('web', hash));
  assert.equal(rev.metadata!.labels!.app, 'web');
  assert.equal(rev.metadata!.ownerReferences![0].uid, 'u1');
  assert.equal(rev.revision, 3);
});

test('revisions sort by revision number first', () => {
  const r = (name: string, revision: number): RevisionObject => ({ metadata: { name }, revision });
  assert.deepEqual(sortRevisions([r('c', 3), r('a', 1), r('b', 2)]).map((x) => x.metadata!.name), ['a', 'b', 'c']);
});
