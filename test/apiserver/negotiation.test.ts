// Content negotiation and protocols: Table and PartialObjectMetadata responses, 406 for what
// cannot be served, aggregated vs legacy discovery, OpenAPI v3 caching, and HTTP/2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.request('POST', '/api/v1/namespaces/default/pods', {
    body: JSON.stringify({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }),
  });
});
after(async () => {
  await c?.close();
});

const table = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('negotiation', () => {
  test('lists as a Table have upstream pod columns, wide columns at priority 1, and row objects as PartialObjectMetadata', async () => {
    const r = await c.request('GET', '/api/v1/namespaces/default/pods', { headers: { Accept: table } });
    const t = r.json();
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    const cols = t.columnDefinitions.map((d: { name: string; priority: number }) => `${d.name}:${d.priority}`);
    assert.deepEqual(cols.slice(0, 5), ['Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0']);
    assert.ok(cols.includes('IP:1') && cols.includes('Node:1'));
    assert.equal(t.rows.length, 1);
    assert.deepEqual(t.rows[0].cells.slice(0, 4), ['web', '0/1', 'Pending', '0']);
    assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(t.rows[0].object.metadata.labels.app, 'web');
  });

  test('PartialObjectMetadataList for metadata-only clients', async () => {
    const r = await c.request('GET', '/api/v1/namespaces/default/pods', { headers: { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } });
    const l = r.json();
    assert.equal(l.kind, 'PartialObjectMetadataList');
    assert.equal(l.items[0].kind, 'PartialObjectMetadata');
    assert.equal(l.items[0].spec, undefined);
    const one = (await c.request('GET', '/api/v1/namespaces/default/pods/web', { headers: { Accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } })).json();
    assert.equal(one.kind, 'PartialObjectMetadata');
    assert.equal(one.metadata.name, 'web');
  });

  test('an Accept the server cannot serve is 406', async () => {
    const r = await c.request('GET', '/api/v1/namespaces/default/pods', { headers: { Accept: 'text/html' } });
    assert.equal(r.status, 406);
    assert.equal(r.json().reason, 'NotAcceptable');
  });

  test('discovery: aggregated v2 when asked for it, legacy documents otherwise', async () => {
    const agg = await c.request('GET', '/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(agg.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const apps = agg.json().items.find((g: { metadata: { name: string } }) => g.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: { resource: string }) => r.resource === 'deployments');
    assert.deepEqual(deployments.subresources.find((s: { subresource: string }) => s.subresource === 'scale').responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const legacy = (await c.request('GET', '/apis')).json();
    assert.equal(legacy.kind, 'APIGroupList');
    const v1 = (await c.request('GET', '/api/v1')).json();
    assert.equal(v1.kind, 'APIResourceList');
    assert.ok(v1.resources.some((r: { name: string }) => r.name === 'pods/eviction'));
  });

  test('OpenAPI v3: the root links each group-version with a hash; the document answers 304 to its ETag', async () => {
    const root = (await c.request('GET', '/openapi/v3')).json();
    const url = root.paths['apis/apps/v1'].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const doc = await c.request('GET', url);
    assert.equal(doc.status, 200);
    assert.ok(doc.json().components.schemas['io.k8s.api.apps.v1.Deployment']);
    const again = await c.request('GET', url, { headers: { 'If-None-Match': String(doc.headers.etag) } });
    assert.equal(again.status, 304);
    assert.equal((await c.request('GET', '/openapi/v2')).status, 404);
  });

  test('HTTP/2: several requests multiplexed on one session', async () => {
    const session = connect(c.url, { ca: c.server.pki.caCertPem, cert: c.server.pki.adminCertPem, key: c.server.pki.adminKeyPem });
    try {
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const s = session.request({ ':path': path, accept: 'application/json' });
          let body = '';
          let status = 0;
          s.on('response', (h) => (status = Number(h[':status'])));
          s.setEncoding('utf8');
          s.on('data', (d: string) => (body += d));
          s.on('end', () => resolve({ status, body }));
          s.on('error', reject);
        });
      const results = await Promise.all(['/version', '/api/v1/namespaces', '/apis/apps/v1', '/api/v1/namespaces/default/pods/web'].map(get));
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200]);
      assert.equal(JSON.parse(results[3].body).metadata.name, 'web');
    } finally {
      session.close();
    }
  });
});
