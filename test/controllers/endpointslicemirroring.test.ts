// The EndpointSlice mirroring controller against the real API server: the hand-written Endpoints
// of a Service without a selector show up as EndpointSlices (upstream labels, owned by the
// Endpoints), follow their changes in place, skip what exceeds the per-subset cap with a warning
// (invalid IPs, which the API server already refuses, are covered by the pure tests), and go away when the Service gains a selector. Endpoints labelled
// skip-mirror — the `kubernetes` Service's among them — are left alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { startControllers, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../src/api/object.js';
import { newEndpointSliceMirroringController, reconcileMirror, shouldMirror } from '../../src/controllers/endpointslicemirroring/index.js';
import { createNamespace, createService } from './endpoints-fixtures.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([{ name: 'endpointslice-mirroring', create: (ctx) => newEndpointSliceMirroringController(ctx, { maxEndpointsPerSubset: 3 }) }]);
});
after(async () => {
  await rig?.close();
});

const managedBy = 'endpointslice.kubernetes.io/managed-by';
const mirroring = 'endpointslicemirroring-controller.k8s.io';
const slices = () => rig.client.resource(resources.endpointSlices);
const mirrored = (ns: string, svc: string, cond: (s: EndpointSlice[]) => boolean, what: string) =>
  waitForObjects(slices(), cond, what, { namespace: ns, labelSelector: `kubernetes.io/service-name=${svc},${managedBy}=${mirroring}` });
const ips = (s: EndpointSlice[]) => s.flatMap((x) => x.endpoints ?? []).flatMap((e) => e.addresses).sort();

async function createEndpoints(ns: string, name: string, subsets: Endpoints['subsets'], labels?: Record<string, string>): Promise<Endpoints & KubeObject> {
  return rig.client.resource(resources.endpoints).create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, labels }, subsets }, { namespace: ns });
}

describe('endpointslice mirroring controller', () => {
  test('Endpoints of a selector-less Service are mirrored with upstream labels and owner, and changes applied in place', async () => {
    const ns = 'mirror';
    await createNamespace(rig.client, ns);
    await createService(rig.client, ns, 'ext', { ports: [{ name: 'http', port: 80 }] });
    const ep = await createEndpoints(
      ns,
      'ext',
      [{ addresses: [{ ip: '192.0.2.1', hostname: 'a' }], notReadyAddresses: [{ ip: '192.0.2.2', nodeName: 'n1' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
      { team: 'blue' },
    );
    let got = await mirrored(ns, 'ext', (s) => ips(s).length === 2, 'mirrored slice');
    assert.equal(got.length, 1);
    const slice = got[0];
    assert.equal(slice.addressType, 'IPv4');
    assert.ok(slice.metadata?.name?.startsWith('ext-'));
    assert.equal(slice.metadata?.labels?.team, 'blue', 'the Endpoints labels are copied');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const owner = slice.metadata?.ownerReferences?.[0];
    assert.deepEqual({ kind: owner?.kind, name: owner?.name, uid: owner?.uid, controller: owner?.controller }, { kind: 'Endpoints', name: 'ext', uid: ep.metadata?.uid, controller: true });
    const byIp = (ip: string) => slice.endpoints.find((e) => e.addresses[0] === ip);
    assert.deepEqual(byIp('192.0.2.1'), { addresses: ['192.0.2.1'], conditions: { ready: true }, hostname: 'a' });
    assert.deepEqual(byIp('192.0.2.2'), { addresses: ['192.0.2.2'], conditions: { ready: false }, nodeName: 'n1' });

    const cur = await rig.client.resource(resources.endpoints).get('ext', { namespace: ns });
    await rig.client.resource(resources.endpoints).update({ ...cur, subsets: [{ addresses: [{ ip: '192.0.2.3' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] }, { namespace: ns });
    got = await mirrored(ns, 'ext', (s) => ips(s).join() === '192.0.2.3', 'slice follows the Endpoints');
    assert.equal(got.length, 1);
    assert.equal(got[0].metadata?.name, slice.metadata?.name, 'updated in place');
  });

  test('at most maxEndpointsPerSubset addresses of a subset are mirrored, with a TooManyAddressesToMirror warning', async () => {
    const ns = 'mirror';
    await createService(rig.client, ns, 'big', { ports: [{ port: 80 }] });
    await createEndpoints(ns, 'big', [{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `198.51.100.${i}` })), ports: [{ port: 80, protocol: 'TCP' }] }]);
    const got = await mirrored(ns, 'big', (s) => ips(s).length > 0, 'capped slice');
    assert.equal(ips(got).length, 3);
    const events = await waitForObjects(rig.client.resource(resources.coreEvents), (evs) => evs.some((e) => e.reason === 'TooManyAddressesToMirror'), 'TooManyAddressesToMirror event', { namespace: ns });
    const ev = events.find((e) => e.reason === 'TooManyAddressesToMirror')!;
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.involvedObject?.kind, 'Endpoints');
    assert.equal(ev.message, 'A max of 3 addresses can be mirrored to EndpointSlices per Endpoints subset. 2 addresses were skipped');
  });

  test('skip-mirror Endpoints (and the kubernetes Service) are not mirrored; a Service that gains a selector loses its mirrored slices', async () => {
    const ns = 'mirror';
    await createService(rig.client, ns, 'skipped', { ports: [{ port: 80 }] });
    await createEndpoints(ns, 'skipped', [{ addresses: [{ ip: '203.0.113.1' }], ports: [{ port: 80, protocol: 'TCP' }] }], { 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    const svc = await createService(rig.client, ns, 'later', { ports: [{ port: 80 }] });
    await createEndpoints(ns, 'later', [{ addresses: [{ ip: '203.0.113.2' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
    await mirrored(ns, 'later', (s) => s.length === 1, 'later mirrored');
    const skipped = await slices().list({ namespace: ns, labelSelector: 'kubernetes.io/service-name=skipped' });
    assert.equal(skipped.items.length, 0);
    const kube = await slices().list({ namespace: 'default', labelSelector: `${managedBy}=${mirroring}` });
    assert.equal(kube.items.length, 0, 'the API server keeps the kubernetes slice itself');
    const own = await slices().get('kubernetes', { namespace: 'default' });
    assert.deepEqual(own.metadata?.labels, { 'kubernetes.io/service-name': 'kubernetes' }, 'labelled as upstream: no managing controller');

    await rig.client.resource(resources.services).update({ ...svc, spec: { ...svc.spec, selector: { app: 'x' } } }, { namespace: ns });
    await mirrored(ns, 'later', (s) => s.length === 0, 'mirrored slices removed');
  });

  test('deleting the Endpoints, or the Service, removes the mirrored slices', async () => {
    const ns = 'mirror';
    for (const name of ['gone-ep', 'gone-svc']) {
      await createService(rig.client, ns, name, { ports: [{ port: 80 }] });
      await createEndpoints(ns, name, [{ addresses: [{ ip: '203.0.113.9' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
      await mirrored(ns, name, (s) => s.length === 1, `${name} mirrored`);
    }
    await rig.client.resource(resources.endpoints).delete('gone-ep', { namespace: ns });
    await rig.client.resource(resources.services).delete('gone-svc', { namespace: ns });
    await mirrored(ns, 'gone-ep', (s) => s.length === 0, 'slices of deleted Endpoints removed');
    await mirrored(ns, 'gone-svc', (s) => s.length === 0, 'slices of a deleted Service removed');
  });
});

describe('reconcileMirror', () => {
  const ep = (subsets: Endpoints['subsets'], extra: Partial<Endpoints['metadata']> = {}): Endpoints => ({ metadata: { name: 'svc', namespace: 'ns', uid: 'u1', ...extra }, subsets });

  test('groups addresses by family and port set, one slice each', () => {
    const plan = reconcileMirror(
      ep([
        { addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], ports: [{ port: 80, protocol: 'TCP' }] },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ port: 81, protocol: 'TCP' }] },
      ]),
      [],
    );
    assert.equal(plan.create.length, 3);
    assert.deepEqual(plan.create.map((s) => `${s.addressType}:${s.ports?.[0].port}:${s.endpoints.map((e) => e.addresses[0]).join()}`).sort(), ['IPv4:80:10.0.0.1', 'IPv4:81:10.0.0.2', 'IPv6:80:fd00::1']);
    assert.equal(plan.create[0].metadata?.generateName, 'svc-');
  });

  test('an up-to-date slice is left alone; a slice of a port set no longer wanted is reused for a new one', () => {
    const e = ep([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
    const [created] = reconcileMirror(e, []).create;
    const existing = { ...created, metadata: { ...created.metadata, name: 'svc-abc', resourceVersion: '5' } };
    const same = reconcileMirror(e, [existing]);
    assert.deepEqual([same.create.length, same.update.length, same.delete.length], [0, 0, 0]);
    const moved = reconcileMirror(ep([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 90, protocol: 'TCP' }] }]), [existing]);
    assert.deepEqual([moved.create.length, moved.update.length, moved.delete.length], [0, 1, 0]);
    assert.equal(moved.update[0].metadata?.name, 'svc-abc');
    assert.equal(moved.update[0].ports?.[0].port, 90);
  });

  test('addresses that are not IPs are skipped and counted; the per-subset cap counts them as skipped too', () => {
    const plan = reconcileMirror(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: 'bogus' }, { ip: '10.0.0.2' }], notReadyAddresses: [{ ip: '10.0.0.3' }], ports: [{ port: 80, protocol: 'TCP' }] }]), [], 2);
    assert.equal(plan.invalidAddresses, 1);
    assert.equal(plan.skippedAddresses, 2);
    assert.deepEqual(plan.create[0].endpoints.map((e) => e.addresses[0]), ['10.0.0.1', '10.0.0.2']);
  });

  test('skip-mirror "true" and leader-election locks are not mirrored', () => {
    assert.equal(shouldMirror(ep([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })), false);
    assert.equal(shouldMirror(ep([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } })), true);
    assert.equal(shouldMirror(ep([], { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })), false);
  });
});
