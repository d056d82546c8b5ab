import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { serverSideApply, updateManagedFields } from '../../../../src/api/patch/apply/index.js';
import { StatusError } from '../../../../src/api/status.js';
import { configMapSchema, deploymentSchema } from './fixtures.js';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const T2 = '2024-01-01T00:02:00Z';

function deployment(spec: Record<string, unknown> = {}, labels: Record<string, string> = { app: 'nginx' }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', labels },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
      },
      ...spec,
    },
  };
}

const apply = (live: KubeObject | undefined, applied: KubeObject, manager = 'kubectl', opts: { force?: boolean; now?: string; ignoredPaths?: string[][] } = {}) =>
  serverSideApply({ live, applied, manager, force: opts.force ?? false, schema: deploymentSchema, now: opts.now ?? T0, ignoredPaths: opts.ignoredPaths }).object;

const entries = (o: KubeObject): ManagedFieldsEntry[] => o.metadata?.managedFields ?? [];
const entry = (o: KubeObject, manager: string) => entries(o).find((e) => e.manager === manager);
const spec = (o: KubeObject) => o.spec as Record<string, any>;

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a conflict');
}

test('applying to an absent object creates it and records the Apply entry kubectl --server-side gets upstream', () => {
  const created = apply(undefined, deployment());
  assert.deepEqual(spec(created), spec(deployment()));
  assert.deepEqual(entries(created), [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  // The key includes protocol's default even though the config left it out.
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('the Server-Side Apply documentation ConfigMap gets exactly the managedFields the page shows', () => {
  const cm = serverSideApply({
    live: undefined,
    applied: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'test-cm', namespace: 'default', labels: { 'test-label': 'test' } }, data: { key: 'some value' } },
    manager: 'kubectl',
    force: false,
    schema: configMapSchema,
    now: '2010-10-10T00:00:00Z',
  }).object;
  const [e] = entries(cm);
  assert.deepEqual(e, {
    manager: 'kubectl',
    operation: 'Apply',
    apiVersion: 'v1',
    time: '2010-10-10T00:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { 'f:test-label': {} } }, 'f:data': { 'f:key': {} } },
  });
  assert.equal(JSON.stringify(e.fieldsV1), '{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:test-label":{}}}}');
});

test('re-applying the same configuration changes nothing, not even the time', () => {
  const live = apply(undefined, deployment());
  const again = apply(live, deployment(), 'kubectl', { now: T1 });
  assert.deepEqual(again, live);
});

const withSidecar = (d: KubeObject) => spec(d).template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
for (const { name, before, after, check } of [
  {
    name: 'dropping replicas from the configuration removes it from the object',
    before: () => {},
    after: (d: KubeObject) => delete spec(d).replicas,
    check: (o: KubeObject) => assert.equal('replicas' in spec(o), false),
  },
  {
    name: 'dropping a label removes the label',
    before: () => {},
    after: (d: KubeObject) => (d.metadata = { name: 'nginx', namespace: 'default', labels: { tier: 'web' } }),
    check: (o: KubeObject) => assert.deepEqual(o.metadata?.labels, { tier: 'web' }),
  },
  {
    name: 'dropping all labels removes the labels map',
    before: () => {},
    after: (d: KubeObject) => (d.metadata = { name: 'nginx', namespace: 'default' }),
    check: (o: KubeObject) => assert.deepEqual(Object.keys(o.metadata ?? {}).sort(), ['managedFields', 'name', 'namespace']),
  },
  {
    name: 'dropping a container removes that container only',
    before: withSidecar,
    after: () => {},
    check: (o: KubeObject) => assert.deepEqual(spec(o).template.spec.containers, [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }]),
  },
  {
    name: 'dropping a container port removes the port but keeps the container',
    before: () => {},
    after: (d: KubeObject) => delete spec(d).template.spec.containers[0].ports,
    check: (o: KubeObject) => assert.deepEqual(spec(o).template.spec.containers, [{ name: 'nginx', image: 'nginx:1.14.2' }]),
  },
]) {
  test(`apply deletes by omission: ${name}`, () => {
    const first = deployment();
    before(first);
    const live = apply(undefined, first);
    const next = deployment();
    after(next);
    const out = apply(live, next, 'kubectl', { now: T1 });
    check(out);
    assert.equal(entries(out).length, 1);
    assert.equal(entries(out)[0].time, T1);
  });
}

test('a port whose protocol the server defaulted still matches the applied port without protocol', () => {
  const live = apply(undefined, deployment());
  spec(live).template.spec.containers[0].ports[0].protocol = 'TCP'; // as defaulting stores it
  const out = apply(live, deployment(), 'kubectl', { now: T1 });
  assert.deepEqual(spec(out).template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
});

test('two appliers setting the same value share the field, and it survives one of them dropping it', () => {
  const live = apply(undefined, deployment());
  const shared = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 3 } }, 'hpa', { now: T1 });
  assert.deepEqual(entry(shared, 'hpa')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.ok((entry(shared, 'kubectl')?.fieldsV1 as any)['f:spec']['f:replicas']);
  const dropped = deployment();
  delete spec(dropped).replicas;
  const out = apply(shared, dropped, 'kubectl', { now: T2 });
  assert.equal(spec(out).replicas, 3);
  assert.equal((entry(out, 'kubectl')?.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
});

test('a changed value owned by an updater is a 409 with upstream message and causes', () => {
  const live = deployment();
  updateManagedFields({ old: undefined, updated: live, manager: 'kubectl-client-side-apply', operation: 'Update', schema: deploymentSchema, now: T0 });
  const err = conflictOf(() => apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 5 } }));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  assert.deepEqual(err.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] });
});

test('several conflicts are listed per manager, and an applier is named without a version', () => {
  const live = apply(undefined, deployment(), 'alice');
  const changed = deployment({ replicas: 1 });
  spec(changed).template.spec.containers[0].image = 'nginx:2';
  const err = conflictOf(() => apply(live, changed, 'bob'));
  assert.equal(
    err.message,
    'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
  );
  assert.deepEqual(
    err.details?.causes?.map((c) => c.field),
    ['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image'],
  );
});

test('force takes the conflicting fields away from their owner', () => {
  const live = apply(undefined, deployment(), 'alice');
  const out = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 7 } }, 'bob', { force: true, now: T1 });
  assert.equal(spec(out).replicas, 7);
  assert.deepEqual(entry(out, 'bob')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal((entry(out, 'alice')?.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
  assert.deepEqual(entries(out).map((e) => e.manager), ['alice', 'bob']);
});

test('list-map items and set elements from different appliers are merged, not replaced', () => {
  const live = apply(undefined, deployment({}, { app: 'nginx' }), 'alice');
  const sidecar = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', finalizers: ['example.com/b'] },
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
  };
  const withFinalizer = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', finalizers: ['example.com/a'] } }, 'carol');
  const out = apply(withFinalizer, sidecar, 'bob', { now: T1 });
  assert.deepEqual(spec(out).template.spec.containers.map((c: { name: string }) => c.name), ['nginx', 'sidecar']);
  assert.deepEqual(out.metadata?.finalizers, ['example.com/a', 'example.com/b']);
  assert.deepEqual(entry(out, 'bob')?.fieldsV1, {
    'f:metadata': { 'f:finalizers': { 'v:"example.com/b"': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
  });
});

test('an atomic struct is replaced whole by the applied value', () => {
  const live = apply(undefined, deployment({ selector: { matchLabels: { app: 'nginx', tier: 'web' } } }));
  const out = apply(live, deployment({ selector: { matchLabels: { app: 'nginx' } } }), 'kubectl', { now: T1 });
  assert.deepEqual(spec(out).selector, { matchLabels: { app: 'nginx' } });
});

test('fields under an ignored path are merged but never owned', () => {
  const out = apply(undefined, { ...deployment(), status: { replicas: 3 } }, 'kubectl', { ignoredPaths: [['status']] });
  assert.equal((entry(out, 'kubectl')?.fieldsV1 as any)['f:status'], undefined);
});

for (const { name, applied, code, message } of [
  {
    name: 'a configuration carrying managedFields is refused',
    applied: { ...deployment(), metadata: { name: 'nginx', managedFields: [] } },
    code: 400,
    message: 'metadata.managedFields must be nil',
  },
  {
    name: 'a configuration of another kind is refused',
    applied: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'nginx' } },
    code: 400,
    message: 'invalid object type: apps/v1, Kind=StatefulSet',
  },
  {
    name: 'duplicate list-map keys in the configuration fail as upstream does',
    applied: deployment({ template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } } }),
    code: 500,
    message: 'Internal error occurred: failed to create typed patch object (default/nginx; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
  },
]) {
  test(`apply errors: ${name}`, () => {
    const live = apply(undefined, deployment());
    const err = conflictOf(() => apply(live, applied as KubeObject));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
  });
}

test('Update after Apply takes the fields it changed and leaves the applier the rest', () => {
  const live = apply(undefined, deployment());
  const updated = structuredClone(live);
  spec(updated).replicas = 10;
  updateManagedFields({ old: live, updated, manager: 'kube-controller-manager', operation: 'Update', schema: deploymentSchema, now: T1 });
  assert.deepEqual(entry(updated, 'kube-controller-manager'), {
    manager: 'kube-controller-manager',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T1,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {} } },
  });
  assert.equal((entry(updated, 'kubectl')?.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
  // The applier now conflicts if it insists on its old value.
  const err = conflictOf(() => apply(updated, deployment(), 'kubectl', { now: T2 }));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kube-controller-manager" using apps/v1: .spec.replicas');
});

for (const { name, manager, hasAnnotation, want } of [
  { name: 'kubectl refreshes an existing last-applied annotation', manager: 'kubectl', hasAnnotation: true, want: 'refreshed' },
  { name: 'another manager leaves the annotation alone', manager: 'my-manager', hasAnnotation: true, want: 'old' },
  { name: 'kubectl adds no annotation where there was none', manager: 'kubectl', hasAnnotation: false, want: 'absent' },
]) {
  test(`client-side apply interplay: ${name}`, () => {
    const live = apply(undefined, deployment());
    if (hasAnnotation) live.metadata!.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' };
    const applied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { paused: false, note: '<b>' } };
    const out = apply(live, applied, manager, { now: T1 });
    const got = out.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    if (want === 'absent') assert.equal(got, undefined);
    else if (want === 'old') assert.equal(got, '{"old":true}\n');
    else assert.equal(got, '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx"},"spec":{"note":"\\u003cb\\u003e","paused":false}}\n');
  });
}
