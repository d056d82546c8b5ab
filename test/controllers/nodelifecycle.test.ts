// The node lifecycle and taint eviction controllers against the real API server, on a fake
// clock: a node whose Lease stops being renewed goes Unknown and is tainted unreachable; pods on it
// are evicted as their tolerations say; a recovered node loses the taints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import type { KubeObject } from '../../src/api/object.js';
import { FakeClock } from '../../src/client/clock.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { updateNodeTaints } from '../../src/controllers/nodelifecycle/update-taints.js';
import { computeZoneState, newNodeLifecycleController, newTaintEvictionController, zoneQPS, defaultEvictionRates, matchingTolerations, minTolerationMs, desiredNoScheduleTaints, type NodeHealth } from '../../src/controllers/nodelifecycle/index.js';

const clock = new FakeClock(Date.now());
const observed: { name: string; health: NodeHealth }[] = [];
const observers: (() => void)[] = [];

/** Resolves once the controller has seen a heartbeat of `name` satisfying cond. */
function whenObserved(name: string, cond: (h: NodeHealth) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => observed.some((o) => o.name === name && cond(o.health));
    if (check()) return resolve();
    observers.push(() => {
      if (check()) resolve();
    });
  });
}

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([
    {
      name: 'node-lifecycle',
      create: (ctx) =>
        newNodeLifecycleController(ctx, {
          clock,
          onObserved: (name, health) => {
            observed.push({ name, health: { ...health } });
            for (const o of observers) o();
          },
        }),
    },
    { name: 'taint-eviction-controller', create: (ctx) => newTaintEvictionController(ctx, { clock }) },
  ]);
});
after(async () => {
  await rig?.close();
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const microIso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

async function createNode(name: string, zone: string): Promise<void> {
  await rig.client.resource(resources.nodes).create({
    metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: iso(clock.now()), lastTransitionTime: iso(clock.now()) }] },
  } as Node as never);
  await rig.client.resource(resources.leases).create({ metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microIso(clock.now()) } } as Lease as never, { namespace: 'kube-node-lease' });
}

async function renewLease(name: string): Promise<string> {
  const leases = rig.client.resource(resources.leases);
  const lease = await leases.get(name, { namespace: 'kube-node-lease' });
  const renewTime = microIso(clock.now());
  await leases.update({ ...lease, spec: { ...lease.spec, renewTime } }, { namespace: 'kube-node-lease' });
  return renewTime;
}

function boundPod(name: string, node: string, tolerations?: Toleration[]): Pod & KubeObject {
  return { metadata: { name }, spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }], tolerations } } as Pod & KubeObject;
}

/** Waits for the taint eviction controller's "Marking for deletion" event for a pod (it has scheduled the eviction). */
async function markedForDeletion(pod: string): Promise<void> {
  await waitForObjects(
    rig.client.resource(resources.coreEvents),
    (evs) => evs.some((e) => e.reason === 'TaintManagerEviction' && e.involvedObject?.name === pod && /^Marking for deletion Pod default\//.test(e.message ?? '')),
    `TaintManagerEviction event for ${pod}`,
    { namespace: 'default' },
  );
}

/** A pod the eviction deleted: gone, or (bound to a node, so deleted gracefully) terminating. */
const evicted = (p: Pod | undefined) => p === undefined || !!p.metadata?.deletionTimestamp;

/** Advances the fake clock in steps, renewing the healthy node's Lease between them (as its agent would). */
async function advanceKeepingHealthy(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 20_000) {
    await clock.advance(Math.min(20_000, left));
    const renewed = await renewLease('healthy');
    await whenObserved('healthy', (h) => h.leaseRenewTime === renewed);
  }
}

const hasTaint = (n: Node | undefined, key: string, effect: string) => !!n?.spec?.taints?.some((t) => t.key === key && t.effect === effect);
const readyStatus = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('node lifecycle controller', () => {
  test('a node whose Lease is not renewed for the grace period goes Unknown, is tainted unreachable, and its pods are evicted per their tolerations', async () => {
    const nodes = rig.client.resource(resources.nodes);
    const pods = rig.client.resource(resources.pods);
    await createNode('stale', 'a');
    await createNode('healthy', 'b');
    await whenObserved('stale', (h) => !!h.leaseRenewTime);
    await whenObserved('healthy', (h) => !!h.leaseRenewTime);
    await pods.create(boundPod('default-tolerations', 'stale'), { namespace: 'default' });
    await pods.create(boundPod('forever', 'stale', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]), { namespace: 'default' });
    await pods.create(boundPod('short', 'stale', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }]), { namespace: 'default' });
    await pods.create(boundPod('elsewhere', 'healthy'), { namespace: 'default' });

    await clock.advance(25_000);
    const renewed = await renewLease('healthy');
    await whenObserved('healthy', (h) => h.leaseRenewTime === renewed);
    // Watch before the eviction can happen, so the DisruptionTarget update is seen even if the delete follows at once.
    const shortMarked = waitForObject(pods, 'default', 'short', (p) => !!p?.status?.conditions?.some((c) => c.type === 'DisruptionTarget'), 'DisruptionTarget on short', 20_000);
    await clock.advance(20_000);

    const stale = await waitForObject(nodes, undefined, "stale", (n) => readyStatus(n) === 'Unknown' && hasTaint(n, 'node.kubernetes.io/unreachable', 'NoSchedule') && hasTaint(n, 'node.kubernetes.io/unreachable', 'NoExecute'), 'stale node Unknown and tainted');
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = stale?.status?.conditions?.find((x) => x.type === type);
      assert.equal(c?.status, 'Unknown', type);
    }
    const ready = stale?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, 'NodeStatusUnknown');
    assert.equal(ready?.message, 'Kubelet stopped posting node status.');
    assert.equal(stale?.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
    const healthy = await nodes.get('healthy');
    assert.equal(readyStatus(healthy), 'True');
    assert.ok(!hasTaint(healthy, 'node.kubernetes.io/unreachable', 'NoExecute'));

    // tolerationSeconds 30: evicted after 30 s (counted from when the controller saw the taint), with the DisruptionTarget condition first.
    await markedForDeletion('short');
    await markedForDeletion('default-tolerations');
    await advanceKeepingHealthy(31_000);
    const marked = await shortMarked;
    const target = marked?.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.equal(target?.reason, 'DeletionByTaintManager');
    assert.equal(target?.message, 'Taint manager: deleting due to NoExecute taint');
    await waitForObject(pods, 'default', 'short', evicted, 'short deleted');
    const waiting = await pods.get('default-tolerations', { namespace: 'default' });
    assert.equal(waiting.metadata?.deletionTimestamp, undefined, 'the 300 s default toleration has not run out');

    // The admission default (300 s) runs out later; "forever" and the pod on the healthy node stay.
    await advanceKeepingHealthy(270_000);
    await waitForObject(pods, 'default', 'default-tolerations', evicted, 'default-tolerations deleted');
    const left = (await pods.list({ namespace: 'default' })).items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name).sort();
    assert.deepEqual(left, ['elsewhere', 'forever']);
  });

  test('a recovered node loses the unreachable taints', async () => {
    const nodes = rig.client.resource(resources.nodes);
    const node = await nodes.get('stale');
    const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c, status: c.type === 'Ready' ? 'True' : 'False', reason: 'KubeletReady', lastHeartbeatTime: iso(clock.now()) }));
    await nodes.updateStatus({ ...node, status: { ...node.status, conditions } });
    await renewLease('stale');
    await waitForObject(nodes, undefined, 'stale', (n) => !hasTaint(n, 'node.kubernetes.io/unreachable', 'NoSchedule'), 'NoSchedule taint removed');
    await clock.advance(5_000);
    const n = await waitForObject(nodes, undefined, 'stale', (x) => !hasTaint(x, 'node.kubernetes.io/unreachable', 'NoExecute'), 'NoExecute taint removed');
    assert.equal(readyStatus(n), 'True');
  });

  test('a pod that does not tolerate a NoExecute taint is deleted at once', async () => {
    const nodes = rig.client.resource(resources.nodes);
    const pods = rig.client.resource(resources.pods);
    await pods.create(boundPod('intolerant', 'healthy'), { namespace: 'default' });
    await pods.create(boundPod('tolerant', 'healthy', [{ key: 'example.com/maintenance', operator: 'Exists' }]), { namespace: 'default' });
    const marked = waitForObject(pods, 'default', 'intolerant', (p) => !!p?.status?.conditions?.some((c) => c.type === 'DisruptionTarget'), 'DisruptionTarget on intolerant');
    const node = await nodes.get('healthy');
    await nodes.update({ ...node, spec: { ...node.spec, taints: [...(node.spec?.taints ?? []), { key: 'example.com/maintenance', effect: 'NoExecute' }] } });
    await marked;
    await waitForObject(pods, 'default', 'intolerant', evicted, 'intolerant deleted');
    const tolerant = await pods.get('tolerant', { namespace: 'default' });
    assert.equal(tolerant.metadata?.deletionTimestamp, undefined);
  });

  test('a new node that has not reported Ready is tainted not-ready:NoSchedule', async () => {
    const nodes = rig.client.resource(resources.nodes);
    await nodes.create({ metadata: { name: 'fresh' } });
    const n = await waitForObject(nodes, undefined, 'fresh', (x) => hasTaint(x, 'node.kubernetes.io/not-ready', 'NoSchedule'), 'not-ready taint on a new node');
    assert.ok(n);
  });

  test('a taint write that meets a 409 Conflict is retried from a fresh GET, as upstream AddOrUpdateTaintOnNode', async () => {
    const nodes = rig.client.resource(resources.nodes);
    // Ready with a current heartbeat: the controllers leave this node alone.
    const ready = [{ type: 'Ready', status: 'True', lastHeartbeatTime: iso(clock.now()), lastTransitionTime: iso(clock.now()) }];
    const stale = (await nodes.create({ metadata: { name: 'raced' }, status: { conditions: ready } } as Node as never)) as Node;
    // Someone else writes the node after our copy was read: its resourceVersion is now stale.
    await nodes.update({ ...stale, metadata: { ...stale.metadata, labels: { written: 'meanwhile' } } } as never);
    const taint = { key: 'example.com/raced', effect: 'NoSchedule' };
    let retries = 0;
    const written = await updateNodeTaints(nodes, stale, (n) => [...(n.spec?.taints ?? []), taint], { backoff: async () => void retries++ });
    assert.equal(retries, 1);
    // The retry started from the fresh copy: the other writer's label is kept, and the taint landed.
    const n = await nodes.get('raced');
    assert.equal(n.metadata?.labels?.written, 'meanwhile');
    assert.deepEqual(n.spec?.taints, [taint]);
    assert.equal(written?.metadata?.resourceVersion, n.metadata?.resourceVersion);

    // Nothing to change: no write at all. A node that is gone: undefined, not an error.
    assert.equal(await updateNodeTaints(nodes, n, () => undefined), n);
    await nodes.delete('raced');
    assert.equal(await updateNodeTaints(nodes, n, () => [], { backoff: async () => assert.fail('a missing node is not retried') }), undefined);
  });
});

describe('node lifecycle pure logic', () => {
  const table: { name: string; statuses: (string | undefined)[]; state: string }[] = [
    { name: 'a zone with every node ready is normal', statuses: ['True', 'True'], state: 'Normal' },
    { name: 'a zone with no ready node is fully disrupted', statuses: ['Unknown', 'False'], state: 'FullDisruption' },
    { name: 'two not-ready nodes never make a partial disruption', statuses: ['True', 'Unknown', 'Unknown'], state: 'Normal' },
    { name: 'three of five not ready (>= 55%) is a partial disruption', statuses: ['True', 'True', 'Unknown', 'Unknown', 'False'], state: 'PartialDisruption' },
    { name: 'a node that never reported counts as not ready', statuses: [undefined, undefined, undefined, 'True'], state: 'PartialDisruption' },
  ];
  for (const row of table) {
    test(row.name, () => assert.equal(computeZoneState(row.statuses, 0.55).state, row.state));
  }

  test('tainting rates: normal and fully disrupted zones use the primary rate; partial disruption stops small zones and slows large ones', () => {
    assert.equal(zoneQPS('Normal', 3, defaultEvictionRates), 0.1);
    assert.equal(zoneQPS('FullDisruption', 3, defaultEvictionRates), 0.1);
    assert.equal(zoneQPS('PartialDisruption', 50, defaultEvictionRates), 0);
    assert.equal(zoneQPS('PartialDisruption', 51, defaultEvictionRates), 0.01);
  });

  test('tolerations: an untolerated taint evicts at once, the shortest tolerationSeconds wins, no seconds means forever', () => {
    const taints = [{ key: 'a', effect: 'NoExecute' }, { key: 'b', value: 'x', effect: 'NoExecute' }];
    assert.equal(matchingTolerations(taints, [{ key: 'a', operator: 'Exists' }]).allTolerated, false);
    const both = matchingTolerations(taints, [{ key: 'a', operator: 'Exists', tolerationSeconds: 60 }, { key: 'b', operator: 'Equal', value: 'x', tolerationSeconds: 10 }]);
    assert.equal(both.allTolerated, true);
    assert.equal(minTolerationMs(both.used), 10_000);
    assert.equal(minTolerationMs(matchingTolerations(taints, [{ operator: 'Exists' }]).used), -1);
  });

  test('NoSchedule taints follow conditions and spec.unschedulable', () => {
    const node = {
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'True' }, { type: 'DiskPressure', status: 'False' }] },
    } as Node;
    assert.deepEqual(desiredNoScheduleTaints(node), ['node.kubernetes.io/memory-pressure', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/unschedulable']);
  });
});
