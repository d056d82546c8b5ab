// ResourceClient against the real API server (in-process transport): every verb, pagination,
// the four patch types, delete options, status and the scale/binding/eviction subresources.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { isConflict, isNotFound } from '../../../src/client/rest/errors.js';
import { resourceRef } from '../../../src/client/rest/resource-ref.js';
import type { Client } from '../../../src/client/rest/client.js';
import type { KubeObject } from '../../../src/api/object.js';
import { startInProcessApi, type InProcessApi } from '../transport/in-process-api.js';

let env: InProcessApi;
let client: Client;
before(async () => {
  env = await startInProcessApi();
  client = env.client();
  await client.resource(resources.namespaces).create({ metadata: { name: 'rest' } });
});
after(async () => {
  await env.close();
});

const deployment = (name: string, replicas = 1): Deployment & KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

test('create, get, update and delete a namespaced object; the namespace comes from the bound client, the object, or the default', async () => {
  const bound = client.resource(resources.configMaps, 'rest');
  const created = await bound.create({ metadata: { name: 'one' }, data: { a: '1' } });
  assert.equal(created.metadata?.namespace, 'rest');
  assert.ok(created.metadata?.uid);
  const unbound = client.resource(resources.configMaps);
  assert.equal((await unbound.get('one', { namespace: 'rest' })).data?.a, '1');
  const viaObject = await unbound.update({ ...created, data: { a: '2' } });
  assert.equal(viaObject.data?.a, '2');
  assert.notEqual(viaObject.metadata?.resourceVersion, created.metadata?.resourceVersion);
  const inDefault = await unbound.create({ metadata: { name: 'in-default' } });
  assert.equal(inDefault.metadata?.namespace, 'default');
  await bound.delete('one');
  await assert.rejects(bound.get('one'), isNotFound);
});

test('a cluster-scoped resource ignores namespaces; a resource reference built by hand works like a built-in one', async () => {
  const namespaces = client.resource(resources.namespaces, 'ignored');
  assert.equal((await namespaces.get('rest')).metadata?.name, 'rest');
  const leases = client.resource(resourceRef<KubeObject>({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true }), 'rest');
  const lease = await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'hand-made' }, spec: { holderIdentity: 'me' } });
  assert.equal((lease.spec as { holderIdentity: string }).holderIdentity, 'me');
});

test('list returns one page with a continue token; listAll follows every page; items carry apiVersion and kind', async () => {
  const cms = client.resource(resources.configMaps, 'rest');
  for (let i = 0; i < 7; i++) await cms.create({ metadata: { name: `page-${i}`, labels: { paged: 'yes' } } });
  const first = await cms.list({ labelSelector: 'paged=yes', limit: 3 });
  assert.equal(first.items.length, 3);
  assert.ok(first.metadata.continue);
  const second = await cms.list({ labelSelector: 'paged=yes', limit: 3, continue: first.metadata.continue });
  assert.deepEqual(second.items.map((i) => i.metadata?.name), ['page-3', 'page-4', 'page-5']);
  const all = await cms.listAll({ labelSelector: 'paged=yes', limit: 3 });
  assert.deepEqual(all.items.map((i) => i.metadata?.name), [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
  assert.equal(all.metadata.continue, undefined);
  assert.ok(all.metadata.resourceVersion);
  assert.ok(all.items.every((i) => i.apiVersion === 'v1' && i.kind === 'ConfigMap'));
  const everywhere = await client.resource(resources.configMaps).list({ labelSelector: 'paged=yes' });
  assert.equal(everywhere.items.length, 7, 'an unbound list spans all namespaces');
});

test('patch: merge, strategic merge, JSON patch, and server-side apply with a field manager, conflicts and force', async () => {
  const deps = client.resource(resources.deployments, 'rest');
  await deps.create(deployment('patched'));
  const merged = await deps.patch('patched', { metadata: { labels: { merged: 'yes' } } }, { type: 'merge' });
  assert.equal(merged.metadata?.labels?.merged, 'yes');
  // Strategic merge merges the containers list by name instead of replacing it.
  const strategic = await deps.patch('patched', { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } }, { type: 'strategic' });
  assert.deepEqual(strategic.spec?.template.spec?.containers.map((c) => c.name).sort(), ['c', 'sidecar']);
  const json = await deps.patch('patched', [{ op: 'replace', path: '/spec/replicas', value: 3 }], { type: 'json' });
  assert.equal(json.spec?.replicas, 3);

  const intent = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patched' }, spec: { replicas: 5 } };
  // replicas belongs to the JSON patch's manager now: taking it over needs force.
  await assert.rejects(deps.patch('patched', intent, { type: 'apply', fieldManager: 'first' }), isConflict);
  const applied = await deps.patch('patched', intent, { type: 'apply', fieldManager: 'first', force: true });
  assert.equal(applied.spec?.replicas, 5);
  assert.ok(applied.metadata?.managedFields?.some((m) => m.manager === 'first' && m.operation === 'Apply'));
  await assert.rejects(deps.patch('patched', { ...intent, spec: { replicas: 6 } }, { type: 'apply', fieldManager: 'second' }), isConflict);
  const forced = await deps.patch('patched', { ...intent, spec: { replicas: 6 } }, { type: 'apply', fieldManager: 'second', force: true });
  assert.equal(forced.spec?.replicas, 6);
  await assert.rejects(deps.patch('patched', intent, { type: 'apply' }), /fieldManager/);
});

test('updateStatus changes status only; the status subresource ignores spec changes', async () => {
  const deps = client.resource(resources.deployments, 'rest');
  const d = await deps.create(deployment('with-status', 2));
  const updated = await deps.updateStatus({ ...d, spec: { ...d.spec!, replicas: 9 }, status: { observedGeneration: 1, replicas: 2, readyReplicas: 1 } });
  assert.equal(updated.status?.readyReplicas, 1);
  assert.equal(updated.spec?.replicas, 2);
});

test('scale subresource: read and write a deployment\'s replicas through autoscaling/v1 Scale', async () => {
  const deps = client.resource(resources.deployments, 'rest');
  await deps.create(deployment('scaled', 2));
  const scale = await deps.getScale('scaled');
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.spec?.replicas, 2);
  await deps.updateScale('scaled', { ...scale, spec: { replicas: 4 } });
  assert.equal((await deps.get('scaled')).spec?.replicas, 4);
});

test('decode: false writes resolve with nothing and act as decoded ones (create, update, patch); failures keep their Status', async () => {
  const cms = client.resource(resources.configMaps, 'rest');
  assert.equal(await cms.create({ metadata: { name: 'nd' }, data: { a: '1' } }, { decode: false }), undefined);
  const created = await cms.get('nd');
  assert.equal(await cms.update({ ...created, data: { a: '2' } }, { decode: false }), undefined);
  assert.equal(await cms.patch('nd', { data: { b: '3' } }, { type: 'merge', decode: false }), undefined);
  assert.deepEqual((await cms.get('nd')).data, { a: '2', b: '3' });
  await assert.rejects(cms.update({ ...created, data: { a: 'stale' } }, { decode: false }), (err: Error) => isConflict(err) && /the object has been modified/.test(err.message));
  await assert.rejects(cms.patch('absent', { data: {} }, { type: 'merge', decode: false }), isNotFound);
});

test('pods/binding sets the node; pods/eviction deletes the pod', async () => {
  const pods = client.resource(resources.pods, 'rest');
  await pods.create({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await pods.bind('p', { metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } });
  assert.equal((await pods.get('p')).spec?.nodeName, 'node-1');
  await pods.create({ metadata: { name: 'evicted' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await pods.evict('evicted', { deleteOptions: { gracePeriodSeconds: 0 } });
  await assert.rejects(pods.get('evicted'), isNotFound);
});

test('delete honours preconditions (a wrong uid is a conflict) and deleteCollection removes only what the selector matches', async () => {
  const cms = client.resource(resources.configMaps, 'rest');
  const target = await cms.create({ metadata: { name: 'guarded' } });
  await assert.rejects(cms.delete('guarded', { preconditions: { uid: 'not-the-uid' } }), isConflict);
  const status = await cms.delete('guarded', { preconditions: { uid: target.metadata!.uid! }, propagationPolicy: 'Background', gracePeriodSeconds: 0 });
  assert.ok(status);
  await assert.rejects(cms.get('guarded'), isNotFound);

  for (const name of ['keep', 'drop-1', 'drop-2']) await cms.create({ metadata: { name, labels: { sweep: name === 'keep' ? 'no' : 'yes' } } });
  await cms.deleteCollection({ labelSelector: 'sweep=yes' });
  assert.deepEqual((await cms.list({ labelSelector: 'sweep' })).items.map((i) => i.metadata?.name), ['keep']);
});

test('dry-run create validates and answers the object without storing it', async () => {
  const cms = client.resource(resources.configMaps, 'rest');
  const dry = await cms.create({ metadata: { name: 'dry' } }, { dryRun: true });
  assert.equal(dry.metadata?.name, 'dry');
  await assert.rejects(cms.get('dry'), isNotFound);
});
