// The lease endpoint reconciler: upstream's cases for what it writes given the Endpoints it finds
// (checkEndpointSubsetFormatWithLease and the repair), then reconcilers of several "servers" on
// one real API server and SQLite store, each with its own leases and clock: the Endpoints and
// EndpointSlice list every live server, are written only when they differ, lose a server that
// withdraws at once and one that stops refreshing once its lease runs out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoints, EndpointPort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointsAdapter, endpointSliceFromEndpoints } from '../../../src/apiserver/kubernetes-service/endpoints-adapter.js';
import { LeaseEndpointReconciler, reconcileEndpointsObject } from '../../../src/apiserver/kubernetes-service/lease-reconciler.js';
import { MasterLeases } from '../../../src/apiserver/kubernetes-service/master-leases.js';
import { systemContext } from '../../../src/apiserver/registry/context.js';
import { ApiServer } from '../../../src/apiserver/server.js';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';

const port = (p: number, name = 'https', protocol = 'TCP'): EndpointPort => ({ name, port: p, protocol });
const skipMirror = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };

function endpoints(ips: string[], ports: EndpointPort[], labels: Record<string, string> = skipMirror): Endpoints {
  return { metadata: { name: 'kubernetes', namespace: 'default', labels }, subsets: [{ addresses: ips.map((ip) => ({ ip })), ports }] };
}

describe('what the reconciler writes over the Endpoints it finds (upstream\'s cases)', () => {
  const cases: { name: string; found: Endpoints; leases: string[]; ports: EndpointPort[]; reconcilePorts?: boolean; want: Endpoints | undefined }[] = [
    { name: 'endpoints that list exactly the leases with the right port are left alone', found: endpoints(['1.2.3.4'], [port(8080)]), leases: ['1.2.3.4'], ports: [port(8080)], want: undefined },
    { name: 'the same IPs in another order are left alone', found: endpoints(['4.3.2.2', '4.3.2.1'], [port(8080)]), leases: ['4.3.2.1', '4.3.2.2'], ports: [port(8080)], want: undefined },
    { name: 'an address without a lease is dropped', found: endpoints(['1.2.3.4', '4.3.2.1'], [port(8080)]), leases: ['1.2.3.4'], ports: [port(8080)], want: endpoints(['1.2.3.4'], [port(8080)]) },
    {
      name: 'every lease is listed, sorted, and only those',
      found: endpoints(['1.2.3.4', '4.3.2.1', '4.3.2.2', '4.3.2.3', '4.3.2.4'], [port(8080)]),
      leases: ['4.3.2.1', '4.3.2.2', '4.3.2.3', '4.3.2.4'],
      ports: [port(8080)],
      want: endpoints(['4.3.2.1', '4.3.2.2', '4.3.2.3', '4.3.2.4'], [port(8080)]),
    },
    { name: 'a new server\'s IP is added', found: endpoints(['4.3.2.1'], [port(8080)]), leases: ['4.3.2.1', '4.3.2.2'], ports: [port(8080)], want: endpoints(['4.3.2.1', '4.3.2.2'], [port(8080)]) },
    { name: 'a wrong IP is replaced', found: endpoints(['4.3.2.1'], [port(8080)]), leases: ['1.2.3.4'], ports: [port(8080)], want: endpoints(['1.2.3.4'], [port(8080)]) },
    { name: 'a wrong port number is reset', found: endpoints(['1.2.3.4'], [port(9090)]), leases: ['1.2.3.4'], ports: [port(8080)], want: endpoints(['1.2.3.4'], [port(8080)]) },
    { name: 'a wrong protocol is reset', found: endpoints(['1.2.3.4'], [port(8080, 'https', 'UDP')]), leases: ['1.2.3.4'], ports: [port(8080)], want: endpoints(['1.2.3.4'], [port(8080)]) },
    { name: 'a wrong port name is reset', found: endpoints(['1.2.3.4'], [port(8080, 'foo')]), leases: ['1.2.3.4'], ports: [port(8080, 'baz')], want: endpoints(['1.2.3.4'], [port(8080, 'baz')]) },
    { name: 'a missing port is added', found: endpoints(['1.2.3.4'], [port(8080)]), leases: ['1.2.3.4'], ports: [port(8080), port(1000, 'bar')], want: endpoints(['1.2.3.4'], [port(8080), port(1000, 'bar')]) },
    { name: 'without port reconciliation a missing port stays missing', found: endpoints(['1.2.3.4'], [port(8080)]), leases: ['1.2.3.4'], ports: [port(8080), port(1000, 'bar')], reconcilePorts: false, want: undefined },
    { name: 'without port reconciliation a wrong IP is fixed and the ports kept', found: endpoints(['4.3.2.1'], [port(8080)]), leases: ['1.2.3.4'], ports: [port(8080), port(1000, 'bar')], reconcilePorts: false, want: endpoints(['1.2.3.4'], [port(8080)]) },
    { name: 'a missing skip-mirror label is added', found: endpoints(['1.2.3.4'], [port(8080)], {}), leases: ['1.2.3.4'], ports: [port(8080)], want: endpoints(['1.2.3.4'], [port(8080)]) },
    {
      name: 'two subsets are made one again',
      found: { metadata: { name: 'kubernetes', namespace: 'default', labels: skipMirror }, subsets: [{ addresses: [{ ip: '1.2.3.4' }], ports: [port(8080)] }, { addresses: [{ ip: '4.3.2.1' }], ports: [port(9090)] }] },
      leases: ['1.2.3.4', '4.3.2.1'],
      ports: [port(8080)],
      want: endpoints(['1.2.3.4', '4.3.2.1'], [port(8080)]),
    },
    { name: 'an Endpoints with no subsets gets one', found: { metadata: { name: 'kubernetes', namespace: 'default', labels: skipMirror } }, leases: ['1.2.3.4'], ports: [port(8080)], reconcilePorts: false, want: endpoints(['1.2.3.4'], [port(8080)]) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(reconcileEndpointsObject(structuredClone(c.found), c.leases, c.ports, c.reconcilePorts ?? true), c.want);
    });
  }

  test('the EndpointSlice carries the ports and the ready addresses; IPv6 when every address is', () => {
    assert.deepEqual(endpointSliceFromEndpoints(endpoints(['10.0.0.1', '10.0.0.2'], [port(6443)])), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: true } },
        { addresses: ['10.0.0.2'], conditions: { ready: true } },
      ],
      ports: [port(6443)],
    });
    assert.equal(endpointSliceFromEndpoints(endpoints(['fd00::1'], [port(6443)])).addressType, 'IPv6');
  });
});

describe('reconcilers of several servers on one API server and store', () => {
  let dir: string;
  let store: SqliteStore;
  let api: ApiServer;
  const ports = [port(6443)];

  /** One "server": its leases with its own clock, its reconciler. */
  function server(ttlMs = 15_000): { reconciler: LeaseEndpointReconciler; advance(ms: number): void } {
    let t = 0;
    const leases = new MasterLeases({ store, ttlMs, now: () => t });
    return { reconciler: new LeaseEndpointReconciler(new EndpointsAdapter(api.generic, api.registry), leases), advance: (ms) => (t += ms) };
  }

  const endpointsEntry = () => api.registry.find('', 'v1', 'endpoints')!;
  const slicesEntry = () => api.registry.find('discovery.k8s.io', 'v1', 'endpointslices')!;
  const readEndpoints = async () => (await api.generic.get(endpointsEntry(), 'default', 'kubernetes')) as Endpoints & { metadata: { resourceVersion: string } };
  const readSlice = async () => (await api.generic.get(slicesEntry(), 'default', 'kubernetes')) as unknown as EndpointSlice & { metadata: { resourceVersion: string } };
  const listed = async () => {
    const [e, s] = await Promise.all([readEndpoints(), readSlice()]);
    return { endpoints: e.subsets?.map((ss) => [ss.addresses?.map((a) => a.ip), ss.ports?.map((p) => p.port)]), slice: s.endpoints.map((ep) => ep.addresses[0]) };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-reconciler-'));
    store = openSqliteStore({ path: join(dir, 'state.db') });
    // Bootstrap writes the Service only: the endpoints are this test's reconcilers'.
    api = new ApiServer(store, undefined, { endpointReconciler: { type: 'none' } });
    await api.start();
    api.advertise = { host: '127.0.0.1', port: 6443 };
    await api.bootstrap();
  });
  after(async () => {
    api.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('with --endpoint-reconciler-type none nothing writes the endpoints', async () => {
    await assert.rejects(readEndpoints(), /not found/);
    await assert.rejects(readSlice(), /not found/);
  });

  test('servers that reconcile are all listed, sorted; a pass with nothing new writes neither object; a withdrawn server is gone at once; a silent one once its lease runs out', async () => {
    const a = server();
    const b = server();
    const c = server(1000);
    await a.reconciler.reconcileEndpoints('127.0.0.3', ports, true);
    await b.reconciler.reconcileEndpoints('127.0.0.2', ports, true);
    await c.reconciler.reconcileEndpoints('127.0.0.4', ports, true);
    // c wrote last and saw everyone; a and b agree.
    assert.deepEqual(await listed(), { endpoints: [[['127.0.0.2', '127.0.0.3', '127.0.0.4'], [6443]]], slice: ['127.0.0.2', '127.0.0.3', '127.0.0.4'] });
    const e = await readEndpoints();
    assert.deepEqual(e.metadata.labels, skipMirror);

    const before = [(await readEndpoints()).metadata.resourceVersion, (await readSlice()).metadata.resourceVersion];
    await a.reconciler.reconcileEndpoints('127.0.0.3', ports, false);
    await b.reconciler.reconcileEndpoints('127.0.0.2', ports, false);
    assert.deepEqual([(await readEndpoints()).metadata.resourceVersion, (await readSlice()).metadata.resourceVersion], before, 'no write when nothing differs');

    await b.reconciler.stopReconciling();
    await b.reconciler.removeEndpoints('127.0.0.2', ports);
    assert.deepEqual((await listed()).slice, ['127.0.0.3', '127.0.0.4'], 'withdrawn at once');
    await b.reconciler.reconcileEndpoints('127.0.0.2', ports, false);
    assert.deepEqual((await listed()).slice, ['127.0.0.3', '127.0.0.4'], 'a stopped reconciler does not come back');

    // c stops refreshing (a crash): a drops it once c's 1 s lease has gone unchanged that long on a's clock.
    a.advance(999);
    await a.reconciler.reconcileEndpoints('127.0.0.3', ports, false);
    assert.deepEqual((await listed()).slice, ['127.0.0.3', '127.0.0.4'], 'not yet');
    a.advance(1);
    await a.reconciler.reconcileEndpoints('127.0.0.3', ports, false);
    assert.deepEqual(await listed(), { endpoints: [[['127.0.0.3'], [6443]]], slice: ['127.0.0.3'] });
  });

  test('an EndpointSlice changed behind the reconciler\'s back is put right though the Endpoints are right', async () => {
    const a = server();
    await a.reconciler.reconcileEndpoints('127.0.0.3', ports, true);
    await api.generic.update(slicesEntry(), 'default', 'kubernetes', '', systemContext(), (cur) => ({ ...cur, endpoints: [{ addresses: ['10.9.9.9'], conditions: { ready: true } }] }));
    await a.reconciler.reconcileEndpoints('127.0.0.3', ports, false);
    assert.deepEqual((await listed()).slice, ['127.0.0.3']);
  });

  test('the last server to withdraw leaves its address for the next one to replace', async () => {
    const a = server();
    await a.reconciler.reconcileEndpoints('127.0.0.3', ports, true);
    await a.reconciler.stopReconciling();
    await a.reconciler.removeEndpoints('127.0.0.3', ports);
    assert.deepEqual(await listed(), { endpoints: [[['127.0.0.3'], [6443]]], slice: ['127.0.0.3'] });
    const next = server();
    await next.reconciler.reconcileEndpoints('127.0.0.5', [port(7443)], true);
    assert.deepEqual(await listed(), { endpoints: [[['127.0.0.5'], [7443]]], slice: ['127.0.0.5'] });
  });
});
