// Upstream's replica calculator as table tests (cases after pkg/controller/podautoscaler/
// replica_calculator_test.go: scale up, scale up with unready pods, scale down, tolerance, missing
// metrics on scale up and down, a direction the missing pods would reverse, ignored pods,
// AverageValue targets, and the errors; the custom and external metric cases keep upstream's
// numbers: TestReplicaCalcScaleUpCM, …CMObject, …PerPodCMObject, …CMExternal, …PerPodCMExternal,
// their scale-down and tolerance twins, and the ones with unready pods).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  CalculatorError,
  externalMetricReplicas,
  externalPerPodMetricReplicas,
  objectMetricReplicas,
  perPodMetricReplicas,
  podsMetricReplicas,
  rawResourceReplicas,
  resourceReplicas,
  type PodMetricsInfo,
} from '../../../src/controllers/podautoscaler/replica-calculator.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

interface PodCase {
  request?: string;
  /** milli-units; undefined = no metric */
  usage?: number;
  ready?: 'True' | 'False';
  phase?: string;
  deleted?: boolean;
  /** ms before NOW the pod started (default 10 min: past the CPU initialization period) */
  startedAgo?: number;
  /** ms before NOW readiness last changed (default: when it started) */
  readyAgo?: number;
}

function build(cases: PodCase[], resource = 'cpu'): { pods: Pod[]; metrics: PodMetricsInfo } {
  const pods: Pod[] = [];
  const metrics: PodMetricsInfo = new Map();
  cases.forEach((c, i) => {
    const name = `p${i}`;
    const started = NOW - (c.startedAgo ?? 600_000);
    pods.push({
      metadata: { name, namespace: 'ns', ...(c.deleted ? { deletionTimestamp: iso(NOW) } : {}) },
      spec: { containers: [{ name: 'c', resources: c.request === undefined ? {} : { requests: { [resource]: c.request } } }] },
      status: {
        phase: c.phase ?? 'Running',
        startTime: iso(started),
        conditions: [{ type: 'Ready', status: c.ready ?? 'True', lastTransitionTime: iso(NOW - (c.readyAgo ?? c.startedAgo ?? 600_000)) }],
      },
    });
    if (c.usage !== undefined) metrics.set(name, { timestampMs: NOW - 1000, windowMs: 30_000, value: c.usage });
  });
  return { pods, metrics };
}

const pods = (requests: string, usage: (number | undefined)[], extra: Partial<PodCase>[] = []): PodCase[] => usage.map((u, i) => ({ request: requests, usage: u, ...extra[i] }));

describe('replica calculator, utilization targets', () => {
  const cases: { name: string; current: number; target: number; pods: PodCase[]; want: { replicas: number; utilization: number; rawAverage: number } }[] = [
    { name: 'scales up to the usage over the target: 50% against 30% on 3 pods is 5', current: 3, target: 30, pods: pods('1', [300, 500, 700]), want: { replicas: 5, utilization: 50, rawAverage: 500 } },
    {
      name: 'an unready pod in its CPU initialization period counts as 0 on a scale-up (4, not 6)',
      current: 3,
      target: 30,
      pods: pods('1', [300, 500, 700], [{ ready: 'False', startedAgo: 10_000 }, { startedAgo: 60_000 }, { startedAgo: 60_000 }]),
      want: { replicas: 4, utilization: 60, rawAverage: 600 },
    },
    { name: 'scales down: 28% against 50% on 5 pods is 3', current: 5, target: 50, pods: pods('1', [100, 300, 500, 250, 250]), want: { replicas: 3, utilization: 28, rawAverage: 280 } },
    {
      name: 'a change within the tolerance (102% against 100%) is no change',
      current: 3,
      target: 100,
      pods: [{ request: '900m', usage: 1010 }, { request: '1', usage: 1030 }, { request: '1100m', usage: 1020 }],
      want: { replicas: 3, utilization: 102, rawAverage: 1020 },
    },
    { name: 'missing metrics count as 100% of the request on a scale-down', current: 4, target: 50, pods: pods('1', [100, 100, 100, undefined]), want: { replicas: 3, utilization: 10, rawAverage: 100 } },
    { name: 'missing metrics count as 0 on a scale-up', current: 4, target: 50, pods: pods('1', [900, 900, 900, undefined]), want: { replicas: 6, utilization: 90, rawAverage: 900 } },
    { name: 'no change when the missing pods would turn a scale-down into a scale-up', current: 2, target: 50, pods: pods('1', [400, undefined]), want: { replicas: 2, utilization: 40, rawAverage: 400 } },
    {
      name: 'deleted and failed pods are ignored, pending ones do not hold a scale-down',
      current: 4,
      target: 50,
      pods: pods('1', [100, 100, 900, 900], [{}, {}, { deleted: true }, { phase: 'Failed' }]).concat([{ request: '1', phase: 'Pending' }]),
      want: { replicas: 1, utilization: 10, rawAverage: 100 },
    },
    {
      name: 'a pod whose metric window began before it became ready is unready within the initialization period',
      current: 2,
      target: 50,
      pods: pods('1', [1000, 1000], [{ startedAgo: 60_000, readyAgo: 10_000 }, { startedAgo: 60_000 }]),
      want: { replicas: 2, utilization: 100, rawAverage: 1000 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { pods: list, metrics } = build(c.pods);
      assert.deepEqual(resourceReplicas(c.current, c.target, 'cpu', '', list, metrics, { now: NOW }), c.want);
    });
  }

  it('memory pods are never unready for not being Ready (only CPU is)', () => {
    const { pods: list, metrics } = build(pods('1Mi', [2 * 1048576000, 2 * 1048576000], [{ ready: 'False', startedAgo: 1000 }, {}]), 'memory');
    assert.equal(resourceReplicas(2, 100, 'memory', '', list, metrics, { now: NOW }).replicas, 4);
  });

  const errors: { name: string; pods: PodCase[]; message: string }[] = [
    { name: 'no pods', pods: [], message: 'no pods returned by selector while calculating replica count' },
    { name: 'only unready pods', pods: [{ request: '1', phase: 'Pending' }], message: 'did not receive metrics for targeted pods (pods might be unready)' },
    { name: 'a pod without a request', pods: [{ usage: 100 }], message: 'missing request for cpu in container c of Pod p0' },
  ];
  for (const e of errors) {
    it(`fails with upstream's message: ${e.name}`, () => {
      const { pods: list, metrics } = build(e.pods);
      assert.throws(() => resourceReplicas(1, 50, 'cpu', '', list, metrics, { now: NOW }), (err: Error) => err instanceof CalculatorError && err.message === e.message);
    });
  }
});

describe('replica calculator, AverageValue targets', () => {
  const cases: { name: string; current: number; target: number; pods: PodCase[]; want: { replicas: number; usage: number } }[] = [
    { name: 'twice the target average on 3 pods is 6', current: 3, target: 500, pods: pods('1', [1000, 1000, 1000]), want: { replicas: 6, usage: 1000 } },
    { name: 'within tolerance is no change', current: 3, target: 1000, pods: pods('1', [1050, 1000, 1000]), want: { replicas: 3, usage: 1016 } },
    { name: 'missing pods count as the target on a scale-down', current: 2, target: 1000, pods: pods('1', [200, undefined]), want: { replicas: 2, usage: 200 } },
    { name: 'a scale-down without missing pods', current: 4, target: 1000, pods: pods('1', [200, 200, 200, 200]), want: { replicas: 1, usage: 200 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { pods: list, metrics } = build(c.pods);
      assert.deepEqual(rawResourceReplicas(c.current, c.target, 'cpu', list, metrics, { now: NOW }), c.want);
    });
  }
});

describe('replica calculator, Pods metrics (upstream GetMetricReplicas)', () => {
  const notReady = { ready: 'False' as const };
  const cases: { name: string; current: number; target: number; pods: PodCase[]; want: { replicas: number; usage: number } }[] = [
    { name: 'TestReplicaCalcScaleUpCM: an average of 20 against 15 on 3 pods is 4', current: 3, target: 15000, pods: pods('1', [20000, 10000, 30000]), want: { replicas: 4, usage: 20000 } },
    {
      name: 'TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale: pods that are not Ready still count (readiness rules are CPU\'s)',
      current: 3,
      target: 15000,
      pods: pods('1', [50000, 10000, 30000], [notReady, {}, notReady]),
      want: { replicas: 6, usage: 30000 },
    },
    {
      name: 'TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown: 31667 against 15000 on 3 pods is 7',
      current: 3,
      target: 15000,
      pods: pods('1', [50000, 15000, 30000], [notReady, {}, notReady]),
      want: { replicas: 7, usage: 31666 },
    },
    { name: 'TestReplicaCalcScaleDownCM: 12 against 20 on 5 pods is 3', current: 5, target: 20000, pods: pods('1', [12000, 12000, 12000, 12000, 12000]), want: { replicas: 3, usage: 12000 } },
    { name: 'TestReplicaCalcToleranceCM: 20666 against 20000 is within the tolerance', current: 3, target: 20000, pods: pods('1', [20000, 21000, 21000]), want: { replicas: 3, usage: 20666 } },
    {
      name: 'pending pods count as 0 on a scale-up: 2 pods at twice the target and a pending third make 4, not 6',
      current: 3,
      target: 10000,
      pods: pods('1', [20000, 20000]).concat([{ request: '1', phase: 'Pending' }]),
      want: { replicas: 4, usage: 20000 },
    },
    { name: 'missing pods count as the target on a scale-down', current: 3, target: 10000, pods: pods('1', [2000, 2000, undefined]), want: { replicas: 2, usage: 2000 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { pods: list, metrics } = build(c.pods, 'requests');
      assert.deepEqual(podsMetricReplicas(c.current, c.target, list, metrics, { now: NOW }), c.want);
    });
  }
});

describe('replica calculator, Object and External metrics against a Value target (upstream GetObjectMetricReplicas, GetExternalMetricReplicas)', () => {
  const ready3 = build(pods('1', [0, 0, 0])).pods;
  const oneReady = build(pods('1', [0, 0, 0], [{ ready: 'False' }, {}, { ready: 'False' }])).pods;
  const cases: { name: string; current: number; target: number; values: number[]; pods: Pod[]; want: { replicas: number; usage: number } }[] = [
    { name: 'TestReplicaCalcScaleUpCMObject: 20000 against 15000 with 3 ready pods is 4', current: 3, target: 15000, values: [20000], pods: ready3, want: { replicas: 4, usage: 20000 } },
    { name: 'TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods: only the 1 ready pod counts, 5 × 1 is 5', current: 3, target: 10000, values: [50000], pods: oneReady, want: { replicas: 5, usage: 50000 } },
    { name: 'TestReplicaCalcScaleDownCMObject: 12000 against 20000 with 5 ready pods is 3', current: 5, target: 20000, values: [12000], pods: build(pods('1', [0, 0, 0, 0, 0])).pods, want: { replicas: 3, usage: 12000 } },
    { name: 'TestReplicaCalcToleranceCMObject: 20666 against 20000 is no change', current: 3, target: 20000, values: [20666], pods: ready3, want: { replicas: 3, usage: 20666 } },
    { name: 'TestReplicaCalcScaleUpCMExternalIgnoresUnreadyPods: 8600 against 4400 with 1 ready pod is 2', current: 3, target: 4400, values: [8600], pods: oneReady, want: { replicas: 2, usage: 8600 } },
    { name: 'TestReplicaCalcScaleDownCMExternal: 8600 against 14334 with 5 ready pods is 3', current: 5, target: 14334, values: [8600], pods: build(pods('1', [0, 0, 0, 0, 0])).pods, want: { replicas: 3, usage: 8600 } },
    { name: 'TestReplicaCalcToleranceCMExternal: 8600 against 8888 is no change', current: 3, target: 8888, values: [8600], pods: ready3, want: { replicas: 3, usage: 8600 } },
    { name: 'external values are summed: 3000 + 5600 against 4400 on 1 pod is 2', current: 1, target: 4400, values: [3000, 5600], pods: build(pods('1', [0])).pods, want: { replicas: 2, usage: 8600 } },
    { name: 'from zero replicas the ratio alone decides, without the tolerance', current: 0, target: 1000, values: [1050], pods: [], want: { replicas: 2, usage: 1050 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = c.values.length === 1 ? objectMetricReplicas(c.current, c.target, c.values[0]!, c.pods, {}) : externalMetricReplicas(c.current, c.target, c.values, c.pods, {});
      assert.deepEqual(got, c.want);
      assert.deepEqual(externalMetricReplicas(c.current, c.target, c.values, c.pods, {}), c.want);
    });
  }

  it('with no pods to count, fails with upstream\'s message', () => {
    assert.throws(
      () => objectMetricReplicas(3, 1000, 5000, [], {}),
      (err: Error) => err instanceof CalculatorError && err.message === 'unable to calculate ready pods: no pods returned by selector while calculating replica count',
    );
  });
});

describe('replica calculator, Object and External metrics against an AverageValue target (upstream GetObjectPerPodMetricReplicas, GetExternalPerPodMetricReplicas)', () => {
  const cases: { name: string; statusReplicas: number; target: number; values: number[]; want: { replicas: number; usage: number } }[] = [
    { name: 'TestReplicaCalcScaleUpCMPerPodObject: 20000 over 3 replicas against 5000 each is 4', statusReplicas: 3, target: 5000, values: [20000], want: { replicas: 4, usage: 6667 } },
    { name: 'TestReplicaCalcScaleDownPerPodCMObject: 6000 over 5 replicas against 2000 each is 3', statusReplicas: 5, target: 2000, values: [6000], want: { replicas: 3, usage: 1200 } },
    { name: 'TestReplicaCalcTolerancePerPodCMObject: 20166 over 4 replicas against 5000 each is no change', statusReplicas: 4, target: 5000, values: [20166], want: { replicas: 4, usage: 5042 } },
    { name: 'TestReplicaCalcScaleUpPerPodCMExternal: 8600 over 3 replicas against 2150 each is 4', statusReplicas: 3, target: 2150, values: [8600], want: { replicas: 4, usage: 2867 } },
    { name: 'TestReplicaCalcScaleDownPerPodCMExternal: 8600 over 5 replicas against 2867 each is 3', statusReplicas: 5, target: 2867, values: [8600], want: { replicas: 3, usage: 1720 } },
    { name: 'TestReplicaCalcTolerancePerPodCMExternal: 8600 over 3 replicas against 2900 each is no change', statusReplicas: 3, target: 2900, values: [8600], want: { replicas: 3, usage: 2867 } },
    { name: 'external values are summed before the division', statusReplicas: 1, target: 30000, values: [60000, 30000], want: { replicas: 3, usage: 90000 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(externalPerPodMetricReplicas(c.statusReplicas, c.target, c.values, {}), c.want);
      if (c.values.length === 1) assert.deepEqual(perPodMetricReplicas(c.statusReplicas, c.target, c.values[0]!, {}), c.want);
    });
  }
});
