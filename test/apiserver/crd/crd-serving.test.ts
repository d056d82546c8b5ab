// How the API server serves what CRDs define, beyond the everyday path of
// test/e2e/custom-resources.test.ts: the scale subresource, a CRD held by an instance's
// finalizer (creates refused meanwhile), watches, and serving again after a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';

const json = { 'content-type': 'application/json' };

function crd(plural: string, kind: string, extra: object = {}): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.test.example.com` },
    spec: {
      group: 'test.example.com',
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { replicas: { type: 'integer', minimum: 0 }, selector: { type: 'string' } } },
                status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
              },
            },
          },
          ...extra,
        },
      ],
    },
  });
}

async function established(c: TestCluster, name: string): Promise<void> {
  await c.kubectlOk(['wait', '--for', 'condition=Established', `crd/${name}`, '--timeout=10s']);
}

describe('custom resources served by the API server', () => {
  let dataDir: string;
  let c: TestCluster;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-crd-'));
    c = await startTestCluster({ dataDir });
  });
  after(async () => {
    await c?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the scale subresource reads and writes the replicas at the paths the CRD names, as kubectl scale uses it', async () => {
    const scale = { subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } } };
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd('pools', 'Pool', scale) });
    await established(c, 'pools.test.example.com');
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Pool', metadata: { name: 'p', namespace: 'default' }, spec: { replicas: 1 } }) });
    await c.kubectlOk(['patch', 'pool', 'p', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"selector":"app=p"}}']);
    const got = await c.request('GET', '/apis/test.example.com/v1/namespaces/default/pools/p/scale');
    assert.equal(got.status, 200, got.body);
    assert.deepEqual({ kind: got.json().kind, apiVersion: got.json().apiVersion, spec: got.json().spec, status: got.json().status }, { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=p' } });
    assert.match(await c.kubectlOk(['scale', 'pool', 'p', '--replicas=4']), /pool.test.example.com\/p scaled/);
    const p = JSON.parse(await c.kubectlOk(['get', 'pool', 'p', '-o', 'json']));
    assert.equal(p.spec.replicas, 4);
    assert.equal(p.metadata.generation, 2);
    const negative = await c.kubectl(['scale', 'pool', 'p', '--replicas=-1']);
    assert.notEqual(negative.code, 0);
  });

  test('a watch through @kubernetes/client-node sees custom resources added, modified and deleted', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd('queues', 'Queue') });
    await established(c, 'queues.test.example.com');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const seen: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const req = await new k8s.Watch(kc).watch(
      '/apis/test.example.com/v1/namespaces/default/queues',
      {},
      (type, obj: { metadata: { name: string } }) => {
        seen.push(`${type} ${obj.metadata.name}`);
        if (type === 'DELETED') done();
      },
      () => undefined,
    );
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Queue', metadata: { name: 'q', namespace: 'default' }, spec: { replicas: 1 } }) });
    await c.kubectlOk(['patch', 'queue', 'q', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
    await c.kubectlOk(['delete', 'queue', 'q']);
    await finished;
    req.abort();
    assert.deepEqual(seen, ['ADDED q', 'MODIFIED q', 'DELETED q']);
  });

  test('a CRD whose instance has a finalizer stays Terminating, refuses creates, and goes once the finalizer is removed', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd('locks', 'Lock') });
    await established(c, 'locks.test.example.com');
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Lock', metadata: { name: 'held', namespace: 'default', finalizers: ['test.example.com/hold'] } }) });
    await c.kubectlOk(['delete', 'crd', 'locks.test.example.com', '--wait=false']);
    await c.kubectlOk(['wait', '--for', 'jsonpath={.status.conditions[?(@.type=="Terminating")].reason}=InstanceDeletionCheck', 'crd/locks.test.example.com', '--timeout=10s']);
    const crdNow = JSON.parse(await c.kubectlOk(['get', 'crd', 'locks.test.example.com', '-o', 'json']));
    assert.deepEqual(crdNow.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    assert.ok(crdNow.metadata.deletionTimestamp);
    const held = JSON.parse(await c.kubectlOk(['get', 'lock', 'held', '-o', 'json']));
    assert.ok(held.metadata.deletionTimestamp, 'the instance is being deleted, held by its finalizer');
    const refused = await c.request('POST', '/apis/test.example.com/v1/namespaces/default/locks', { body: JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Lock', metadata: { name: 'new' } }), headers: json });
    assert.equal(refused.status, 405);
    assert.equal(refused.json().message, 'create not allowed while custom resource definition is terminating');
    await c.kubectlOk(['patch', 'lock', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await c.kubectlOk(['wait', '--for=delete', 'crd/locks.test.example.com', '--timeout=10s']);
    assert.equal((await c.request('GET', '/apis/test.example.com/v1/namespaces/default/locks')).status, 404);
  });

  test('a default added to the schema later is applied to objects stored before it, when they are read', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd('bells', 'Bell') });
    await established(c, 'bells.test.example.com');
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Bell', metadata: { name: 'old', namespace: 'default' }, spec: {} }) });
    const later = JSON.parse(crd('bells', 'Bell'));
    later.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas.default = 2;
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(later) });
    // A consistent read of the CRD returns once the watch cache holds the change; the registry
    // took it in the same turn of the event loop, before this next request can arrive.
    await c.kubectlOk(['get', 'crd', 'bells.test.example.com']);
    const read = await c.request('GET', '/apis/test.example.com/v1/namespaces/default/bells/old');
    assert.deepEqual(read.json().spec, { replicas: 2 });
    const listed = JSON.parse(await c.kubectlOk(['get', 'bells', '-o', 'json']));
    assert.deepEqual(listed.items[0].spec, { replicas: 2 });
  });

  test('selectableFields make custom resources selectable by a field, as built-in kinds are by theirs', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: crd('keys', 'Key', { selectableFields: [{ jsonPath: '.spec.selector' }, { jsonPath: '.spec.replicas' }] }) });
    await established(c, 'keys.test.example.com');
    for (const [name, selector, replicas] of [['k1', 'blue', 1], ['k2', 'red', 2], ['k3', 'red', 3]] as const) {
      await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Key', metadata: { name, namespace: 'default' }, spec: { selector, replicas } }) });
    }
    assert.equal(await c.kubectlOk(['get', 'keys', '--field-selector', 'spec.selector=red', '-o', 'name']), 'key.test.example.com/k2\nkey.test.example.com/k3\n');
    assert.equal(await c.kubectlOk(['get', 'keys', '--field-selector', 'spec.selector=red,spec.replicas!=2', '-o', 'name']), 'key.test.example.com/k3\n');
    const unknown = await c.kubectl(['get', 'keys', '--field-selector', 'spec.other=x']);
    assert.match(unknown.stderr, /field label not supported: spec.other/);
  });

  test('of two CRDs created at once that claim the same kind, exactly one gets it', async () => {
    const post = (plural: string) => c.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd(plural, 'Twin'), headers: json });
    const created = await Promise.all([post('twinas'), post('twinbs')]);
    assert.deepEqual(created.map((r) => r.status), [201, 201]);
    const names = ['twinas.test.example.com', 'twinbs.test.example.com'];
    // Both are decided (NamesAccepted True or False) before either is looked at.
    await c.kubectlOk(['wait', '--for', 'jsonpath={.status.conditions[?(@.type=="NamesAccepted")].type}=NamesAccepted', ...names.map((n) => `crd/${n}`), '--timeout=10s']);
    const accepted: string[] = [];
    for (const n of names) {
      const got = JSON.parse(await c.kubectlOk(['get', 'crd', n, '-o', 'json']));
      if (got.status.conditions.some((x: { type: string; status: string }) => x.type === 'Established' && x.status === 'True')) accepted.push(n);
    }
    assert.equal(accepted.length, 1, `established: ${accepted.join(', ')}`);
  });

  test('with a conversion webhook every served version is served, and the webhook is called only for objects to convert', async () => {
    const spec = JSON.parse(crd('dials', 'Dial'));
    spec.spec.versions.push({ ...spec.spec.versions[0], name: 'v2', storage: false });
    spec.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:1/convert' } } };
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(spec) });
    await established(c, 'dials.test.example.com');
    assert.equal((await c.request('GET', '/apis/test.example.com/v1/namespaces/default/dials')).status, 200);
    // Nothing to convert yet: the (unreachable) webhook is not called.
    assert.deepEqual((await c.request('GET', '/apis/test.example.com/v2/namespaces/default/dials')).json().items, []);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'test.example.com/v1', kind: 'Dial', metadata: { name: 'd', namespace: 'default' } }) });
    const listed = await c.request('GET', '/apis/test.example.com/v2/namespaces/default/dials');
    assert.equal(listed.status, 500);
    assert.match(listed.json().message, /^conversion webhook for test\.example\.com\/v2, Kind=DialList failed: Post "https:\/\/127\.0\.0\.1:1\/convert"/);
    assert.equal((await c.request('GET', '/apis/test.example.com/v1/namespaces/default/dials/d')).status, 200);
  });

  test('after a restart on the same data the CRDs are served again with their objects', async () => {
    await c.close();
    c = await startTestCluster({ dataDir });
    const got = await c.request('GET', '/apis/test.example.com/v1/namespaces/default/pools/p');
    assert.equal(got.status, 200, got.body);
    assert.equal(got.json().spec.replicas, 4);
    assert.match(await c.kubectlOk(['api-resources', '--api-group=test.example.com']), /pools\s+test.example.com\/v1\s+true\s+Pool/);
  });
});
