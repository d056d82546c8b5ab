// The Deployment controller (with the ReplicaSet controller) against the real API server:
// creation, rolling update, Recreate, rollback, pause/resume, progress deadline, history cleanup.
// Pods become Ready through pods/status, written by a stand-in kubelet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../../src/api/object.js';
import { replicaSetController } from '../../../src/controllers/replicaset/index.js';
import { deploymentController } from '../../../src/controllers/deployment/index.js';
import { getControllerOf } from '../../../src/controllers/util/index.js';
import { isConflict } from '../../../src/client/rest/errors.js';
import { startFakeKubelet } from '../util/pods.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([replicaSetController, deploymentController]);
});
after(async () => {
  await rig?.close();
});

type D = Deployment & KubeObject;
type RS = ReplicaSet & KubeObject;
const ns = 'default';
const deployments = () => rig.client.resource(resources.deployments);
const rss = () => rig.client.resource(resources.replicaSets);
const pods = () => rig.client.resource(resources.pods);
const rev = (o: KubeObject | undefined) => o?.metadata?.annotations?.['deployment.kubernetes.io/revision'];

function deployment(name: string, replicas: number, spec: Partial<NonNullable<Deployment['spec']>> = {}, image = 'nginx:1'): D {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } }, ...spec },
  };
}

const cond = (d: D | undefined, type: string) => d?.status?.conditions?.find((c) => c.type === type);
const complete = (d: D | undefined) =>
  !!d &&
  d.status?.observedGeneration === d.metadata?.generation &&
  d.status?.updatedReplicas === d.spec?.replicas &&
  d.status?.replicas === d.spec?.replicas &&
  d.status?.availableReplicas === d.spec?.replicas &&
  cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable';

async function ownedRSs(d: D): Promise<RS[]> {
  const list = await rss().list({ namespace: ns });
  return list.items.filter((rs) => getControllerOf(rs)?.uid === d.metadata!.uid);
}

/**
 * A patch as a user sends it (no resourceVersion). Retried on 409 only because our API server
 * answers a patch that loses a write race with 409 instead of re-applying it (see the todo test in
 * server-patch.test.ts); upstream never returns 409 for a patch without a resourceVersion.
 */
async function patchD(name: string, patch: unknown, type: 'merge' | 'strategic' | 'json'): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await deployments().patch(name, patch, { namespace: ns, type });
      return;
    } catch (err) {
      if (!isConflict(err) || i >= 5) throw err;
    }
  }
}

async function setImage(name: string, image: string): Promise<void> {
  await patchD(name, { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }, 'strategic');
}

describe('deployment controller', () => {
  test('a new deployment gets a ReplicaSet named with the pod-template-hash, revision 1, and completes once pods are ready', async () => {
    const kubelet = startFakeKubelet(rig.client, { namespace: ns, filter: (p) => p.metadata?.labels?.app === 'web' });
    try {
      const d = await deployments().create(deployment('web', 3));
      const done = await waitForObject(deployments(), ns, 'web', complete, 'web complete');
      const [rs] = await ownedRSs(d);
      const hash = rs.metadata!.labels!['pod-template-hash'];
      assert.ok(hash);
      assert.equal(rs.metadata!.name, `web-${hash}`);
      assert.equal(rs.spec!.selector.matchLabels!['pod-template-hash'], hash);
      assert.equal(rs.spec!.template!.metadata!.labels!['pod-template-hash'], hash);
      assert.equal(rev(rs), '1');
      assert.equal(rev(done), '1');
      assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
      assert.equal(rs.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '4');
      assert.deepEqual(
        { replicas: done!.status!.replicas, updated: done!.status!.updatedReplicas, ready: done!.status!.readyReplicas, available: done!.status!.availableReplicas, unavailable: done!.status!.unavailableReplicas ?? 0 },
        { replicas: 3, updated: 3, ready: 3, available: 3, unavailable: 0 },
      );
      const available = cond(done, 'Available')!;
      assert.deepEqual([available.status, available.reason, available.message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
      assert.equal(cond(done, 'Progressing')!.message, `ReplicaSet "${rs.metadata!.name}" has successfully progressed.`);
      const events = await waitForObjects(rig.client.resource(resources.coreEvents), (es) => es.some((e) => e.reason === 'ScalingReplicaSet' && e.involvedObject.name === 'web'), 'ScalingReplicaSet event', { namespace: ns });
      const ev = events.find((e) => e.reason === 'ScalingReplicaSet' && e.involvedObject.name === 'web')!;
      assert.equal(ev.message, `Scaled up replica set ${rs.metadata!.name} from 0 to 3`);
    } finally {
      await kubelet.stop();
    }
  });

  test('a rolling update never runs more than replicas + maxSurge pods and ends with the old ReplicaSet at zero', async () => {
    const kubelet = startFakeKubelet(rig.client, { namespace: ns, filter: (p) => p.metadata?.labels?.app === 'roll' });
    try {
      const d = await deployments().create(deployment('roll', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
      await waitForObject(deployments(), ns, 'roll', complete, 'roll v1 complete');
      let maxPods = 0;
      const watching = waitForObjects(
        pods(),
        (ps) => {
          const live = ps.filter((p) => !p.metadata?.deletionTimestamp);
          maxPods = Math.max(maxPods, live.length);
          return live.length === 4 && live.every((p) => p.spec?.containers[0].image === 'nginx:2');
        },
        'all pods on nginx:2',
        { namespace: ns, labelSelector: 'app=roll', timeoutMs: 20_000 },
      );
      await setImage('roll', 'nginx:2');
      await watching;
      const done = await waitForObject(deployments(), ns, 'roll', complete, 'roll v2 complete', 20_000);
      assert.ok(maxPods <= 5, `at most 5 pods at once, saw ${maxPods}`);
      const owned = await ownedRSs(d);
      assert.equal(owned.length, 2);
      const byRev = Object.fromEntries(owned.map((rs) => [rev(rs), rs]));
      assert.equal(byRev['1'].spec!.replicas, 0);
      assert.equal(byRev['2'].spec!.replicas, 4);
      assert.equal(rev(done), '2');
    } finally {
      await kubelet.stop();
    }
  });

  test('Recreate scales the old ReplicaSet to zero and waits for its pods to go before creating the new one', async () => {
    const kubelet = startFakeKubelet(rig.client, { namespace: ns, filter: (p) => p.metadata?.labels?.app === 'recreate' });
    try {
      const d = await deployments().create(deployment('recreate', 2, { strategy: { type: 'Recreate' } }));
      await waitForObject(deployments(), ns, 'recreate', complete, 'recreate v1 complete');
      const [oldRS] = await ownedRSs(d);
      let overlap = false;
      const watching = waitForObjects(
        pods(),
        (ps) => {
          const live = ps.filter((p) => !p.metadata?.deletionTimestamp);
          const images = new Set(live.map((p) => p.spec?.containers[0].image));
          if (images.has('nginx:1') && images.has('nginx:2')) overlap = true;
          return live.length === 2 && images.size === 1 && images.has('nginx:2');
        },
        'pods replaced',
        { namespace: ns, labelSelector: 'app=recreate', timeoutMs: 20_000 },
      );
      await setImage('recreate', 'nginx:2');
      await watching;
      assert.equal(overlap, false, 'old and new pods never ran together');
      await waitForObject(deployments(), ns, 'recreate', complete, 'recreate v2 complete');
      const fresh = await rss().get(oldRS.metadata!.name!, { namespace: ns });
      assert.equal(fresh.spec!.replicas, 0);
    } finally {
      await kubelet.stop();
    }
  });

  test('rolling back (patching the template from the revision-1 ReplicaSet, as kubectl does) reuses that ReplicaSet as revision 3', async () => {
    const kubelet = startFakeKubelet(rig.client, { namespace: ns, filter: (p) => p.metadata?.labels?.app === 'undo' });
    try {
      const d = await deployments().create(deployment('undo', 2));
      await waitForObject(deployments(), ns, 'undo', complete, 'v1');
      await setImage('undo', 'nginx:2');
      await waitForObject(deployments(), ns, 'undo', (o) => complete(o) && rev(o) === '2', 'v2');
      const first = (await ownedRSs(d)).find((rs) => rev(rs) === '1')!;
      const template = structuredClone(first.spec!.template!);
      delete template.metadata!.labels!['pod-template-hash'];
      await patchD('undo', [{ op: 'replace', path: '/spec/template', value: template }], 'json');
      const done = await waitForObject(deployments(), ns, 'undo', (o) => complete(o) && rev(o) === '3', 'rolled back');
      const after = await ownedRSs(d);
      assert.equal(after.length, 2, 'no new ReplicaSet for an old template');
      const reused = after.find((rs) => rs.metadata!.uid === first.metadata!.uid)!;
      assert.equal(rev(reused), '3');
      assert.equal(reused.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
      assert.equal(reused.spec!.replicas, 2);
      assert.equal(done!.spec!.template!.spec!.containers[0].image, 'nginx:1');
    } finally {
      await kubelet.stop();
    }
  });

  test('a paused deployment reports DeploymentPaused and starts no rollout until resumed', async () => {
    const kubelet = startFakeKubelet(rig.client, { namespace: ns, filter: (p) => p.metadata?.labels?.app === 'pause' });
    try {
      const d = await deployments().create(deployment('pause', 1));
      await waitForObject(deployments(), ns, 'pause', complete, 'v1');
      await patchD('pause', { spec: { paused: true } }, 'merge');
      const paused = await waitForObject(deployments(), ns, 'pause', (o) => cond(o, 'Progressing')?.reason === 'DeploymentPaused', 'paused condition');
      assert.deepEqual([cond(paused, 'Progressing')!.status, cond(paused, 'Progressing')!.message], ['Unknown', 'Deployment is paused']);
      await setImage('pause', 'nginx:2');
      await waitForObject(deployments(), ns, 'pause', (o) => o?.status?.observedGeneration === o?.metadata?.generation, 'paused change observed');
      assert.equal((await ownedRSs(d)).length, 1, 'no new ReplicaSet while paused');
      await patchD('pause', { spec: { paused: false } }, 'merge');
      await waitForObject(deployments(), ns, 'pause', (o) => complete(o) && rev(o) === '2', 'resumed rollout complete');
      assert.equal((await ownedRSs(d)).length, 2);
    } finally {
      await kubelet.stop();
    }
  });

  test('a rollout whose pods never become ready exceeds its progress deadline', async () => {
    await deployments().create(deployment('stuck', 2, { progressDeadlineSeconds: 1 }));
    const d = await waitForObject(deployments(), ns, 'stuck', (o) => cond(o, 'Progressing')?.reason === 'ProgressDeadlineExceeded', 'deadline exceeded', 8000);
    const p = cond(d, 'Progressing')!;
    assert.equal(p.status, 'False');
    assert.match(p.message!, /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
    assert.deepEqual([cond(d, 'Available')!.status, cond(d, 'Available')!.reason], ['False', 'MinimumReplicasUnavailable']);
  });

  test('old ReplicaSets beyond revisionHistoryLimit are deleted', async () => {
    const kubelet = startFakeKubelet(rig.client, { namespace: ns, filter: (p) => p.metadata?.labels?.app === 'hist' });
    try {
      const d = await deployments().create(deployment('hist', 1, { revisionHistoryLimit: 1 }));
      await waitForObject(deployments(), ns, 'hist', complete, 'v1');
      for (const [i, image] of ['nginx:2', 'nginx:3'].entries()) {
        await setImage('hist', image);
        await waitForObject(deployments(), ns, 'hist', (o) => complete(o) && rev(o) === String(i + 2), `v${i + 2}`);
      }
      const remaining = await waitForObjects(rss(), (all) => all.filter((rs) => getControllerOf(rs)?.uid === d.metadata!.uid).length === 2, 'two ReplicaSets left', { namespace: ns });
      const revs = remaining.filter((rs) => getControllerOf(rs)?.uid === d.metadata!.uid).map(rev).sort();
      assert.deepEqual(revs, ['2', '3']);
    } finally {
      await kubelet.stop();
    }
  });

  test('scaling mid-rollout spreads the new replicas over both ReplicaSets in proportion', async () => {
    // Only v1 pods become ready, so the rollout to v2 stalls with both ReplicaSets active.
    const kubelet = startFakeKubelet(rig.client, { namespace: ns, filter: (p: Pod) => p.metadata?.labels?.app === 'prop' && p.spec?.containers[0].image === 'nginx:1' });
    try {
      const d = await deployments().create(deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
      await waitForObject(deployments(), ns, 'prop', complete, 'v1');
      await setImage('prop', 'nginx:2');
      // 13 allowed: old scaled to 8 (10 - 2 unavailable), new to 5.
      await waitForObjects(rss(), (all) => all.filter((rs) => getControllerOf(rs)?.uid === d.metadata!.uid).map((rs) => rs.spec!.replicas).sort((a, b) => a! - b!).join() === '5,8', 'stalled at 8 old + 5 new', { namespace: ns });
      await patchD('prop', { spec: { replicas: 20 } }, 'merge');
      // 20 + 3 = 23 allowed; 10 more split 8:5 → old 8+6=14, new 5+4=9 (leftover to the largest).
      const all = await waitForObjects(rss(), (xs) => xs.filter((rs) => getControllerOf(rs)?.uid === d.metadata!.uid).reduce((n, rs) => n + (rs.spec!.replicas ?? 0), 0) === 23, '23 replicas in total', { namespace: ns });
      const sizes = Object.fromEntries(all.filter((rs) => getControllerOf(rs)?.uid === d.metadata!.uid).map((rs) => [rev(rs), rs.spec!.replicas]));
      assert.deepEqual(sizes, { '1': 14, '2': 9 });
    } finally {
      await kubelet.stop();
    }
  });
});
