import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { fieldManagerFor, serverSideApply, updateManagedFields } from '../../../../src/api/patch/apply/index.js';
import { configMapSchema, deploymentSchema } from './fixtures.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const T2 = '2024-01-01T00:02:00Z';

const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'test-cm', namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: T0, ...extra },
  data,
});

function update(old: KubeObject | undefined, updated: KubeObject, manager: string, now: string, more: { subresource?: string; ignoredPaths?: string[][]; schema?: typeof deploymentSchema } = {}): KubeObject {
  updateManagedFields({ old, updated, manager, operation: 'Update', schema: more.schema ?? configMapSchema, now, subresource: more.subresource, ignoredPaths: more.ignoredPaths });
  return updated;
}
const mf = (o: KubeObject): ManagedFieldsEntry[] => o.metadata?.managedFields ?? [];
const next = (o: KubeObject): KubeObject => {
  const c = structuredClone(o);
  if (c.metadata) delete c.metadata.managedFields; // a client that does not send managedFields back
  return c;
};

test('create records every field the object sets, with "." on new maps, and never the server-owned metadata', () => {
  const created = update(undefined, cm({ key: 'v' }, { labels: { app: 'x' } }), 'kubectl-create', T0);
  assert.deepEqual(mf(created), [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:key': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
    },
  ]);
});

test('creating a Deployment owns nested struct fields without "." but list items with it, as upstream', () => {
  const d: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'i', env: [{ name: 'X', value: '1' }] }] } } },
  };
  update(undefined, d, 'kubectl-create', T0, { schema: deploymentSchema });
  assert.deepEqual(mf(d)[0].fieldsV1, {
    'f:spec': {
      'f:replicas': {},
      'f:template': {
        'f:spec': {
          'f:containers': {
            '.': {},
            'k:{"name":"a"}': { '.': {}, 'f:env': { '.': {}, 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {} },
          },
        },
      },
    },
  });
});

test('an update takes the changed fields from their previous owner, who keeps the rest', () => {
  const created = update(undefined, cm({ key: 'v' }), 'creator', T0);
  const changed = next(created);
  (changed.data as Record<string, string>).key = 'new value';
  update(created, changed, 'kube-controller-manager', T1);
  assert.deepEqual(
    mf(changed).map((e) => [e.manager, e.time, e.fieldsV1]),
    [
      ['creator', T0, { 'f:data': {} }],
      ['kube-controller-manager', T1, { 'f:data': { 'f:key': {} } }],
    ],
  );
});

test('removed fields leave every manager set, and an entry with no fields disappears', () => {
  const created = update(undefined, cm({ a: '1', b: '2' }), 'creator', T0);
  const other = next(created);
  (other.data as Record<string, string>).b = '3';
  update(created, other, 'editor', T1);
  const removed = next(other);
  delete (removed.data as Record<string, string>).b;
  update(other, removed, 'pruner', T2);
  assert.deepEqual(mf(removed).map((e) => e.manager), ['creator']);
  assert.deepEqual(mf(removed)[0].fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });
});

test('two updates by one manager share one entry whose time moves; a new apiVersion gets its own entry', () => {
  const created = update(undefined, cm({ a: '1' }), 'm', T0);
  const second = next(created);
  (second.data as Record<string, string>).b = '2';
  update(created, second, 'm', T1);
  assert.deepEqual(mf(second).map((e) => [e.manager, e.time]), [['m', T1]]);
  assert.deepEqual(mf(second)[0].fieldsV1, { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } });
  const third = next(second);
  third.apiVersion = 'v2';
  (third.data as Record<string, string>).c = '3';
  update(second, third, 'm', T2);
  assert.deepEqual(mf(third).map((e) => [e.manager, e.apiVersion]), [['m', 'v1'], ['m', 'v2']]);
});

test('an update that changes nothing keeps the stored entries and times', () => {
  const created = update(undefined, cm({ a: '1' }), 'm', T0);
  const same = update(created, next(created), 'someone-else', T1);
  assert.deepEqual(mf(same), mf(created));
});

test('a status subresource write is recorded with subresource "status" and ignores managedFields in the body', () => {
  const created = update(undefined, cm({ a: '1' }), 'm', T0);
  // The body's forged entry is ignored: the subresource starts from the stored entries.
  const again = structuredClone(created);
  again.metadata!.managedFields = [{ manager: 'forged', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }];
  (again as Record<string, unknown>).status = { ready: true };
  updateManagedFields({ old: created, updated: again, manager: 'kubelet', operation: 'Update', subresource: 'status', schema: configMapSchema, now: T1 });
  assert.deepEqual(
    mf(again).map((e) => [e.manager, e.subresource, e.fieldsV1]),
    [
      ['m', undefined, { 'f:data': { '.': {}, 'f:a': {} } }],
      ['kubelet', 'status', { 'f:status': { '.': {}, 'f:ready': {} } }],
    ],
  );
});

for (const { name, sent, want } of [
  {
    name: 'entries that do not decode are replaced by the stored ones',
    sent: [{ manager: 'x', operation: 'Bogus', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }],
    want: [['m', { 'f:data': { '.': {}, 'f:a': {} } }]],
  },
  {
    name: 'a single empty entry resets ownership to this write only',
    sent: [{}],
    want: [],
  },
  {
    name: 'an empty list resets ownership too',
    sent: [],
    want: [],
  },
  {
    name: 'valid entries sent by the client replace the stored ones',
    sent: [{ manager: 'edited', operation: 'Apply', apiVersion: 'v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }],
    want: [['edited', { 'f:data': { 'f:a': {} } }]],
  },
]) {
  test(`managedFields sent with an update: ${name}`, () => {
    const created = update(undefined, cm({ a: '1' }), 'm', T0);
    const sentObj = structuredClone(created);
    sentObj.metadata!.managedFields = sent as ManagedFieldsEntry[];
    update(created, sentObj, 'n', T1);
    assert.deepEqual(mf(sentObj).map((e) => [e.manager, e.fieldsV1]), want);
    if (want.length === 0) assert.equal('managedFields' in (sentObj.metadata ?? {}), false);
  });
}

test('more than ten updaters are folded, oldest first, into one ancient-changes entry', () => {
  let obj = update(undefined, cm({ k0: '0' }), 'm0', '2024-01-01T00:00:00Z');
  for (let i = 1; i <= 11; i++) {
    const n = next(obj);
    (n.data as Record<string, string>)[`k${i}`] = String(i);
    obj = update(obj, n, `m${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`);
  }
  const managers = mf(obj).map((e) => e.manager);
  assert.equal(managers.length, 10);
  assert.equal(managers[0], 'ancient-changes');
  assert.deepEqual(mf(obj)[0].fieldsV1, { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  assert.deepEqual(managers.slice(1), ['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11']);
});

test('managedFields entries are ordered Apply first, then by time', () => {
  const applied = serverSideApply({ live: undefined, applied: cm({ a: '1' }), manager: 'z-applier', force: false, schema: configMapSchema, now: T1 }).object;
  const n = next(applied);
  (n.data as Record<string, string>).b = '2';
  update(applied, n, 'a-updater', T0);
  assert.deepEqual(mf(n).map((e) => [e.manager, e.operation]), [['z-applier', 'Apply'], ['a-updater', 'Update']]);
});

for (const [fieldManager, userAgent, want] of [
  ['kubectl-edit', 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'kubectl-edit'],
  [undefined, 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'kubectl'],
  [undefined, 'kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:deployment-controller', 'kube-controller-manager'],
  [undefined, 'node-fetch\u0007', 'node-fetch'],
  [undefined, 'x'.repeat(200), 'x'.repeat(128)],
  [undefined, undefined, ''],
] as const) {
  test(`the field manager for fieldManager=${String(fieldManager)} and User-Agent ${JSON.stringify(userAgent)?.slice(0, 40)} is ${JSON.stringify(want).slice(0, 40)}`, () => {
    assert.equal(fieldManagerFor(fieldManager, userAgent), want);
  });
}
