// kubectl's write paths against a real k8ts API server: apply (client- and server-side), diff,
// edit, patch in three flavours, replace, label/annotate, scale, delete and wait.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'apps']);
});
after(async () => {
  await c?.close();
});

function deployment(opts: { replicas?: number; image?: string; env?: Record<string, string>; labels?: Record<string, string> }): string {
  const env = Object.entries(opts.env ?? {}).map(([name, value]) => ({ name, value }));
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'apps', labels: { app: 'web', ...opts.labels } },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: opts.image ?? 'nginx:1.25', ...(env.length ? { env } : {}) }] },
      },
    },
  });
}

const get = async (args: string[]) => JSON.parse(await c.kubectlOk(['get', ...args, '-o', 'json']));

describe('kubectl apply, patch, edit, replace, scale, delete', () => {
  test('client-side apply creates, changes, and removes a field dropped from the file', async () => {
    const first = await c.kubectlOk(['apply', '-f', '-'], { stdin: deployment({ env: { A: '1', B: '2' }, labels: { team: 'x' } }) });
    assert.match(first, /deployment.apps\/web created/);
    let d = await get(['deploy', 'web', '-n', 'apps']);
    assert.equal(d.metadata.generation, 1);
    assert.ok(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);

    const second = await c.kubectlOk(['apply', '-f', '-'], { stdin: deployment({ replicas: 3, image: 'nginx:1.26', env: { A: '1' } }) });
    assert.match(second, /deployment.apps\/web configured/);
    d = await get(['deploy', 'web', '-n', 'apps']);
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }]);
    assert.equal(d.metadata.labels.team, undefined, 'label removed from the file is removed');
    assert.equal(d.metadata.generation, 2);

    const third = await c.kubectlOk(['apply', '-f', '-'], { stdin: deployment({ replicas: 3, image: 'nginx:1.26', env: { A: '1' } }) });
    assert.match(third, /deployment.apps\/web unchanged/);
  });

  test('kubectl diff shows a pending change through server-side dry run', async () => {
    const r = await c.kubectl(['diff', '-f', '-'], { stdin: deployment({ replicas: 5, image: 'nginx:1.26', env: { A: '1' } }) });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /-\s+replicas: 3\n\+\s+replicas: 5/);
    const d = await get(['deploy', 'web', '-n', 'apps']);
    assert.equal(d.spec.replicas, 3, 'dry run stored nothing');
  });

  test('server-side apply creates, reports a conflict with another manager, and force takes over', async () => {
    const cm = (value: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 'apps' }, data: { key: value } });
    assert.match(await c.kubectlOk(['apply', '--server-side', '-f', '-'], { stdin: cm('one') }), /configmap\/ssa serverside-applied/);
    const obj = await get(['cm', 'ssa', '-n', 'apps', '--show-managed-fields']);
    assert.equal(obj.metadata.managedFields[0].manager, 'kubectl');
    assert.equal(obj.metadata.managedFields[0].operation, 'Apply');
    assert.deepEqual(obj.metadata.managedFields[0].fieldsV1, { 'f:data': { 'f:key': {} } });

    const conflict = await c.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { stdin: cm('two') });
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /conflict with "kubectl"/);
    assert.match(conflict.stderr, /\.data\.key/);

    await c.kubectlOk(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { stdin: cm('two') });
    const after = await get(['cm', 'ssa', '-n', 'apps']);
    assert.equal(after.data.key, 'two');
  });

  test('kubectl patch with strategic, merge and json patches', async () => {
    await c.kubectlOk(['patch', 'deploy', 'web', '-n', 'apps', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}']);
    let d = await get(['deploy', 'web', '-n', 'apps']);
    assert.deepEqual(d.spec.template.spec.containers.map((x: { name: string }) => x.name).sort(), ['side', 'web'], 'strategic merge adds by name');
    await c.kubectlOk(['patch', 'deploy', 'web', '-n', 'apps', '--type', 'merge', '-p', '{"metadata":{"annotations":{"note":"hi"}}}']);
    await c.kubectlOk(['patch', 'deploy', 'web', '-n', 'apps', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    d = await get(['deploy', 'web', '-n', 'apps']);
    assert.equal(d.metadata.annotations.note, 'hi');
    assert.equal(d.spec.replicas, 4);
    const bad = await c.kubectl(['patch', 'deploy', 'web', '-n', 'apps', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    assert.equal(bad.code, 1);
  });

  test('kubectl scale goes through the scale subresource', async () => {
    assert.match(await c.kubectlOk(['scale', 'deploy', 'web', '-n', 'apps', '--replicas=7']), /scaled/);
    assert.equal((await get(['deploy', 'web', '-n', 'apps'])).spec.replicas, 7);
    const scale = c.request('GET', '/apis/apps/v1/namespaces/apps/deployments/web/scale');
    const s = (await scale).json();
    assert.equal(s.kind, 'Scale');
    assert.equal(s.spec.replicas, 7);
    assert.equal(s.status.selector, 'app=web');
  });

  test('kubectl edit with EDITOR set to a script', async () => {
    const editor = join(c.dataDir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/note: hi/note: edited/" "$1"\n');
    chmodSync(editor, 0o755);
    await c.kubectlOk(['edit', 'deploy', 'web', '-n', 'apps'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal((await get(['deploy', 'web', '-n', 'apps'])).metadata.annotations.note, 'edited');
  });

  test('kubectl replace with a stale resourceVersion is a conflict; with the current one it works', async () => {
    const cm = await get(['cm', 'ssa', '-n', 'apps']);
    cm.data.key = 'replaced';
    await c.kubectlOk(['replace', '-f', '-'], { stdin: JSON.stringify(cm) });
    cm.data.key = 'stale';
    const stale = await c.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify(cm) });
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /the object has been modified; please apply your changes to the latest version and try again/);
    assert.equal((await get(['cm', 'ssa', '-n', 'apps'])).data.key, 'replaced');
  });

  test('label and annotate, including --overwrite and removal', async () => {
    await c.kubectlOk(['label', 'cm', 'ssa', '-n', 'apps', 'color=blue']);
    const again = await c.kubectl(['label', 'cm', 'ssa', '-n', 'apps', 'color=red']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has a value \(blue\)/);
    await c.kubectlOk(['label', 'cm', 'ssa', '-n', 'apps', 'color=red', '--overwrite']);
    await c.kubectlOk(['annotate', 'cm', 'ssa', '-n', 'apps', 'owner=me']);
    let cm = await get(['cm', 'ssa', '-n', 'apps']);
    assert.equal(cm.metadata.labels.color, 'red');
    assert.equal(cm.metadata.annotations.owner, 'me');
    await c.kubectlOk(['label', 'cm', 'ssa', '-n', 'apps', 'color-']);
    cm = await get(['cm', 'ssa', '-n', 'apps']);
    assert.equal(cm.metadata.labels?.color, undefined);
  });

  test('wait --for=jsonpath and --for=delete, delete by name, -l and --all', async () => {
    for (const n of ['d1', 'd2', 'd3']) await c.kubectlOk(['create', 'configmap', n, '-n', 'apps', '--from-literal=v=1']);
    await c.kubectlOk(['label', 'cm', 'd1', 'd2', '-n', 'apps', 'group=del']);
    await c.kubectlOk(['wait', 'cm/d3', '-n', 'apps', '--for=jsonpath={.data.v}=1', '--timeout=10s']);
    const waiter = c.kubectl(['wait', 'cm/d3', '-n', 'apps', '--for=delete', '--timeout=20s']);
    assert.match(await c.kubectlOk(['delete', 'cm', 'd3', '-n', 'apps']), /configmap "d3" deleted/);
    assert.equal((await waiter).code, 0);
    assert.match(await c.kubectlOk(['delete', 'cm', '-n', 'apps', '-l', 'group=del']), /configmap "d1" deleted\nconfigmap "d2" deleted/);
    await c.kubectlOk(['delete', 'cm', '-n', 'apps', '--all']);
    const left = await c.kubectlOk(['get', 'cm', '-n', 'apps', '-o', 'name']);
    assert.equal(left.trim(), '');
  });

  test('create -f and delete -f with a multi-document YAML file', async () => {
    const file = join(c.dataDir, 'multi.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m1\n  namespace: apps\ndata:\n  a: "1"\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s1\n  namespace: apps\nstringData:\n  p: secret\n');
    const out = await c.kubectlOk(['create', '-f', file]);
    assert.match(out, /configmap\/m1 created\nsecret\/s1 created/);
    const secret = await get(['secret', 's1', '-n', 'apps']);
    assert.equal(secret.type, 'Opaque');
    assert.equal(Buffer.from(secret.data.p, 'base64').toString(), 'secret');
    assert.match(await c.kubectlOk(['delete', '-f', file]), /configmap "m1" deleted/);
  });
});
