// forKind through discovery: aggregated discovery from the real server, the same answers as the
// legacy documents, a cache that is used, and one refresh on a miss.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../../src/client/rest/client.js';
import { InProcessTransport } from '../../../src/client/transport/in-process.js';
import type { Transport, TransportRequest, TransportResponse } from '../../../src/client/types.js';
import { adminUser, startInProcessApi, type InProcessApi } from '../transport/in-process-api.js';

let env: InProcessApi;
before(async () => {
  env = await startInProcessApi();
});
after(async () => {
  await env.close();
});

/** Records every path and lets a test strip the aggregated Accept to force legacy discovery. */
class Recording implements Transport {
  paths: string[] = [];
  constructor(
    private readonly inner: Transport,
    private readonly legacyOnly = false,
  ) {}
  request(req: TransportRequest): Promise<TransportResponse> {
    this.paths.push(req.path);
    if (this.legacyOnly && req.headers?.accept) req = { ...req, headers: { ...req.headers, accept: 'application/json' } };
    return this.inner.request(req);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const client = (legacyOnly = false) => {
  const t = new Recording(new InProcessTransport(env.api.handle as never, adminUser), legacyOnly);
  return { t, c: new Client({ transport: t }) };
};

const kinds = [
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false },
];

for (const legacy of [false, true]) {
  test(`forKind resolves group, version, plural and scope through ${legacy ? 'legacy' : 'aggregated'} discovery`, async () => {
    const { t, c } = client(legacy);
    for (const k of kinds) {
      const rc = await c.forKind(k.apiVersion, k.kind);
      assert.equal(rc.ref.plural, k.plural, k.kind);
      assert.equal(rc.ref.namespaced, k.namespaced, k.kind);
    }
    const discoveryRequests = t.paths.filter((p) => p === '/api' || p.startsWith('/api/') || p.startsWith('/apis'));
    if (legacy) assert.ok(discoveryRequests.length > 2, 'legacy discovery reads one document per group version');
    else assert.deepEqual(discoveryRequests.sort(), ['/api', '/apis'], 'aggregated discovery is two requests, cached for every lookup');
    const deployment = (await c.discovery.resources()).find((r) => r.plural === 'deployments');
    assert.ok(deployment?.subresources.includes('scale') && deployment.subresources.includes('status'));
  });
}

test('a client from forKind works: create and get a Deployment found by kind', async () => {
  const { c } = client();
  const deployments = await c.forKind('apps/v1', 'Deployment', 'default');
  await deployments.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'by-kind' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  assert.equal((await deployments.get('by-kind')).kind, 'Deployment');
});

test('an unknown kind refreshes discovery once, then fails with a message naming the kind', async () => {
  const { t, c } = client();
  await c.forKind('v1', 'Pod');
  t.paths = [];
  await assert.rejects(c.forKind('example.com/v1', 'Widget'), /no resource serves kind Widget in example\.com\/v1/);
  assert.deepEqual(t.paths.sort(), ['/api', '/apis']);
});
