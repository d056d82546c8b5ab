// The namespace controller against the real API server: a deleted namespace is emptied through
// discovery and then released; content with finalizers or pods on a node keep it Terminating
// with the conditions upstream reports, until that content is gone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { namespaceControllerWith } from '../../src/controllers/namespace/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../src/api/object.js';
import type { ResourceRef } from '../../src/client/rest/resource-ref.js';

let rig: ControllerRig;
before(async () => {
  // No initial delay and quick re-checks: the behaviour is upstream's, the waiting is shortened.
  rig = await startControllers([namespaceControllerWith({ deletionGracePeriodMs: 0, remainingContentDelayMs: () => 100 })]);
});
after(async () => {
  await rig?.close();
});

const podSpec = (nodeName?: string) => ({ nodeName, containers: [{ name: 'c', image: 'busybox' }] });

async function createNamespace(name: string): Promise<void> {
  await rig.client.resource(resources.namespaces).create({ metadata: { name } });
}

function condition(conditions: NamespaceCondition[] | undefined, type: string): NamespaceCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

async function waitForNamespaceGone(name: string): Promise<void> {
  await waitForObject(rig.client.resource(resources.namespaces), undefined, name, (ns) => ns === undefined, `namespace ${name} to be deleted`, 15_000);
}

describe('namespace controller', () => {
  test('a namespace full of configmaps, secrets, services, deployments and unscheduled pods is emptied and then deleted', async () => {
    const ns = 'full';
    await createNamespace(ns);
    const c = rig.client;
    const contents: Array<[ResourceRef, KubeObject]> = [];
    for (let i = 0; i < 3; i++) {
      contents.push([resources.configMaps, { metadata: { name: `cm-${i}` }, data: { k: 'v' } }]);
      contents.push([resources.secrets, { metadata: { name: `s-${i}` }, stringData: { k: 'v' } }]);
      contents.push([resources.pods, { metadata: { name: `p-${i}` }, spec: podSpec() }]);
    }
    contents.push([resources.services, { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } }]);
    contents.push([
      resources.deployments,
      { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec() } } },
    ]);
    for (const [ref, obj] of contents) await c.resource(ref).create(obj, { namespace: ns });

    await c.resource(resources.namespaces).delete(ns);
    await waitForNamespaceGone(ns);

    for (const ref of new Set(contents.map(([r]) => r))) {
      const left = await c.resource(ref).list({ namespace: ns });
      assert.deepEqual(left.items.map((o) => o.metadata?.name), [], `no ${ref.plural} left in ${ns}`);
    }
  });

  test('an object with a finalizer keeps the namespace Terminating with the finalizer conditions until the finalizer is removed', async () => {
    const ns = 'held';
    await createNamespace(ns);
    const configMaps = rig.client.resource(resources.configMaps);
    await configMaps.create({ metadata: { name: 'kept', finalizers: ['example.com/x'] }, data: { a: 'b' } }, { namespace: ns });
    await configMaps.create({ metadata: { name: 'free' } }, { namespace: ns });
    const namespaces = rig.client.resource(resources.namespaces);
    await namespaces.delete(ns);

    const held = await waitForObject(
      namespaces,
      undefined,
      ns,
      (o) => condition(o?.status?.conditions, 'NamespaceFinalizersRemaining')?.status === 'True',
      'the NamespaceFinalizersRemaining condition',
    );
    assert.equal(held!.status?.phase, 'Terminating');
    const conds = held!.status!.conditions!;
    assert.deepEqual(
      conds.map((x) => [x.type, x.status, x.reason, x.message]),
      [
        ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
        ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
        ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances'],
        ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: example.com/x in 1 resource instances'],
      ],
    );
    for (const x of conds) assert.match(x.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(held!.spec?.finalizers, ['kubernetes'], 'the namespace stays held by the kubernetes finalizer');

    // The finalized object is marked for deletion; the other one is gone; new content is refused.
    const kept = await configMaps.get('kept', { namespace: ns });
    assert.ok(kept.metadata?.deletionTimestamp);
    await assert.rejects(configMaps.get('free', { namespace: ns }), /not found/);
    await assert.rejects(configMaps.create({ metadata: { name: 'late' } }, { namespace: ns }), /being terminated/);

    await configMaps.patch('kept', [{ op: 'remove', path: '/metadata/finalizers' }], { type: 'json', namespace: ns });
    await waitForNamespaceGone(ns);
  });

  test('pods on a node keep the namespace Terminating until they are gone; unscheduled pods go at once', async () => {
    const ns = 'scheduled';
    await createNamespace(ns);
    const pods = rig.client.resource(resources.pods);
    await pods.create({ metadata: { name: 'bound' }, spec: podSpec('node-1') }, { namespace: ns });
    await pods.create({ metadata: { name: 'pending' }, spec: podSpec() }, { namespace: ns });
    const namespaces = rig.client.resource(resources.namespaces);
    await namespaces.delete(ns);

    const held = await waitForObject(
      namespaces,
      undefined,
      ns,
      (o) => condition(o?.status?.conditions, 'NamespaceContentRemaining')?.status === 'True',
      'the NamespaceContentRemaining condition',
    );
    assert.equal(held!.status?.phase, 'Terminating');
    assert.equal(condition(held!.status?.conditions, 'NamespaceContentRemaining')!.message, 'Some resources are remaining: pods. has 1 resource instances');
    assert.equal(condition(held!.status?.conditions, 'NamespaceFinalizersRemaining')!.status, 'False');
    // The scheduled pod waits for its kubelet (graceful deletion); the unscheduled one is gone.
    const left = await pods.list({ namespace: ns });
    assert.deepEqual(left.items.map((p) => p.metadata?.name), ['bound']);
    assert.ok(left.items[0].metadata?.deletionTimestamp);
    assert.equal(left.items[0].metadata?.deletionGracePeriodSeconds, 30);

    // What a kubelet does once the containers have stopped: delete with grace 0.
    await pods.delete('bound', { namespace: ns, gracePeriodSeconds: 0 });
    await waitForNamespaceGone(ns);
  });

  test('a namespace that is not being deleted is left alone', async () => {
    const ns = 'alive';
    await createNamespace(ns);
    await rig.client.resource(resources.configMaps).create({ metadata: { name: 'stay' } }, { namespace: ns });
    // Deleting another namespace makes the controller run; this one must be untouched afterwards.
    await createNamespace('other');
    await rig.client.resource(resources.namespaces).delete('other');
    await waitForNamespaceGone('other');
    const alive = await rig.client.resource(resources.namespaces).get(ns);
    assert.equal(alive.status?.phase, 'Active');
    assert.equal(alive.status?.conditions, undefined);
    const cms = await waitForObjects(rig.client.resource(resources.configMaps), (o) => o.length > 0, 'configmaps', { namespace: ns });
    assert.deepEqual(cms.map((o) => o.metadata?.name), ['stay']);
  });

  test('a pod that outlives every grace estimate is reported as a content deletion failure, and the namespace still waits for it', async () => {
    // A controller whose clock is a minute ahead: the pods' 30 s grace has run out at once.
    const late = await startControllers([
      namespaceControllerWith({ deletionGracePeriodMs: 0, remainingContentDelayMs: () => 100, now: () => new Date(Date.now() + 60_000) }),
    ]);
    try {
      const ns = 'stuck';
      await late.client.resource(resources.namespaces).create({ metadata: { name: ns } });
      const pods = late.client.resource(resources.pods);
      await pods.create({ metadata: { name: 'bound' }, spec: podSpec('node-1') }, { namespace: ns });
      const namespaces = late.client.resource(resources.namespaces);
      await namespaces.delete(ns);
      const held = await waitForObject(
        namespaces,
        undefined,
        ns,
        (o) => condition(o?.status?.conditions, 'NamespaceDeletionContentFailure')?.status === 'True',
        'the NamespaceDeletionContentFailure condition',
      );
      const failure = condition(held!.status?.conditions, 'NamespaceDeletionContentFailure')!;
      assert.equal(failure.reason, 'ContentDeletionFailed');
      assert.equal(failure.message, 'Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: stuck for gvr: /v1, Resource=pods');
      assert.equal(condition(held!.status?.conditions, 'NamespaceContentRemaining')!.message, 'Some resources are remaining: pods. has 1 resource instances');
      await pods.delete('bound', { namespace: ns, gracePeriodSeconds: 0 });
      await waitForObject(namespaces, undefined, ns, (o) => o === undefined, 'namespace stuck to be deleted', 15_000);
    } finally {
      await late.close();
    }
  });
});
