// The garbage collector's pure parts: the graph builder's bookkeeping (virtual owners, observed
// identities, invalid namespaces, transitions into orphan/foreground deletion), reference
// diffs, alternate identities and which discovered resources are monitored.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { pino } from 'pino';
import { GraphBuilder, alternateOwnerIdentity, type GraphEvent } from '../../src/controllers/garbagecollector/graph-builder.js';
import { newNode, type GraphNode } from '../../src/controllers/garbagecollector/graph.js';
import { referencesDiffs, type ObjectIdentity } from '../../src/controllers/garbagecollector/identity.js';
import { deletableResources } from '../../src/controllers/garbagecollector/resources.js';
import { newRateLimitingQueue, type RateLimitingQueue } from '../../src/client/workqueue/index.js';
import type { EventRecorder } from '../../src/client/record/index.js';
import type { DiscoveredResource } from '../../src/client/rest/discovery.js';
import type { KubeObject } from '../../src/api/object.js';

interface Recorded {
  object: { name?: string; namespace?: string };
  type: string;
  reason: string;
  message: string;
}

function rig() {
  const attemptToDelete = newRateLimitingQueue<GraphNode>();
  const attemptToOrphan = newRateLimitingQueue<GraphNode>();
  const events: Recorded[] = [];
  const recorder = {
    event: () => {},
    eventf: (object: Recorded['object'], type: string, reason: string, fmt: string, ...args: unknown[]) => {
      let i = 0;
      events.push({ object, type, reason, message: fmt.replace(/%[sq]/g, (m) => (m === '%q' ? JSON.stringify(args[i++]) : String(args[i++]))) });
    },
  } as unknown as EventRecorder;
  const builder = new GraphBuilder({ attemptToDelete, attemptToOrphan, recorder, log: pino({ level: 'silent' }) });
  return { builder, attemptToDelete, attemptToOrphan, events };
}

/** What is waiting in a queue, by name, emptying it. */
async function drain(q: RateLimitingQueue<GraphNode>): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) {
    const next = await q.get();
    if (next.shutdown) break;
    out.push(`${next.item.virtual ? 'virtual ' : ''}${next.item.identity.namespace}/${next.item.identity.name}`);
    q.done(next.item);
  }
  return out.sort();
}

function cm(name: string, uid: string, o: { namespace?: string; owners?: OwnerReference[]; deleting?: string[] } = {}): KubeObject {
  return {
    metadata: {
      name,
      uid,
      namespace: o.namespace ?? 'ns',
      ownerReferences: o.owners,
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: o.deleting } : {}),
    },
  };
}

const add = (obj: KubeObject, kind = 'ConfigMap', apiVersion = 'v1'): GraphEvent => ({ type: 'add', obj, apiVersion, kind });
const update = (oldObj: KubeObject, obj: KubeObject): GraphEvent => ({ type: 'update', obj, oldObj, apiVersion: 'v1', kind: 'ConfigMap' });
const ref = (name: string, uid: string, o: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid, ...o });

describe('graph builder', () => {
  test('a dependent naming an unseen owner creates a virtual owner node and asks the collector to verify it', async () => {
    const { builder, attemptToDelete } = rig();
    builder.processGraphChange(add(cm('dep', 'd1', { owners: [ref('owner', 'o1')] })));
    const owner = builder.uidToNode.get('o1')!;
    assert.equal(owner.virtual, true);
    assert.deepEqual([...owner.dependents].map((d) => d.identity.name), ['dep']);
    assert.deepEqual(await drain(attemptToDelete), ['virtual ns/owner']);
  });

  test('observing the owner turns its virtual node real and keeps its dependents', async () => {
    const { builder, attemptToDelete } = rig();
    builder.processGraphChange(add(cm('dep', 'd1', { owners: [ref('owner', 'o1')] })));
    await drain(attemptToDelete);
    builder.processGraphChange(add(cm('owner', 'o1')));
    const owner = builder.uidToNode.get('o1')!;
    assert.equal(owner.virtual, false);
    assert.equal(owner.dependents.size, 1);
    assert.deepEqual(await drain(attemptToDelete), []);
  });

  test('an owner observed with other coordinates than its dependents gave makes those dependents be verified', async () => {
    const { builder, attemptToDelete } = rig();
    builder.processGraphChange(add(cm('dep', 'd1', { owners: [ref('owner', 'o1', { kind: 'Secret' })] })));
    await drain(attemptToDelete);
    builder.processGraphChange(add(cm('owner', 'o1')));
    assert.equal(builder.uidToNode.get('o1')!.identity.kind, 'ConfigMap');
    assert.deepEqual(await drain(attemptToDelete), ['ns/dep']);
  });

  test('a dependent in another namespace than its observed namespaced owner gets an OwnerRefInvalidNamespace event and is verified', async () => {
    const { builder, attemptToDelete, events } = rig();
    builder.processGraphChange(add(cm('owner', 'o1', { namespace: 'a' })));
    builder.processGraphChange(add(cm('dep', 'd1', { namespace: 'b', owners: [ref('owner', 'o1')] })));
    assert.deepEqual(await drain(attemptToDelete), ['b/dep']);
    assert.deepEqual(events, [
      { object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'b', name: 'dep', uid: 'd1' }, type: 'Warning', reason: 'OwnerRefInvalidNamespace', message: 'ownerRef [v1/ConfigMap, namespace: b, name: owner, uid: o1] does not exist in namespace "b"' },
    ]);
  });

  test('a deleted owner leaves the graph and its dependents are queued', async () => {
    const { builder, attemptToDelete } = rig();
    builder.processGraphChange(add(cm('owner', 'o1')));
    builder.processGraphChange(add(cm('dep', 'd1', { owners: [ref('owner', 'o1')] })));
    builder.processGraphChange({ type: 'delete', obj: cm('owner', 'o1'), apiVersion: 'v1', kind: 'ConfigMap' });
    assert.equal(builder.uidToNode.has('o1'), false);
    assert.ok(builder.absentOwnerCache.has({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'owner', uid: 'o1' }));
    assert.deepEqual(await drain(attemptToDelete), ['ns/dep']);
  });

  test('an owner entering deletion with the orphan finalizer is queued for orphaning', async () => {
    const { builder, attemptToOrphan } = rig();
    const owner = cm('owner', 'o1');
    builder.processGraphChange(add(owner));
    builder.processGraphChange(update(owner, cm('owner', 'o1', { deleting: ['orphan'] })));
    assert.deepEqual(await drain(attemptToOrphan), ['ns/owner']);
  });

  test('an owner entering foreground deletion is marked and queued with its dependents', async () => {
    const { builder, attemptToDelete } = rig();
    const owner = cm('owner', 'o1');
    builder.processGraphChange(add(owner));
    builder.processGraphChange(add(cm('dep', 'd1', { owners: [ref('owner', 'o1', { blockOwnerDeletion: true })] })));
    builder.processGraphChange(update(owner, cm('owner', 'o1', { deleting: ['foregroundDeletion'] })));
    assert.equal(builder.uidToNode.get('o1')!.deletingDependents, true);
    assert.deepEqual(await drain(attemptToDelete), ['ns/dep', 'ns/owner']);
  });

  test('dropping a blocking reference requeues the owner it was blocking', async () => {
    const { builder, attemptToDelete } = rig();
    builder.processGraphChange(add(cm('owner', 'o1')));
    const dep = cm('dep', 'd1', { owners: [ref('owner', 'o1', { blockOwnerDeletion: true })] });
    builder.processGraphChange(add(dep));
    builder.processGraphChange(update(dep, cm('dep', 'd1', { owners: [ref('owner', 'o1', { blockOwnerDeletion: false })] })));
    assert.deepEqual(await drain(attemptToDelete), ['ns/owner']);
    assert.equal(builder.uidToNode.get('o1')!.dependents.size, 1);
  });

  test('a virtual delete of one identity keeps the node for dependents that name the uid otherwise, under their identity', async () => {
    const { builder, attemptToDelete } = rig();
    builder.processGraphChange(add(cm('dep-a', 'd1', { owners: [ref('owner', 'o1')] })));
    builder.processGraphChange(add(cm('dep-b', 'd2', { owners: [ref('owner', 'o1', { kind: 'Secret' })] })));
    await drain(attemptToDelete);
    builder.enqueueVirtualDeleteEvent({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'owner', uid: 'o1' });
    const node = builder.uidToNode.get('o1')!;
    assert.equal(node.identity.kind, 'Secret');
    assert.deepEqual(await drain(attemptToDelete), ['ns/dep-a']);
  });
});

describe('garbage collector helpers', () => {
  test('referencesDiffs matches references by uid and reports added, removed and changed ones', () => {
    const { added, removed, changed } = referencesDiffs([ref('a', '1'), ref('b', '2', { blockOwnerDeletion: true })], [ref('b', '2'), ref('c', '3')]);
    assert.deepEqual(added.map((r) => r.uid), ['3']);
    assert.deepEqual(removed.map((r) => r.uid), ['1']);
    assert.deepEqual(changed.map((c) => [c.oldRef.blockOwnerDeletion, c.newRef.blockOwnerDeletion]), [[true, undefined]]);
  });

  test('alternateOwnerIdentity picks the identity sorting right after the absent one, else the first', () => {
    const absent: ObjectIdentity = { apiVersion: 'v1', kind: 'B', namespace: 'ns', name: 'o', uid: 'u' };
    const dep = (kind: string) => {
      const n = newNode({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: `dep-${kind}`, uid: kind });
      n.owners = [{ apiVersion: 'v1', kind, name: 'o', uid: 'u' }];
      return n;
    };
    assert.equal(alternateOwnerIdentity([dep('A'), dep('B'), dep('C')], absent)?.kind, 'C');
    assert.equal(alternateOwnerIdentity([dep('A'), dep('B')], absent)?.kind, 'A');
    assert.equal(alternateOwnerIdentity([dep('B')], absent), undefined);
  });

  test('deletableResources keeps list+watch+delete resources in their first (preferred) version and skips events', () => {
    const r = (group: string, version: string, plural: string, verbs = ['list', 'watch', 'delete', 'get']): DiscoveredResource => ({ group, version, plural, kind: plural, namespaced: true, verbs, subresources: [] });
    const got = deletableResources([
      r('', 'v1', 'configmaps'),
      r('', 'v1', 'events'),
      r('events.k8s.io', 'v1', 'events'),
      r('', 'v1', 'bindings', ['create']),
      r('autoscaling', 'v2', 'horizontalpodautoscalers'),
      r('autoscaling', 'v1', 'horizontalpodautoscalers'),
      r('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', ['create']),
    ]);
    assert.deepEqual(got.map((m) => m.apiVersion + ' ' + m.ref.plural), ['v1 configmaps', 'autoscaling/v2 horizontalpodautoscalers']);
  });
});
