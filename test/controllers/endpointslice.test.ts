// The EndpointSlice controller against the real API server: slices follow readiness, carry
// upstream's labels, owner and conditions, split at 100 endpoints and change in place.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { startControllers, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { endpointSliceController } from '../../src/controllers/endpointslice/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { createNamespace, createNode, createPod, createService, setPodStatus } from './endpoints-fixtures.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([endpointSliceController]);
  await createNode(rig.client, 'node-a', 'zone-1');
  await createNode(rig.client, 'node-b');
});
after(async () => {
  await rig?.close();
});

type S = EndpointSlice;
const slicesOf = (ns: string, svc: string, cond: (s: S[]) => boolean, what: string) =>
  waitForObjects(rig.client.resource(resources.endpointSlices), cond, what, { namespace: ns, labelSelector: `kubernetes.io/service-name=${svc}` });
const endpoints = (slices: S[]) => slices.flatMap((s) => s.endpoints ?? []);
const byPod = (slices: S[], pod: string) => endpoints(slices).find((e) => e.targetRef?.name === pod);

describe('endpointslice controller', () => {
  test('a service gets one IPv4 slice with upstream labels, owner, ports and endpoint conditions that follow readiness in place', async () => {
    const ns = 'es-ready';
    await createNamespace(rig.client, ns);
    const svc = await createService(
      rig.client,
      ns,
      'web',
      { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web', appProtocol: 'http' }] },
      { team: 'blue' },
    );
    await createPod(rig.client, ns, 'a', { ip: '10.1.0.1', nodeName: 'node-a', ports: [['web', 8080]] });
    await createPod(rig.client, ns, 'b', { ip: '10.1.0.2', nodeName: 'node-b', ports: [['web', 8080]], ready: false });
    let slices = await slicesOf(ns, 'web', (s) => endpoints(s).length === 2, 'two endpoints');
    assert.equal(slices.length, 1);
    const slice = slices[0];
    assert.equal(slice.addressType, 'IPv4');
    assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(slice.metadata?.labels?.team, 'blue', 'service labels are copied');
    assert.ok(slice.metadata?.name?.startsWith('web-'));
    const owner = slice.metadata?.ownerReferences?.[0];
    assert.deepEqual(
      { apiVersion: owner?.apiVersion, kind: owner?.kind, name: owner?.name, uid: owner?.uid, controller: owner?.controller, blockOwnerDeletion: owner?.blockOwnerDeletion },
      { apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata?.uid, controller: true, blockOwnerDeletion: true },
      'owned by the service, so deleting it deletes the slices',
    );
    assert.deepEqual(slice.ports, [{ name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' }]);
    const a = byPod(slices, 'a')!;
    assert.deepEqual(a.addresses, ['10.1.0.1']);
    assert.deepEqual(a.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(a.nodeName, 'node-a');
    assert.equal(a.zone, 'zone-1', 'zone from the node topology label');
    assert.equal(a.hints, undefined);
    assert.equal(a.targetRef?.kind, 'Pod');
    const b = byPod(slices, 'b')!;
    assert.deepEqual(b.conditions, { ready: false, serving: false, terminating: false });
    assert.equal(b.zone, undefined);

    await setPodStatus(rig.client, ns, 'b', { ips: ['10.1.0.2'], ready: true, since: Date.now() + 1000 });
    slices = await slicesOf(ns, 'web', (s) => byPod(s, 'b')?.conditions?.ready === true, 'pod b ready');
    assert.equal(slices.length, 1);
    assert.equal(slices[0].metadata?.uid, slice.metadata?.uid, 'the slice was updated in place, not recreated');
    assert.ok(slices[0].metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
  });

  test('a terminating pod stays with terminating=true, ready=false and serving from its readiness', async () => {
    const ns = 'es-term';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    await createService(rig.client, ns, 'all', { selector: { app: 'web' }, ports: [{ port: 80 }], publishNotReadyAddresses: true });
    await createPod(rig.client, ns, 'go', { ip: '10.2.0.1', nodeName: 'node-a', terminationGracePeriodSeconds: 300 });
    await createPod(rig.client, ns, 'unready', { ip: '10.2.0.2', nodeName: 'node-a', ready: false });
    await slicesOf(ns, 'web', (s) => endpoints(s).length === 2, 'two endpoints');
    await rig.client.resource(resources.pods).delete('go', { namespace: ns });
    const slices = await slicesOf(ns, 'web', (s) => byPod(s, 'go')?.conditions?.terminating === true, 'pod go terminating');
    assert.deepEqual(byPod(slices, 'go')!.conditions, { ready: false, serving: true, terminating: true });
    const all = await slicesOf(ns, 'all', (s) => byPod(s, 'go')?.conditions?.terminating === true && byPod(s, 'unready') !== undefined, 'published');
    assert.deepEqual(byPod(all, 'unready')!.conditions, { ready: true, serving: false, terminating: false }, 'publishNotReadyAddresses makes every endpoint ready');
    assert.deepEqual(byPod(all, 'go')!.conditions, { ready: true, serving: true, terminating: true });
  });

  test('a pod on a node that does not exist is left out until the node appears', async () => {
    const ns = 'es-node';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    await createPod(rig.client, ns, 'known', { ip: '10.3.0.1', nodeName: 'node-a' });
    await createPod(rig.client, ns, 'lost', { ip: '10.3.0.2', nodeName: 'node-later' });
    let slices = await slicesOf(ns, 'web', (s) => endpoints(s).length === 1, 'one endpoint');
    assert.equal(byPod(slices, 'lost'), undefined);
    await createNode(rig.client, 'node-later', 'zone-9');
    slices = await slicesOf(ns, 'web', (s) => endpoints(s).length === 2, 'the pod on the new node', );
    assert.equal(byPod(slices, 'lost')?.zone, 'zone-9');
  });

  test('a service with no pods has one empty placeholder slice; one without a selector has none', async () => {
    const ns = 'es-empty';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'manual', { ports: [{ port: 80 }] });
    await createService(rig.client, ns, 'empty', { selector: { app: 'none' }, ports: [{ port: 80 }] });
    const slices = await slicesOf(ns, 'empty', (s) => s.length === 1, 'a placeholder');
    assert.deepEqual(slices[0].endpoints ?? [], []);
    assert.deepEqual(slices[0].ports ?? [], []);
    const manual = await rig.client.resource(resources.endpointSlices).list({ namespace: ns, labelSelector: 'kubernetes.io/service-name=manual' });
    assert.equal(manual.items.length, 0);
  });

  test('150 pods split into slices of at most 100, and scaling down updates slices instead of recreating them', async () => {
    const ns = 'es-scale';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'big', { selector: { app: 'big' }, ports: [{ port: 80 }] });
    const names = Array.from({ length: 150 }, (_, i) => `p${i}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((n, j) => createPod(rig.client, ns, n, { ip: `10.9.${Math.floor((i + j) / 200)}.${(i + j) % 200 + 1}`, nodeName: 'node-b', labels: { app: 'big' } })));
    }
    const slices = await slicesOf(ns, 'big', (s) => endpoints(s).length === 150, '150 endpoints', );
    assert.equal(slices.length, 2);
    assert.deepEqual(slices.map((s) => s.endpoints!.length).sort((x, y) => x - y), [50, 100]);
    const uids = new Set(slices.map((s) => s.metadata?.uid));
    const pods = rig.client.resource(resources.pods);
    await Promise.all(names.slice(0, 30).map((n) => pods.delete(n, { namespace: ns, gracePeriodSeconds: 0 })));
    const after = await slicesOf(ns, 'big', (s) => endpoints(s).length === 120, '120 endpoints');
    assert.ok(after.every((s) => uids.has(s.metadata?.uid)), 'the same slices were updated');
    assert.ok(after.every((s) => s.endpoints!.length <= 100));
  });
});
