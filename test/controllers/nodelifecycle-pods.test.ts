// MarkPodsNotReady against the real API server, on a fake clock: when a node's Lease stops
// being renewed the node lifecycle controller takes the node to Ready=Unknown and marks every pod
// on it Ready=False (with a NodeNotReady event), so its EndpointSlice shows the pods not ready;
// a pod bound to such a node later is marked at once. Pods on healthy nodes are left alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { FakeClock } from '../../src/client/clock.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { newNodeLifecycleController, type NodeHealth } from '../../src/controllers/nodelifecycle/index.js';
import { notReadyConditions } from '../../src/controllers/nodelifecycle/mark-pods.js';
import { endpointSliceController } from '../../src/controllers/endpointslice/index.js';
import { createNamespace, createPod, createService, podManifest, setPodStatus } from './endpoints-fixtures.js';

const clock = new FakeClock(Date.now());
const observed: { name: string; health: NodeHealth }[] = [];
const observers: (() => void)[] = [];

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
    endpointSliceController,
  ]);
});
after(async () => {
  await rig?.close();
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const microIso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

async function createNode(name: string): Promise<void> {
  await rig.client.resource(resources.nodes).create({
    metadata: { name },
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

const podReady = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const endpointReady = (slices: EndpointSlice[], pod: string) => slices.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === pod)?.conditions?.ready;

describe('node lifecycle controller marks pods not ready', () => {
  test('pods on a node that goes Unknown become Ready=False with a NodeNotReady event, and their endpoints not ready; pods elsewhere stay ready', async () => {
    const ns = 'np';
    const pods = rig.client.resource(resources.pods);
    await createNamespace(rig.client, ns);
    await createNode('down');
    await createNode('up');
    await whenObserved('down', (h) => !!h.leaseRenewTime);
    await whenObserved('up', (h) => !!h.leaseRenewTime);
    await createService(rig.client, ns, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    await createPod(rig.client, ns, 'a', { ip: '10.2.0.1', nodeName: 'down' });
    await createPod(rig.client, ns, 'b', { ip: '10.2.0.2', nodeName: 'up' });
    const slices = rig.client.resource(resources.endpointSlices);
    const sliceOpts = { namespace: ns, labelSelector: 'kubernetes.io/service-name=web' };
    await waitForObjects(slices, (s) => endpointReady(s, 'a') === true && endpointReady(s, 'b') === true, 'both endpoints ready', sliceOpts);
    const before = await pods.get('a', { namespace: ns });

    await clock.advance(25_000);
    const renewed = await renewLease('up');
    await whenObserved('up', (h) => h.leaseRenewTime === renewed);
    await clock.advance(20_000);

    const a = await waitForObject(pods, ns, 'a', (p) => podReady(p) === 'False', 'pod a not ready');
    const cond = a?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.notEqual(cond?.lastTransitionTime, before.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, 'the transition time moves');
    assert.equal(a?.status?.phase, 'Running', 'only the condition changes');
    await waitForObjects(slices, (s) => endpointReady(s, 'a') === false, 'endpoint a not ready', sliceOpts);
    const events = await waitForObjects(
      rig.client.resource(resources.coreEvents),
      (evs) => evs.some((e) => e.reason === 'NodeNotReady' && e.involvedObject?.name === 'a'),
      'NodeNotReady event for pod a',
      { namespace: ns },
    );
    const ev = events.find((e) => e.reason === 'NodeNotReady' && e.involvedObject?.name === 'a');
    assert.equal(ev?.type, 'Warning');
    assert.equal(ev?.message, 'Node is not ready');
    assert.equal(podReady(await pods.get('b', { namespace: ns })), 'True');
    const s = await slices.list(sliceOpts);
    assert.equal(endpointReady(s.items, 'b'), true);
  });

  test('a ready pod bound to a node that is not Ready is marked not ready at once', async () => {
    const ns = 'np';
    const pods = rig.client.resource(resources.pods);
    await pods.create(podManifest(ns, 'late'), { namespace: ns });
    await setPodStatus(rig.client, ns, 'late', { ips: ['10.2.0.3'], ready: true });
    await pods.bind('late', { metadata: { name: 'late' }, target: { kind: 'Node', name: 'down' } }, { namespace: ns });
    await waitForObject(pods, ns, 'late', (p) => podReady(p) === 'False', 'late pod not ready');
  });
});

describe('notReadyConditions', () => {
  test('sets Ready to False keeping reason and message, and changes nothing when there is no Ready condition or it is already False', () => {
    const pod = { status: { conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True', reason: 'R', message: 'm', lastTransitionTime: '2020-01-01T00:00:00Z' }] } } as Pod;
    const next = notReadyConditions(pod, Date.parse('2024-01-01T00:00:00Z'));
    assert.deepEqual(next?.[1], { type: 'Ready', status: 'False', reason: 'R', message: 'm', lastTransitionTime: '2024-01-01T00:00:00Z' });
    assert.deepEqual(next?.[0], { type: 'Initialized', status: 'True' });
    assert.equal(notReadyConditions({ status: { conditions: [{ type: 'Initialized', status: 'True' }] } } as Pod, 0), undefined);
    assert.equal(notReadyConditions({ status: { conditions: [{ type: 'Ready', status: 'False' }] } } as Pod, 0), undefined);
  });
});
