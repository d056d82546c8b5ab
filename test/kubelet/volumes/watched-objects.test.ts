// The volume manager reads ConfigMaps and Secrets through watches shared by the pods that use
// them (upstream's Watch change-detection strategy): every pod of a namespace mounting its
// kube-api-access volume shares one watch on kube-root-ca.crt; a watch ends with its last pod;
// an immutable object is not watched once seen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { waitForObject } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { Client } from '../../../src/client/rest/client.js';
import { VolumeManager } from '../../../src/kubelet/volumes/volume-manager.js';
import { createLogger } from '../../../src/util/log.js';

describe('ConfigMaps and Secrets through shared watches', () => {
  let api: InProcessApi;
  let client: Client;
  let root: string;
  let vm: VolumeManager;
  const ns = 'watched';
  let seq = 0;

  before(async () => {
    api = await startInProcessApi();
    client = api.client();
    root = mkdtempSync(join(tmpdir(), 'k8ts-watched-'));
    vm = new VolumeManager({ rootDir: root, client, nodeName: 'n1', log: createLogger('volumes', { level: 'silent' }) });
    await client.resource(resources.namespaces).create({ metadata: { name: ns } });
    await waitForObject(client.resource(resources.configMaps), ns, 'kube-root-ca.crt', (cm) => !!cm, 'the root CA publisher');
  });
  after(async () => {
    vm?.stop();
    await api?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const makePod = (spec: Partial<Pod['spec']> = {}) => client.resource(resources.pods, ns).create({ metadata: { name: `p${++seq}` }, spec: { containers: [{ name: 'c', image: 'sh' }], ...spec } });

  test('pods of a namespace share one watch on kube-root-ca.crt, which ends with the last of them', async () => {
    const pods = [await makePod(), await makePod(), await makePod()];
    for (const p of pods) {
      const dir = (await vm.mountPodVolumes(p)).get(p.spec!.volumes![0]!.name)!;
      assert.equal(readFileSync(join(dir, 'namespace'), 'utf8'), ns);
      assert.match(readFileSync(join(dir, 'ca.crt'), 'utf8'), /BEGIN CERTIFICATE/);
    }
    assert.deepEqual(vm.watchedObjects, { configMaps: 1, secrets: 0 });
    await vm.cleanupPodVolumes(pods[0]!.metadata!.uid!);
    await vm.cleanupPodVolumes(pods[1]!.metadata!.uid!);
    assert.deepEqual(vm.watchedObjects, { configMaps: 1, secrets: 0 });
    await vm.cleanupPodVolumes(pods[2]!.metadata!.uid!);
    assert.deepEqual(vm.watchedObjects, { configMaps: 0, secrets: 0 });
  });

  test('configMap and secret volumes are watched per object; an immutable one only until seen', async () => {
    await client.resource(resources.configMaps, ns).create({ metadata: { name: 'app' }, data: { k: 'v1' } });
    await client.resource(resources.configMaps, ns).create({ metadata: { name: 'frozen' }, data: { k: 'ice' }, immutable: true });
    await client.resource(resources.secrets, ns).create({ metadata: { name: 'tls' }, data: { key: Buffer.from('s3cret').toString('base64') } });
    const pod = await makePod({
      automountServiceAccountToken: false,
      volumes: [
        { name: 'app', configMap: { name: 'app' } },
        { name: 'frozen', configMap: { name: 'frozen' } },
        { name: 'tls', secret: { secretName: 'tls' } },
      ],
    });
    const paths = await vm.mountPodVolumes(pod);
    assert.equal(readFileSync(join(paths.get('frozen')!, 'k'), 'utf8'), 'ice');
    assert.equal(readFileSync(join(paths.get('tls')!, 'key'), 'utf8'), 's3cret');
    assert.deepEqual(vm.watchedObjects, { configMaps: 1, secrets: 1 }, 'the immutable ConfigMap is no longer watched');

    const cm = await client.resource(resources.configMaps, ns).get('app');
    await client.resource(resources.configMaps, ns).update({ ...cm, data: { k: 'v2' } });
    const deadline = Date.now() + 5000;
    while (readFileSync(join(paths.get('app')!, 'k'), 'utf8') !== 'v2' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
      await vm.refreshPodVolumes(pod);
    }
    assert.equal(readFileSync(join(paths.get('app')!, 'k'), 'utf8'), 'v2', 'the watch brought the update');
    await vm.cleanupPodVolumes(pod.metadata!.uid!);
    assert.deepEqual(vm.watchedObjects, { configMaps: 0, secrets: 0 });
  });
});
