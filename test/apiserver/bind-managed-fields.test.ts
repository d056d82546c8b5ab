// The pods/binding managedFields shortcut gives exactly what the general bookkeeping gives, and
// steps aside (undefined) for every bind it does not recognize.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import { updateManagedFields } from '../../src/api/patch/apply/index.js';
import { schemaForKind } from '../../src/api/openapi/schema-nodes.js';
import { bindManagedFields } from '../../src/apiserver/registry/bind-managed-fields.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';

const schema = schemaForKind('', 'v1', 'Pod');
const now = '2031-01-02T03:04:05Z';

/** What bindPod builds: the stored pod copied along nodeName, conditions and metadata. */
function bound(old: KubeObject, node = 'n1'): KubeObject {
  const status = (old.status ?? {}) as { conditions?: { type: string }[] };
  const conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }];
  return { ...old, spec: { ...(old.spec as object), nodeName: node }, status: { ...status, conditions }, metadata: { ...old.metadata } };
}

function general(old: KubeObject, next: KubeObject, manager: string): ManagedFieldsEntry[] | undefined {
  const updated = { ...next, metadata: { ...next.metadata } };
  updateManagedFields({ old, updated, manager, operation: 'Update', subresource: 'binding', schema, now });
  return updated.metadata.managedFields;
}

let api: InProcessApi;
let stored: KubeObject;
before(async () => {
  api = await startInProcessApi();
  const c = api.client();
  await c.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bmf' } });
  stored = (await c.resource(resources.pods).create(
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } } as never,
    { namespace: 'bmf' },
  )) as KubeObject;
});
after(async () => {
  await api?.close();
});

const withEntries = (pod: KubeObject, extra: ManagedFieldsEntry[]): KubeObject => ({ ...pod, metadata: { ...pod.metadata, managedFields: [...(pod.metadata?.managedFields ?? []), ...extra] } });
const entry = (manager: string, fieldsV1: object, more: Partial<ManagedFieldsEntry> = {}): ManagedFieldsEntry => ({ manager, operation: 'Update', apiVersion: 'v1', time: '2030-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1, ...more });

describe('bindManagedFields', () => {
  const same: { name: string; pod: () => KubeObject; manager: () => string }[] = [
    { name: 'a freshly created pod bound by the scheduler', pod: () => stored, manager: () => 'kube-scheduler' },
    { name: 'the binder is the pod\'s creator (its own Update entry stays apart)', pod: () => stored, manager: () => stored.metadata!.managedFields![0].manager! },
    {
      name: 'other managers, an applier and a status writer, sorted with the new entry',
      pod: () =>
        withEntries(stored, [
          entry('kubelet', { 'f:status': { 'f:phase': {} } }, { subresource: 'status', time: '2032-01-01T00:00:00Z' }),
          entry('kubectl', { 'f:metadata': { 'f:labels': { 'f:a': {} } } }, { operation: 'Apply' }),
          entry('zz-late', { 'f:spec': { 'f:hostname': {} } }, { time: now }),
        ]),
      manager: () => 'kube-scheduler',
    },
    { name: 'a pod with no managedFields at all', pod: () => ({ ...stored, metadata: { ...stored.metadata, managedFields: undefined } }), manager: () => 'kube-scheduler' },
  ];
  for (const c of same) {
    test(`same entries as the general bookkeeping: ${c.name}`, () => {
      const old = c.pod();
      const next = bound(old);
      const fast = bindManagedFields(old, next, c.manager(), now);
      assert.ok(fast, 'the shortcut applies');
      assert.deepEqual(fast, general(old, next, c.manager()));
    });
  }

  const declined: { name: string; old: () => KubeObject; next?: (old: KubeObject) => KubeObject }[] = [
    { name: 'the pod already has conditions', old: () => ({ ...stored, status: { ...(stored.status as object), conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } }) },
    { name: 'another manager owns spec.nodeName', old: () => withEntries(stored, [entry('other', { 'f:spec': { 'f:nodeName': {} } })]) },
    { name: 'another manager owns status.conditions', old: () => withEntries(stored, [entry('other', { 'f:status': { 'f:conditions': { '.': {} } } })]) },
    { name: 'the binder already has a binding entry', old: () => withEntries(stored, [entry('kube-scheduler', { 'f:spec': { 'f:hostname': {} } }, { subresource: 'binding' })]) },
    { name: 'the Binding adds annotations', old: () => stored, next: (old) => ({ ...bound(old), metadata: { ...old.metadata, annotations: { x: 'y' } } }) },
    { name: 'something else changed too', old: () => stored, next: (old) => ({ ...bound(old), spec: { ...(bound(old).spec as object), hostname: 'h' } }) },
    {
      name: 'there are already ten Update managers',
      old: () => withEntries(stored, Array.from({ length: 9 }, (_, i) => entry(`m${i}`, { 'f:metadata': { 'f:labels': { [`f:l${i}`]: {} } } }))),
    },
  ];
  for (const c of declined) {
    test(`left to the general bookkeeping: ${c.name}`, () => {
      const old = c.old();
      const next = c.next ? c.next(old) : bound(old);
      assert.equal(bindManagedFields(old, next, 'kube-scheduler', now), undefined);
    });
  }

  test('keys holding undefined: compared by presence, as Object.keys would', () => {
    const spec = stored.spec as Record<string, unknown>;
    // The old spec has a key the new one lacks, holding undefined: the same pod as far as a bind goes.
    const old = { ...stored, spec: { ...spec, hostname: undefined } };
    const next = bound(stored);
    assert.ok(bindManagedFields(old, next, 'kube-scheduler', now));
    // As many keys on both sides, but the new one's is another key: not a plain bind.
    const other = { ...next, spec: { ...(next.spec as object), subdomain: undefined } };
    assert.equal(bindManagedFields(old, other, 'kube-scheduler', now), undefined);
    // One key more on the new side, holding undefined: not a plain bind either.
    assert.equal(bindManagedFields(stored, other, 'kube-scheduler', now), undefined);
  });
});
