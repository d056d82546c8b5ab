// kubectl against a real k8ts API server: discovery, version, get in every output form, create.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
});
after(async () => {
  await c?.close();
});

describe('kubectl get and discovery', () => {
  test('kubectl version reports the server version', async () => {
    const out = await c.kubectlOk(['version', '-o', 'json']);
    const v = JSON.parse(out);
    assert.equal(v.serverVersion.major, '1');
    assert.equal(v.serverVersion.minor, '32');
  });

  test('a fresh cluster has the four system namespaces, listed as a table', async () => {
    const out = await c.kubectlOk(['get', 'namespaces']);
    const lines = out.trim().split('\n');
    assert.match(lines[0], /^NAME\s+STATUS\s+AGE$/);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.ok(lines.some((l) => new RegExp(`^${ns}\\s+Active\\s+\\d+s$`).test(l)), `${ns} in\n${out}`);
    }
  });

  test('the kubernetes Service exists in default with the first ClusterIP', async () => {
    const svc = JSON.parse(await c.kubectlOk(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'json']));
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    assert.equal(svc.spec.ports[0].port, 443);
    const ep = JSON.parse(await c.kubectlOk(['get', 'endpoints', 'kubernetes', '-o', 'json']));
    assert.equal(ep.subsets[0].ports[0].port, Number(new URL(c.url).port));
  });

  test('api-resources lists short names, scope and kinds from aggregated discovery', async () => {
    const out = await c.kubectlOk(['api-resources']);
    assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    const versions = await c.kubectlOk(['api-versions']);
    assert.match(versions, /^apps\/v1$/m);
    assert.match(versions, /^v1$/m);
  });

  test('kubectl create namespace sends protobuf and the object reads back', async () => {
    await c.kubectlOk(['create', 'namespace', 'team-a']);
    const ns = JSON.parse(await c.kubectlOk(['get', 'ns', 'team-a', '-o', 'json']));
    assert.equal(ns.metadata.name, 'team-a');
    assert.equal(ns.status.phase, 'Active');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.match(ns.metadata.uid, /^[0-9a-f-]{36}$/);
  });

  test('configmaps: create, get -o yaml/jsonpath/name/custom-columns, -l, --field-selector, -A', async () => {
    await c.kubectlOk(['create', 'configmap', 'cfg1', '-n', 'team-a', '--from-literal=a=1', '--from-literal=b=2']);
    await c.kubectlOk(['create', 'configmap', 'cfg2', '-n', 'team-a', '--from-literal=x=y']);
    await c.kubectlOk(['label', 'configmap', 'cfg2', '-n', 'team-a', 'tier=web']);
    const yaml = await c.kubectlOk(['get', 'cm', 'cfg1', '-n', 'team-a', '-o', 'yaml']);
    assert.match(yaml, /^  a: "1"$/m);
    assert.equal(await c.kubectlOk(['get', 'cm', 'cfg1', '-n', 'team-a', '-o', 'jsonpath={.data.b}']), '2');
    assert.equal((await c.kubectlOk(['get', 'cm', '-n', 'team-a', '-l', 'tier=web', '-o', 'name'])).trim(), 'configmap/cfg2');
    const byField = await c.kubectlOk(['get', 'cm', '-n', 'team-a', '--field-selector', 'metadata.name=cfg1', '-o', 'custom-columns=N:.metadata.name,A:.data.a']);
    assert.match(byField, /^N\s+A\ncfg1\s+1\n$/);
    const table = await c.kubectlOk(['get', 'cm', '-n', 'team-a']);
    assert.match(table, /^NAME\s+DATA\s+AGE$/m);
    assert.match(table, /^cfg1\s+2\s+\d+s$/m);
    const all = await c.kubectlOk(['get', 'cm', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    assert.match(all, /^team-a\s+cfg2\s+1\s+\d+s$/m);
    const labels = await c.kubectlOk(['get', 'cm', 'cfg2', '-n', 'team-a', '--show-labels']);
    assert.match(labels, /tier=web/);
  });

  test('get --chunk-size pages through a list with continue tokens', async () => {
    for (let i = 0; i < 7; i++) await c.kubectlOk(['create', 'configmap', `page-${i}`, '-n', 'team-a']);
    const r = await c.kubectl(['get', 'cm', '-n', 'team-a', '--chunk-size=2', '-o', 'name', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout.trim().split('\n').filter((l) => l.startsWith('configmap/page-'));
    assert.deepEqual(names, [0, 1, 2, 3, 4, 5, 6].map((i) => `configmap/page-${i}`));
    // kubectl logs each GET at -v=6: later pages carry the continue token.
    assert.ok((r.stderr.match(/continue=/g) ?? []).length >= 3, r.stderr);
  });

  test('an unknown resource and a missing object give kubectl errors, not crashes', async () => {
    const missing = await c.kubectl(['get', 'cm', 'nope', '-n', 'team-a']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /configmaps "nope" not found/);
    const unknown = await c.kubectl(['get', 'widgets']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /the server doesn't have a resource type "widgets"/);
  });

  test('creating in a namespace that does not exist is refused with NotFound', async () => {
    const r = await c.kubectl(['create', 'configmap', 'x', '-n', 'no-such-ns']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /namespaces "no-such-ns" not found/);
  });

  test('an older kubectl (1.28) works too', async () => {
    const binary = '/usr/lib/google-cloud-sdk/bin/kubectl.1.28';
    const out = await c.kubectlOk(['get', 'ns', 'team-a', '-o', 'name'], { binary });
    assert.equal(out.trim(), 'namespace/team-a');
    await c.kubectlOk(['create', 'configmap', 'old-client', '-n', 'team-a', '--from-literal=k=v'], { binary });
    assert.equal(await c.kubectlOk(['get', 'cm', 'old-client', '-n', 'team-a', '-o', 'jsonpath={.data.k}'], { binary }), 'v');
  });
});
