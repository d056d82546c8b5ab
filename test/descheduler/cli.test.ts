// `k8ts descheduler` through the real command: bin/k8ts as a child process against a real API
// server over HTTPS, one pass (--descheduling-interval 0), exit 0 after evicting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster } from '../helpers/cluster.js';
import { startK8ts } from '../cli/k8ts-process.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { resources } from '../../src/client/rest/builtin-resources.js';

test('k8ts descheduler --descheduling-interval 0 evicts once and exits 0', async () => {
  const cluster = await startTestCluster();
  const client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  try {
    const nodes = client.resource(resources.nodes);
    for (const [name, taints] of [['n1', [{ key: 'k', effect: 'NoSchedule' }]], ['n2', undefined]] as const) {
      const n = (await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints: taints as never } })) as Node;
      await nodes.updateStatus({ ...n, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } } as never);
    }
    const pods = client.resource(resources.pods);
    const p = (await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }] }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'sleep' }] } }, { namespace: 'default' })) as Pod;
    await pods.updateStatus({ ...p, status: { phase: 'Running' } } as never, { namespace: 'default' });
    const policy = join(cluster.dataDir, 'policy.yaml');
    writeFileSync(policy, 'apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n- name: taints\n  plugins:\n    deschedule: {enabled: [RemovePodsViolatingNodeTaints]}\n');
    const proc = startK8ts(['descheduler', '--kubeconfig', cluster.kubeconfig, '--policy', policy, '--descheduling-interval', '0']);
    const { code } = await proc.exited;
    assert.equal(code, 0, proc.stderr() + proc.stdout());
    assert.match(proc.stdout() + proc.stderr(), /Evicted pod/);
    const left = (await pods.list({ namespace: 'default' })).items.filter((x) => !x.metadata?.deletionTimestamp);
    assert.deepEqual(left.map((x) => x.metadata?.name), []);
  } finally {
    await client.close();
    await cluster.close();
  }
});

test('k8ts descheduler refuses an invalid policy with upstream\'s message and a non-zero exit', async () => {
  const cluster = await startTestCluster();
  try {
    const policy = join(cluster.dataDir, 'bad.yaml');
    writeFileSync(policy, 'apiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n- name: p\n  pluginConfig: [{name: Nope}]\n');
    const proc = startK8ts(['descheduler', '--kubeconfig', cluster.kubeconfig, '--policy', policy]);
    const { code } = await proc.exited;
    assert.notEqual(code, 0);
    assert.match(proc.stderr(), /in profile p: plugin Nope in pluginConfig not registered/);
  } finally {
    await cluster.close();
  }
});
