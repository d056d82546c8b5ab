// The managedFields bookkeeping's shortcuts — stored entries decoded only when read, unchanged
// managers keeping their stored entry, encodings reusing unchanged subtrees, set operations
// returning an operand unchanged, comparisons stopping at shared subtrees — give byte for byte
// what the plain algorithm gives. The plain run gets JSON copies of the same inputs: no list it
// knows, no shared subtree, every entry decoded and every set encoded afresh.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { schemaForKind } from '../../../../src/api/openapi/schema-nodes.js';
import { FieldSet, fromFieldsV1, pathString, serverSideApply, toFieldsV1, updateManagedFields, type Path } from '../../../../src/api/patch/apply/index.js';
import { treeIntersects } from '../../../../src/api/patch/apply/fields-v1.js';
import { markEncoded } from '../../../../src/api/patch/apply/managers.js';
import { bindManagedFields } from '../../../../src/apiserver/registry/bind-managed-fields.js';
import { createManagedFieldsEntry } from '../../../../src/apiserver/registry/create-managed-fields.js';

const schema = schemaForKind('', 'v1', 'Pod');
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const mf = (o: KubeObject): ManagedFieldsEntry[] => o.metadata?.managedFields ?? [];
const T = (n: number) => `2031-01-01T00:00:${String(n).padStart(2, '0')}Z`;

/** Every entry's tree is what a fresh decode and encode of it gives (canonical), compared as JSON text. */
function assertCanonical(entries: ManagedFieldsEntry[]): void {
  for (const e of entries) assert.equal(JSON.stringify(e.fieldsV1), JSON.stringify(toFieldsV1(fromFieldsV1(e.fieldsV1))), `canonical fieldsV1 of ${e.manager}`);
}

/** updateManagedFields on the inputs as given, checked against the plain run on their JSON copies. */
function update(old: KubeObject | undefined, updated: KubeObject, manager: string, now: string, subresource?: string): KubeObject {
  const plain = copy(updated);
  updateManagedFields({ old: old && copy(old), updated: plain, manager, operation: 'Update', subresource, schema, now });
  updateManagedFields({ old, updated, manager, operation: 'Update', subresource, schema, now });
  assert.equal(JSON.stringify(mf(updated)), JSON.stringify(mf(plain)));
  assertCanonical(mf(updated));
  return updated;
}

function apply(live: KubeObject, applied: KubeObject, manager: string, now: string, force = true): KubeObject {
  const plain = serverSideApply({ live: copy(live), applied: copy(applied), manager, force, schema, now }).object;
  const { object } = serverSideApply({ live, applied, manager, force, schema, now });
  assert.equal(JSON.stringify(object), JSON.stringify(plain));
  assertCanonical(mf(object));
  return object;
}

/** A status write as the registry builds it: the stored object's subtrees shared, status new. */
const statusWrite = (old: KubeObject, status: unknown): KubeObject => ({ ...old, status: copy(status), metadata: { ...old.metadata } }) as KubeObject;

const entryOf = (o: KubeObject, manager: string, subresource?: string) => mf(o).find((e) => e.manager === manager && e.subresource === subresource);

function condition(type: string, status = 'True', at = T(0)) {
  return { type, status, lastProbeTime: null, lastTransitionTime: at };
}

function createdPod(): KubeObject {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u', creationTimestamp: T(0), resourceVersion: '1', labels: { app: 'web', tier: 'front' } },
    spec: {
      containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] }],
      restartPolicy: 'Always',
    },
    status: { qosClass: 'BestEffort' },
  } as KubeObject;
  // The create fast path's entry, checked against the general bookkeeping of a create.
  const created = createManagedFieldsEntry(pod, schema, 'creator', T(1));
  assert.ok(created);
  const general = update(undefined, copy(pod), 'creator', T(1));
  assert.equal(JSON.stringify([created]), JSON.stringify(mf(general)));
  return { ...pod, metadata: { ...pod.metadata, managedFields: markEncoded([created]) } } as KubeObject;
}

function boundPod(): KubeObject {
  const old = createdPod();
  const next = { ...old, spec: { ...(old.spec as object), nodeName: 'n1' }, status: { ...(old.status as object), conditions: [condition('PodScheduled', 'True', T(2))] }, metadata: { ...old.metadata } } as KubeObject;
  const bound = bindManagedFields(old, next, 'scheduler', T(2));
  assert.ok(bound);
  const general = update(old, copy(next), 'scheduler', T(2), 'binding');
  assert.equal(JSON.stringify(bound), JSON.stringify(mf(general)));
  return { ...next, metadata: { ...next.metadata, managedFields: bound } } as KubeObject;
}

const kubeletStatus = (phase: string, ready: string, podIP: string) => ({
  phase,
  qosClass: 'BestEffort',
  conditions: [condition('PodScheduled', 'True', T(2)), condition('Initialized'), condition('Ready', ready), condition('ContainersReady', ready)],
  hostIP: '10.0.0.1',
  podIP,
  containerStatuses: [{ name: 'app', ready: ready === 'True', restartCount: 0, image: 'nginx', imageID: '', state: ready === 'True' ? { running: { startedAt: T(3) } } : { waiting: { reason: 'ContainerCreating' } } }],
});

describe('managedFields shortcuts give what the plain bookkeeping gives', () => {
  test('status writes leave the other managers\' entries as they were, the same objects with their times', () => {
    const bound = boundPod();
    const [creator, scheduler] = [entryOf(bound, 'creator'), entryOf(bound, 'scheduler', 'binding')];
    const s1 = update(bound, statusWrite(bound, kubeletStatus('Pending', 'False', '')), 'kubelet', T(3), 'status');
    assert.equal(mf(s1).length, 3);
    assert.equal(entryOf(s1, 'creator'), creator);
    assert.equal(entryOf(s1, 'scheduler', 'binding'), scheduler);
    assert.equal(entryOf(s1, 'kubelet', 'status')?.time, T(3));

    const kubelet1 = entryOf(s1, 'kubelet', 'status');
    const s2 = update(s1, statusWrite(s1, kubeletStatus('Running', 'True', '10.244.0.5')), 'kubelet', T(4), 'status');
    assert.equal(entryOf(s2, 'creator'), creator);
    assert.equal(entryOf(s2, 'scheduler', 'binding'), scheduler);
    const kubelet2 = entryOf(s2, 'kubelet', 'status');
    assert.equal(kubelet2?.time, T(4));
    // podIP is new, the rest of the kubelet's fields stay: unchanged subtrees are the stored ones.
    assert.notEqual(kubelet2?.fieldsV1, kubelet1?.fieldsV1);
    const status = (t: unknown) => (t as Record<string, Record<string, unknown>>)['f:status'];
    assert.equal(status(kubelet2?.fieldsV1)['f:hostIP'], status(kubelet1?.fieldsV1)['f:hostIP']);

    // The same status again changes nothing: every entry is the stored one.
    const s3 = update(s2, statusWrite(s2, kubeletStatus('Running', 'True', '10.244.0.5')), 'kubelet', T(5), 'status');
    mf(s3).forEach((e, i) => assert.equal(e, mf(s2)[i]));
  });

  test('a manager losing fields to another keeps its time; the taker records its own', () => {
    const bound = boundPod();
    const s1 = update(bound, statusWrite(bound, kubeletStatus('Running', 'True', '10.244.0.5')), 'kubelet', T(3), 'status');
    const st = copy(s1.status) as ReturnType<typeof kubeletStatus>;
    st.conditions[2] = condition('Ready', 'False', T(6));
    const s2 = update(s1, statusWrite(s1, st), 'node-controller', T(6), 'status');
    const kubelet = entryOf(s2, 'kubelet', 'status');
    assert.equal(kubelet?.time, T(3));
    assert.notEqual(kubelet, entryOf(s1, 'kubelet', 'status'));
    assert.match(JSON.stringify(entryOf(s2, 'node-controller', 'status')?.fieldsV1), /Ready/);
    assert.equal(entryOf(s2, 'creator'), entryOf(s1, 'creator'));
  });

  test('updates by clients that send managedFields back, change them, reset them, or leave them out', () => {
    const bound = boundPod();
    const s1 = update(bound, statusWrite(bound, kubeletStatus('Running', 'True', '10.244.0.5')), 'kubelet', T(3), 'status');
    // A read-modify-write: the labeler changes the creator's label and adds one.
    const put = copy(s1);
    (put.metadata!.labels as Record<string, string>).app = 'api';
    (put.metadata!.labels as Record<string, string>).extra = 'x';
    const u1 = update(s1, put, 'labeler', T(7));
    assert.ok(!JSON.stringify(entryOf(u1, 'creator')?.fieldsV1).includes('"f:app"'));
    assert.equal(entryOf(u1, 'kubelet', 'status'), entryOf(s1, 'kubelet', 'status'));
    // Without managedFields: the stored ones; removing a label takes it from everyone.
    const put2 = copy(u1);
    delete put2.metadata!.managedFields;
    delete (put2.metadata!.labels as Record<string, string>).tier;
    const u2 = update(u1, put2, 'labeler', T(8));
    assert.ok(!JSON.stringify(mf(u2)).includes('"f:tier"'));
    // The client's own edited list (one entry dropped) is what the write starts from.
    const put3 = copy(u2);
    put3.metadata!.managedFields = put3.metadata!.managedFields!.filter((e) => e.manager !== 'scheduler');
    (put3.metadata!.annotations as unknown) = { a: 'b' };
    const u3 = update(u2, put3, 'annotator', T(9));
    assert.equal(entryOf(u3, 'scheduler', 'binding'), undefined);
    // A reset.
    const put4 = copy(u3);
    put4.metadata!.managedFields = [];
    (put4.metadata!.annotations as Record<string, string>).a = 'c';
    update(u3, put4, 'annotator', T(10));
    // A no-op PUT keeps everything.
    const u5 = update(u3, copy(u3), 'someone', T(11));
    assert.equal(JSON.stringify(mf(u5)), JSON.stringify(mf(u3)));
  });

  test('stored entries this server did not write are checked as before: an invalid one drops them all', () => {
    const bound = boundPod();
    const bad = { ...bound, metadata: { ...bound.metadata, managedFields: [...mf(bound), { manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'q:bad': {} } }] } } as KubeObject;
    const s1 = update(bad, statusWrite(bad, kubeletStatus('Running', 'True', '10.1.1.1')), 'kubelet', T(3), 'status');
    assert.deepEqual(mf(s1).map((e) => e.manager), ['kubelet']);
    // The same entries in a list this server wrote are read lazily and kept as they are.
    const good = { ...bound, metadata: { ...bound.metadata, managedFields: markEncoded([...mf(bound)]) } } as KubeObject;
    const s2 = update(good, statusWrite(good, kubeletStatus('Running', 'True', '10.1.1.1')), 'kubelet', T(3), 'status');
    assert.equal(entryOf(s2, 'creator'), entryOf(bound, 'creator'));
  });

  test('apply, then status writes and updates around the applier', () => {
    const bound = boundPod();
    const s1 = update(bound, statusWrite(bound, kubeletStatus('Running', 'True', '10.244.0.5')), 'kubelet', T(3), 'status');
    const applied = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels: { app: 'applied' }, annotations: { owner: 'me' } } } as KubeObject;
    const a1 = apply(s1, applied, 'applier', T(12));
    const again = apply(a1, applied, 'applier', T(13));
    assert.equal(entryOf(again, 'applier')?.time, T(12));
    const s2 = update(a1, statusWrite(a1, kubeletStatus('Running', 'False', '10.244.0.5')), 'kubelet', T(14), 'status');
    assert.equal(entryOf(s2, 'applier'), entryOf(a1, 'applier'));
    // An update takes the applied label back.
    const put = copy(s2);
    (put.metadata!.labels as Record<string, string>).app = 'taken';
    const u1 = update(s2, put, 'labeler', T(15));
    assert.ok(!JSON.stringify(entryOf(u1, 'applier')?.fieldsV1).includes('"f:app"'));
    // A conflicting apply without force still fails the same way.
    assert.throws(() => serverSideApply({ live: u1, applied, manager: 'applier', force: false, schema, now: T(16) }), /conflict with "labeler"/);
  });
});

// ---- FieldSet operations against a plain model: sets of path strings ----------------------

const f = (name: string) => ({ field: name });
const k = (name: string) => ({ key: [['name', name]] as [string, unknown][] });
const paths: Path[] = [
  [f('a')],
  [f('a'), f('b')],
  [f('a'), f('b'), f('c')],
  [f('a'), f('d')],
  [f('l')],
  [f('l'), k('x')],
  [f('l'), k('x'), f('v')],
  [f('l'), k('y')],
  [f('l'), k('y'), f('v')],
  [f('s'), { value: 'one' }],
  [f('s'), { value: 2 }],
  [f('z')],
];

/** Every subset of `paths` picked by a bit mask. */
const subset = (mask: number): Path[] => paths.filter((_, i) => mask & (1 << i));
const model = (s: FieldSet) => s.paths().map(pathString).sort();
const sorted = (p: Path[]) => p.map(pathString).sort();

describe('FieldSet operations', () => {
  // A spread of pairs of subsets (deterministic), enough to reach every branch.
  const masks: number[] = [];
  for (let i = 0, x = 12345; i < 60; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    masks.push(x % 2 ** paths.length);
  }
  masks.push(0, 2 ** paths.length - 1, 0b1, 0b110);

  test('union, difference, recursiveDifference, intersection and intersects agree with the model', () => {
    for (const ma of masks) {
      for (const mb of masks.slice(0, 20)) {
        const [pa, pb] = [subset(ma), subset(mb)];
        const [a, b] = [FieldSet.of(...pa), FieldSet.of(...pb)];
        const [sa, sb] = [sorted(pa), sorted(pb)];
        assert.deepEqual(model(a.union(b)), [...new Set([...sa, ...sb])].sort());
        assert.deepEqual(model(a.difference(b)), sa.filter((p) => !sb.includes(p)));
        assert.deepEqual(model(a.intersection(b)), sa.filter((p) => sb.includes(p)));
        assert.equal(a.intersects(b), sa.some((p) => sb.includes(p)));
        assert.equal(treeIntersects(toFieldsV1(a), b), sa.some((p) => sb.includes(p)));
        // recursive: a path goes when it or any prefix of it is in b
        assert.deepEqual(
          model(a.recursiveDifference(b)),
          pa.filter((p) => !p.some((_, i) => sb.includes(pathString(p.slice(0, i + 1))))).map(pathString).sort(),
        );
      }
    }
  });

  test('an operation that changes nothing returns its operand, and encoding reuses what it kept', () => {
    for (const ma of masks) {
      for (const mb of masks.slice(0, 20)) {
        const a = fromFieldsV1(toFieldsV1(FieldSet.of(...subset(ma))));
        const b = FieldSet.of(...subset(mb));
        const union = a.union(b);
        if (model(union).length === model(a).length) assert.equal(union, a);
        const diff = a.difference(b);
        if (!a.intersects(b)) assert.equal(diff, a);
        const from = { set: a, tree: toFieldsV1(a) };
        for (const s of [union, diff, a.recursiveDifference(b), a.intersection(b)]) {
          assert.equal(JSON.stringify(toFieldsV1(s, from)), JSON.stringify(toFieldsV1(s)));
        }
      }
    }
  });
});
