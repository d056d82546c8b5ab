// Node maintenance with the real kubectl against a real k8ts API server: label, cordon, taint,
// uncordon, and drain — whose evictions kubectl 1.32 sends as protobuf — including a
// PodDisruptionBudget that blocks an eviction, and graceful deletion that waits for the node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let rsUid = '';
before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'nodes']);
  for (const name of ['worker-1', 'worker-2']) {
    const r = await c.request('POST', '/api/v1/nodes', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } }) });
    assert.equal(r.status, 201, r.body);
  }
  // Drain only evicts pods that have a controller: give them a ReplicaSet owner.
  const rs = JSON.parse(
    await c.kubectlOk(['apply', '-o', 'json', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'rs', namespace: 'nodes' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      }),
    }),
  );
  rsUid = rs.metadata.uid;
});
after(async () => {
  await c?.close();
});

async function ownedPod(name: string, node: string, labels: Record<string, string>, running: boolean): Promise<void> {
  await c.kubectlOk(['apply', '-f', '-'], {
    stdin: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'nodes', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rsUid, controller: true }] },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
    }),
  });
  if (running) {
    await c.kubectlOk(['patch', 'pod', name, '-n', 'nodes', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}']);
  }
}

/** Opens a watch and resolves with the first event `match` accepts, then closes the stream. */
function watchUntil(path: string, match: (event: { type: string; object: any }) => boolean): Promise<{ type: string; object: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, c.url);
    const req = httpsRequest(
      { hostname: u.hostname, port: u.port, path: u.pathname + u.search, ca: c.server.pki.caCertPem, cert: c.server.pki.adminCertPem, key: c.server.pki.adminKeyPem },
      (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const event = JSON.parse(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
            if (match(event)) {
              req.destroy();
              resolve(event);
              return;
            }
          }
        });
        res.on('end', () => reject(new Error(`watch ${path} ended without a matching event`)));
      },
    );
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end();
  });
}

const podNames = async (node: string) =>
  (await c.kubectlOk(['get', 'pods', '-n', 'nodes', '--field-selector', `spec.nodeName=${node}`, '-o', 'name'])).trim().split('\n').filter(Boolean).sort();

describe('node maintenance', () => {
  test('label nodes, select them with -l, and show the label as a column', async () => {
    assert.match(await c.kubectlOk(['label', 'node', 'worker-1', 'zone=a']), /node\/worker-1 labeled/);
    assert.equal((await c.kubectlOk(['get', 'nodes', '-l', 'zone=a', '-o', 'name'])).trim(), 'node/worker-1');
    const out = await c.kubectlOk(['get', 'nodes', '-L', 'zone']);
    assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+ZONE$/m);
    assert.match(out, /^worker-1\s+Unknown\s+<none>\s+\S+\s+a$/m);
  });

  test('cordon sets spec.unschedulable and shows SchedulingDisabled; uncordon clears it', async () => {
    assert.match(await c.kubectlOk(['cordon', 'worker-2']), /node\/worker-2 cordoned/);
    assert.equal(await c.kubectlOk(['get', 'node', 'worker-2', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
    assert.match(await c.kubectlOk(['get', 'node', 'worker-2']), /^worker-2\s+Unknown,SchedulingDisabled\s/m);
    assert.match(await c.kubectlOk(['uncordon', 'worker-2']), /node\/worker-2 uncordoned/);
    assert.equal(await c.kubectlOk(['get', 'node', 'worker-2', '-o', 'jsonpath={.spec.unschedulable}']), '');
  });

  test('taint adds and removes a taint, and refuses a duplicate without --overwrite', async () => {
    assert.match(await c.kubectlOk(['taint', 'nodes', 'worker-2', 'dedicated=db:NoSchedule']), /node\/worker-2 tainted/);
    const taints = JSON.parse(await c.kubectlOk(['get', 'node', 'worker-2', '-o', 'jsonpath={.spec.taints}']));
    assert.deepEqual(taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    const dup = await c.kubectl(['taint', 'nodes', 'worker-2', 'dedicated=web:NoSchedule']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already has dedicated taint\(s\) with same effect\(s\) and --overwrite is false/);
    assert.match(await c.kubectlOk(['taint', 'nodes', 'worker-2', 'dedicated:NoSchedule-']), /node\/worker-2 untainted/);
    assert.equal(await c.kubectlOk(['get', 'node', 'worker-2', '-o', 'jsonpath={.spec.taints}']), '');
  });

  test('drain cordons the node and evicts its controlled pods through pods/eviction', async () => {
    await ownedPod('a1', 'worker-1', { app: 'x' }, true);
    await ownedPod('a2', 'worker-1', { app: 'x' }, false);
    await ownedPod('b1', 'worker-2', { app: 'x' }, true);
    const r = await c.kubectl(['drain', 'worker-1', '--grace-period=0', '--timeout=20s', '-v=6']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node\/worker-1 cordoned/);
    assert.match(r.stdout, /pod\/a1 evicted/);
    assert.match(r.stdout, /pod\/a2 evicted/);
    assert.match(r.stdout, /node\/worker-1 drained/);
    assert.match(r.stderr, /POST \S+\/namespaces\/nodes\/pods\/a1\/eviction 201 Created/);
    assert.deepEqual(await podNames('worker-1'), []);
    assert.deepEqual(await podNames('worker-2'), ['pod/b1'], 'pods on other nodes are untouched');
    assert.equal(await c.kubectlOk(['get', 'node', 'worker-1', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
  });

  test('an eviction a PodDisruptionBudget forbids is a 429 that drain retries until it times out', async () => {
    await ownedPod('guarded', 'worker-2', { app: 'guarded' }, true);
    await c.kubectlOk(['create', 'poddisruptionbudget', 'guard', '-n', 'nodes', '--selector=app=guarded', '--min-available=1']);
    // Not yet observed by a disruption controller: the budget cannot vouch for an eviction.
    const pending = await c.request('POST', '/api/v1/namespaces/nodes/pods/guarded/eviction', {
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'guarded', namespace: 'nodes' } }),
    });
    assert.equal(pending.status, 429, pending.body);
    assert.equal(pending.json().reason, 'TooManyRequests');
    assert.equal(pending.json().details.causes[0].message, 'The disruption budget guard is still being processed by the server.');
    // Observed, healthy, and no disruption left.
    await c.kubectlOk(['patch', 'pdb', 'guard', '-n', 'nodes', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } })]);
    const r = await c.kubectl(['drain', 'worker-2', '--pod-selector=app=guarded', '--grace-period=0', '--timeout=3s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.deepEqual(await podNames('worker-2'), ['pod/b1', 'pod/guarded']);
    // The controller now allows one disruption: the eviction goes through and spends it.
    await c.kubectlOk(['patch', 'pdb', 'guard', '-n', 'nodes', '--subresource=status', '--type=merge', '-p', '{"status":{"disruptionsAllowed":1}}']);
    const ok = await c.kubectl(['drain', 'worker-2', '--pod-selector=app=guarded', '--grace-period=0', '--timeout=10s']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /pod\/guarded evicted/);
    const pdb = JSON.parse(await c.kubectlOk(['get', 'pdb', 'guard', '-n', 'nodes', '-o', 'json']));
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.ok(pdb.status.disruptedPods?.guarded, 'the evicted pod is recorded in disruptedPods');
  });

  test('drain with the default grace period waits until the node agent confirms the deletion', async () => {
    const pod = JSON.parse(await c.kubectlOk(['get', 'pod', 'b1', '-n', 'nodes', '-o', 'json']));
    const drain = c.kubectl(['drain', 'worker-2', '--timeout=30s']);
    // The eviction marks the pod for graceful deletion; the node agent then removes it.
    const marked = await watchUntil(`/api/v1/namespaces/nodes/pods?watch=true&fieldSelector=metadata.name%3Db1&resourceVersion=${pod.metadata.resourceVersion}&timeoutSeconds=20`, (e) => !!e.object.metadata.deletionTimestamp);
    assert.equal(marked.type, 'MODIFIED');
    assert.equal(marked.object.metadata.deletionGracePeriodSeconds, 30);
    const confirm = await c.request('DELETE', '/api/v1/namespaces/nodes/pods/b1', { body: JSON.stringify({ gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }) });
    assert.equal(confirm.status, 200, confirm.body);
    const r = await drain;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/b1 evicted/);
    assert.deepEqual(await podNames('worker-2'), []);
  });
});
