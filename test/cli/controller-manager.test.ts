// `k8ts controller-manager` as its own process against a running API server: it elects itself
// leader on the kube-system/kube-controller-manager Lease, runs the controllers (a default
// ServiceAccount appears, and each controller's own in kube-system), a second instance stands
// by, and SIGTERM stops it cleanly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { startK8ts } from './k8ts-process.js';

let c: TestCluster;
before(async () => {
  // Without the cluster's own serviceaccounts controller: the default ServiceAccount appearing is
  // what shows this controller-manager running.
  c = await startTestCluster({ serviceAccounts: false });
});
after(async () => {
  await c?.close();
});

describe('k8ts controller-manager', () => {
  test('leads, runs controllers, lets a second instance stand by, and stops on SIGTERM', async () => {
    const flags = ['controller-manager', '--kubeconfig', c.kubeconfig, '--leader-elect-lease-duration', '3', '--leader-elect-renew-deadline', '2', '--leader-elect-retry-period', '1'];
    const first = startK8ts(flags, { K8TS_LOG_LEVEL: 'info' });
    try {
      await c.kubectlOk(['wait', 'serviceaccount/default', '-n', 'default', '--for=create', '--timeout=20s']);
      // --use-service-account-credentials by default: the serviceaccount controller wrote as its
      // own account, which the manager made in kube-system, as it makes every controller's.
      await c.kubectlOk(['get', 'serviceaccount/service-account-controller', '-n', 'kube-system']);
      await c.kubectlOk(['wait', 'serviceaccount/deployment-controller', '-n', 'kube-system', '--for=create', '--timeout=20s']);
      const lease = JSON.parse(await c.kubectlOk(['get', 'lease', 'kube-controller-manager', '-n', 'kube-system', '-o', 'json']));
      const leader = lease.spec.holderIdentity as string;
      assert.match(leader, /_[0-9a-f-]{36}$/);
      const second = startK8ts(flags, { K8TS_LOG_LEVEL: 'info' });
      try {
        // The second instance sees the leader and waits; the Lease keeps the first holder.
        await new Promise<void>((resolve) => {
          const check = () => (/another instance leads/.test(second.stderr()) ? resolve() : undefined);
          second.child.stderr!.on('data', check);
          check();
        });
        const again = JSON.parse(await c.kubectlOk(['get', 'lease', 'kube-controller-manager', '-n', 'kube-system', '-o', 'json']));
        assert.equal(again.spec.holderIdentity, leader);
      } finally {
        second.child.kill('SIGTERM');
        assert.equal((await second.exited).code, 0);
      }
    } finally {
      first.child.kill('SIGTERM');
      const { code } = await first.exited;
      assert.equal(code, 0, first.stderr());
    }
  });
});
