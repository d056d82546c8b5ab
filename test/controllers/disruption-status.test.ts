// Pure PodDisruptionBudget status arithmetic: scaled values, expected/desired counts, disrupted
// pod expiry, healthy counts and the DisruptionAllowed condition.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { countHealthy, desiredStatus, expectedAndDesired, failSafeStatus, pendingDisruptions, scaledValue } from '../../src/controllers/disruption/status.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const pod = (name: string, ready = true, deleting = false): Pod => ({
  metadata: { name, deletionTimestamp: deleting ? ago(0) : undefined },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('disruption status', () => {
  const scaled: [number | string, number, boolean, number][] = [
    [3, 10, true, 3],
    ['50%', 5, true, 3],
    ['50%', 5, false, 2],
    ['0%', 7, true, 0],
    ['100%', 7, true, 7],
  ];
  for (const [v, total, up, want] of scaled) {
    test(`${JSON.stringify(v)} of ${total} rounded ${up ? 'up' : 'down'} is ${want}`, () => assert.equal(scaledValue(v, total, up), want));
  }
  test('a string that is not a percentage is an error', () => assert.throws(() => scaledValue('five', 5, true), /not a percentage/));

  const counts: { name: string; spec: PodDisruptionBudget['spec']; pods: number; scale: number; want: { expectedCount: number; desiredHealthy: number } }[] = [
    { name: 'integer minAvailable expects the selected pods', spec: { minAvailable: 2 }, pods: 5, scale: 9, want: { expectedCount: 5, desiredHealthy: 2 } },
    { name: 'percentage minAvailable expects the controllers\' scale', spec: { minAvailable: '30%' }, pods: 5, scale: 10, want: { expectedCount: 10, desiredHealthy: 3 } },
    { name: 'maxUnavailable subtracts from the scale', spec: { maxUnavailable: '25%' }, pods: 3, scale: 6, want: { expectedCount: 6, desiredHealthy: 4 } },
    { name: 'maxUnavailable never makes desiredHealthy negative', spec: { maxUnavailable: 9 }, pods: 3, scale: 3, want: { expectedCount: 3, desiredHealthy: 0 } },
  ];
  for (const c of counts) {
    test(c.name, () => assert.deepEqual(expectedAndDesired({ spec: c.spec }, c.pods, () => c.scale), c.want));
  }

  test('disrupted pods expire after 2 minutes, deleting pods leave the map, and the earliest expiry is the recheck time', () => {
    const pdb: PodDisruptionBudget = { status: { disruptedPods: { old: ago(121), fresh: ago(30), fresher: ago(10), deleting: ago(5) }, currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 } };
    const ps = [pod('old'), pod('fresh'), pod('fresher'), pod('deleting', true, true), pod('other')];
    const r = pendingDisruptions(pdb, ps, now);
    assert.deepEqual(Object.keys(r.disruptedPods).sort(), ['fresh', 'fresher']);
    assert.deepEqual(r.expired.map((p) => p.metadata?.name), ['old']);
    assert.equal(r.recheckAt?.toISOString(), new Date(now.getTime() + 90_000).toISOString());
    assert.equal(countHealthy(ps, r.disruptedPods, now), 2, 'old and other are healthy; disrupted and deleting pods are not');
  });

  test('the status allows the healthy surplus only when pods are expected, and is not rewritten when unchanged', () => {
    const pdb: PodDisruptionBudget = { metadata: { generation: 2 } };
    const s = desiredStatus(pdb, { currentHealthy: 3, desiredHealthy: 1, expectedCount: 3, disruptedPods: {} }, now)!;
    assert.equal(s.disruptionsAllowed, 2);
    assert.equal(s.observedGeneration, 2);
    assert.deepEqual(s.conditions, [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 2, lastTransitionTime: '2024-05-01T12:00:00Z' }]);
    assert.equal(desiredStatus({ ...pdb, status: s }, { currentHealthy: 3, desiredHealthy: 1, expectedCount: 3, disruptedPods: {} }, now), undefined);
    const none = desiredStatus(pdb, { currentHealthy: 3, desiredHealthy: 1, expectedCount: 0, disruptedPods: {} }, now)!;
    assert.equal(none.disruptionsAllowed, 0);
    assert.equal(none.conditions![0].reason, 'InsufficientPods');
  });

  test('fail-safe keeps the counts, allows nothing and says SyncFailed with the error', () => {
    const s = failSafeStatus({ status: { currentHealthy: 3, desiredHealthy: 1, disruptionsAllowed: 2, expectedPods: 3, observedGeneration: 1 } }, 'boom', now);
    assert.equal(s.disruptionsAllowed, 0);
    assert.equal(s.currentHealthy, 3);
    assert.deepEqual([s.conditions![0].status, s.conditions![0].reason, s.conditions![0].message], ['False', 'SyncFailed', 'boom']);
  });
});
