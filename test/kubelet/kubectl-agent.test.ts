// kubectl against a cluster whose pods the node agent runs: `kubectl get pods` reads as on a real
// cluster (READY 1/1, Running) and `kubectl get nodes` shows the node Ready.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { startNodeAgent, type NodeAgent } from '../../src/kubelet/node-agent.js';
import { condition, processRuntimeEnv, silentLog, waitForPod, type RuntimeEnv } from './agent-helpers.js';

describe('kubectl with the node agent', () => {
  let cluster: TestCluster;
  let client: Client;
  let env: RuntimeEnv;
  let agent: NodeAgent;

  before(async () => {
    // The pod's kube-api-access volume projects kube-root-ca.crt, which the publisher provides.
    cluster = await startTestCluster({ controllers: ['root-ca-cert-publisher'] });
    client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
    env = processRuntimeEnv();
    agent = await startNodeAgent({ client, nodeName: 'kubectl-node', rootDir: path.join(env.dir, 'agent'), runtime: env.runtime, log: silentLog, nodeIP: '127.0.0.1', plegPeriodMs: 200, kubeletServer: { port: 0, bindAddress: '127.0.0.1', clientCaPem: cluster.server.pki.caCertPem } });
    await agent.ready;
  });

  after(async () => {
    await agent?.stop({ killPods: true });
    await env?.cleanup();
    await client?.close();
    await cluster?.close();
  });

  it('shows the node Ready and a bound pod READY 1/1 Running', async () => {
    const nodes = await cluster.kubectlOk(['get', 'nodes']);
    assert.match(nodes, /kubectl-node\s+Ready\s+<none>\s+\S+\s+v1\.32\./);
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'default' },
        spec: { nodeName: 'kubectl-node', terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'sh', command: ['sh', '-c', 'echo hello; sleep 30'] }] },
      }),
    });
    await waitForPod(client, 'default', 'web', (p) => condition(p, 'Ready') === 'True');
    const out = await cluster.kubectlOk(['get', 'pods', '-o', 'wide']);
    assert.match(out, /^web\s+1\/1\s+Running\s+0\s+\S+\s+127\.1\.\d+\.\d+\s+kubectl-node\s/m);
    const describe = await cluster.kubectlOk(['describe', 'pod', 'web']);
    assert.match(describe, /Started\s+\S+\s+kubelet\s+Started container web/);
  });

  it('serves kubectl logs through the kubelet API', async () => {
    await waitForPod(client, 'default', 'web', (p) => condition(p, 'Ready') === 'True');
    const node = await cluster.kubectlOk(['get', 'node', 'kubectl-node', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']);
    assert.equal(Number(node), agent.kubeletPort);
    assert.notEqual(agent.kubeletPort, 0);
    const logs = await cluster.kubectlOk(['logs', 'web']);
    assert.equal(logs, 'hello\n');
  });
});
