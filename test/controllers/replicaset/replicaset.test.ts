// The ReplicaSet controller against the real API server: scaling, deletion ranking, adoption and
// release, status and conditions, and no duplicates across a controller restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../../src/api/object.js';
import { replicaSetController, newReplicaSetController } from '../../../src/controllers/replicaset/index.js';
import { runControllerManager } from '../../../src/controllers/manager.js';
import { createLogger } from '../../../src/util/log.js';
import { getControllerOf, newPodControl, type PodControl } from '../../../src/controllers/util/index.js';
import { markPodReady, markPodsReady } from '../util/pods.js';
import { CONTROLLER_MANAGER_USER } from '../../../src/controllers/context.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([replicaSetController]);
});
after(async () => {
  await rig?.close();
});

type RS = ReplicaSet & KubeObject;
const ns = 'default';

function rsObject(name: string, replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): RS {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, ...extra },
  };
}

const pods = () => rig.client.resource(resources.pods);
const rss = () => rig.client.resource(resources.replicaSets);
const ownedBy = (rs: RS) => (p: Pod) => getControllerOf(p as KubeObject)?.uid === rs.metadata!.uid && !p.metadata?.deletionTimestamp;

async function waitForPods(rs: RS, n: number, what = `${n} pods of ${rs.metadata!.name}`): Promise<Pod[]> {
  const all = await waitForObjects(pods(), (ps) => ps.filter(ownedBy(rs)).length === n, what, { namespace: ns, labelSelector: `app=${rs.metadata!.name}` });
  return all.filter(ownedBy(rs));
}

describe('replicaset controller', () => {
  test('creates the missing pods, each named after and owned by the ReplicaSet, and reports them in status', async () => {
    const rs = await rss().create(rsObject('scale', 3));
    const created = await waitForPods(rs, 3);
    for (const p of created) {
      assert.match(p.metadata!.name!, /^scale-/);
      assert.equal(p.metadata?.labels?.tier, 'web');
    }
    const got = await waitForObject(rss(), ns, 'scale', (o) => o?.status?.replicas === 3 && o.status.observedGeneration === o.metadata?.generation, 'status.replicas 3');
    assert.equal(got!.status!.fullyLabeledReplicas, 3);
    assert.equal(got!.status!.readyReplicas ?? 0, 0);
    await markPodsReady(rig.client, created);
    const ready = await waitForObject(rss(), ns, 'scale', (o) => o?.status?.readyReplicas === 3, 'readyReplicas 3');
    assert.equal(ready!.status!.availableReplicas, 3);
  });

  test('scaling down deletes the not-ready pods before the ready one', async () => {
    const rs = await rss().create(rsObject('rank', 3));
    const created = await waitForPods(rs, 3);
    const keep = created[1];
    await markPodReady(rig.client, keep);
    await waitForObject(rss(), ns, 'rank', (o) => o?.status?.readyReplicas === 1, 'one ready');
    await rss().patch('rank', { spec: { replicas: 1 } }, { namespace: ns, type: 'merge' });
    const left = await waitForPods(rs, 1);
    assert.equal(left[0].metadata!.name, keep.metadata!.name);
    await waitForObject(rss(), ns, 'rank', (o) => o?.status?.replicas === 1 && o.status.observedGeneration === 2, 'status.replicas 1');
  });

  test('a matching orphan is adopted instead of creating a pod, and a pod relabelled away is released and replaced', async () => {
    const orphan = await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'adopt-me', namespace: ns, labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const rs = await rss().create(rsObject('adopt', 2));
    const owned = await waitForPods(rs, 2);
    assert.ok(owned.some((p) => p.metadata!.uid === orphan.metadata!.uid), 'the orphan was adopted');
    await pods().patch('adopt-me', { metadata: { labels: { app: 'gone' } } }, { namespace: ns, type: 'merge' });
    const released = await waitForObject(pods(), ns, 'adopt-me', (p) => p !== undefined && !getControllerOf(p), 'adopt-me released');
    assert.equal(released!.metadata!.ownerReferences?.length ?? 0, 0);
    const now = await waitForPods(rs, 2);
    assert.ok(!now.some((p) => p.metadata!.name === 'adopt-me'));
  });

  test('minReadySeconds holds availableReplicas back until pods have been ready long enough', async () => {
    const rs = await rss().create(rsObject('minready', 1, { minReadySeconds: 1 }));
    const [p] = await waitForPods(rs, 1);
    await markPodReady(rig.client, p);
    const first = await waitForObject(rss(), ns, 'minready', (o) => o?.status?.readyReplicas === 1, 'ready 1');
    assert.equal(first!.status!.availableReplicas ?? 0, 0);
    await waitForObject(rss(), ns, 'minready', (o) => o?.status?.availableReplicas === 1, 'available after minReadySeconds', 5000);
  });

  test('deleting a pod gets it replaced, and the count never exceeds spec.replicas', async () => {
    const rs = await rss().create(rsObject('replace', 4));
    const created = await waitForPods(rs, 4);
    let max = 0;
    await pods().delete(created[0].metadata!.name!, { namespace: ns });
    await waitForObjects(
      pods(),
      (ps) => {
        const live = ps.filter(ownedBy(rs));
        max = Math.max(max, live.length);
        return live.length === 4 && !live.some((p) => p.metadata!.name === created[0].metadata!.name);
      },
      'replacement',
      { namespace: ns, labelSelector: 'app=replace' },
    );
    assert.equal(max, 4);
  });
});

describe('replicaset controller failures and restarts', () => {
  test('failed pod creations set ReplicaFailure=True/FailedCreate, cleared once creation works again', async () => {
    let fail = true;
    const failing = (ctx: Parameters<typeof newReplicaSetController>[0]): PodControl => {
      const real = newPodControl(ctx.client, ctx.recorder('replicaset-controller'));
      return { ...real, createPod: (...args) => (fail ? Promise.reject(new Error('pods "x" is forbidden: exceeded quota')) : real.createPod(...args)) };
    };
    const log = createLogger('t', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
    const stop = new AbortController();
    // Its own API server, so the shared rig's (working) controller does not race this one.
    const own = await startControllers([]);
    const running = runControllerManager({ client: own.api.client(CONTROLLER_MANAGER_USER), log, controllers: [{ name: 'replicaset', create: (ctx) => newReplicaSetController(ctx, { podControl: failing(ctx) }) }] }, stop.signal);
    try {
      const ownRss = own.client.resource(resources.replicaSets);
      await ownRss.create(rsObject('fails', 2));
      const failed = await waitForObject(ownRss, ns, 'fails', (o) => !!o?.status?.conditions?.some((c) => c.type === 'ReplicaFailure'), 'ReplicaFailure');
      const cond = failed!.status!.conditions!.find((c) => c.type === 'ReplicaFailure')!;
      assert.equal(cond.status, 'True');
      assert.equal(cond.reason, 'FailedCreate');
      assert.match(cond.message!, /exceeded quota/);
      fail = false;
      // The failed key is retried with backoff; bump the spec so it syncs now.
      await ownRss.patch('fails', { metadata: { labels: { poke: '1' } } }, { namespace: ns, type: 'merge' });
      const fixed = await waitForObject(ownRss, ns, 'fails', (o) => o?.status?.replicas === 2 && !o.status.conditions?.length, 'ReplicaFailure cleared');
      assert.equal(fixed!.status!.replicas, 2);
    } finally {
      stop.abort();
      await running;
      await own.close();
    }
  });

  test('a restarted controller finds the pods its predecessor created and creates no duplicates', async () => {
    const own = await startControllers([]);
    const log = createLogger('t', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
    const start = () => {
      const stop = new AbortController();
      const running = runControllerManager({ client: own.api.client(CONTROLLER_MANAGER_USER), log, controllers: [replicaSetController] }, stop.signal);
      return { stop: async () => (stop.abort(), await running) };
    };
    try {
      const ownRss = own.client.resource(resources.replicaSets);
      const ownPods = own.client.resource(resources.pods);
      const first = start();
      const rs = await ownRss.create(rsObject('restart', 5));
      await waitForObjects(ownPods, (ps) => ps.filter(ownedBy(rs)).length === 5, '5 pods', { namespace: ns });
      await first.stop();
      const second = start();
      // Scaling to 6 proves the new controller is running; it must add exactly one pod.
      await ownRss.patch('restart', { spec: { replicas: 6 } }, { namespace: ns, type: 'merge' });
      await waitForObject(ownRss, ns, 'restart', (o) => o?.status?.replicas === 6 && o.status.observedGeneration === 2, 'status 6');
      const list = await ownPods.list({ namespace: ns, labelSelector: 'app=restart' });
      assert.equal(list.items.length, 6);
      await second.stop();
    } finally {
      await own.close();
    }
  });
});
