// End to end with the real kubectl over HTTPS: `kubectl delete namespace` waits for the namespace
// controller to empty and release the namespace; `kubectl describe` shows why one is held; every
// namespace carries the published root CA. Controllers run with upstream's timing (5 s before a
// terminating namespace is first processed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitForObject } from '../helpers/controllers.js';
import { newRootCACertPublisher, rootCACertConfigMapName } from '../../src/controllers/rootcacert/index.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { resources } from '../../src/client/rest/builtin-resources.js';

let cluster: TestCluster;
let client: Client;

before(async () => {
  // The controllers under test run inside the server process, as `k8ts server --controllers` runs them.
  cluster = await startTestCluster({ controllers: ['namespace', 'root-ca-cert-publisher'] });
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
});

after(async () => {
  await client?.close();
  await cluster?.close();
});

const orderCRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'orders.shop.example.com' },
  spec: {
    group: 'shop.example.com',
    scope: 'Namespaced',
    names: { plural: 'orders', singular: 'order', kind: 'Order' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { items: { type: 'integer' } } } } } } }],
  },
};

describe('namespace deletion with kubectl', () => {
  test('kubectl delete namespace waits until its content (custom resources included) is gone and the namespace with it', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(orderCRD) });
    await cluster.kubectlOk(['wait', '--for', 'condition=Established', 'crd/orders.shop.example.com', '--timeout=10s']);
    await cluster.kubectlOk(['create', 'namespace', 'shop']);
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'shop.example.com/v1', kind: 'Order', metadata: { name: 'o1', namespace: 'shop' }, spec: { items: 3 } }) });
    await cluster.kubectlOk(['-n', 'shop', 'create', 'configmap', 'settings', '--from-literal=k=v']);
    await cluster.kubectlOk(['-n', 'shop', 'create', 'secret', 'generic', 'token', '--from-literal=k=v']);
    await cluster.kubectlOk(['-n', 'shop', 'create', 'deployment', 'web', '--image=nginx']);
    await cluster.kubectlOk(['-n', 'shop', 'create', 'service', 'clusterip', 'web', '--tcp=80:80']);

    // The root CA is published in the new namespace, exactly the cluster CA.
    await waitForObject(client.resource(resources.configMaps), 'shop', rootCACertConfigMapName, (cm) => cm !== undefined, 'kube-root-ca.crt in shop');
    const ca = await cluster.kubectlOk(['-n', 'shop', 'get', 'configmap', rootCACertConfigMapName, '-o', 'jsonpath={.data.ca\\.crt}']);
    assert.equal(ca, cluster.server.pki.caCertPem);

    const deleted = await cluster.kubectl(['delete', 'namespace', 'shop', '--timeout=60s']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /namespace "shop" deleted/);
    const gone = await cluster.kubectl(['get', 'namespace', 'shop']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /namespaces "shop" not found/);
    assert.equal(await cluster.kubectlOk(['get', 'orders', '-A', '-o', 'name']), '', 'the custom resource went with its namespace');
  });

  test('kubectl describe shows a namespace held by a finalizer, and it goes once the finalizer is removed', async () => {
    await cluster.kubectlOk(['create', 'namespace', 'held']);
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', namespace: 'held', finalizers: ['example.com/x'] } }),
    });
    await cluster.kubectlOk(['delete', 'namespace', 'held', '--wait=false']);
    await waitForObject(
      client.resource(resources.namespaces),
      undefined,
      'held',
      (ns) => ns?.status?.conditions?.some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True') ?? false,
      'the finalizers condition',
      20_000,
    );
    const described = await cluster.kubectlOk(['describe', 'namespace', 'held']);
    assert.match(described, /Status:\s+Terminating/);
    assert.match(described, /NamespaceFinalizersRemaining\s+True/);
    assert.match(described, /SomeFinalizersRemain\s+Some content in the namespace has finalizers remaining: example\.com\/x in 1 resource instances/);

    await cluster.kubectlOk(['-n', 'held', 'patch', 'configmap', 'kept', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const waited = await cluster.kubectl(['wait', '--for=delete', 'namespace/held', '--timeout=60s']);
    assert.equal(waited.code, 0, waited.stderr);
  });
});
