// The rest of kubectl's everyday surface against a real k8ts API server: wait on a condition set
// through pods/status, delete --wait through finalizers and graceful pod deletion, get -o wide and
// get all, get --raw of discovery and OpenAPI, cluster-info, and config (client side only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlPath, startTestCluster, type KubectlResult, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let cacheDir = '';
before(async () => {
  c = await startTestCluster();
  cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-misc-cache-'));
  await c.kubectlOk(['create', 'namespace', 'misc']);
  const r = await c.request('POST', '/api/v1/nodes', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-m' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.9' }] } }),
  });
  assert.equal(r.status, 201, r.body);
});
after(async () => {
  await c?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

/**
 * Starts a long-running kubectl (wait, delete --wait) at -v=6 and resolves `watching` once it has
 * opened its watch, so the test changes the object only after kubectl is listening for it.
 */
function background(args: string[]): { watching: Promise<void>; done: Promise<KubectlResult> } {
  const child = spawn(kubectlPath, ['--kubeconfig', c.kubeconfig, '--cache-dir', cacheDir, '-v=6', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onWatch!: () => void;
  const watching = new Promise<void>((resolve) => (onWatch = resolve));
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (/watch=true\S* 200 OK/.test(stderr)) onWatch();
  });
  const done = new Promise<KubectlResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      onWatch();
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return { watching, done };
}

const podManifest = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'misc', labels: { app: name } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...extra },
  });

describe('wait and delete --wait', () => {
  test('wait --for=condition=Ready is satisfied by patching pods/status', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: podManifest('waiter', { nodeName: 'node-m' }) });
    const w = background(['wait', '--for=condition=Ready', 'pod/waiter', '-n', 'misc', '--timeout=30s']);
    await w.watching;
    const status = {
      status: {
        phase: 'Running',
        podIP: '10.244.0.12',
        podIPs: [{ ip: '10.244.0.12' }],
        hostIP: '10.0.0.9',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
        containerStatuses: [{ name: 'c', image: 'busybox:1.36', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: '2024-01-01T00:00:00Z' } } }],
      },
    };
    const patched = await c.kubectlOk(['patch', 'pod', 'waiter', '-n', 'misc', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    assert.match(patched, /pod\/waiter patched/);
    const r = await w.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pod\/waiter condition met$/m);
  });

  test('a status patch through the main resource does not change status, and spec through status is ignored', async () => {
    await c.kubectlOk(['patch', 'pod', 'waiter', '-n', 'misc', '--type=merge', '-p', '{"status":{"phase":"Failed"}}']);
    assert.equal(await c.kubectlOk(['get', 'pod', 'waiter', '-n', 'misc', '-o', 'jsonpath={.status.phase}']), 'Running');
    await c.kubectlOk(['patch', 'pod', 'waiter', '-n', 'misc', '--subresource=status', '--type=merge', '-p', '{"metadata":{"labels":{"via":"status"}},"spec":{"activeDeadlineSeconds":5}}']);
    const pod = JSON.parse(await c.kubectlOk(['get', 'pod', 'waiter', '-n', 'misc', '-o', 'json']));
    assert.equal(pod.spec.activeDeadlineSeconds, undefined);
    assert.equal(pod.metadata.labels.via, undefined);
  });

  test('wait --for=jsonpath matches a status field', async () => {
    const out = await c.kubectlOk(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/waiter', '-n', 'misc', '--timeout=10s']);
    assert.match(out, /pod\/waiter condition met/);
  });

  test('get pods -o wide shows the IP and NODE columns from status and spec', async () => {
    const out = await c.kubectlOk(['get', 'pods', '-n', 'misc', '-o', 'wide']);
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    assert.match(out, /^waiter\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.0\.12\s+node-m\s+<none>\s+<none>$/m);
    const byNode = await c.kubectlOk(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=node-m', '-o', 'name']);
    assert.equal(byNode.trim(), 'pod/waiter');
    const byPhase = await c.kubectlOk(['get', 'pods', '-n', 'misc', '--field-selector', 'status.phase!=Running', '-o', 'name']);
    assert.equal(byPhase.trim(), '');
  });

  test('delete --wait on a configmap with a finalizer returns once the finalizer is removed', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'misc', finalizers: ['example.com/hold'] } }) });
    const d = background(['delete', 'configmap', 'held', '-n', 'misc', '--wait', '--timeout=30s']);
    await d.watching;
    const held = JSON.parse(await c.kubectlOk(['get', 'configmap', 'held', '-n', 'misc', '-o', 'json']));
    assert.ok(held.metadata.deletionTimestamp, 'deletionTimestamp set while a finalizer remains');
    await c.kubectlOk(['patch', 'configmap', 'held', '-n', 'misc', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const r = await d.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap "held" deleted/);
    const gone = await c.kubectl(['get', 'configmap', 'held', '-n', 'misc']);
    assert.match(gone.stderr, /configmaps "held" not found/);
  });

  test('delete --wait of a scheduled pod waits for the node agent, which confirms with grace period 0', async () => {
    const d = background(['delete', 'pod', 'waiter', '-n', 'misc', '--wait', '--timeout=30s']);
    await d.watching;
    const pod = JSON.parse(await c.kubectlOk(['get', 'pod', 'waiter', '-n', 'misc', '-o', 'json']));
    assert.ok(pod.metadata.deletionTimestamp);
    assert.equal(pod.metadata.deletionGracePeriodSeconds, 30);
    // The node agent's confirmation: a delete with gracePeriodSeconds=0.
    const confirm = await c.request('DELETE', '/api/v1/namespaces/misc/pods/waiter', { body: JSON.stringify({ gracePeriodSeconds: 0 }) });
    assert.equal(confirm.status, 200, confirm.body);
    const r = await d.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod "waiter" deleted/);
  });

  test('deleting an unscheduled pod removes it at once', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: podManifest('floating') });
    const out = await c.kubectlOk(['delete', 'pod', 'floating', '-n', 'misc', '--wait', '--timeout=10s']);
    assert.match(out, /pod "floating" deleted/);
  });

  test('delete --cascade=foreground|orphan leaves the object to the garbage collector with its finalizer', async () => {
    for (const [cascade, finalizer] of [['foreground', 'foregroundDeletion'], ['orphan', 'orphan']]) {
      const name = `cascade-${cascade}`;
      await c.kubectlOk(['create', 'deployment', name, '-n', 'misc', '--image=nginx:1.25']);
      const before = JSON.parse(await c.kubectlOk(['get', 'deployment', name, '-n', 'misc', '-o', 'json']));
      assert.match(await c.kubectlOk(['delete', 'deployment', name, '-n', 'misc', `--cascade=${cascade}`, '--wait=false']), new RegExp(`deployment.apps "${name}" deleted`));
      const d = JSON.parse(await c.kubectlOk(['get', 'deployment', name, '-n', 'misc', '-o', 'json']));
      assert.deepEqual(d.metadata.finalizers, [finalizer]);
      assert.ok(d.metadata.deletionTimestamp);
      assert.equal(d.metadata.generation, before.metadata.generation + 1, 'the first graceful deletion bumps the generation');
    }
  });

  test('wait --for=delete returns once the object is gone', async () => {
    await c.kubectlOk(['create', 'configmap', 'doomed', '-n', 'misc']);
    const w = background(['wait', '--for=delete', 'configmap/doomed', '-n', 'misc', '--timeout=30s']);
    await w.watching;
    await c.kubectlOk(['delete', 'configmap', 'doomed', '-n', 'misc', '--wait=false']);
    const r = await w.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/doomed condition met/);
  });
});

describe('get all, get --raw, cluster-info, config', () => {
  test('get all lists the kinds in the "all" category', async () => {
    await c.kubectlOk(['create', 'namespace', 'allns']);
    await c.kubectlOk(['create', 'deployment', 'd1', '-n', 'allns', '--image=nginx:1.25']);
    await c.kubectlOk(['create', 'service', 'clusterip', 's1', '-n', 'allns', '--tcp=80:80']);
    await c.kubectlOk(['create', 'cronjob', 'cj1', '-n', 'allns', '--image=busybox', '--schedule=*/5 * * * *']);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: podManifest('lonely').replace('"misc"', '"allns"') });
    const out = await c.kubectlOk(['get', 'all', '-n', 'allns']);
    assert.match(out, /^pod\/lonely\s+0\/1\s+Pending\s+0\s+\S+$/m);
    assert.match(out, /^service\/s1\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/m);
    assert.match(out, /^deployment\.apps\/d1\s+0\/1\s+0\s+0\s+\S+$/m);
    assert.match(out, /^cronjob\.batch\/cj1\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/m);
    const names = await c.kubectlOk(['get', 'all', '-n', 'allns', '-o', 'name']);
    assert.deepEqual(names.trim().split('\n').sort(), ['cronjob.batch/cj1', 'deployment.apps/d1', 'pod/lonely', 'service/s1']);
  });

  test('get --raw serves /api, /apis and /openapi/v3 as JSON', async () => {
    const api = JSON.parse(await c.kubectlOk(['get', '--raw', '/api']));
    assert.equal(api.kind, 'APIVersions');
    assert.deepEqual(api.versions, ['v1']);
    const apis = JSON.parse(await c.kubectlOk(['get', '--raw', '/apis']));
    assert.equal(apis.kind, 'APIGroupList');
    const apps = apis.groups.find((g: any) => g.name === 'apps');
    assert.equal(apps.preferredVersion.groupVersion, 'apps/v1');
    const v1 = JSON.parse(await c.kubectlOk(['get', '--raw', '/api/v1']));
    assert.equal(v1.kind, 'APIResourceList');
    assert.ok(v1.resources.some((r: any) => r.name === 'pods/status' && r.kind === 'Pod'));
    const root = JSON.parse(await c.kubectlOk(['get', '--raw', '/openapi/v3']));
    assert.match(root.paths['api/v1'].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=\w+$/);
    const doc = JSON.parse(await c.kubectlOk(['get', '--raw', root.paths['apis/apps/v1'].serverRelativeURL]));
    assert.ok(doc.components.schemas['io.k8s.api.apps.v1.Deployment']);
    const version = JSON.parse(await c.kubectlOk(['get', '--raw', '/version']));
    assert.equal(version.major, '1');
    assert.equal((await c.kubectlOk(['get', '--raw', '/readyz'])).trim(), 'ok');
  });

  test('/openapi/v2 is served only as gnostic protobuf, with PATCH operations that take fieldValidation', async () => {
    // kubectl ≤ 1.28 asks for exactly this (with the `@` spelling) before any apply.
    const pb = await c.request('GET', '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.ok(pb.body.startsWith('\n\x032.0'), 'field 1 (swagger) = "2.0" comes first');
    assert.ok(pb.body.includes('/apis/apps/v1/namespaces/{namespace}/deployments/{name}'));
    assert.ok(pb.body.includes('{"group":"apps","kind":"Deployment","version":"v1"}'));
    assert.ok(pb.body.includes('fieldValidation'));
    const json = await c.request('GET', '/openapi/v2');
    assert.equal(json.status, 404);
  });

  test('get --raw of a missing path is a 404 Status', async () => {
    const r = await c.kubectl(['get', '--raw', '/apis/nope.example.com/v1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NotFound|the server could not find the requested resource/);
  });

  test('get componentstatuses prints upstream\'s STATUS, MESSAGE and ERROR columns', async () => {
    const out = await c.kubectlOk(['get', 'componentstatuses']);
    assert.match(out, /^NAME\s+STATUS\s+MESSAGE\s+ERROR$/m);
    assert.match(out, /^storage\s+Healthy\s+ok\s*$/m);
    assert.match(await c.kubectlOk(['get', 'cs', 'storage']), /^storage\s+Healthy\s+ok\s*$/m);
  });

  test('cluster-info names the control plane URL', async () => {
    const out = await c.kubectlOk(['cluster-info']);
    assert.match(out, new RegExp(`Kubernetes control plane.* is running at .*${c.url.replace(/[.]/g, '\\.')}`));
  });

  test('config view, current-context and get-contexts read the kubeconfig without the server', async () => {
    const ctx = (await c.kubectlOk(['config', 'current-context'])).trim();
    assert.ok(ctx.length > 0);
    const contexts = await c.kubectlOk(['config', 'get-contexts']);
    assert.match(contexts, new RegExp(`^\\*\\s+${ctx}\\s`, 'm'));
    const view = JSON.parse(await c.kubectlOk(['config', 'view', '-o', 'json', '--minify']));
    assert.equal(view.clusters[0].cluster.server, c.url);
    assert.equal(view.users[0].user['client-key-data'], 'DATA+OMITTED');
  });
});
