// Pure Deployment helpers: fenceposts and percentage rounding, the template hash, revision
// annotations, proportional shares, and new-ReplicaSet sizing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { computeHash, equalIgnoreHash, getProportion, maxSurge, maxUnavailable, newRSNewReplicas, resolveFenceposts, setNewReplicaSetAnnotations } from '../../../src/controllers/deployment/index.js';
import type { KubeObject } from '../../../src/api/object.js';

type RS = ReplicaSet & KubeObject;
const dep = (replicas: number, surge: number | string, unavailable: number | string, status: Deployment['status'] = {}): Deployment => ({
  metadata: { name: 'd', annotations: { team: 'a', 'deployment.kubernetes.io/revision': '9' } },
  spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
  status,
});
const rs = (name: string, replicas: number, annotations: Record<string, string> = {}): RS => ({ metadata: { name, annotations, creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { replicas, selector: {} } });

describe('fenceposts', () => {
  const cases: Array<[string, number, number | string, number | string, number, number]> = [
    ['25% of 3 rounds surge up to 1 and unavailability down to 0', 3, '25%', '25%', 1, 0],
    ['25% of 10 gives surge 3 and unavailability 2', 10, '25%', '25%', 3, 2],
    ['both resolving to zero makes unavailability 1', 3, 0, '10%', 0, 1],
    ['absolute numbers are used as they are', 5, 2, 1, 2, 1],
  ];
  for (const [name, replicas, s, u, wantSurge, wantUnavailable] of cases) {
    test(name, () => {
      assert.deepEqual(resolveFenceposts(s, u, replicas), { surge: wantSurge, unavailable: wantUnavailable });
      assert.equal(maxSurge(dep(replicas, s, u)), wantSurge);
      assert.equal(maxUnavailable(dep(replicas, s, u)), Math.min(wantUnavailable, replicas));
    });
  }

  test('Recreate has neither surge nor unavailability, and a zero-replica deployment no unavailability', () => {
    const d = dep(3, 1, 1);
    d.spec!.strategy = { type: 'Recreate' };
    assert.equal(maxSurge(d), 0);
    assert.equal(maxUnavailable(d), 0);
    assert.equal(maxUnavailable(dep(0, 1, 1)), 0);
  });
});

describe('template hash', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  test('is stable, ignores key order, uses only the safe alphabet, and changes with the collision count', () => {
    const h = computeHash(t);
    assert.equal(h, computeHash({ spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'web' } } }));
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.notEqual(computeHash(t, 1), h);
    assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }), h);
  });

  test('templates equal apart from the pod-template-hash label are equal', () => {
    assert.equal(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } }), true);
    assert.equal(equalIgnoreHash(t, { ...t, metadata: { labels: { app: 'api' } } }), false);
  });
});

describe('new ReplicaSet annotations', () => {
  test('a ReplicaSet about to be created gets the revision, the deployment annotations (minus its own) and desired/max replicas', () => {
    const r = rs('n', 0);
    assert.equal(setNewReplicaSetAnnotations(dep(4, 1, 0), r, '3', false), true);
    assert.deepEqual(r.metadata!.annotations, { team: 'a', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' });
  });

  test('rolling back to an old ReplicaSet keeps its former revisions in revision-history', () => {
    const r = rs('old', 0, { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/revision-history': '1' });
    setNewReplicaSetAnnotations(dep(1, 1, 0), r, '5', true);
    assert.equal(r.metadata!.annotations!['deployment.kubernetes.io/revision'], '5');
    assert.equal(r.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1,2');
    assert.equal(setNewReplicaSetAnnotations(dep(1, 1, 0), r, '5', true), false, 'nothing changes the second time');
  });
});

describe('replica arithmetic', () => {
  test('the new ReplicaSet grows by at most the surge room left', () => {
    const d = dep(10, 3, 2);
    const newRS = rs('new', 2);
    assert.equal(newRSNewReplicas(d, [rs('old', 10), newRS], newRS), 3);
    assert.equal(newRSNewReplicas(d, [rs('old', 11), newRS], newRS), 2);
    assert.equal(newRSNewReplicas(d, [rs('old', 0), newRS], newRS), 10);
  });

  test('proportional shares follow each ReplicaSet’s size relative to max-replicas, rounding halves away from zero', () => {
    // Deployment 10 → 20 with surge 3: each ReplicaSet was sized against max-replicas 13.
    const d = dep(20, 3, 2);
    const old = rs('old', 8, { 'deployment.kubernetes.io/max-replicas': '13' });
    const cur = rs('new', 5, { 'deployment.kubernetes.io/max-replicas': '13' });
    const toAdd = 23 - 13;
    const pOld = getProportion(old, d, toAdd, 0);
    const pNew = getProportion(cur, d, toAdd, pOld);
    assert.deepEqual([pOld, pNew], [6, 4]); // 8*23/13 = 14.15 → 14; 5*23/13 = 8.85 → 9
    const down = getProportion(old, dep(5, 3, 2), -5, 0);
    assert.ok(down < 0 && down >= -5);
  });
});
