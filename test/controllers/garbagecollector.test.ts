// The garbage collector against the real API server: ConfigMaps own ConfigMaps (no other
// controller needed), and each propagation policy, owner chains, blockOwnerDeletion ordering,
// dangling and multiple owners, cross-namespace references and a CRD discovered later.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { garbageCollectorControllerWith } from '../../src/controllers/garbagecollector/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { resourceRef } from '../../src/client/rest/resource-ref.js';
import type { KubeObject } from '../../src/api/object.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([garbageCollectorControllerWith({ resyncPeriodMs: 500, workers: 4 })]);
});
after(async () => {
  await rig?.close();
});

const cms = () => rig.client.resource(resources.configMaps);
const hold = 'test.k8ts.io/hold';

function refTo(owner: KubeObject, o: { block?: boolean } = {}): OwnerReference {
  return { apiVersion: owner.apiVersion ?? 'v1', kind: owner.kind ?? 'ConfigMap', name: owner.metadata!.name!, uid: owner.metadata!.uid!, ...(o.block !== undefined ? { blockOwnerDeletion: o.block } : {}) };
}

async function cm(name: string, owners: OwnerReference[] = [], o: { namespace?: string; finalizers?: string[] } = {}): Promise<ConfigMap & KubeObject> {
  return cms().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: o.namespace ?? 'default', ownerReferences: owners.length ? owners : undefined, finalizers: o.finalizers } });
}

const gone = (name: string, namespace = 'default') => waitForObject(cms(), namespace, name, (o) => o === undefined, `${namespace}/${name} to be deleted`);

async function release(name: string, namespace = 'default'): Promise<void> {
  await cms().patch(name, { metadata: { finalizers: null } }, { type: 'merge', namespace });
}

/** Names in the order their DELETED events arrive, until all of `names` are gone. */
async function deletionOrder(names: string[], act: () => Promise<void>): Promise<string[]> {
  const order: string[] = [];
  const list = await cms().list({ namespace: 'default' });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15_000);
  const stream = await cms().watch({ namespace: 'default', resourceVersion: list.metadata.resourceVersion, signal: abort.signal });
  await act();
  try {
    for await (const ev of stream) {
      if (ev.type === 'DELETED' && names.includes(ev.object.metadata!.name!)) order.push(ev.object.metadata!.name!);
      if (order.length === names.length) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    stream.stop();
  }
  assert.equal(order.length, names.length, `deleted so far: ${order.join(', ')}`);
  return order;
}

describe('garbage collector', () => {
  test('background deletion of an owner deletes every dependent whose only owner it was', async () => {
    const owner = await cm('bg-owner');
    await cm('bg-a', [refTo(owner)]);
    await cm('bg-b', [refTo(owner)]);
    await cms().delete('bg-owner', { propagationPolicy: 'Background' });
    await gone('bg-a');
    await gone('bg-b');
  });

  test('a dependent with another live owner keeps living and only loses the reference to the deleted one', async () => {
    const a = await cm('multi-a');
    const b = await cm('multi-b');
    await cm('multi-dep', [refTo(a), refTo(b)]);
    await cms().delete('multi-a');
    const dep = await waitForObject(cms(), 'default', 'multi-dep', (o) => o?.metadata?.ownerReferences?.length === 1, 'the reference to multi-a to be removed');
    assert.deepEqual(dep!.metadata!.ownerReferences!.map((r) => r.name), ['multi-b']);
    await cms().delete('multi-b');
    await gone('multi-dep');
  });

  test('foreground deletion deletes dependents first and removes the owner only when they are gone', async () => {
    const owner = await cm('fg-owner');
    await cm('fg-a', [refTo(owner, { block: true })]);
    await cm('fg-b', [refTo(owner, { block: true })]);
    const order = await deletionOrder(['fg-a', 'fg-b', 'fg-owner'], async () => {
      const res = (await cms().delete('fg-owner', { propagationPolicy: 'Foreground' })) as KubeObject;
      assert.ok(res.metadata?.finalizers?.includes('foregroundDeletion'), 'the server keeps the owner with the foregroundDeletion finalizer');
    });
    assert.equal(order.at(-1), 'fg-owner');
  });

  test('foreground deletion waits for a blocking dependent that cannot go yet, but not for a non-blocking one', async () => {
    const owner = await cm('block-owner');
    await cm('block-yes', [refTo(owner, { block: true })], { finalizers: [hold] });
    await cm('block-no', [refTo(owner, { block: false })], { finalizers: [hold] });
    await cms().delete('block-owner', { propagationPolicy: 'Foreground' });
    // Both dependents get deleted (they stay, held by our finalizer) ...
    await waitForObject(cms(), 'default', 'block-yes', (o) => Boolean(o?.metadata?.deletionTimestamp), 'block-yes to be deleted');
    await waitForObject(cms(), 'default', 'block-no', (o) => Boolean(o?.metadata?.deletionTimestamp), 'block-no to be deleted');
    // ... the owner waits for the blocking one only.
    await release('block-no');
    await gone('block-no');
    const stillThere = await cms().get('block-owner');
    assert.ok(stillThere.metadata?.deletionTimestamp && stillThere.metadata.finalizers?.includes('foregroundDeletion'), 'the owner waits for block-yes');
    await release('block-yes');
    await gone('block-owner');
  });

  test('orphan deletion removes the owner and leaves its dependents without the reference', async () => {
    const owner = await cm('orphan-owner');
    const other = await cm('orphan-other');
    await cm('orphan-a', [refTo(owner)]);
    await cm('orphan-b', [refTo(owner), refTo(other)]);
    await cms().delete('orphan-owner', { propagationPolicy: 'Orphan' });
    await gone('orphan-owner');
    const a = await cms().get('orphan-a');
    const b = await cms().get('orphan-b');
    assert.equal(a.metadata?.ownerReferences, undefined);
    assert.deepEqual(b.metadata?.ownerReferences?.map((r) => r.name), ['orphan-other']);
  });

  test('a chain of owners is collected to the end in background deletion', async () => {
    const a = await cm('chain-bg-a');
    const b = await cm('chain-bg-b', [refTo(a)]);
    const c = await cm('chain-bg-c', [refTo(b)]);
    await cm('chain-bg-d', [refTo(c)]);
    await cms().delete('chain-bg-a');
    await gone('chain-bg-d');
    await gone('chain-bg-c');
    await gone('chain-bg-b');
  });

  test('a chain deleted in the foreground with blocking references goes leaf first, root last', async () => {
    const a = await cm('chain-fg-a');
    const b = await cm('chain-fg-b', [refTo(a, { block: true })]);
    await cm('chain-fg-c', [refTo(b, { block: true })]);
    const order = await deletionOrder(['chain-fg-a', 'chain-fg-b', 'chain-fg-c'], async () => {
      await cms().delete('chain-fg-a', { propagationPolicy: 'Foreground' });
    });
    assert.deepEqual(order, ['chain-fg-c', 'chain-fg-b', 'chain-fg-a']);
  });

  test('a dependent of an owner uid that never existed is collected, verified by a live GET', async () => {
    await cm('dangling-dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never-existed', uid: '00000000-0000-0000-0000-000000000001' }]);
    await gone('dangling-dep');
  });

  test('a reference to a live name with another uid is dangling: the dependent goes, the named object stays', async () => {
    await cm('same-name');
    await cm('wrong-uid-dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'same-name', uid: '00000000-0000-0000-0000-000000000002' }]);
    await gone('wrong-uid-dep');
    assert.equal((await cms().get('same-name')).metadata?.name, 'same-name');
  });

  test('an owner deleted and re-created with the same name does not keep the old dependents', async () => {
    const first = await cm('reborn');
    await cm('reborn-dep', [refTo(first)]);
    await cms().delete('reborn');
    await cm('reborn');
    await gone('reborn-dep');
  });

  test('a cluster-scoped owner can own namespaced dependents', async () => {
    const node = await rig.client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-node' } });
    await cm('node-dep', [refTo(node)]);
    await rig.client.resource(resources.nodes).delete('gc-node');
    await gone('node-dep');
  });

  test('a namespaced owner referenced from another namespace is an invalid reference: an OwnerRefInvalidNamespace event, and the dependent is collected', async () => {
    await rig.client.resource(resources.namespaces).create({ metadata: { name: 'gc-other' } });
    const owner = await cm('ns-owner');
    const dep = await cm('ns-dep', [refTo(owner)], { namespace: 'gc-other' });
    await gone('ns-dep', 'gc-other');
    const events = await waitForObjects(
      rig.client.resource(resources.coreEvents),
      (evs) => evs.some((e) => e.reason === 'OwnerRefInvalidNamespace' && e.involvedObject.uid === dep.metadata?.uid),
      'an OwnerRefInvalidNamespace event',
      { namespace: 'gc-other' },
    );
    const ev = events.find((e) => e.reason === 'OwnerRefInvalidNamespace')!;
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message ?? '', /^ownerRef \[v1\/ConfigMap, namespace: gc-other, name: ns-owner, uid: .+\] does not exist in namespace "gc-other"$/);
    assert.equal((await cms().get('ns-owner')).metadata?.name, 'ns-owner');
  });

  test('custom resources defined after the collector started are collected after a discovery rescan', async () => {
    const crds = rig.client.resource(resources.customResourceDefinitions);
    await crds.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.gc.example.com' },
      spec: {
        group: 'gc.example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } as never } }],
      },
    });
    // Served once established (within moments, as upstream).
    await waitForObject(crds, '', 'widgets.gc.example.com', (o) => Boolean((o?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')), 'the CRD to be established');
    const widgets = rig.client.resource(resourceRef({ group: 'gc.example.com', version: 'v1', plural: 'widgets', namespaced: true, kind: 'Widget' }));
    const owner = await widgets.create({ apiVersion: 'gc.example.com/v1', kind: 'Widget', metadata: { name: 'w-owner', namespace: 'default' } });
    await widgets.create({ apiVersion: 'gc.example.com/v1', kind: 'Widget', metadata: { name: 'w-dep', namespace: 'default', ownerReferences: [refTo(owner, { block: true })] } });
    await cm('w-cm-dep', [refTo(owner)]);
    await widgets.delete('w-owner', { namespace: 'default', propagationPolicy: 'Foreground' });
    await waitForObject(widgets, 'default', 'w-owner', (o) => o === undefined, 'the widget owner to be deleted', 15_000);
    await waitForObject(widgets, 'default', 'w-dep', (o) => o === undefined, 'the widget dependent to be deleted');
    await gone('w-cm-dep');
  });
});
