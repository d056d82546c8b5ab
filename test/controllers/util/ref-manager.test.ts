// PodControl and ControllerRefManager against the real API server (no controllers running).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startControllers, type ControllerRig } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../../src/api/object.js';
import { labelSelectorAsSelector } from '../../../src/api/selectors/labels.js';
import { ControllerRefManager, getControllerOf, newControllerRef, newPodControl, recheckDeletionTimestamp } from '../../../src/controllers/util/index.js';
import type { EventRecorder } from '../../../src/client/record/index.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([]);
});
after(async () => {
  await rig?.close();
});

const rsKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };

function recorderLog(): EventRecorder & { events: string[] } {
  const events: string[] = [];
  const r = {
    events,
    event: (_o: unknown, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`),
    eventf: () => undefined,
    annotatedEventf: () => undefined,
  };
  return r as unknown as EventRecorder & { events: string[] };
}

async function makeRS(name: string): Promise<ReplicaSet & KubeObject> {
  return rig.client.resource(resources.replicaSets).create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
}

describe('PodControl', () => {
  test('creates a pod named after its owner, owned by it, and records SuccessfulCreate; deletes it and records SuccessfulDelete', async () => {
    const rs = await makeRS('pc');
    const rec = recorderLog();
    const control = newPodControl(rig.client, rec);
    const pod = await control.createPod('default', rs.spec!.template!, { ...rs, ...rsKind }, newControllerRef(rs, rsKind));
    assert.match(pod.metadata!.name!, /^pc-[a-z0-9]{5}$/);
    assert.deepEqual(getControllerOf(pod), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'pc', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true });
    assert.equal(pod.metadata?.labels?.app, 'pc');
    await control.deletePod('default', pod.metadata!.name!, rs);
    assert.deepEqual(rec.events, [`Normal SuccessfulCreate Created pod: ${pod.metadata!.name}`, `Normal SuccessfulDelete Deleted pod: ${pod.metadata!.name}`]);
    await assert.rejects(control.deletePod('default', pod.metadata!.name!, rs), /not found/);
  });

  test('a template without labels is refused before any request', async () => {
    const rs = await makeRS('nolabels');
    const control = newPodControl(rig.client, recorderLog());
    await assert.rejects(control.createPod('default', { spec: { containers: [{ name: 'c', image: 'x' }] } }, rs, newControllerRef(rs, rsKind)), /no labels/);
  });
});

describe('ControllerRefManager', () => {
  async function pod(name: string, labels: Record<string, string>, owner?: KubeObject): Promise<Pod & KubeObject> {
    return rig.client.resource(resources.pods).create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels, ownerReferences: owner ? [newControllerRef(owner, rsKind)] : undefined },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
  }

  test('adopts matching orphans, releases owned pods that no longer match, ignores pods of other owners', async () => {
    const rs = await makeRS('claim');
    const other = await makeRS('other');
    const pods = [
      await pod('claim-orphan', { app: 'claim' }),
      await pod('claim-owned', { app: 'claim' }, rs),
      await pod('claim-moved', { app: 'elsewhere' }, rs),
      await pod('claim-foreign', { app: 'claim' }, other),
      await pod('claim-unrelated', { app: 'nope' }),
    ];
    const podsClient = rig.client.resource(resources.pods);
    const m = new ControllerRefManager({
      controller: rs,
      controllerKind: rsKind,
      selector: labelSelectorAsSelector(rs.spec!.selector),
      client: podsClient,
      canAdopt: recheckDeletionTimestamp(() => rig.client.resource(resources.replicaSets).get('claim', { namespace: 'default' }), rs),
    });
    const claimed = await m.claim(pods);
    assert.deepEqual(claimed.map((p) => p.metadata!.name), ['claim-orphan', 'claim-owned']);
    const fresh = async (n: string) => getControllerOf(await podsClient.get(n, { namespace: 'default' }))?.uid;
    assert.equal(await fresh('claim-orphan'), rs.metadata!.uid);
    assert.equal(await fresh('claim-moved'), undefined);
    assert.equal(await fresh('claim-foreign'), other.metadata!.uid);
    assert.equal(await fresh('claim-unrelated'), undefined);
  });

  test('an owner being deleted adopts nothing, and a replaced owner (new uid) fails the adoption recheck', async () => {
    const rs = await makeRS('gone');
    const orphan = await pod('gone-orphan', { app: 'gone' });
    const deleting = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: new Date().toISOString() } };
    const podsClient = rig.client.resource(resources.pods);
    const selector = labelSelectorAsSelector(rs.spec!.selector);
    const getFresh = () => rig.client.resource(resources.replicaSets).get('gone', { namespace: 'default' });
    const m1 = new ControllerRefManager({ controller: deleting, controllerKind: rsKind, selector, client: podsClient, canAdopt: recheckDeletionTimestamp(getFresh, deleting) });
    assert.deepEqual(await m1.claim([orphan]), []);

    await rig.client.resource(resources.replicaSets).delete('gone', { namespace: 'default' });
    await makeRS('gone');
    const m2 = new ControllerRefManager({ controller: rs, controllerKind: rsKind, selector, client: podsClient, canAdopt: recheckDeletionTimestamp(getFresh, rs) });
    await assert.rejects(m2.claim([orphan]), /is gone/);
    assert.equal(getControllerOf(await podsClient.get('gone-orphan', { namespace: 'default' })), undefined);
  });
});
