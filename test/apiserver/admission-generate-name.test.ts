// How admission refusals of a create name the object, as upstream's admission.NewForbidden does:
// mutating admission runs before the store generates a name, so a generateName create is refused
// as `pods "web-" is forbidden`; validating admission (ResourceQuota, LimitRanger) runs after it,
// so the refusal names the generated pod. A named create is always refused by its name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { ApiError } from '../../src/client/rest/errors.js';
import { resourceQuotaController, resourceQuotasRef } from '../../src/controllers/resourcequota/index.js';
import { startControllers, waitForObject, type ControllerRig } from '../helpers/controllers.js';

let rig: ControllerRig;
let client: Client;

before(async () => {
  rig = await startControllers([resourceQuotaController]);
  client = rig.client;
});
after(() => rig?.close());

function pod(meta: { name?: string; generateName?: string }, spec: Partial<Pod['spec']> = {}): Pod & KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec } };
}

/** The Status a refused create answers with. */
async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => assert.fail('the create was admitted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, String(err));
  assert.equal(err.status.code, 403);
  assert.equal(err.status.reason, 'Forbidden');
  return err;
}

/** A namespace whose pods the ServiceAccount plugin admits (its "default" account exists). */
async function namespace(name: string): Promise<void> {
  await client.resource(resources.namespaces).create({ metadata: { name } });
  await waitForObject(client.resource(resources.serviceAccounts), name, 'default', (sa) => !!sa, 'default service account');
}

describe('admission refusals of a create name the object as upstream does', () => {
  test('ResourceQuota (validating) refuses a generateName pod by its generated name, and a named pod by its name', async () => {
    await namespace('gn-quota');
    const quotas = client.resource(resourceQuotasRef);
    await quotas.create({ metadata: { name: 'q' }, spec: { hard: { pods: '1' } } } as never, { namespace: 'gn-quota' });
    await waitForObject(quotas, 'gn-quota', 'q', (q) => q?.status?.used?.pods === '0', 'quota status');
    const pods = client.resource(resources.pods);
    await pods.create(pod({ name: 'first' }), { namespace: 'gn-quota' });
    const exceeded = 'exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';

    const generated = await refusal(pods.create(pod({ generateName: 'web-' }), { namespace: 'gn-quota' }));
    const name = generated.status.details?.name ?? '';
    assert.match(name, /^web-[a-z0-9]{5}$/);
    assert.equal(generated.status.message, `pods "${name}" is forbidden: ${exceeded}`);
    assert.deepEqual(generated.status.details, { name, kind: 'pods' });

    const named = await refusal(pods.create(pod({ name: 'second' }), { namespace: 'gn-quota' }));
    assert.equal(named.status.message, `pods "second" is forbidden: ${exceeded}`);
    assert.deepEqual(named.status.details, { name: 'second', kind: 'pods' });
  });

  test('Priority (mutating) refuses a generateName pod by its generateName, and a named pod by its name', async () => {
    await namespace('gn-priority');
    const pods = client.resource(resources.pods);
    const generated = await refusal(pods.create(pod({ generateName: 'web-' }, { priorityClassName: 'nope' }), { namespace: 'gn-priority' }));
    assert.equal(generated.status.message, 'pods "web-" is forbidden: no PriorityClass with name nope was found');
    assert.deepEqual(generated.status.details, { name: 'web-', kind: 'pods' });

    const named = await refusal(pods.create(pod({ name: 'p' }, { priorityClassName: 'nope' }), { namespace: 'gn-priority' }));
    assert.equal(named.status.message, 'pods "p" is forbidden: no PriorityClass with name nope was found');
    assert.deepEqual(named.status.details, { name: 'p', kind: 'pods' });
  });

  test('NamespaceLifecycle (mutating) refuses a generateName create in a terminating namespace by its generateName', async () => {
    await namespace('gn-gone');
    // No namespace controller runs: the "kubernetes" finalizer keeps the namespace terminating.
    await client.resource(resources.namespaces).delete('gn-gone');
    const configMaps = client.resource(resources.configMaps);
    const err = await refusal(configMaps.create({ metadata: { generateName: 'settings-' } }, { namespace: 'gn-gone' }));
    assert.equal(err.status.message, 'configmaps "settings-" is forbidden: unable to create new content in namespace gn-gone because it is being terminated');
    assert.deepEqual(err.status.details, {
      name: 'settings-',
      kind: 'configmaps',
      causes: [{ reason: 'NamespaceTerminating', message: 'namespace gn-gone is being terminated', field: 'metadata.namespace' }],
    });
  });
});
