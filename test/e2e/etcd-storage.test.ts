// `k8ts server --storage etcd://…`: the API server on a real etcd, driven by the real kubectl.
// Two API servers share one etcd, as kube-apiservers do: what one writes the other serves at the
// same resourceVersion, its watches see the other's writes, a stale update through one loses
// to a write through the other, and a server started later on the same etcd finds everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { etcdUnavailable, startEtcd } from '../helpers/etcd-server.js';

interface ConfigMap {
  metadata: { name: string; resourceVersion: string; uid: string };
  data?: Record<string, string>;
}

/** A fresh etcd, and the API servers the body starts on it with `start`; all stopped afterwards. */
async function onSharedEtcd(body: (start: () => Promise<TestCluster>, servers: TestCluster[]) => Promise<void>): Promise<void> {
  const etcd = await startEtcd();
  const storage = `etcd://${new URL(etcd.endpoint).host}`;
  const servers: TestCluster[] = [];
  const start = async () => {
    const server = await startTestCluster({ storage });
    servers.push(server);
    return server;
  };
  try {
    await body(start, servers);
  } finally {
    for (const s of servers) await s.close();
    await etcd.stop();
  }
}

test('two API servers on one etcd serve the same objects, watches and conflicts; a third started later finds them', { skip: etcdUnavailable(), timeout: 120_000 }, () =>
  onSharedEtcd(async (start, servers) => {
    const a = await start();
    const b = await start();

    await a.kubectlOk(['create', 'namespace', 'shared']);
    await a.kubectlOk(['create', 'configmap', 'cm', '-n', 'shared', '--from-literal=k=v1']);
    const viaA = JSON.parse(await a.kubectlOk(['get', 'configmap', 'cm', '-n', 'shared', '-o', 'json'])) as ConfigMap;
    const viaB = JSON.parse(await b.kubectlOk(['get', 'configmap', 'cm', '-n', 'shared', '-o', 'json'])) as ConfigMap;
    assert.equal(viaB.metadata.uid, viaA.metadata.uid);
    assert.equal(viaB.metadata.resourceVersion, viaA.metadata.resourceVersion);
    assert.deepEqual(viaB.data, { k: 'v1' });

    // A watch through B (ended by the server after 3 s) sees a patch made through A.
    const watching = b.request('GET', `/api/v1/namespaces/shared/configmaps?watch=true&resourceVersion=${viaA.metadata.resourceVersion}&timeoutSeconds=3`);
    await a.kubectlOk(['patch', 'configmap', 'cm', '-n', 'shared', '--type=merge', '-p', '{"data":{"k":"v2"}}']);
    const watched = await watching;
    assert.equal(watched.status, 200);
    const events = watched.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: ConfigMap });
    assert.deepEqual(events.map((e) => [e.type, e.object.data?.k]), [['MODIFIED', 'v2']]);

    // An update through B that carries the old resourceVersion conflicts with A's patch.
    const stale = { ...viaA, data: { k: 'stale' } };
    const conflict = await b.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', ...stale }) });
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Operation cannot be fulfilled on configmaps "cm": the object has been modified/);

    // Chunked lists page through etcd at one revision, whichever server serves them.
    for (let i = 0; i < 5; i++) await b.kubectlOk(['create', 'configmap', `more-${i}`, '-n', 'shared']);
    const names = (await a.kubectlOk(['get', 'configmaps', '-n', 'shared', '--chunk-size=2', '-o', 'name'])).trim().split('\n');
    assert.deepEqual(names.filter((n) => n !== 'configmap/kube-root-ca.crt'), ['configmap/cm', ...[0, 1, 2, 3, 4].map((i) => `configmap/more-${i}`)]);

    for (const s of servers.splice(0)) await s.close();
    const c = await start();
    const later = JSON.parse(await c.kubectlOk(['get', 'configmap', 'cm', '-n', 'shared', '-o', 'json'])) as ConfigMap;
    assert.equal(later.metadata.uid, viaA.metadata.uid);
    assert.deepEqual(later.data, { k: 'v2' });
  }));

test('a CRD created through one API server is served by another on the same etcd, and its deletion reaches both', { skip: etcdUnavailable(), timeout: 120_000 }, () =>
  onSharedEtcd(async (start) => {
    const a = await start();
    const b = await start();
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'notes.etcd.example.com' },
      spec: {
        group: 'etcd.example.com',
        scope: 'Namespaced',
        names: { plural: 'notes', singular: 'note', kind: 'Note' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { text: { type: 'string' } } } } }],
      },
    };
    await a.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(crd) });
    // Both servers run the CRD controllers; whichever writes first, B learns of it from etcd.
    await b.kubectlOk(['wait', '--for', 'condition=Established', 'crd/notes.etcd.example.com', '--timeout=20s']);
    await b.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'etcd.example.com/v1', kind: 'Note', metadata: { name: 'n1', namespace: 'default' }, text: 'hello' }) });
    const viaA = JSON.parse(await a.kubectlOk(['get', 'note', 'n1', '-o', 'json'])) as { text: string };
    assert.equal(viaA.text, 'hello');
    await a.kubectlOk(['delete', 'crd', 'notes.etcd.example.com', '--timeout=20s']);
    assert.equal((await b.request('GET', '/apis/etcd.example.com/v1/namespaces/default/notes')).status, 404);
    assert.equal((await a.request('GET', '/apis/etcd.example.com/v1/namespaces/default/notes')).status, 404);
  }));

test('an etcd outage: readyz and livez fail (livez?exclude=etcd does not), writes fail with 500; once etcd is back the same server writes again and a watch open across the outage resumes', { skip: etcdUnavailable(), timeout: 120_000 }, async () => {
  const etcd = await startEtcd();
  const c = await startTestCluster({ storage: `etcd://${new URL(etcd.endpoint).host}` });
  try {
    await c.kubectlOk(['create', 'configmap', 'before']);
    const rv = (JSON.parse(await c.kubectlOk(['get', 'configmap', 'before', '-o', 'json'])) as ConfigMap).metadata.resourceVersion;
    // Ended by the server after 10 s, which is after the outage and the write that follows it.
    const watching = c.request('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=10`);

    await etcd.kill();
    const ready = await c.request('GET', '/readyz?verbose');
    assert.equal(ready.status, 500);
    assert.match(ready.body, /\[-\]etcd failed/);
    // livez checks etcd too, as upstream's; ?exclude=etcd leaves it out (kept from restarting the server for a storage outage).
    assert.equal((await c.request('GET', '/livez')).status, 500);
    const live = await c.request('GET', '/livez?exclude=etcd&verbose');
    assert.equal(live.status, 200);
    assert.match(live.body, /\[\+\]etcd excluded: ok/);
    const refused = await c.kubectl(['create', 'configmap', 'during']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /InternalError|Internal error occurred/);

    await etcd.start();
    // The client reconnects on its own; the first write may still meet the broken connection.
    for (let i = 0; ; i++) {
      const r = await c.kubectl(['create', 'configmap', 'after']);
      if (r.code === 0) break;
      if (i >= 50) assert.fail(r.stderr);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal((await c.request('GET', '/readyz')).body, 'ok');
    const events = (await watching).body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: ConfigMap });
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'after']]);
  } finally {
    await c.close();
    await etcd.stop();
  }
});
