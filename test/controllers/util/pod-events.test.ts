// podEventHandlers: the shared add/update/delete → controller ref → expectations → enqueue
// logic of the ReplicaSet and Job controllers, driven directly with an indexer of owners.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { CacheIndexer, deletedFinalStateUnknown, metaNamespaceIndexFunc, type ResourceEventHandler } from '../../../src/client/cache/index.js';
import { UIDTrackingExpectations, controllerRefResolver, ownersSelecting, podEventHandlers } from '../../../src/controllers/util/index.js';

type RS = ReplicaSet & KubeObject;
type P = Pod & KubeObject;
const kind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const rs = (name: string, uid: string, app: string): RS => ({ metadata: { name, namespace: 'ns', uid }, spec: { selector: { matchLabels: { app } }, template: {} } });
const pod = (name: string, rv: string, o: { app?: string; owner?: RS; deleting?: boolean; finalizer?: boolean } = {}): P => ({
  metadata: {
    name,
    namespace: 'ns',
    uid: `pod-${name}`,
    resourceVersion: rv,
    labels: o.app ? { app: o.app } : {},
    ownerReferences: o.owner ? [{ ...kind, name: o.owner.metadata!.name!, uid: o.owner.metadata!.uid!, controller: true }] : undefined,
    deletionTimestamp: o.deleting ? '2024-01-01T00:00:00Z' : undefined,
  },
});

let owners: CacheIndexer<RS>;
let expectations: UIDTrackingExpectations;
let queued: string[];
let hooks: string[];
let h: ResourceEventHandler<P>;
const web = rs('web', 'u-web', 'web');
const api = rs('api', 'u-api', 'api');

beforeEach(() => {
  owners = new CacheIndexer<RS>({ indexers: { namespace: metaNamespaceIndexFunc }, freeze: false });
  owners.add(web);
  owners.add(api);
  expectations = new UIDTrackingExpectations();
  queued = [];
  hooks = [];
  h = podEventHandlers<RS>({
    resolveControllerRef: controllerRefResolver(owners, kind),
    ownersMatching: (p) => ownersSelecting(owners, p),
    expectations,
    enqueue: (k) => queued.push(k),
    onOwnedPod: (o, _k, p, old) => hooks.push(`owned:${o.metadata!.name}:${p.metadata!.name}:${old ? 'update' : 'add'}`),
    onOwnedPodDeleted: (o, _k, p) => hooks.push(`deleted:${o.metadata!.name}:${p.metadata!.name}`),
    onOrphanPod: (p) => hooks.push(`orphan:${p.metadata!.name}`),
    onUnresolvedPod: (p) => hooks.push(`unresolved:${p.metadata!.name}`),
  });
});

describe('podEventHandlers', () => {
  test('an added pod of a cached owner is an observed creation and enqueues the owner', () => {
    expectations.expectCreations('ns/web', 1);
    void h.onAdd!(pod('a', '1', { app: 'web', owner: web }), false);
    assert.equal(expectations.satisfied('ns/web'), true);
    assert.deepEqual(queued, ['ns/web']);
    assert.deepEqual(hooks, ['owned:web:a:add']);
  });

  test('an added orphan wakes every owner whose selector matches it', () => {
    void h.onAdd!(pod('o', '1', { app: 'api' }), false);
    assert.deepEqual(queued, ['ns/api']);
    assert.deepEqual(hooks, ['orphan:o']);
  });

  test('a reference to an owner with another uid (a same-named successor) is not resolved', () => {
    void h.onAdd!(pod('x', '1', { app: 'web', owner: rs('web', 'old-uid', 'web') }), false);
    assert.deepEqual(queued, []);
    assert.deepEqual(hooks, ['unresolved:x']);
  });

  test('a pod that starts terminating counts as deleted at once; so does one first seen terminating', () => {
    const p = pod('a', '1', { app: 'web', owner: web });
    expectations.expectDeletionsOf('ns/web', ['ns/a', 'ns/b']);
    void h.onUpdate!(p, { ...p, metadata: { ...p.metadata, resourceVersion: '2', deletionTimestamp: '2024-01-01T00:00:00Z' } });
    void h.onAdd!(pod('b', '1', { app: 'web', owner: web, deleting: true }), false);
    assert.equal(expectations.satisfied('ns/web'), true);
    assert.deepEqual(hooks, ['deleted:web:a', 'deleted:web:b']);
  });

  test('a resync (same resourceVersion) does nothing', () => {
    const p = pod('a', '1', { app: 'web', owner: web });
    void h.onUpdate!(p, p);
    assert.deepEqual(queued, []);
  });

  test('a released pod wakes its old owner, and owners matching its labels only when labels or reference changed', () => {
    const owned = pod('a', '1', { app: 'web', owner: web });
    void h.onUpdate!(owned, pod('a', '2', { app: 'web' }));
    assert.deepEqual(queued, ['ns/web', 'ns/web']);
    queued = [];
    void h.onUpdate!(pod('a', '2', { app: 'web' }), pod('a', '3', { app: 'web' }));
    assert.deepEqual(queued, [], 'an orphan whose labels did not change wakes nobody');
    void h.onUpdate!(pod('a', '3', { app: 'web' }), pod('a', '4', { app: 'api' }));
    assert.deepEqual(queued, ['ns/api']);
  });

  test('a deletion (or tombstone) is an observed deletion for the owner', () => {
    const p = pod('a', '1', { app: 'web', owner: web });
    expectations.expectDeletionsOf('ns/web', ['ns/a']);
    void h.onDelete!(deletedFinalStateUnknown('ns/a', p));
    assert.equal(expectations.satisfied('ns/web'), true);
    assert.deepEqual(queued, ['ns/web']);
  });
});
