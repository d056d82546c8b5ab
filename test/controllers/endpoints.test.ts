// The Endpoints controller against the real API server: Endpoints follow pod readiness, named
// target ports resolve per pod, terminating pods drop out, and selector-less services are left alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, type ControllerRig } from '../helpers/controllers.js';
import { endpointsController } from '../../src/controllers/endpoints/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { createNamespace, createPod, createService, setPodStatus } from './endpoints-fixtures.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([endpointsController]);
});
after(async () => {
  await rig?.close();
});

const ips = (ep: Endpoints | undefined, field: 'addresses' | 'notReadyAddresses') =>
  (ep?.subsets ?? []).flatMap((s) => (s[field] ?? []).map((a) => a.ip)).sort();

describe('endpoints controller', () => {
  test('ready pods are addresses, unready ones notReadyAddresses, and a readiness change moves a pod between them', async () => {
    const ns = 'ep-ready';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { tier: 'front' });
    await createPod(rig.client, ns, 'a', { ip: '10.1.0.1', ready: true, nodeName: 'n1' });
    await createPod(rig.client, ns, 'b', { ip: '10.1.0.2', ready: false });
    await createPod(rig.client, ns, 'other', { ip: '10.1.0.3', ready: true, labels: { app: 'db' } });
    const endpoints = rig.client.resource(resources.endpoints);
    let ep = await waitForObject(endpoints, ns, 'web', (e) => ips(e, 'addresses').length === 1 && ips(e, 'notReadyAddresses').length === 1, 'one ready and one unready address');
    assert.deepEqual(ips(ep, 'addresses'), ['10.1.0.1']);
    assert.deepEqual(ips(ep, 'notReadyAddresses'), ['10.1.0.2']);
    assert.equal(ep!.subsets!.length, 1, 'both pods offer the same port, so one subset');
    assert.deepEqual(ep!.subsets![0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const a = ep!.subsets![0].addresses![0];
    assert.equal(a.nodeName, 'n1');
    assert.equal(a.targetRef?.kind, 'Pod');
    assert.equal(a.targetRef?.name, 'a');
    assert.equal(a.targetRef?.namespace, ns);
    assert.ok(a.targetRef?.uid);
    assert.equal(ep!.metadata?.labels?.tier, 'front', 'the Endpoints carry the service labels');

    await setPodStatus(rig.client, ns, 'b', { ips: ['10.1.0.2'], ready: true, since: Date.now() + 1000 });
    ep = await waitForObject(endpoints, ns, 'web', (e) => ips(e, 'addresses').length === 2, 'both addresses ready');
    assert.deepEqual(ips(ep, 'addresses'), ['10.1.0.1', '10.1.0.2']);
    assert.deepEqual(ips(ep, 'notReadyAddresses'), []);
    assert.ok(ep!.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], 'a pod change after the first sync carries a trigger time');

    await setPodStatus(rig.client, ns, 'a', { ips: ['10.1.0.1'], ready: false, since: Date.now() + 2000 });
    ep = await waitForObject(endpoints, ns, 'web', (e) => ips(e, 'notReadyAddresses').length === 1 && ips(e, 'addresses').length === 1, 'pod a unready again');
    assert.deepEqual(ips(ep, 'notReadyAddresses'), ['10.1.0.1']);
  });

  test('a named targetPort resolves per pod, so pods with different container ports land in different subsets', async () => {
    const ns = 'ep-named';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web-port' }] });
    await createPod(rig.client, ns, 'p1', { ip: '10.2.0.1', ports: [['web-port', 8080]] });
    await createPod(rig.client, ns, 'p2', { ip: '10.2.0.2', ports: [['web-port', 9090]] });
    await createPod(rig.client, ns, 'p3', { ip: '10.2.0.3', ports: [['other', 7070]] });
    const ep = await waitForObject(rig.client.resource(resources.endpoints), ns, 'web', (e) => (e?.subsets?.length ?? 0) === 2, 'two subsets');
    const byPort = new Map(ep!.subsets!.map((s) => [s.ports![0].port, s.addresses!.map((x) => x.ip)]));
    assert.deepEqual(byPort.get(8080), ['10.2.0.1']);
    assert.deepEqual(byPort.get(9090), ['10.2.0.2']);
    assert.ok(!ips(ep, 'addresses').includes('10.2.0.3'), 'a pod without the named port is not an endpoint');
  });

  test('a terminating pod is excluded, unless the service publishes not-ready addresses', async () => {
    const ns = 'ep-term';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    await createService(rig.client, ns, 'all', { selector: { app: 'web' }, ports: [{ port: 80 }], publishNotReadyAddresses: true });
    await createPod(rig.client, ns, 'stay', { ip: '10.3.0.1', nodeName: 'n1' });
    await createPod(rig.client, ns, 'go', { ip: '10.3.0.2', nodeName: 'n1', terminationGracePeriodSeconds: 300 });
    await createPod(rig.client, ns, 'unready', { ip: '10.3.0.3', nodeName: 'n1', ready: false });
    const endpoints = rig.client.resource(resources.endpoints);
    await waitForObject(endpoints, ns, 'web', (e) => ips(e, 'addresses').length === 2, 'two ready addresses');
    // With a node and a grace period the pod stays, terminating, until its kubelet confirms.
    await rig.client.resource(resources.pods).delete('go', { namespace: ns });
    const ep = await waitForObject(endpoints, ns, 'web', (e) => ips(e, 'addresses').length === 1, 'the terminating pod removed');
    assert.deepEqual(ips(ep, 'addresses'), ['10.3.0.1']);
    const all = await waitForObject(endpoints, ns, 'all', (e) => ips(e, 'addresses').length === 3, 'every pod published');
    assert.deepEqual(ips(all, 'addresses'), ['10.3.0.1', '10.3.0.2', '10.3.0.3'], 'publishNotReadyAddresses lists unready and terminating pods as ready');
  });

  test('hostname is set for pods whose subdomain is the service, and a headless service is labelled so', async () => {
    const ns = 'ep-host';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'db', { selector: { app: 'db' }, clusterIP: 'None' });
    await createPod(rig.client, ns, 'db-0', { ip: '10.4.0.1', labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' });
    await createPod(rig.client, ns, 'db-x', { ip: '10.4.0.2', labels: { app: 'db' }, hostname: 'x', subdomain: 'elsewhere' });
    const ep = await waitForObject(rig.client.resource(resources.endpoints), ns, 'db', (e) => ips(e, 'addresses').length === 2, 'two addresses');
    const addrs = ep!.subsets![0].addresses!;
    assert.equal(addrs.find((x) => x.ip === '10.4.0.1')?.hostname, 'db-0');
    assert.equal(addrs.find((x) => x.ip === '10.4.0.2')?.hostname, undefined);
    assert.equal(ep!.subsets![0].ports, undefined, 'a headless service without ports has port-less subsets');
    assert.equal(ep!.metadata?.labels?.['service.kubernetes.io/headless'], '');
  });

  test('a service without a selector gets no Endpoints from the controller, and manual ones are left alone', async () => {
    const ns = 'ep-manual';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'ext', { ports: [{ port: 80 }] });
    const endpoints = rig.client.resource(resources.endpoints);
    const manual = await endpoints.create({ metadata: { name: 'ext', namespace: ns }, subsets: [{ addresses: [{ ip: '192.168.0.9' }], ports: [{ port: 80 }] }] }, { namespace: ns });
    // A selector service created afterwards is synced; once its Endpoints exist the controller
    // has also processed everything queued before, including the selector-less one.
    await createService(rig.client, ns, 'sel', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    await waitForObject(endpoints, ns, 'sel', (e) => e !== undefined, 'Endpoints for the selector service');
    const still = await endpoints.get('ext', { namespace: ns });
    assert.equal(still.metadata?.resourceVersion, manual.metadata?.resourceVersion);
    const kube = await endpoints.get('kubernetes', { namespace: 'default' });
    assert.ok(kube.subsets?.length, 'the kubernetes Endpoints (maintained by the API server) are still there');
  });

  test('deleting the service deletes its Endpoints', async () => {
    const ns = 'ep-delete';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    await createPod(rig.client, ns, 'a', { ip: '10.5.0.1' });
    const endpoints = rig.client.resource(resources.endpoints);
    await waitForObject(endpoints, ns, 'web', (e) => ips(e, 'addresses').length === 1, 'an address');
    await rig.client.resource(resources.services).delete('web', { namespace: ns });
    await waitForObject(endpoints, ns, 'web', (e) => e === undefined, 'Endpoints deleted');
  });
});
