// The control plane as `k8ts server` runs it (API server + controllers in one process), driven
// with the real kubectl: a new namespace gets its default ServiceAccount and kube-root-ca.crt,
// and deleting a namespace full of objects completes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster({ controllers: ['*'] });
});
after(async () => {
  await c?.close();
});

describe('k8ts server control plane', () => {
  test('a new namespace gets a default ServiceAccount and the cluster CA in kube-root-ca.crt', async () => {
    await c.kubectlOk(['create', 'namespace', 'cp']);
    await c.kubectlOk(['wait', 'serviceaccount/default', '-n', 'cp', '--for=create', '--timeout=20s']);
    await c.kubectlOk(['wait', 'configmap/kube-root-ca.crt', '-n', 'cp', '--for=create', '--timeout=20s']);
    const ca = await c.kubectlOk(['get', 'configmap', 'kube-root-ca.crt', '-n', 'cp', '-o', 'jsonpath={.data.ca\\.crt}']);
    assert.equal(ca.trim(), readFileSync(c.server.pki.caCertPath, 'utf8').trim());
  });

  test('kubectl delete namespace removes its content and the namespace', async () => {
    await c.kubectlOk(['create', 'configmap', 'a', '-n', 'cp', '--from-literal=k=v']);
    await c.kubectlOk(['create', 'secret', 'generic', 's', '-n', 'cp', '--from-literal=k=v']);
    await c.kubectlOk(['create', 'service', 'clusterip', 'svc', '-n', 'cp', '--tcp=80:8080']);
    const out = await c.kubectlOk(['delete', 'namespace', 'cp', '--timeout=60s']);
    assert.match(out, /namespace "cp" deleted/);
    const gone = await c.kubectl(['get', 'namespace', 'cp']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /namespaces "cp" not found/);
  });
});

describe('workloads under k8ts server', () => {
  test('kubectl create deployment makes a ReplicaSet and its pods; scaling follows; deleting it collects them', async () => {
    await c.kubectlOk(['create', 'namespace', 'wl']);
    await c.kubectlOk(['create', 'deployment', 'web', '-n', 'wl', '--image=nginx', '--replicas=3']);
    await c.kubectlOk(['wait', 'deployment/web', '-n', 'wl', '--for=jsonpath={.status.replicas}=3', '--timeout=30s']);
    const pods = (await c.kubectlOk(['get', 'pods', '-n', 'wl', '-l', 'app=web', '-o', 'name'])).trim().split('\n');
    assert.equal(pods.length, 3);
    const rs = JSON.parse(await c.kubectlOk(['get', 'replicasets', '-n', 'wl', '-o', 'json']));
    assert.equal(rs.items.length, 1);
    assert.equal(rs.items[0].metadata.ownerReferences[0].kind, 'Deployment');
    await c.kubectlOk(['scale', 'deployment/web', '-n', 'wl', '--replicas=1']);
    await c.kubectlOk(['wait', 'deployment/web', '-n', 'wl', '--for=jsonpath={.status.replicas}=1', '--timeout=30s']);
    await c.kubectlOk(['delete', 'deployment', 'web', '-n', 'wl', '--timeout=30s']);
    // The garbage collector removes the ReplicaSet (and its pods) the deployment owned.
    await c.kubectlOk(['wait', `replicaset/${rs.items[0].metadata.name}`, '-n', 'wl', '--for=delete', '--timeout=30s']);
  });
});
