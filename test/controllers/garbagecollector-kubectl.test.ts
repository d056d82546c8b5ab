// The garbage collector with the real kubectl over HTTPS: `kubectl delete deployment
// --cascade=foreground|background|orphan` on a Deployment → ReplicaSet → Pods tree built by
// hand with ownerReferences (no Deployment or ReplicaSet controller runs), and `kubectl delete
// --wait` returning once the foreground deletion has finished.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { waitForObject, waitForObjects } from '../helpers/controllers.js';
import { Client } from '../../src/client/rest/client.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { runControllerManager } from '../../src/controllers/manager.js';
import { garbageCollectorController } from '../../src/controllers/garbagecollector/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { createLogger } from '../../src/util/log.js';
import type { KubeObject } from '../../src/api/object.js';

let cluster: TestCluster;
let client: Client;
let controllerClient: Client;
const stop = new AbortController();
let running: Promise<void>;

before(async () => {
  cluster = await startTestCluster();
  client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  controllerClient = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  const log = createLogger('gc-e2e', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
  running = runControllerManager({ client: controllerClient, log, controllers: [garbageCollectorController] }, stop.signal);
});
after(async () => {
  stop.abort();
  await running;
  await controllerClient?.close();
  await client?.close();
  await cluster?.close();
});

function ownedBy(owner: KubeObject, controller = true): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller, blockOwnerDeletion: true };
}

/** A Deployment, one ReplicaSet it controls, and two Pods the ReplicaSet controls. */
async function tree(name: string): Promise<{ deployment: Deployment; rs: ReplicaSet; pods: Pod[] }> {
  const labels = { app: name };
  const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  const deployment = await client.resource(resources.deployments).create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: labels }, template } });
  const rs = await client.resource(resources.replicaSets).create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${name}-rs`, namespace: 'default', labels, ownerReferences: [ownedBy(deployment)] },
    spec: { replicas: 2, selector: { matchLabels: labels }, template },
  });
  const pods: Pod[] = [];
  for (const i of [1, 2]) {
    pods.push(await client.resource(resources.pods).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-pod-${i}`, namespace: 'default', labels, ownerReferences: [ownedBy(rs)] }, spec: template.spec }));
  }
  return { deployment, rs, pods };
}

const podsOf = (name: string) => client.resource(resources.pods).list({ namespace: 'default', labelSelector: `app=${name}` });

describe('kubectl delete with the garbage collector', () => {
  test('--cascade=foreground: kubectl waits, and when it returns the ReplicaSet and its Pods are gone too', async () => {
    await tree('fg');
    const out = await cluster.kubectlOk(['delete', 'deployment', 'fg', '--cascade=foreground', '--wait=true', '--timeout=30s']);
    assert.match(out, /deployment.apps "fg" deleted/);
    await assert.rejects(client.resource(resources.deployments).get('fg', { namespace: 'default' }), /not found/);
    await assert.rejects(client.resource(resources.replicaSets).get('fg-rs', { namespace: 'default' }), /not found/);
    assert.equal((await podsOf('fg')).items.length, 0);
  });

  test('--cascade=background: the Deployment goes at once and the collector deletes the ReplicaSet and then its Pods', async () => {
    await tree('bg');
    const out = await cluster.kubectlOk(['delete', 'deployment', 'bg', '--cascade=background']);
    assert.match(out, /deployment.apps "bg" deleted/);
    await waitForObject(client.resource(resources.replicaSets), 'default', 'bg-rs', (o) => o === undefined, 'the ReplicaSet to be collected');
    await waitForObjects(client.resource(resources.pods), (pods) => pods.length === 0, 'the Pods to be collected', { namespace: 'default', labelSelector: 'app=bg' });
  });

  test('--cascade=orphan: the Deployment goes, the ReplicaSet stays without its owner reference and keeps its Pods', async () => {
    await tree('orph');
    const out = await cluster.kubectlOk(['delete', 'deployment', 'orph', '--cascade=orphan', '--wait=true', '--timeout=30s']);
    assert.match(out, /deployment.apps "orph" deleted/);
    const rs = await client.resource(resources.replicaSets).get('orph-rs', { namespace: 'default' });
    assert.equal(rs.metadata?.ownerReferences, undefined);
    const pods = await podsOf('orph');
    assert.equal(pods.items.length, 2);
    for (const p of pods.items) assert.deepEqual(p.metadata?.ownerReferences?.map((r) => r.name), ['orph-rs']);
    const got = await cluster.kubectlOk(['get', 'replicaset', 'orph-rs', '-o', 'jsonpath={.metadata.ownerReferences}']);
    assert.equal(got, '');
  });

  test('kubectl delete --wait on a ReplicaSet with foreground cascade finishes once its Pods are gone', async () => {
    const { rs } = await tree('wait');
    const out = await cluster.kubectlOk(['delete', 'replicaset', rs.metadata!.name!, '--cascade=foreground', '--wait', '--timeout=30s']);
    assert.match(out, /replicaset.apps "wait-rs" deleted/);
    assert.equal((await podsOf('wait')).items.length, 0);
    // The Deployment is not touched by deleting its dependent.
    assert.equal((await client.resource(resources.deployments).get('wait', { namespace: 'default' })).metadata?.name, 'wait');
  });
});
