// End to end with the real kubectl over HTTPS: create a deployment, watch it roll out, change the
// image, read the history, undo, scale, restart, pause and resume. The ReplicaSet and Deployment
// controllers run as a controller manager over HTTPS too; a stand-in kubelet marks pods Ready.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { Client } from '../../../src/client/rest/client.js';
import { loadConfig } from '../../../src/client/kubeconfig/load.js';
import { runControllerManager } from '../../../src/controllers/manager.js';
import { createLogger } from '../../../src/util/log.js';
import { replicaSetController } from '../../../src/controllers/replicaset/index.js';
import { deploymentController } from '../../../src/controllers/deployment/index.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { startFakeKubelet } from '../util/pods.js';

let cluster: TestCluster;
let client: Client;
let stop: AbortController;
let manager: Promise<void>;
let kubelet: { stop(): Promise<void> };

before(async () => {
  cluster = await startTestCluster();
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  stop = new AbortController();
  const log = createLogger('kcm', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
  manager = runControllerManager({ client, log, controllers: [replicaSetController, deploymentController] }, stop.signal);
  kubelet = startFakeKubelet(client, { namespace: 'default' });
});
after(async () => {
  await kubelet?.stop();
  stop?.abort();
  await manager;
  await client?.close();
  await cluster?.close();
});

const rolloutStatus = () => cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=30s']);

/**
 * kubectl commands that patch race the controller's status writes; our API server answers such a
 * lost race with 409 (see server-patch.test.ts), which upstream never does. Retry those only.
 */
async function kubectlPatching(args: string[]): Promise<string> {
  for (let i = 0; ; i++) {
    const r = await cluster.kubectl(args);
    if (r.code === 0) return r.stdout;
    if (i >= 5 || !/the object has been modified/.test(r.stderr)) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  }
}

describe('kubectl with the deployment controller', () => {
  test('kubectl create deployment then rollout status reports success once the three pods are ready', async () => {
    await cluster.kubectlOk(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    const out = await rolloutStatus();
    assert.match(out, /deployment "web" successfully rolled out/);
    const get = await cluster.kubectlOk(['get', 'deployment', 'web', '--no-headers']);
    assert.match(get, /^web\s+3\/3\s+3\s+3\s+/);
    const pods = await client.resource(resources.pods).list({ namespace: 'default', labelSelector: 'app=web' });
    assert.equal(pods.items.length, 3);
  });

  test('kubectl set image rolls out revision 2 and rollout history lists both revisions', async () => {
    await kubectlPatching(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    const history = await cluster.kubectlOk(['rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+<none>$/m);
    const rev2 = await cluster.kubectlOk(['rollout', 'history', 'deployment/web', '--revision=2']);
    assert.match(rev2, /Image:\s+nginx:1\.27/);
  });

  test('kubectl rollout undo goes back to the first template as revision 3', async () => {
    const out = await kubectlPatching(['rollout', 'undo', 'deployment/web']);
    assert.match(out, /deployment.apps\/web rolled back/);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    const image = await cluster.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    assert.equal(image, 'nginx');
    const history = await cluster.kubectlOk(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^2\s+<none>$/m);
    assert.match(history, /^3\s+<none>$/m);
    assert.doesNotMatch(history, /^1\s+<none>$/m);
    const rev = await cluster.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']);
    assert.equal(rev, '3');
  });

  test('kubectl scale to 5 brings five ready replicas', async () => {
    await kubectlPatching(['scale', 'deployment/web', '--replicas=5']);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    const ready = await cluster.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}/{.status.availableReplicas}/{.status.updatedReplicas}']);
    assert.equal(ready, '5/5/5');
  });

  test('kubectl rollout restart replaces every pod through a new revision', async () => {
    const before = await client.resource(resources.pods).list({ namespace: 'default', labelSelector: 'app=web' });
    await kubectlPatching(['rollout', 'restart', 'deployment/web']);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    const restartedAt = await cluster.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']);
    assert.ok(restartedAt.length > 0);
    const after = await client.resource(resources.pods).list({ namespace: 'default', labelSelector: 'app=web' });
    const live = after.items.filter((p) => !p.metadata?.deletionTimestamp);
    const old = new Set(before.items.map((p) => p.metadata?.uid));
    assert.equal(live.length, 5);
    assert.ok(live.every((p) => !old.has(p.metadata?.uid)));
  });

  test('kubectl rollout pause holds a template change until rollout resume', async () => {
    await kubectlPatching(['rollout', 'pause', 'deployment/web']);
    await kubectlPatching(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
    const describe = await cluster.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.paused}']);
    assert.equal(describe, 'true');
    const rsBefore = await client.resource(resources.replicaSets).list({ namespace: 'default' });
    await kubectlPatching(['rollout', 'resume', 'deployment/web']);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    const rsAfter = await client.resource(resources.replicaSets).list({ namespace: 'default' });
    assert.equal(rsAfter.items.length, rsBefore.items.length + 1);
    const image = await cluster.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    assert.ok(image.split(' ').every((i) => i === 'nginx:1.28'), image);
  });
});
