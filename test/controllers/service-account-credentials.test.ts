// kube-controller-manager's --use-service-account-credentials, as `k8ts server` runs its
// controllers: each writes as its kube-system ServiceAccount under its system:controller:* role,
// so a controller whose role lacks a rule is refused (and says so where upstream's does), and
// works again once the rule is back; their ServiceAccounts are made in kube-system after the start
// (and left alone on a restart). With the flag off, the manager's own credential is used.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitForObjects } from '../helpers/controllers.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { resources } from '../../src/client/rest/builtin-resources.js';

const binding = 'system:controller:deployment-controller';

async function withCluster(useServiceAccountCredentials: boolean | undefined): Promise<{ c: TestCluster; client: Client }> {
  const c = await startTestCluster({ controllers: ['deployment', 'replicaset'], useServiceAccountCredentials });
  return { c, client: Client.fromConfig(loadConfig({ kubeconfig: c.kubeconfig })) };
}

const progressing = (d: Deployment) => d.status?.conditions?.find((x) => x.type === 'Progressing');

describe('controllers with their own ServiceAccount credentials (the default)', () => {
  let c: TestCluster;
  let client: Client;
  before(async () => ({ c, client } = await withCluster(undefined)));
  after(async () => {
    await client?.close();
    await c?.close();
  });

  test('the controllers\' ServiceAccounts are made in kube-system in the background', async () => {
    const wanted = ['deployment-controller', 'replicaset-controller', 'service-account-controller'];
    await waitForObjects(client.resource(resources.serviceAccounts), (sas) => wanted.every((n) => sas.some((s) => s.metadata?.name === n)), 'the controllers\' accounts', { namespace: 'kube-system' });
  });

  test('a deployment rolls out: its ReplicaSet created and the revision recorded under the controllers\' roles', async () => {
    await c.kubectlOk(['create', 'deployment', 'web', '--image=sleep', '--replicas=2']);
    await waitForObjects(client.resource(resources.replicaSets), (rs) => rs.length === 1, 'the ReplicaSet', { namespace: 'default' });
    await waitForObjects(client.resource(resources.pods), (ps) => ps.length === 2, 'the pods', { namespace: 'default' });
    await waitForObjects(client.resource(resources.deployments), (ds) => ds[0]?.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1', 'the revision annotation', { namespace: 'default' });
  });

  test('without a rule of its role the deployment controller is refused, and reports it; with the rule back it proceeds', async () => {
    const role = JSON.parse(await c.kubectlOk(['get', 'clusterrole', binding, '-o', 'json']));
    const withoutReplicaSets = { ...role, rules: role.rules.filter((r: { resources?: string[] }) => !r.resources?.includes('replicasets')) };
    assert.ok(withoutReplicaSets.rules.length < role.rules.length);
    await c.kubectlOk(['replace', '-f', '-'], { stdin: JSON.stringify(withoutReplicaSets) });
    await c.kubectlOk(['create', 'deployment', 'blocked', '--image=sleep']);
    const isRefused = (d: Deployment | undefined) => progressing(d ?? {})?.reason === 'ReplicaSetCreateError';
    const [refused] = await waitForObjects(client.resource(resources.deployments), (ds) => isRefused(ds.find((x) => x.metadata?.name === 'blocked')), 'the refusal', { namespace: 'default' });
    assert.ok(refused);
    const blocked = (await client.resource(resources.deployments).get('blocked', { namespace: 'default' })) as Deployment;
    assert.match(
      progressing(blocked)?.message ?? '',
      /^Failed to create new replica set "blocked-[a-z0-9]+": replicasets\.apps is forbidden: User "system:serviceaccount:kube-system:deployment-controller" cannot create resource "replicasets" in API group "apps" in the namespace "default"/,
    );
    const current = JSON.parse(await c.kubectlOk(['get', 'clusterrole', binding, '-o', 'json']));
    await c.kubectlOk(['replace', '-f', '-'], { stdin: JSON.stringify({ ...current, rules: role.rules }) });
    await waitForObjects(client.resource(resources.replicaSets), (rs) => rs.some((r) => r.metadata?.name?.startsWith('blocked-')), 'the ReplicaSet once allowed', { namespace: 'default' });
  });
});

describe('controllers with the manager\'s credential (--no-use-service-account-credentials)', () => {
  let c: TestCluster;
  let client: Client;
  before(async () => ({ c, client } = await withCluster(false)));
  after(async () => {
    await client?.close();
    await c?.close();
  });

  test('the deployment controller needs no binding of its own, nor an account', async () => {
    await c.kubectlOk(['delete', 'clusterrolebinding', binding]);
    await c.kubectlOk(['create', 'deployment', 'web', '--image=sleep']);
    await waitForObjects(client.resource(resources.replicaSets), (rs) => rs.length === 1, 'the ReplicaSet', { namespace: 'default' });
    const { items } = await client.resource(resources.serviceAccounts).list({ namespace: 'kube-system' });
    assert.deepEqual(items.map((s) => s.metadata?.name).filter((n) => n?.endsWith('-controller')), []);
  });
});

describe('the controllers\' ServiceAccounts across a restart', () => {
  test('one deleted is made again; those that exist are left alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-sa-restart-'));
    const accounts = (client: Client) => client.resource(resources.serviceAccounts);
    try {
      let { c, client } = await withClusterIn(dataDir);
      let kept: string | undefined;
      try {
        await waitForObjects(accounts(client), (sas) => ['deployment-controller', 'replicaset-controller'].every((n) => sas.some((s) => s.metadata?.name === n)), 'the accounts', { namespace: 'kube-system' });
        kept = (await accounts(client).get('deployment-controller', { namespace: 'kube-system' })).metadata?.resourceVersion;
        await accounts(client).delete('replicaset-controller', { namespace: 'kube-system' });
      } finally {
        await client.close();
        await c.close();
      }
      ({ c, client } = await withClusterIn(dataDir));
      try {
        await waitForObjects(accounts(client), (sas) => sas.some((s) => s.metadata?.name === 'replicaset-controller'), 'the deleted account again', { namespace: 'kube-system' });
        assert.equal((await accounts(client).get('deployment-controller', { namespace: 'kube-system' })).metadata?.resourceVersion, kept);
      } finally {
        await client.close();
        await c.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function withClusterIn(dataDir: string): Promise<{ c: TestCluster; client: Client }> {
  const c = await startTestCluster({ dataDir, controllers: ['deployment', 'replicaset'] });
  return { c, client: Client.fromConfig(loadConfig({ kubeconfig: c.kubeconfig })) };
}
