// Server-side apply and the strategies' reset fields (upstream GetResetFields): applying to the
// main resource neither owns status nor conflicts over it (a manifest exported with its status and
// applied back does not fight the controller or kubelet that writes status); applying to /status
// neither owns spec nor conflicts over it, nor, for pods, deletionTimestamp and ownerReferences.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';

let api: InProcessApi;
let client: Client;
before(async () => {
  api = await startInProcessApi();
  client = api.client();
});
after(async () => {
  await api.close();
});

const ns = 'default';
const entry = (o: { metadata?: { managedFields?: ManagedFieldsEntry[] } }, manager: string, subresource?: string) =>
  o.metadata?.managedFields?.find((m) => m.manager === manager && m.subresource === subresource);
const owned = (e: ManagedFieldsEntry | undefined) => Object.keys((e?.fieldsV1 ?? {}) as Record<string, unknown>).sort();

test('apply to a pod with a status section does not own status nor conflict with the status writer; apply to pods/status does not own spec', async () => {
  const pods = client.resource(resources.pods);
  const created = (await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'exported' }, spec: { containers: [{ name: 'app', image: 'sh' }] } } as never, { namespace: ns })) as Pod;
  await pods.updateStatus({ ...created, status: { ...created.status, phase: 'Running' } } as never, { namespace: ns, fieldManager: 'kubelet' });

  const applied = (await pods.patch(
    'exported',
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'exported', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'sh' }] }, status: { phase: 'Failed' } },
    { type: 'apply', namespace: ns, fieldManager: 'exporter' },
  )) as Pod;
  assert.equal(applied.status?.phase, 'Running', 'the main resource keeps status as it was');
  assert.equal(applied.metadata?.labels?.app, 'web');
  assert.deepEqual(owned(entry(applied, 'exporter')), ['f:metadata', 'f:spec']);
  assert.ok(JSON.stringify(entry(applied, 'kubelet', 'status')?.fieldsV1).includes('"f:phase"'), 'the status writer still owns the phase');

  const status = (await pods.patch(
    'exported',
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'exported', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' }] }, spec: { activeDeadlineSeconds: 5 }, status: { phase: 'Running', message: 'ok' } },
    { type: 'apply', subresource: 'status', namespace: ns, fieldManager: 'status-applier' },
  )) as Pod;
  assert.equal(status.status?.message, 'ok');
  assert.equal(status.spec?.activeDeadlineSeconds, undefined, 'spec is not written through status');
  const mine = entry(status, 'status-applier', 'status');
  assert.deepEqual(owned(mine), ['f:status']);
  assert.ok(!JSON.stringify(mine?.fieldsV1).includes('ownerReferences'));
});

test('apply to deployments/status does not own spec or labels', async () => {
  const deployments = client.resource(resources.deployments);
  const template = { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'app', image: 'sh' }] } };
  await deployments.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template } } as never, { namespace: ns });
  const d = (await deployments.patch(
    'd',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { tier: 'x' } }, spec: { replicas: 5 }, status: { observedGeneration: 1 } },
    { type: 'apply', subresource: 'status', namespace: ns, fieldManager: 'status-applier' },
  )) as Deployment;
  assert.equal(d.status?.observedGeneration, 1);
  assert.deepEqual(owned(entry(d, 'status-applier', 'status')), ['f:status']);
});
