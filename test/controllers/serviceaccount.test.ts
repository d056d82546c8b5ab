// The ServiceAccounts controller against the real API server: every namespace gets "default",
// and a deleted "default" comes back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControllers, waitForObject, type ControllerRig } from '../helpers/controllers.js';
import { serviceAccountsController } from '../../src/controllers/serviceaccount/serviceaccounts-controller.js';
import { resources } from '../../src/client/rest/builtin-resources.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([serviceAccountsController]);
});
after(async () => {
  await rig?.close();
});

describe('serviceaccount controller', () => {
  test('the system namespaces and a new namespace get a default ServiceAccount', async () => {
    await rig.client.resource(resources.namespaces).create({ metadata: { name: 'team' } });
    const accounts = rig.client.resource(resources.serviceAccounts);
    for (const ns of ['default', 'kube-system', 'team']) {
      const sa = await waitForObject(accounts, ns, 'default', (o) => o !== undefined, `default ServiceAccount in ${ns}`);
      assert.equal(sa?.metadata?.namespace, ns);
    }
  });

  test('a deleted default ServiceAccount is recreated with a new uid', async () => {
    const accounts = rig.client.resource(resources.serviceAccounts);
    const before = await accounts.get('default', { namespace: 'team' });
    await accounts.delete('default', { namespace: 'team' });
    const after = await waitForObject(accounts, 'team', 'default', (o) => o !== undefined && o.metadata?.uid !== before.metadata?.uid, 'a new default ServiceAccount');
    assert.notEqual(after!.metadata!.uid, before.metadata!.uid);
  });
});
