// The StatefulSet controller against the real API server: ordered creation with identity and
// claims, scale down in reverse order, rolling update from the highest ordinal down to the
// partition, Parallel management, and ControllerRevisions. Tests play the kubelet: they mark pods
// Running and Ready through pods/status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../src/api/object.js';
import { statefulSetController, podIndexLabel, podNameLabel } from '../../src/controllers/statefulset/index.js';
import { controllerRevisions } from '../../src/controllers/history/index.js';
import { markPodReady } from './util/pods.js';
import { isConflict } from '../../src/client/rest/errors.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([statefulSetController]);
});
after(async () => {
  await rig?.close();
});

type Set = StatefulSet & KubeObject;
const ns = 'default';
const pods = () => rig.client.resource(resources.pods);
const sets = () => rig.client.resource(resources.statefulSets);

function setObject(name: string, replicas: number, spec: Partial<NonNullable<StatefulSet['spec']>> = {}): Set {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      serviceName: `${name}-svc`,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
      ...spec,
    },
  };
}

/**
 * Patches the set, retrying on 409: the server currently answers a patch that lost a race with
 * the controller's status write with a Conflict instead of re-applying it (reported).
 */
async function patchSet(name: string, patch: unknown, type: 'merge' | 'strategic' = 'merge'): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await sets().patch(name, patch, { namespace: ns, type });
      return;
    } catch (err) {
      if (!isConflict(err) || attempt > 5) throw err;
    }
  }
}

const live = (p: Pod) => !p.metadata?.deletionTimestamp;
const names = (ps: Pod[]) => ps.filter(live).map((p) => p.metadata!.name!).sort();

/** Waits for the pod to exist (not terminating) and marks it Running+Ready. */
async function readyPod(name: string, cond: (p: Pod) => boolean = () => true): Promise<Pod> {
  const pod = await waitForObject(pods(), ns, name, (p) => p !== undefined && live(p) && cond(p), `pod ${name}`);
  return markPodReady(rig.client, pod!);
}

async function podsOf(app: string, cond: (ps: Pod[]) => boolean, what: string): Promise<Pod[]> {
  return waitForObjects(pods(), cond, what, { namespace: ns, labelSelector: `app=${app}` });
}

describe('statefulset controller', () => {
  test('OrderedReady creates web-0, waits for it to be Ready, then web-1, with identity, claims and status', async () => {
    await sets().create(
      setObject('web', 2, {
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      }),
    );
    const first = await podsOf('web', (ps) => ps.length === 1, 'web-0 only');
    assert.deepEqual(names(first), ['web-0']);
    const p0 = first[0];
    assert.equal(p0.spec?.hostname, 'web-0');
    assert.equal(p0.spec?.subdomain, 'web-svc');
    assert.equal(p0.metadata?.labels?.[podNameLabel], 'web-0');
    assert.equal(p0.metadata?.labels?.[podIndexLabel], '0');
    assert.equal(p0.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName, 'www-web-0');
    const claim = await rig.client.resource(resources.persistentVolumeClaims).get('www-web-0', { namespace: ns });
    assert.equal(claim.metadata?.labels?.app, 'web');
    // Nothing more happens until web-0 is Running and Ready.
    const s1 = await waitForObject(sets(), ns, 'web', (s) => s?.status?.replicas === 1, 'status.replicas 1');
    assert.equal(s1!.status!.readyReplicas, 0);
    assert.equal((await pods().list({ namespace: ns, labelSelector: 'app=web' })).items.length, 1);
    await readyPod('web-0');
    await readyPod('web-1');
    const s = await waitForObject(sets(), ns, 'web', (o) => o?.status?.readyReplicas === 2 && o.status.availableReplicas === 2, 'ready 2');
    assert.equal(s!.status!.replicas, 2);
    assert.equal(s!.status!.currentReplicas, 2);
    assert.equal(s!.status!.updatedReplicas, 2);
    assert.equal(s!.status!.observedGeneration, s!.metadata!.generation);
    assert.ok(s!.status!.currentRevision?.startsWith('web-'));
    assert.equal(s!.status!.currentRevision, s!.status!.updateRevision);
    const p1 = await pods().get('web-1', { namespace: ns });
    assert.equal(p1.metadata?.labels?.['controller-revision-hash'], s!.status!.updateRevision);
    await rig.client.resource(resources.persistentVolumeClaims).get('www-web-1', { namespace: ns });
    const revs = await rig.client.resource(controllerRevisions).list({ namespace: ns, labelSelector: 'app=web' });
    assert.equal(revs.items.length, 1);
    assert.equal(revs.items[0].revision, 1);
    const events = await rig.client.resource(resources.events).list({ namespace: ns });
    assert.ok(
      events.items.some((e) => e.reason === 'SuccessfulCreate' && e.note === 'create Pod web-0 in StatefulSet web successful'),
      'SuccessfulCreate event',
    );
  });

  test('scaling an OrderedReady set down deletes the highest ordinal first, one at a time', async () => {
    await sets().create(setObject('down', 3));
    for (const n of ['down-0', 'down-1', 'down-2']) await readyPod(n);
    await waitForObject(sets(), ns, 'down', (s) => s?.status?.readyReplicas === 3, 'ready 3');
    await patchSet('down', { spec: { replicas: 1 } }, 'merge');
    // Track the order in which pods disappear.
    const gone: string[] = [];
    await podsOf(
      'down',
      (ps) => {
        const present = new Set(names(ps));
        for (const n of ['down-2', 'down-1']) if (!present.has(n) && !gone.includes(n)) gone.push(n);
        return present.size === 1;
      },
      'one pod left',
    );
    assert.deepEqual(gone, ['down-2', 'down-1']);
    await waitForObject(sets(), ns, 'down', (s) => s?.status?.replicas === 1 && s.status.readyReplicas === 1, 'status replicas 1');
  });

  test('a rolling update with a partition replaces pods from the highest ordinal down to the partition only', async () => {
    await sets().create(setObject('roll', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
    for (const n of ['roll-0', 'roll-1', 'roll-2']) await readyPod(n);
    const before = await waitForObject(sets(), ns, 'roll', (s) => s?.status?.readyReplicas === 3, 'ready 3');
    const oldRev = before!.status!.currentRevision!;
    await patchSet('roll', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'strategic');
    const isNew = (p: Pod) => p.spec?.containers[0].image === 'nginx:2';
    await readyPod('roll-2', isNew);
    await readyPod('roll-1', isNew);
    const s = await waitForObject(sets(), ns, 'roll', (o) => o?.status?.updatedReplicas === 2 && o.status.readyReplicas === 3, 'two updated');
    assert.notEqual(s!.status!.updateRevision, oldRev);
    assert.equal(s!.status!.currentRevision, oldRev, 'the partition keeps the rollout incomplete');
    const p0 = await pods().get('roll-0', { namespace: ns });
    assert.equal(p0.spec?.containers[0].image, 'nginx:1', 'below the partition stays at the old revision');
    // Lowering the partition finishes the rollout; the current revision becomes the update revision.
    await patchSet('roll', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, 'merge');
    await readyPod('roll-0', isNew);
    const done = await waitForObject(sets(), ns, 'roll', (o) => o?.status?.currentRevision === o?.status?.updateRevision && o?.status?.updatedReplicas === 3 && o.status.readyReplicas === 3, 'rollout complete');
    assert.equal(done!.status!.currentReplicas, 3);
    const revs = await rig.client.resource(controllerRevisions).list({ namespace: ns, labelSelector: 'app=roll' });
    assert.deepEqual(revs.items.map((r) => r.revision).sort(), [1, 2]);
  });

  test('Parallel management creates every pod at once and spec.ordinals.start shifts the names', async () => {
    await sets().create(setObject('par', 3, { podManagementPolicy: 'Parallel', ordinals: { start: 5 } }));
    const ps = await podsOf('par', (p) => p.length === 3, 'three pods without readiness');
    assert.deepEqual(names(ps), ['par-5', 'par-6', 'par-7']);
    assert.equal(ps.find((p) => p.metadata!.name === 'par-6')!.metadata!.labels![podIndexLabel], '6');
  });

  test('whenScaled=Delete gives a scaled-away claim its pod as owner; whenDeleted=Delete makes the set the owner', async () => {
    const set = await sets().create(
      setObject('ret', 2, {
        podManagementPolicy: 'Parallel',
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      }),
    );
    const claims = rig.client.resource(resources.persistentVolumeClaims);
    const c0 = await waitForObject(claims, ns, 'data-ret-0', (c) => c !== undefined, 'claim data-ret-0');
    assert.ok(c0!.metadata?.ownerReferences?.some((r) => r.uid === set.metadata!.uid && r.kind === 'StatefulSet'));
    const [p1] = (await podsOf('ret', (ps) => ps.length === 2, 'two pods')).filter((p) => p.metadata!.name === 'ret-1');
    await patchSet('ret', { spec: { replicas: 1 } }, 'merge');
    const c1 = await waitForObject(claims, ns, 'data-ret-1', (c) => !!c?.metadata?.ownerReferences?.some((r) => r.kind === 'Pod'), 'claim owned by its pod');
    assert.equal(c1!.metadata!.ownerReferences!.find((r) => r.kind === 'Pod')!.uid, p1.metadata!.uid);
  });
});
