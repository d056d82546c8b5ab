// The root CA publisher against the real API server: kube-root-ca.crt in every namespace, put
// back when deleted or edited, never created in a namespace that is being deleted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControllers, waitForObject, type ControllerRig } from '../helpers/controllers.js';
import { newRootCACertPublisher, descriptionAnnotation, rootCACertConfigMapName, rootCACertDescription } from '../../src/controllers/rootcacert/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';

const caPem = '-----BEGIN CERTIFICATE-----\nMIIBdummyCAforTests\n-----END CERTIFICATE-----\n';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([newRootCACertPublisher(caPem)]);
});
after(async () => {
  await rig?.close();
});

const published = (cm: ConfigMap | undefined) => cm?.data?.['ca.crt'] === caPem && cm.metadata?.annotations?.[descriptionAnnotation] === rootCACertDescription;

describe('root CA certificate publisher', () => {
  test('the system namespaces and a new namespace get kube-root-ca.crt with the CA and the description annotation', async () => {
    await rig.client.resource(resources.namespaces).create({ metadata: { name: 'team' } });
    const configMaps = rig.client.resource(resources.configMaps);
    for (const ns of ['default', 'kube-system', 'kube-public', 'team']) {
      const cm = await waitForObject(configMaps, ns, rootCACertConfigMapName, published, `${rootCACertConfigMapName} in ${ns}`);
      assert.deepEqual(cm!.data, { 'ca.crt': caPem });
      assert.equal(cm!.metadata!.annotations![descriptionAnnotation], rootCACertDescription);
    }
  });

  test('a deleted kube-root-ca.crt comes back with a new uid', async () => {
    const configMaps = rig.client.resource(resources.configMaps);
    const old = await waitForObject(configMaps, 'team', rootCACertConfigMapName, published, 'the ConfigMap');
    await configMaps.delete(rootCACertConfigMapName, { namespace: 'team' });
    const back = await waitForObject(configMaps, 'team', rootCACertConfigMapName, (cm) => published(cm) && cm?.metadata?.uid !== old!.metadata!.uid, 'a new ConfigMap');
    assert.notEqual(back!.metadata!.uid, old!.metadata!.uid);
  });

  for (const [what, change] of [
    ['changed data', (cm: ConfigMap) => ({ ...cm, data: { 'ca.crt': 'tampered', extra: 'x' } })],
    ['a removed description annotation', (cm: ConfigMap) => ({ ...cm, metadata: { ...cm.metadata, annotations: { other: 'kept' } } })],
  ] as const) {
    test(`a kube-root-ca.crt with ${what} is reset, keeping its uid and unrelated annotations`, async () => {
      const configMaps = rig.client.resource(resources.configMaps);
      const cm = await waitForObject(configMaps, 'team', rootCACertConfigMapName, published, 'the ConfigMap');
      const edited = await configMaps.update(change(cm!) as typeof cm & object, { namespace: 'team' });
      assert.equal(published(edited), false);
      const reset = await waitForObject(configMaps, 'team', rootCACertConfigMapName, (o) => published(o) && o?.metadata?.resourceVersion !== edited.metadata?.resourceVersion, 'the reset ConfigMap');
      assert.equal(reset!.metadata!.uid, cm!.metadata!.uid);
      assert.deepEqual(reset!.data, { 'ca.crt': caPem });
      if (edited.metadata?.annotations?.other) assert.equal(reset!.metadata!.annotations!.other, 'kept');
    });
  }

  test('other ConfigMaps are left alone', async () => {
    const configMaps = rig.client.resource(resources.configMaps);
    await configMaps.create({ metadata: { name: 'mine' }, data: { 'ca.crt': 'not the CA' } }, { namespace: 'team' });
    // Deleting the published one makes the controller run in this namespace.
    const old = await configMaps.get(rootCACertConfigMapName, { namespace: 'team' });
    await configMaps.delete(rootCACertConfigMapName, { namespace: 'team' });
    await waitForObject(configMaps, 'team', rootCACertConfigMapName, (cm) => published(cm) && cm?.metadata?.uid !== old.metadata?.uid, 'the ConfigMap back');
    const mine = await configMaps.get('mine', { namespace: 'team' });
    assert.deepEqual(mine.data, { 'ca.crt': 'not the CA' });
    assert.equal(mine.metadata?.annotations, undefined);
  });

  test('a namespace being deleted does not get kube-root-ca.crt back', async () => {
    const namespaces = rig.client.resource(resources.namespaces);
    const configMaps = rig.client.resource(resources.configMaps);
    await namespaces.create({ metadata: { name: 'leaving' } });
    await waitForObject(configMaps, 'leaving', rootCACertConfigMapName, published, 'the ConfigMap');
    // No namespace controller runs here: the namespace stays Terminating and refuses new content.
    await namespaces.delete('leaving');
    await configMaps.delete(rootCACertConfigMapName, { namespace: 'leaving' });
    // A barrier: a later delete seen by the same informer is handled after this one (one worker, FIFO).
    const teamCm = await configMaps.get(rootCACertConfigMapName, { namespace: 'team' });
    await configMaps.delete(rootCACertConfigMapName, { namespace: 'team' });
    await waitForObject(configMaps, 'team', rootCACertConfigMapName, (cm) => published(cm) && cm?.metadata?.uid !== teamCm.metadata?.uid, 'the barrier ConfigMap back');
    const list = await configMaps.list({ namespace: 'leaving' });
    assert.deepEqual(list.items.map((o) => o.metadata?.name), []);
  });
});
