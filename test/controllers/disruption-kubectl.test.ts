// End to end with the real kubectl over HTTPS: `kubectl drain` evicts through pods/eviction, which
// the API server decides from the PodDisruptionBudget status this controller keeps. A node whose
// pod the budget can spare drains; then the budget is spent and draining the other node is blocked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitForObject } from '../helpers/controllers.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { createNode, createPod } from './endpoints-fixtures.js';

let cluster: TestCluster;
let client: Client;

before(async () => {
  // The controllers under test run inside the server process, as `k8ts server --controllers` runs them.
  cluster = await startTestCluster({ controllers: ['disruption'] });
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
});

after(async () => {
  await client?.close();
  await cluster?.close();
});

describe('kubectl drain and PodDisruptionBudgets', () => {
  test('drain evicts a pod the budget can spare, and is blocked once disruptionsAllowed is 0', async () => {
    const ns = 'default';
    await createNode(client, 'node-1');
    await createNode(client, 'node-2');
    const rs = await client.resource(resources.replicaSets).create(
      { metadata: { name: 'web', namespace: ns }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
      { namespace: ns },
    );
    const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid!, controller: true, blockOwnerDeletion: true }];
    await createPod(client, ns, 'web-1', { ip: '10.0.1.1', nodeName: 'node-1', ownerReferences: owner });
    await createPod(client, ns, 'web-2', { ip: '10.0.2.1', nodeName: 'node-2', ownerReferences: owner });
    await cluster.kubectlOk(['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=1']);
    const pdbs = client.resource(resources.podDisruptionBudgets);
    const allowed = (n: number) => (p: PodDisruptionBudget | undefined) => p?.status?.observedGeneration === p?.metadata?.generation && p?.status?.currentHealthy === 2 - (1 - n) && p?.status?.disruptionsAllowed === n;
    await waitForObject(pdbs, ns, 'web', allowed(1), 'one disruption allowed');
    const shown = await cluster.kubectlOk(['get', 'pdb', 'web']);
    assert.match(shown, /web\s+1\s+N\/A\s+1\s+/, 'kubectl get pdb shows MIN AVAILABLE 1 and ALLOWED DISRUPTIONS 1');

    // No node agent: --grace-period=0 lets the evicted pod go at once instead of waiting for a kubelet.
    const drained = await cluster.kubectl(['drain', 'node-1', '--grace-period=0', '--timeout=20s']);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, /pod\/web-1 evicted/);
    assert.match(drained.stdout, /node\/node-1 drained/);

    await waitForObject(pdbs, ns, 'web', (p) => p?.status?.currentHealthy === 1 && p.status.disruptionsAllowed === 0 && p.status.expectedPods === 1, 'no disruption allowed');
    const blocked = await cluster.kubectl(['drain', 'node-2', '--grace-period=0', '--timeout=3s']);
    assert.notEqual(blocked.code, 0, 'draining past the budget must fail');
    assert.match(blocked.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    const pod = await client.resource(resources.pods).get('web-2', { namespace: ns });
    assert.equal(pod.metadata?.deletionTimestamp, undefined, 'the protected pod is untouched');
    const described = await cluster.kubectlOk(['describe', 'pdb', 'web']);
    assert.match(described, /Allowed disruptions:\s+0/);
  });
});
