// Each plugin against a real API server: nodes and bound, Running pods as API objects, one
// descheduling pass, then which pods were evicted (deleted through pods/eviction) and which not.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, onePlugin, type Rig } from './rig.js';
import { resourceRef } from '../../src/client/rest/resource-ref.js';

let rig: Rig;
beforeEach(async () => {
  rig = await startRig();
});
afterEach(async () => {
  await rig.close();
});

describe('RemovePodsViolatingNodeTaints', () => {
  test('evicts pods that do not tolerate a NoSchedule taint of their node, keeps tolerating ones', async () => {
    await rig.node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    await rig.node('n2');
    await rig.pod('intolerant', 'n1', { owner: 'rs1' });
    await rig.pod('tolerant', 'n1', { owner: 'rs1', spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] } });
    await rig.pod('elsewhere', 'n2', { owner: 'rs1' });
    const r = await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule'));
    assert.equal(r.evicted, 1);
    assert.deepEqual(await rig.evicted(), ['intolerant']);
  });

  test('excludedTaints are ignored', async () => {
    await rig.node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    await rig.node('n2');
    await rig.pod('intolerant', 'n1', { owner: 'rs1' });
    await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule', { excludedTaints: ['dedicated'] }));
    assert.deepEqual(await rig.evicted(), []);
  });
});

describe('DefaultEvictor', () => {
  test('never evicts bare, DaemonSet, mirror, system-critical or local-storage pods; the evict annotation overrides', async () => {
    await rig.node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.node('n2');
    await rig.pod('bare', 'n1');
    await rig.pod('daemon', 'n1', { owner: 'ds', ownerKind: 'DaemonSet' });
    await rig.pod('mirror', 'n1', { owner: 'rs', annotations: { 'kubernetes.io/config.mirror': 'x', 'kubernetes.io/config.source': 'file' } });
    await rig.pod('critical', 'n1', { owner: 'rs', namespace: 'kube-system', spec: { priorityClassName: 'system-cluster-critical' } });
    await rig.pod('local', 'n1', { owner: 'rs', spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'sleep' }] } });
    await rig.pod('annotated-bare', 'n1', { annotations: { 'descheduler.alpha.kubernetes.io/evict': 'true' } });
    await rig.pod('plain', 'n1', { owner: 'rs' });
    await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule', { namespaces: { exclude: [] } }));
    assert.deepEqual(await rig.evicted(), ['annotated-bare', 'plain']);
    assert.deepEqual(await rig.evicted('kube-system'), []);
  });

  test('evictLocalStoragePods and evictFailedBarePods widen what may be evicted', async () => {
    await rig.node('n1');
    await rig.node('n2');
    await rig.pod('local', 'n1', { owner: 'rs', spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'sleep' }] }, status: { phase: 'Failed' } });
    await rig.pod('failed-bare', 'n1', { status: { phase: 'Failed' } });
    await rig.pod('running-bare', 'n2', { status: { phase: 'Running' } });
    await rig.deschedule(onePlugin('RemoveFailedPods', 'deschedule', {}, {}, { evictLocalStoragePods: true, evictFailedBarePods: true }));
    assert.deepEqual(await rig.evicted(), ['failed-bare', 'local']);
  });

  test('nodeFit keeps pods that fit no other node', async () => {
    await rig.node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.node('n2', { unschedulable: true });
    await rig.pod('p', 'n1', { owner: 'rs' });
    await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule', {}, {}, { nodeFit: true }));
    assert.deepEqual(await rig.evicted(), []);
  });
});

describe('eviction', () => {
  test('a PodDisruptionBudget that allows no disruption keeps the pod (429 is skipped, not fatal)', async () => {
    await rig.node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.node('n2');
    await rig.pod('guarded', 'n1', { owner: 'rs', labels: { app: 'db' } });
    await rig.pod('free', 'n1', { owner: 'rs2' });
    await rig.client.resource((await import('../../src/client/rest/builtin-resources.js')).resources.podDisruptionBudgets).create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } } as never, { namespace: 'default' });
    const r = await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule'));
    assert.equal(r.evicted, 1);
    assert.deepEqual(await rig.evicted(), ['free']);
  });

  test('maxNoOfPodsToEvictPerNode, PerNamespace and Total cap the pass', async () => {
    await rig.node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.node('n2', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.node('n3');
    for (const n of ['a', 'b', 'c']) await rig.pod(`n1-${n}`, 'n1', { owner: 'rs' });
    for (const n of ['a', 'b', 'c']) await rig.pod(`n2-${n}`, 'n2', { owner: 'rs' });
    assert.equal((await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule', {}, { maxNoOfPodsToEvictPerNode: 1 }))).evicted, 2);
    assert.equal((await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule', {}, { maxNoOfPodsToEvictTotal: 1 }))).evicted, 1);
    assert.equal((await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule', {}, { maxNoOfPodsToEvictPerNamespace: 2 }))).evicted, 2);
    assert.equal((await rig.evicted()).length, 5);
  });

  test('dry run evicts nothing but reports what it would evict', async () => {
    await rig.node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.node('n2');
    await rig.pod('p', 'n1', { owner: 'rs' });
    const r = await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule'), { dryRun: true });
    assert.equal(r.evicted, 1);
    assert.deepEqual(await rig.evicted(), []);
  });

  test('an eviction records a Descheduled event with upstream\'s reason and note', async () => {
    await rig.node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.node('n2');
    await rig.pod('p', 'n1', { owner: 'rs' });
    await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule'));
    const { resources } = await import('../../src/client/rest/builtin-resources.js');
    const events = (await rig.client.resource(resources.events).list({ namespace: 'default' })).items as { reason?: string; action?: string; note?: string; reportingController?: string; regarding?: { name?: string } }[];
    const e = events.find((x) => x.regarding?.name === 'p');
    assert.ok(e, 'an event about the pod');
    assert.equal(e.reason, 'RemovePodsViolatingNodeTaints');
    assert.equal(e.action, 'Descheduled');
    assert.equal(e.note, 'pod evicted from n1 node by sigs.k8s.io/descheduler');
    assert.equal(e.reportingController, 'sigs.k8s.io/descheduler');
  });

  test('with one ready node nothing is evicted', async () => {
    await rig.node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    await rig.pod('p', 'n1', { owner: 'rs' });
    assert.equal((await rig.deschedule(onePlugin('RemovePodsViolatingNodeTaints', 'deschedule'))).nodes, 1);
    assert.deepEqual(await rig.evicted(), []);
  });
});

describe('RemoveDuplicates', () => {
  test('spreads an owner\'s pods crowded on one node: the surplus over ceil(pods/nodes) goes', async () => {
    await rig.node('n1');
    await rig.node('n2');
    for (const n of ['a', 'b', 'c', 'd']) await rig.pod(`dup-${n}`, 'n1', { owner: 'rs' });
    await rig.pod('other', 'n1', { owner: 'rs-other' });
    await rig.deschedule(onePlugin('RemoveDuplicates', 'balance'));
    assert.deepEqual(await rig.evicted(), ['dup-c', 'dup-d']);
  });
});

describe('LowNodeUtilization and HighNodeUtilization', () => {
  test('LowNodeUtilization moves pods off an overutilized node while an underutilized one has room', async () => {
    await rig.node('busy', { cpu: '10' });
    await rig.node('idle', { cpu: '10' });
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) await rig.pod(`busy-${n}`, 'busy', { owner: 'rs', cpu: '1' });
    await rig.deschedule(onePlugin('LowNodeUtilization', 'balance', { thresholds: { cpu: 20 }, targetThresholds: { cpu: 50 } }));
    // 80% → evict 1-CPU pods until ≤ 50%: three go.
    assert.equal((await rig.evicted()).length, 3);
  });

  test('LowNodeUtilization does nothing when no node is underutilized', async () => {
    await rig.node('n1', { cpu: '10' });
    await rig.node('n2', { cpu: '10' });
    for (const n of ['a', 'b', 'c']) await rig.pod(`p-${n}`, 'n1', { owner: 'rs', cpu: '3' });
    for (const n of ['a', 'b', 'c']) await rig.pod(`q-${n}`, 'n2', { owner: 'rs', cpu: '3' });
    await rig.deschedule(onePlugin('LowNodeUtilization', 'balance', { thresholds: { cpu: 20 }, targetThresholds: { cpu: 50 } }));
    assert.deepEqual(await rig.evicted(), []);
  });

  test('HighNodeUtilization empties the underutilized node', async () => {
    await rig.node('full', { cpu: '10' });
    await rig.node('sparse', { cpu: '10' });
    for (const n of ['a', 'b', 'c', 'd', 'e']) await rig.pod(`full-${n}`, 'full', { owner: 'rs', cpu: '1' });
    await rig.pod('sparse-a', 'sparse', { owner: 'rs', cpu: '1' });
    await rig.deschedule(onePlugin('HighNodeUtilization', 'balance', { thresholds: { cpu: 20 } }));
    assert.deepEqual(await rig.evicted(), ['sparse-a']);
  });
});

describe('RemovePodsViolatingNodeAffinity', () => {
  test('evicts a pod whose node no longer matches its required affinity when another node does', async () => {
    await rig.node('n1');
    await rig.node('n2', { labels: { disk: 'ssd' } });
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } } };
    await rig.pod('misplaced', 'n1', { owner: 'rs', spec: { affinity } });
    await rig.pod('placed', 'n2', { owner: 'rs', spec: { affinity } });
    await rig.deschedule(onePlugin('RemovePodsViolatingNodeAffinity', 'deschedule', { nodeAffinityType: ['requiredDuringSchedulingIgnoredDuringExecution'] }));
    assert.deepEqual(await rig.evicted(), ['misplaced']);
  });
});

describe('RemovePodsViolatingInterPodAntiAffinity', () => {
  test('of two pods that repel each other on one node, the lower priority one goes', async () => {
    await rig.node('n1');
    await rig.node('n2');
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } }] } };
    await rig.client.resource(resourceRef({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false })).create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 100 });
    await rig.pod('high', 'n1', { owner: 'rs', labels: { app: 'web' }, spec: { affinity: anti, priorityClassName: 'high' } });
    await rig.pod('low', 'n1', { owner: 'rs', labels: { app: 'web' }, spec: { affinity: anti } });
    await rig.deschedule(onePlugin('RemovePodsViolatingInterPodAntiAffinity', 'deschedule'));
    assert.deepEqual(await rig.evicted(), ['low']);
  });
});

describe('RemovePodsHavingTooManyRestarts, PodLifeTime, RemoveFailedPods', () => {
  test('RemovePodsHavingTooManyRestarts evicts pods at or over the threshold', async () => {
    await rig.node('n1');
    await rig.node('n2');
    const restarted = (n: number) => ({ phase: 'Running' as const, containerStatuses: [{ name: 'c', image: 'sleep', imageID: '', ready: true, restartCount: n, state: { running: {} } }] });
    await rig.pod('many', 'n1', { owner: 'rs', status: restarted(5) });
    await rig.pod('few', 'n1', { owner: 'rs', status: restarted(1) });
    await rig.deschedule(onePlugin('RemovePodsHavingTooManyRestarts', 'deschedule', { podRestartThreshold: 3 }));
    assert.deepEqual(await rig.evicted(), ['many']);
  });

  test('PodLifeTime evicts pods older than maxPodLifeTimeSeconds', async () => {
    await rig.node('n1');
    await rig.node('n2');
    await rig.pod('p', 'n1', { owner: 'rs' });
    await new Promise((r) => setTimeout(r, 1100));
    await rig.pod('young', 'n1', { owner: 'rs' });
    await rig.deschedule(onePlugin('PodLifeTime', 'deschedule', { maxPodLifeTimeSeconds: 1 }));
    assert.deepEqual(await rig.evicted(), ['p']);
  });

  test('RemoveFailedPods evicts Failed pods with a listed reason only', async () => {
    await rig.node('n1');
    await rig.node('n2');
    await rig.pod('oom', 'n1', { owner: 'rs', status: { phase: 'Failed', reason: 'OutOfcpu' } });
    await rig.pod('other', 'n1', { owner: 'rs', status: { phase: 'Failed', reason: 'Evicted' } });
    await rig.pod('running', 'n1', { owner: 'rs' });
    await rig.deschedule(onePlugin('RemoveFailedPods', 'deschedule', { reasons: ['OutOfcpu'] }));
    assert.deepEqual(await rig.evicted(), ['oom']);
  });
});

describe('RemovePodsViolatingTopologySpreadConstraint', () => {
  const ZONE = 'topology.kubernetes.io/zone';
  const spread = (whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway') => ({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable, labelSelector: { matchLabels: { app: 'web' } } }] });
  const zones = async () => {
    await rig.node('a1', { labels: { [ZONE]: 'a' } });
    await rig.node('b1', { labels: { [ZONE]: 'b' } });
  };
  const plugin = (args: Record<string, unknown> = {}) => onePlugin('RemovePodsViolatingTopologySpreadConstraint', 'balance', args);

  test('a hard constraint with 4 pods in one zone and 0 in the other is balanced: 2 are evicted', async () => {
    await zones();
    for (const n of ['p1', 'p2', 'p3', 'p4']) await rig.pod(n, 'a1', { owner: 'rs', labels: { app: 'web' }, spec: spread('DoNotSchedule') });
    const r = await rig.deschedule(plugin());
    assert.equal(r.evicted, 2);
    assert.equal((await rig.evicted()).length, 2);
  });

  test('a constraint already within maxSkew evicts nothing', async () => {
    await zones();
    for (const n of ['p1', 'p2']) await rig.pod(n, 'a1', { owner: 'rs', labels: { app: 'web' }, spec: spread('DoNotSchedule') });
    await rig.pod('p3', 'b1', { owner: 'rs', labels: { app: 'web' }, spec: spread('DoNotSchedule') });
    await rig.deschedule(plugin());
    assert.deepEqual(await rig.evicted(), []);
  });

  test('ScheduleAnyway constraints are ignored unless args.constraints lists them', async () => {
    await zones();
    for (const n of ['p1', 'p2', 'p3', 'p4']) await rig.pod(n, 'a1', { owner: 'rs', labels: { app: 'web' }, spec: spread('ScheduleAnyway') });
    await rig.deschedule(plugin());
    assert.deepEqual(await rig.evicted(), []);
    await rig.deschedule(plugin({ constraints: ['DoNotSchedule', 'ScheduleAnyway'] }));
    assert.equal((await rig.evicted()).length, 2);
  });

  test('pods the labelSelector does not match are not counted', async () => {
    await zones();
    await rig.pod('front', 'a1', { owner: 'rs', labels: { app: 'web', tier: 'front' }, spec: spread('DoNotSchedule') });
    for (const n of ['p1', 'p2', 'p3']) await rig.pod(n, 'a1', { owner: 'rs', labels: { app: 'web' }, spec: spread('DoNotSchedule') });
    // Counted: 1 in a, 0 in b — within maxSkew, though all 4 pods sit in a.
    await rig.deschedule(plugin({ labelSelector: { matchLabels: { tier: 'front' } } }));
    assert.deepEqual(await rig.evicted(), []);
  });

  test('higher priority pods stay: the lower priority ones are evicted', async () => {
    await zones();
    await rig.client.resource(resourceRef({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false })).create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 100 });
    for (const n of ['high1', 'high2']) await rig.pod(n, 'a1', { owner: 'rs', labels: { app: 'web' }, spec: { ...spread('DoNotSchedule'), priorityClassName: 'high' } });
    for (const n of ['low1', 'low2']) await rig.pod(n, 'a1', { owner: 'rs', labels: { app: 'web' }, spec: spread('DoNotSchedule') });
    await rig.deschedule(plugin());
    assert.deepEqual(await rig.evicted(), ['low1', 'low2']);
  });

  test('topologyBalanceNodeFit keeps pods that no node of the smaller domain would take', async () => {
    await rig.node('a1', { labels: { [ZONE]: 'a' } });
    await rig.node('b1', { labels: { [ZONE]: 'b' }, taints: [{ key: 'k', effect: 'NoSchedule' }] });
    for (const n of ['p1', 'p2', 'p3', 'p4']) await rig.pod(n, 'a1', { owner: 'rs', labels: { app: 'web' }, spec: spread('DoNotSchedule') });
    await rig.deschedule(plugin());
    assert.deepEqual(await rig.evicted(), []);
    await rig.deschedule(plugin({ topologyBalanceNodeFit: false }));
    assert.equal((await rig.evicted()).length, 2);
  });
});
