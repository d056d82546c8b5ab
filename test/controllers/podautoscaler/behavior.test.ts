// Upstream's normalization as table tests (after horizontal_test.go's TestNormalizeDesiredReplicas*,
// TestScalingWithRules, TestStoreScaleEvents): stabilization windows, the fixed scale-up limit,
// Pods/Percent policies over their periods with selectPolicy Max/Min/Disabled, and the reasons.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js';
import {
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  newAutoscalerState,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
  type AutoscalerState,
} from '../../../src/controllers/podautoscaler/behavior.js';

const NOW = 1_000_000_000;
const S = 1000;
/** Upstream's defaults (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules). */
const defaultUp: HPAScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const defaultDown: HPAScalingRules = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

const withEvents = (up: [number, number][] = [], down: [number, number][] = []): AutoscalerState => ({
  recommendations: [],
  scaleUpEvents: up.map(([change, ago]) => ({ replicaChange: change, timestampMs: NOW - ago, outdated: false })),
  scaleDownEvents: down.map(([change, ago]) => ({ replicaChange: change, timestampMs: NOW - ago, outdated: false })),
});

describe('without behavior', () => {
  it('a scale-down waits for the highest recommendation of the window; old ones are replaced', () => {
    const s = newAutoscalerState();
    s.recommendations.push({ recommendation: 5, timestampMs: NOW - 100 * S }, { recommendation: 8, timestampMs: NOW - 400 * S });
    assert.equal(stabilizeRecommendation(s, 3, 300 * S, NOW), 5);
    assert.deepEqual(s.recommendations.map((r) => r.recommendation), [5, 3]);
  });

  const cases: { name: string; current: number; desired: number; min: number; max: number; want: [number, string] }[] = [
    { name: 'within range', current: 3, desired: 5, min: 1, max: 10, want: [5, 'DesiredWithinRange'] },
    { name: 'the fixed scale-up limit max(2×current, 4)', current: 3, desired: 9, min: 1, max: 10, want: [6, 'ScaleUpLimit'] },
    { name: 'maxReplicas below the scale-up limit', current: 3, desired: 9, min: 1, max: 5, want: [5, 'TooManyReplicas'] },
    { name: 'minReplicas', current: 3, desired: 1, min: 2, max: 5, want: [2, 'TooFewReplicas'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = convertDesiredReplicasWithRules(c.current, c.desired, c.min, c.max);
      assert.deepEqual([r.replicas, r.reason], c.want);
    });
  }
});

describe('with behavior: stabilization', () => {
  const cases: { name: string; current: number; desired: number; recs: [number, number][]; up: number; down: number; want: [number, string] }[] = [
    { name: 'scale-down held at the highest recommendation of the down window', current: 5, desired: 2, recs: [[4, 60 * S], [6, 400 * S]], up: 0, down: 300, want: [4, 'ScaleDownStabilized'] },
    { name: 'a scale-up window holds at the lowest recent recommendation', current: 2, desired: 6, recs: [[3, 30 * S]], up: 60, down: 300, want: [3, 'ScaleUpStabilized'] },
    { name: 'no windows: the desired count', current: 5, desired: 2, recs: [[9, 10 * S]], up: 0, down: 0, want: [2, 'ScaleDownStabilized'] },
    { name: 'never below current on a scale-up by an older high recommendation', current: 4, desired: 6, recs: [[8, 10 * S]], up: 0, down: 300, want: [6, 'ScaleUpStabilized'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = newAutoscalerState();
      for (const [r, ago] of c.recs) s.recommendations.push({ recommendation: r, timestampMs: NOW - ago });
      const r = stabilizeRecommendationWithBehaviors(s, { current: c.current, desired: c.desired, scaleUpWindowSeconds: c.up, scaleDownWindowSeconds: c.down }, NOW);
      assert.deepEqual([r.replicas, r.reason], c.want);
      assert.ok(s.recommendations.some((x) => x.recommendation === c.desired && x.timestampMs === NOW));
    });
  }
});

describe('with behavior: rate limits', () => {
  const cases: { name: string; current: number; desired: number; min?: number; max?: number; up?: HPAScalingRules; down?: HPAScalingRules; state?: AutoscalerState; want: [number, string] }[] = [
    { name: 'default scale-up: the larger of +4 pods and +100% (1 → 5)', current: 1, desired: 20, want: [5, 'ScaleUpLimit'] },
    { name: 'default scale-up from 10: +100% wins (→ 20)', current: 10, desired: 50, max: 100, want: [20, 'ScaleUpLimit'] },
    { name: 'selectPolicy Min takes the smaller change (1 → 2)', current: 1, desired: 20, up: { ...defaultUp, selectPolicy: 'Min' }, want: [2, 'ScaleUpLimit'] },
    { name: 'selectPolicy Disabled does not scale up', current: 3, desired: 20, up: { ...defaultUp, selectPolicy: 'Disabled' }, want: [3, 'ScaleUpLimit'] },
    { name: 'maxReplicas below the rate limit', current: 3, desired: 20, max: 5, want: [5, 'TooManyReplicas'] },
    { name: 'scale-ups within the period count: +4 already added 10 s ago leaves no room from 5', current: 5, desired: 20, up: { policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }], selectPolicy: 'Max' }, state: withEvents([[4, 10 * S]]), want: [5, 'ScaleUpLimit'] },
    { name: 'a scale-up outside the period does not count', current: 5, desired: 20, up: { policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }], selectPolicy: 'Max' }, state: withEvents([[4, 20 * S]]), want: [9, 'ScaleUpLimit'] },
    { name: 'default scale-down may remove every pod down to minReplicas', current: 10, desired: 1, min: 2, want: [2, 'TooFewReplicas'] },
    { name: 'scale-down by at most 1 pod per period', current: 10, desired: 1, down: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }], selectPolicy: 'Max' }, want: [9, 'ScaleDownLimit'] },
    { name: 'scale-down by 10% rounds the remaining count down (10 → 9)', current: 10, desired: 1, down: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }], selectPolicy: 'Max' }, want: [9, 'ScaleDownLimit'] },
    { name: 'scale-down Max picks the bigger change of two policies', current: 10, desired: 1, down: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }], selectPolicy: 'Max' }, want: [5, 'ScaleDownLimit'] },
    { name: 'scale-down Min picks the smaller change', current: 10, desired: 1, down: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }], selectPolicy: 'Min' }, want: [9, 'ScaleDownLimit'] },
    { name: 'scale-down Disabled keeps the current count', current: 10, desired: 1, down: { ...defaultDown, selectPolicy: 'Disabled' }, want: [10, 'ScaleDownLimit'] },
    { name: 'a scale-down 30 s ago counts against the 1-pod policy', current: 9, desired: 1, down: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }], selectPolicy: 'Max' }, state: withEvents([], [[1, 30 * S]]), want: [9, 'ScaleDownLimit'] },
    { name: 'within range', current: 4, desired: 6, want: [6, 'DesiredWithinRange'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = convertDesiredReplicasWithBehaviorRate(c.state ?? newAutoscalerState(), { current: c.current, desired: c.desired, min: c.min ?? 1, max: c.max ?? 10, scaleUp: c.up ?? defaultUp, scaleDown: c.down ?? defaultDown }, NOW);
      assert.deepEqual([r.replicas, r.reason], c.want);
    });
  }
});

describe('scale events', () => {
  it('a scale event reuses the slot of one older than the longest period, else is appended; none without behavior', () => {
    const s = withEvents([[2, 100 * S], [1, 5 * S]]);
    storeScaleEvent(s, { scaleUp: defaultUp, scaleDown: defaultDown }, 3, 6, NOW);
    assert.deepEqual(s.scaleUpEvents.map((e) => [e.replicaChange, NOW - e.timestampMs]), [[3, 0], [1, 5 * S]]);
    storeScaleEvent(s, { scaleUp: defaultUp, scaleDown: defaultDown }, 6, 4, NOW);
    assert.deepEqual(s.scaleDownEvents.map((e) => e.replicaChange), [2]);
    storeScaleEvent(s, undefined, 4, 8, NOW);
    assert.equal(s.scaleUpEvents.length, 2);
  });
});
