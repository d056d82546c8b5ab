// StatefulSet and DaemonSet with the real kubectl over HTTPS and the controllers running:
// `kubectl rollout status` waits until the controllers report the rollout complete. The test
// plays the kubelet: a watch marks every new pod Running and Ready.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { runControllerManager } from '../../src/controllers/manager.js';
import { statefulSetController } from '../../src/controllers/statefulset/index.js';
import { daemonSetController } from '../../src/controllers/daemonset/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { createLogger } from '../../src/util/log.js';
import { markPodReady } from './util/pods.js';

let cluster: TestCluster;
let client: Client;
let controllerClient: Client;
const stop = new AbortController();
let running: Promise<void>;
let kubelet: Promise<void>;

before(async () => {
  cluster = await startTestCluster();
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  controllerClient = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  const log = createLogger('sts-e2e', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
  running = runControllerManager({ client: controllerClient, log, controllers: [statefulSetController, daemonSetController] }, stop.signal);
  await client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
  await client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-b' } });
  // A fake kubelet: every pending pod becomes Running and Ready.
  kubelet = (async () => {
    const stream = await client.resource(resources.pods).watch({ namespace: 'default', signal: stop.signal });
    try {
      for await (const ev of stream) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        if (ev.object.status?.phase === 'Pending' && !ev.object.metadata?.deletionTimestamp) void markPodReady(client, ev.object).catch(() => undefined);
      }
    } catch {
      // aborted
    }
  })();
});
after(async () => {
  stop.abort();
  await running;
  await kubelet;
  await controllerClient?.close();
  await client?.close();
  await cluster?.close();
});

const sts = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: default}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.25"}]}
`;
const ds = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "agent:1"}]}
`;

describe('statefulset and daemonset with kubectl', () => {
  test('kubectl rollout status statefulset/web returns once three pods are ready and again after an image update', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: sts });
    const out = await cluster.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=30s']);
    assert.match(out, /partitioned roll out complete|statefulset rolling update complete 3 pods at revision web-/);
    await cluster.kubectlOk(['set', 'image', 'statefulset/web', 'nginx=nginx:1.26']);
    const out2 = await cluster.kubectlOk(['rollout', 'status', 'statefulset/web', '--timeout=30s']);
    // The server defaults partition to 0, so kubectl reports the partitioned form, as against upstream.
    assert.match(out2, /partitioned roll out complete: 3 new pods have been updated/);
    const pods = await cluster.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    assert.deepEqual(pods.trim().split(' '), ['nginx:1.26', 'nginx:1.26', 'nginx:1.26']);
    const history = await cluster.kubectlOk(['rollout', 'history', 'statefulset/web']);
    assert.match(history, /REVISION/);
  });

  test('kubectl rollout status daemonset/agent returns once every node runs a ready pod', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: ds });
    const out = await cluster.kubectlOk(['rollout', 'status', 'daemonset/agent', '--timeout=30s']);
    assert.match(out, /daemon set "agent" successfully rolled out/);
    await cluster.kubectlOk(['set', 'image', 'daemonset/agent', 'agent=agent:2']);
    const out2 = await cluster.kubectlOk(['rollout', 'status', 'daemonset/agent', '--timeout=30s']);
    assert.match(out2, /successfully rolled out/);
    const images = await cluster.kubectlOk(['get', 'pods', '-l', 'app=agent', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    assert.deepEqual(images.trim().split(' '), ['agent:2', 'agent:2']);
  });
});
