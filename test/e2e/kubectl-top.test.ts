// The resource metrics pipeline end to end: real pods on a node agent, its /metrics/resource
// scraped by the API server's metrics.k8s.io (1 s resolution here), read by the real
// `kubectl top` and as JSON. One pod burns CPU for a bounded time (bash's SECONDS, no fork, so
// the burner is the container's own process with or without cgroups).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';
import { condition, waitForPod } from '../kubelet/agent-helpers.js';

const NODE = 'top-node';
let nc: NodeCluster;

before(async () => {
  nc = await startNodeCluster({ nodeName: NODE, metricResolutionMs: 1000 });
  const pods = [
    { name: 'burner', labels: { app: 'burn' }, containers: [{ name: 'burn', image: 'bash', command: ['bash', '-c', 'while [ $SECONDS -lt 40 ]; do :; done; exec sleep 3600'] }] },
    { name: 'idle', labels: { app: 'idle' }, containers: [{ name: 'a', image: 'sleep', args: ['3600'] }, { name: 'b', image: 'sleep', args: ['3600'] }] },
  ];
  for (const p of pods) {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, labels: p.labels }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 0, containers: p.containers } };
    await nc.cluster.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
  }
  for (const p of pods) await waitForPod(nc.client, 'default', p.name, (x) => condition(x, 'Ready') === 'True');
});

after(async () => {
  await nc?.close();
});

/** Runs kubectl until its output passes `ok` (metrics appear within a scrape or two). */
async function kubectlUntil(args: string[], ok: (out: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await nc.cluster.kubectl(args);
    last = r.stdout + r.stderr;
    if (r.code === 0 && ok(r.stdout)) return r.stdout;
    if (Date.now() > deadline) assert.fail(`kubectl ${args.join(' ')} never passed; last output:\n${last}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const milli = (cpu: string) => (cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000);

test('kubectl top nodes shows the node\'s CPU and memory with percentages of allocatable', { timeout: 30_000 }, async () => {
  const out = await kubectlUntil(['top', 'nodes'], (o) => o.includes(NODE));
  const [header, line] = out.trim().split('\n');
  assert.match(header!, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
  assert.match(line!, new RegExp(`^${NODE}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
});

test('kubectl top pods -A shows the burner near a core and the idle pod near zero; --containers splits them', { timeout: 40_000 }, async () => {
  const out = await kubectlUntil(['top', 'pods', '-A'], (o) => {
    const burner = /default\s+burner\s+(\d+m?)/.exec(o);
    return !!burner && milli(burner[1]!) >= 200 && /default\s+idle\s+/.test(o);
  });
  assert.match(out.split('\n')[0]!, /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  const idle = /default\s+idle\s+(\d+m?)\s+(\d+)Mi/.exec(out);
  assert.ok(idle && milli(idle[1]!) < 50, out);
  const containers = await nc.cluster.kubectlOk(['top', 'pods', 'idle', '--containers']);
  assert.match(containers, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  assert.match(containers, /idle\s+a\s+\d+m\s+\d+Mi/);
  assert.match(containers, /idle\s+b\s+\d+m\s+\d+Mi/);
  const selected = await nc.cluster.kubectlOk(['top', 'pods', '-l', 'app=burn', '--no-headers']);
  assert.deepEqual(selected.trim().split('\n').map((l) => l.split(/\s+/)[0]), ['burner']);
});

test('metrics.k8s.io as JSON: PodMetrics and NodeMetrics with metrics-server\'s fields, 404s as it words them', { timeout: 30_000 }, async () => {
  await kubectlUntil(['top', 'pods', 'idle'], (o) => o.includes('idle'));
  const pod = (await nc.cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idle')).json();
  assert.equal(pod.kind, 'PodMetrics');
  assert.equal(pod.apiVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual([pod.metadata.name, pod.metadata.namespace, pod.metadata.labels], ['idle', 'default', { app: 'idle' }]);
  assert.match(pod.window, /^\d+(\.\d+)?s$/);
  assert.match(pod.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(pod.containers.map((c: { name: string }) => c.name).sort(), ['a', 'b']);
  for (const c of pod.containers) {
    assert.match(c.usage.cpu, /^\d+[nmu]?$/);
    assert.match(c.usage.memory, /^\d+(Ki|Mi)?$/);
  }
  const list = (await nc.cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Didle')).json();
  assert.equal(list.kind, 'PodMetricsList');
  assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['idle']);
  const nodes = (await nc.cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).json();
  assert.equal(nodes.kind, 'NodeMetricsList');
  assert.deepEqual(nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name), [NODE]);
  assert.ok(nodes.items[0].usage.cpu && nodes.items[0].usage.memory);
  const missing = await nc.cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json().message, 'podmetrics.metrics.k8s.io "default/nope" not found');
  const missingNode = await nc.cluster.request('GET', '/apis/metrics.k8s.io/v1beta1/nodes/nope');
  assert.equal(missingNode.json().message, 'nodemetrics.metrics.k8s.io "nope" not found');
  const write = await nc.cluster.request('DELETE', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idle');
  assert.equal(write.status, 405);
});

test('discovery lists metrics.k8s.io, its APIService is Local and Available, and view may read it', { timeout: 30_000 }, async () => {
  const resources = await nc.cluster.kubectlOk(['api-resources', '--api-group=metrics.k8s.io', '--no-headers']);
  assert.deepEqual(resources.trim().split('\n').map((l) => l.split(/\s+/).filter(Boolean)), [
    ['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics'],
    ['pods', 'metrics.k8s.io/v1beta1', 'true', 'PodMetrics'],
  ]);
  assert.match(await nc.cluster.kubectlOk(['get', 'apiservice', 'v1beta1.metrics.k8s.io', '--no-headers']), /^v1beta1\.metrics\.k8s\.io\s+Local\s+True\s+/);
  await nc.cluster.kubectlOk(['create', 'serviceaccount', 'viewer']);
  await nc.cluster.kubectlOk(['create', 'rolebinding', 'viewer-view', '--clusterrole=view', '--serviceaccount=default:viewer']);
  const as = ['--as', 'system:serviceaccount:default:viewer'];
  assert.equal((await nc.cluster.kubectl(['auth', 'can-i', 'list', 'pods.metrics.k8s.io', ...as])).stdout.trim(), 'yes');
  await kubectlUntil(['top', 'pods', ...as], (o) => o.includes('idle'));
});
