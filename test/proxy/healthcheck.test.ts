// Health checks of the service proxy against the real API server: health-check node ports of
// LoadBalancer Services with externalTrafficPolicy Local (what an external load balancer probes
// to find nodes with local endpoints), and the proxier's own /healthz and /livez.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { ProxierHealth } from '../../src/proxy/healthcheck/proxier-health.js';
import { connectResult, createService, startEnv, writeSlice } from './helpers.js';

function fetchJson(host: string, port: number, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  return new Promise((resolve, reject) => {
    get({ host, port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

test('a LoadBalancer Service with externalTrafficPolicy Local answers on its healthCheckNodePort with the ready endpoints on this node', async () => {
  const env = await startEnv();
  try {
    const svc = await createService(env.client, 'lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80 }, { name: 'alt', port: 81 }] });
    const hcPort = svc.spec!.healthCheckNodePort!;
    assert.ok(hcPort >= 30000, 'the API server allocated the port');
    const endpoints = [{ ip: '10.0.0.1', nodeName: 'node-a' }, { ip: '10.0.0.2', nodeName: 'node-a' }, { ip: '10.0.0.3', nodeName: 'node-b' }];
    const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'alt', port: 8081, protocol: 'TCP' }];
    let slice = await writeSlice(env.client, 'lb', 'lb-1', endpoints, ports);
    await env.proxy.synced([svc, slice]);

    const healthy = await fetchJson(env.nodeAddress, hcPort, '/healthz');
    assert.equal(healthy.status, 200);
    // Distinct endpoints of this node across the Service's ports: 2, not 4 (and not node-b's).
    assert.deepEqual(healthy.body, { service: { namespace: 'default', name: 'lb' }, localEndpoints: 2, serviceProxyHealthy: true });
    assert.equal(healthy.headers['x-load-balancing-endpoint-weight'], '2');
    assert.equal(healthy.headers['content-type'], 'application/json');

    slice = await writeSlice(env.client, 'lb', 'lb-1', [{ ip: '10.0.0.1', nodeName: 'node-a', ready: false }, { ip: '10.0.0.3', nodeName: 'node-b' }], ports);
    await env.proxy.synced(slice);
    const drained = await fetchJson(env.nodeAddress, hcPort, '/anything');
    assert.equal(drained.status, 503, 'no ready endpoint here: the load balancer must skip this node');
    assert.equal(drained.body.localEndpoints, 0);

    const cluster = await env.client.resource(resources.services).patch('lb', { spec: { externalTrafficPolicy: 'Cluster' } }, { namespace: 'default', type: 'merge' });
    assert.equal(cluster.spec?.healthCheckNodePort, undefined);
    await env.proxy.synced(cluster);
    assert.equal(await connectResult(env.nodeAddress, hcPort), 'ECONNREFUSED', 'the port closes with the need for it');
  } finally {
    await env.close();
  }
});

test('the proxier is healthy while changes are applied in time, unhealthy when one waits past the timeout', () => {
  let now = 1_000_000;
  const h = new ProxierHealth(60_000, () => now);
  assert.equal(h.health().healthy, true);
  h.queued();
  now += 60_000;
  assert.equal(h.health().healthy, true, 'exactly at the timeout');
  now += 1;
  assert.equal(h.health().healthy, false);
  h.updated();
  assert.equal(h.health().healthy, true);
  assert.equal(h.health().lastUpdated.getTime(), now);
});

test('/healthz and /livez: 200 with the sync times; /healthz turns 503 (nodeEligible false) once this node is being deleted', async () => {
  const env = await startEnv({ healthz: { host: '127.0.0.1', port: 0 } });
  try {
    const port = env.proxy.healthzPort!;
    const ok = await fetchJson('127.0.0.1', port, '/healthz');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.nodeEligible, true);
    assert.ok(Date.parse(ok.body.lastUpdated) <= Date.parse(ok.body.currentTime));

    const nodes = env.client.resource(resources.nodes);
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', finalizers: ['k8ts.io/test'] } });
    await nodes.delete('node-a');
    const deadline = Date.now() + 10_000;
    let res = await fetchJson('127.0.0.1', port, '/healthz');
    while (res.status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      res = await fetchJson('127.0.0.1', port, '/healthz');
    }
    assert.equal(res.status, 503);
    assert.equal(res.body.nodeEligible, false);
    const live = await fetchJson('127.0.0.1', port, '/livez');
    assert.equal(live.status, 200, '/livez is about the proxy alone');
    assert.equal(live.body.nodeEligible, undefined);
    await nodes.patch('node-a', { metadata: { finalizers: null } }, { type: 'merge' });
  } finally {
    await env.close();
  }
});
