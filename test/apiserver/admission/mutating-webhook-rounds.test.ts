// The MutatingAdmissionWebhook plugin in the admission chain, on the API server's real parts
// (sqlite storage, the watch cache, the built-in resource table) and a real HTTPS webhook
// server: which webhook is called in which round and at which index, as upstream's audit
// annotations name them (mutation.webhook.admission.k8s.io/round_{round}_index_{index}).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/api/object.js';
import { AdmissionChain, type AdmissionAttributes } from '../../../src/apiserver/admission/admission.js';
import type { AdmissionDeps } from '../../../src/apiserver/admission/plugins.js';
import { ServiceAllocator } from '../../../src/apiserver/admission/service-allocator.js';
import { mutatingAdmissionWebhook, type MutatingWebhookCall } from '../../../src/apiserver/admission/webhook/mutating.js';
import { builtinRegistry } from '../../../src/apiserver/registry/builtin.js';
import { systemContext } from '../../../src/apiserver/registry/context.js';
import { objectKey } from '../../../src/apiserver/registry/resource-entry.js';
import { WatchCache } from '../../../src/apiserver/watch-cache.js';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import { patched, startWebhookServer, type WebhookServer } from '../../helpers/webhook-server.js';

let dir: string;
let store: SqliteStore;
let cache: WatchCache;
let hooks: WebhookServer;
const registry = builtinRegistry();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-webhook-rounds-'));
  store = openSqliteStore({ path: join(dir, 'state.db') });
  cache = new WatchCache(store);
  await cache.start();
  // /mark/K labels the object K=seen unless it has that label.
  hooks = await startWebhookServer((path, review) => {
    const key = path.split('/')[2];
    const labels = review.request.object?.metadata?.labels;
    if (!path.startsWith('/mark/') || labels?.[key]) return undefined;
    return patched(review, [{ op: 'add', path: '/metadata/labels', value: { ...labels, [key]: 'seen' } }]);
  });
  await put('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
});

after(() => {
  hooks?.close();
  cache?.stop();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function put(group: string, plural: string, obj: KubeObject): Promise<void> {
  const entry = registry.find(group, 'v1', plural)!;
  await store.create(objectKey(entry, obj.metadata?.namespace ?? '', obj.metadata!.name!), JSON.stringify(obj));
  await cache.syncToStore();
}

const onConfigMaps = { rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] };
const configuration = (name: string, webhooks: object[]) => put('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name }, webhooks });

/** A configmap create through a chain of the plugin alone; what it recorded, and the object admitted. */
async function admitConfigMap(name: string): Promise<{ calls: MutatingWebhookCall[]; object: KubeObject }> {
  const calls: MutatingWebhookCall[] = [];
  const deps: AdmissionDeps = { cache, registry, store, services: new ServiceAllocator('10.96.0.0/12') };
  const chain = new AdmissionChain([mutatingAdmissionWebhook(deps, { record: (call) => calls.push(call) })]);
  const object: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team' } };
  const attrs: AdmissionAttributes = { operation: 'CREATE', entry: registry.find('', 'v1', 'configmaps')!, subresource: '', namespace: 'team', name, object, ctx: systemContext() };
  await chain.admit(attrs);
  return { calls, object };
}

describe('mutating webhook rounds', () => {
  test('round 1 calls the IfNeeded webhook again; the index counts every mutating webhook, called or not, across configurations', async () => {
    await configuration('a-first', [hooks.webhook('a.example.com', '/mark/a', { ...onConfigMaps, reinvocationPolicy: 'IfNeeded' }), hooks.webhook('secrets.example.com', '/mark/s', { rules: [{ ...onConfigMaps.rules[0], resources: ['secrets'] }] })]);
    await configuration('b-second', [hooks.webhook('b.example.com', '/mark/b', onConfigMaps)]);
    const { calls, object } = await admitConfigMap('rounds');
    assert.deepEqual(calls, [
      { configuration: 'a-first', webhook: 'a.example.com', round: 0, index: 0, mutated: true },
      { configuration: 'b-second', webhook: 'b.example.com', round: 0, index: 2, mutated: true },
      { configuration: 'a-first', webhook: 'a.example.com', round: 1, index: 0, mutated: false },
    ]);
    assert.deepEqual(object.metadata?.labels, { a: 'seen', b: 'seen' });
  });
});
