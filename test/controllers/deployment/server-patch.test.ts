// A server behaviour the Deployment controller's users depend on: a patch that carries no
// resourceVersion must not fail with 409 when another writer updates the object concurrently
// (upstream re-applies the patch to the fresh object). `kubectl set image` / `scale` / `rollout
// pause` race the controller's status writes and would otherwise fail intermittently.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControllers, type ControllerRig } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([]);
});
after(async () => {
  await rig?.close();
});

test(
  'concurrent patches without a resourceVersion all succeed',
  async () => {
    const cms = rig.client.resource(resources.configMaps);
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'race', namespace: 'default' }, data: {} });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => cms.patch('race', { data: { [`k${i}`]: 'v' } }, { namespace: 'default', type: 'merge' })));
    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 0, `${failed.length} of 30 failed, first: ${String((failed[0] as PromiseRejectedResult | undefined)?.reason)}`);
    const cm = await cms.get('race', { namespace: 'default' });
    assert.equal(Object.keys(cm.data ?? {}).length, 30);
  },
);
