// Pure helpers: pod state, the pod built from a template, slow-start batches, deletion ranking.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  isPodActive,
  isPodAvailable,
  isPodReady,
  msUntilAvailable,
  podFromTemplate,
  podReadyTime,
  ranksByRelatedPodsOnSameNode,
  slowStartBatch,
  sortPodsForDeletion,
} from '../../../src/controllers/util/index.js';

const now = Date.parse('2024-01-01T01:00:00Z');
const iso = (msAgo: number) => new Date(now - msAgo).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: string; readyMsAgo?: number; createdMsAgo?: number; restarts?: number; cost?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: o.createdMsAgo === undefined ? undefined : iso(o.createdMsAgo),
      annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined,
      deletionTimestamp: o.deleting ? iso(0) : undefined,
    },
    spec: { nodeName: o.node, containers: [{ name: 'c' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readyMsAgo === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.readyMsAgo) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0, ready: true, image: 'x', imageID: '' }],
    },
  };
}

describe('pod helpers', () => {
  test('finished and terminating pods are not active; running and pending ones are', () => {
    assert.equal(isPodActive(pod('a')), true);
    assert.equal(isPodActive(pod('a', { phase: 'Pending' })), true);
    assert.equal(isPodActive(pod('a', { phase: 'Succeeded' })), false);
    assert.equal(isPodActive(pod('a', { phase: 'Failed' })), false);
    assert.equal(isPodActive(pod('a', { deleting: true })), false);
  });

  test('availability needs Ready for longer than minReadySeconds, and tells how long is left', () => {
    const p = pod('a', { readyMsAgo: 5000 });
    assert.equal(isPodReady(p), true);
    assert.equal(podReadyTime(p), now - 5000);
    assert.equal(isPodAvailable(p, 0, now), true);
    assert.equal(isPodAvailable(p, 4, now), true);
    assert.equal(isPodAvailable(p, 10, now), false);
    assert.equal(msUntilAvailable(p, 10, now), 5001);
    assert.equal(isPodAvailable(pod('b'), 0, now), false);
  });

  test('the pod built from a template copies labels, annotations and finalizers and is owned by the controller', () => {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'ns', uid: 'u1' } };
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true, blockOwnerDeletion: true };
    const p = podFromTemplate({ metadata: { name: 'ignored', labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['x/y'] }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, owner, ref);
    assert.deepEqual(p.metadata, { generateName: 'web-abc-', namespace: 'ns', labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['x/y'], ownerReferences: [ref] });
    assert.equal(p.spec?.containers[0].image, 'nginx');
  });
});

describe('slowStartBatch', () => {
  test('calls run in batches of 1, 2, 4, 8 and all succeed', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    const res = await slowStartBatch(10, 1, async () => {
      inFlight++;
      await Promise.resolve();
      if (inFlight > 0) batches.push(inFlight);
      inFlight = 0;
    });
    assert.deepEqual(res, { successes: 10 });
    assert.deepEqual(batches, [1, 2, 4, 3]);
  });

  test('a failing batch stops further batches and reports its successes and first error', async () => {
    let calls = 0;
    const res = await slowStartBatch(100, 1, async (i) => {
      calls++;
      if (i === 4) throw new Error('quota exceeded');
    });
    // batches: [0], [1,2], [3..6] fails at 4: 1 + 2 + 3 successes, 7 calls made.
    assert.equal(calls, 7);
    assert.equal(res.successes, 6);
    assert.match(String(res.error), /quota exceeded/);
  });
});

describe('deletion ranking (ActivePodsWithRanks)', () => {
  const cases: Array<{ name: string; pods: Pod[]; ranks?: number[]; first: string }> = [
    { name: 'an unassigned pod goes before an assigned one', pods: [pod('assigned', { node: 'n1' }), pod('unassigned')], first: 'unassigned' },
    { name: 'a pending pod goes before an unknown one before a running one', pods: [pod('run', { node: 'n' }), pod('unk', { node: 'n', phase: 'Unknown' }), pod('pend', { node: 'n', phase: 'Pending' })], first: 'pend' },
    { name: 'a not-ready pod goes before a ready one', pods: [pod('ready', { node: 'n', readyMsAgo: 1000 }), pod('notready', { node: 'n' })], first: 'notready' },
    { name: 'a lower deletion cost goes first', pods: [pod('expensive', { node: 'n', cost: '100' }), pod('cheap', { node: 'n', cost: '-5' })], first: 'cheap' },
    { name: 'a pod doubled up on a node goes first', pods: [pod('alone', { node: 'n1' }), pod('crowded', { node: 'n2' })], ranks: [1, 3], first: 'crowded' },
    { name: 'a pod ready for a much shorter time goes first', pods: [pod('old', { node: 'n', readyMsAgo: 3_600_000 }), pod('young', { node: 'n', readyMsAgo: 1000 })], first: 'young' },
    { name: 'a pod with more restarts goes first', pods: [pod('stable', { node: 'n' }), pod('crashy', { node: 'n', restarts: 7 })], first: 'crashy' },
    { name: 'a much newer pod goes before an older one', pods: [pod('older', { node: 'n', createdMsAgo: 3_600_000 }), pod('newer', { node: 'n', createdMsAgo: 2000 })], first: 'newer' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const sorted = sortPodsForDeletion(c.pods, c.ranks ?? c.pods.map(() => 0), now);
      assert.equal(sorted[0].metadata?.name, c.first);
      // and regardless of input order
      const rev = [...c.pods].reverse();
      const ranks = [...(c.ranks ?? c.pods.map(() => 0))].reverse();
      assert.equal(sortPodsForDeletion(rev, ranks, now)[0].metadata?.name, c.first);
    });
  }

  test('ranks count active related pods on each pod’s node', () => {
    const related = [pod('a', { node: 'n1' }), pod('b', { node: 'n1' }), pod('c', { node: 'n2' }), pod('d', { node: 'n1', phase: 'Failed' })];
    assert.deepEqual(ranksByRelatedPodsOnSameNode([related[0], related[2]], related), [2, 1]);
  });
});
