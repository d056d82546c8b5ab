// @kubernetes/client-node, an independent client, against a real k8ts API server:
// KubernetesObjectApi CRUD, typed CoreV1Api/AppsV1Api calls, Watch and makeInformer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let kc: k8s.KubeConfig;
before(async () => {
  c = await startTestCluster();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
});
after(async () => {
  await c?.close();
});

describe('@kubernetes/client-node', () => {
  test('typed APIs create and read a namespace, a configmap and a deployment', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'cfg' }, data: { a: 'b' } } });
    const cm = await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'cn' });
    assert.equal(cm.data?.a, 'b');
    const created = await apps.createNamespacedDeployment({
      namespace: 'cn',
      body: {
        metadata: { name: 'd' },
        spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      },
    });
    assert.equal(created.metadata?.generation, 1);
    const list = await core.listNamespace();
    assert.ok(list.items.some((n) => n.metadata?.name === 'cn'));
    await assert.rejects(core.readNamespacedConfigMap({ name: 'missing', namespace: 'cn' }), (err: { code?: number }) => err.code === 404);
  });

  test('KubernetesObjectApi: create, read, patch, replace, list, delete', async () => {
    const api = k8s.KubernetesObjectApi.makeApiClient(kc);
    const spec = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'obj', namespace: 'cn' }, data: { v: '1' } };
    await api.create(spec);
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'obj', namespace: 'cn' } };
    const read = await api.read(ref);
    assert.equal((read as k8s.V1ConfigMap).data?.v, '1');
    await api.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'obj', namespace: 'cn' }, data: { w: '2' } } as k8s.KubernetesObject, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
    const patched = (await api.read(ref)) as k8s.V1ConfigMap;
    assert.deepEqual(patched.data, { v: '1', w: '2' });
    patched.data = { only: 'this' };
    await api.replace(patched);
    const replaced = (await api.read(ref)) as k8s.V1ConfigMap;
    assert.deepEqual(replaced.data, { only: 'this' });
    const listed = await api.list('v1', 'ConfigMap', 'cn');
    assert.ok(listed.items.some((i) => i.metadata?.name === 'obj'));
    await api.delete(read);
    await assert.rejects(api.read(ref));
  });

  test('Watch delivers ADDED, MODIFIED and DELETED', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedConfigMap({ namespace: 'cn' });
    const seen: string[] = [];
    let abort: { abort(): void } | undefined;
    const done = new Promise<void>((resolve, reject) => {
      new k8s.Watch(kc)
        .watch(
          '/api/v1/namespaces/cn/configmaps',
          { resourceVersion: list.metadata?.resourceVersion },
          (type, obj: k8s.V1ConfigMap) => {
            if (obj.metadata?.name !== 'watched') return;
            seen.push(type);
            if (type === 'DELETED') resolve();
          },
          (err) => (err ? reject(err) : undefined),
        )
        .then((ctl) => (abort = ctl), reject);
    });
    while (!abort) await new Promise((r) => setImmediate(r));
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'watched' } } });
    await core.patchNamespacedConfigMap({ name: 'watched', namespace: 'cn', body: { data: { x: 'y' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'cn' });
    await done;
    abort.abort();
    assert.deepEqual(seen, ['ADDED', 'MODIFIED', 'DELETED']);
  });

  test('makeInformer lists, then sees adds and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 'before' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/cn/secrets', () => core.listNamespacedSecret({ namespace: 'cn' }));
    const added = new Set<string>();
    let deleted = '';
    const sawAfter = new Promise<void>((resolve) => {
      informer.on('add', (s) => {
        added.add(s.metadata!.name!);
        if (added.has('after')) resolve();
      });
    });
    const sawDelete = new Promise<void>((resolve) =>
      informer.on('delete', (s) => {
        deleted = s.metadata!.name!;
        resolve();
      }),
    );
    await informer.start();
    assert.ok(informer.list('cn').some((s) => s.metadata?.name === 'before'));
    await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 'after' } } });
    await sawAfter;
    await core.deleteNamespacedSecret({ name: 'before', namespace: 'cn' });
    await sawDelete;
    await informer.stop();
    assert.equal(deleted, 'before');
    assert.ok(informer.get('after', 'cn'));
  });
});
