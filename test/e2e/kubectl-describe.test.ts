// kubectl describe and explain against a real k8ts API server: a pod with its Events, a
// deployment, a Node created through the API, a namespace with a quota and a limit range; and
// explain, which reads the OpenAPI v3 schemas.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function post(path: string, body: unknown): Promise<any> {
  const r = await c.request('POST', path, { body: JSON.stringify(body) });
  assert.equal(r.status, 201, `POST ${path}: ${r.body}`);
  return r.json();
}

before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'desc']);
  await post('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a', 'node-role.kubernetes.io/worker': '' } },
    spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'dedicated', value: 'tests', effect: 'PreferNoSchedule' }] },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      addresses: [{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'Hostname', address: 'node-a' }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'k8ts test image', kernelVersion: '6.1.0', containerRuntimeVersion: 'k8ts://0.1', operatingSystem: 'linux', architecture: 'amd64', machineID: 'm1', systemUUID: 's1', bootID: 'b1', kubeProxyVersion: '' },
    },
  });
  await c.kubectlOk(['apply', '-f', '-'], {
    stdin: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'desc', labels: { app: 'web' } },
      spec: {
        nodeName: 'node-a',
        containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '250m', memory: '64Mi' } } }],
      },
    }),
  });
});
after(async () => {
  await c?.close();
});

describe('kubectl describe', () => {
  test('describe pod shows its spec, its node, and core/v1 Events that name it', async () => {
    const pod = JSON.parse(await c.kubectlOk(['get', 'pod', 'web', '-n', 'desc', '-o', 'json']));
    await post('/api/v1/namespaces/desc/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'desc' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'desc', name: 'web', uid: pod.metadata.uid },
      reason: 'Scheduled',
      message: 'Successfully assigned desc/web to node-a',
      type: 'Normal',
      source: { component: 'default-scheduler' },
      firstTimestamp: now(),
      lastTimestamp: now(),
      count: 1,
    });
    await post('/api/v1/namespaces/desc/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.2', namespace: 'desc' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'desc', name: 'web', uid: pod.metadata.uid, fieldPath: 'spec.containers{web}' },
      reason: 'BackOff',
      message: 'Back-off pulling image "nginx:1.25"',
      type: 'Warning',
      source: { component: 'kubelet', host: 'node-a' },
      firstTimestamp: now(),
      lastTimestamp: now(),
      count: 3,
    });
    // An event about a different object must not appear.
    await post('/api/v1/namespaces/desc/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'other.1', namespace: 'desc' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'desc', name: 'other', uid: '00000000-0000-0000-0000-000000000000' },
      reason: 'Unrelated',
      message: 'not about web',
      type: 'Normal',
      source: { component: 'kubelet' },
      firstTimestamp: now(),
      lastTimestamp: now(),
      count: 1,
    });

    const out = await c.kubectlOk(['describe', 'pod', 'web', '-n', 'desc']);
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^Namespace:\s+desc$/m);
    assert.match(out, /^Node:\s+node-a\//m);
    assert.match(out, /^Labels:\s+app=web$/m);
    assert.match(out, /^Status:\s+Pending$/m);
    assert.match(out, /^QoS Class:\s+Burstable$/m);
    assert.match(out, /^\s+Image:\s+nginx:1\.25$/m);
    assert.match(out, /^\s+Port:\s+80\/TCP$/m);
    assert.match(out, /^\s+cpu:\s+250m$/m);
    assert.match(out, /^Events:$/m);
    assert.match(out, /^\s+Type\s+Reason\s+Age\s+From\s+Message$/m);
    assert.match(out, /^\s+Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned desc\/web to node-a$/m);
    assert.match(out, /^\s+Warning\s+BackOff\s+\S+ \(x3 over \S+\)\s+kubelet\s+Back-off pulling image "nginx:1\.25"$/m);
    assert.doesNotMatch(out, /Unrelated/);
  });

  test('kubectl get events lists them with upstream columns, and filters by involvedObject', async () => {
    const out = await c.kubectlOk(['get', 'events', '-n', 'desc']);
    assert.match(out, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    assert.match(out, /^\S+\s+Warning\s+BackOff\s+pod\/web\s+Back-off pulling image "nginx:1\.25"$/m);
    const filtered = await c.kubectlOk(['get', 'events', '-n', 'desc', '--field-selector', 'involvedObject.name=other', '-o', 'name']);
    assert.equal(filtered.trim(), 'event/other.1');
    const forWeb = await c.kubectlOk(['events', '-n', 'desc', '--for', 'pod/web']);
    assert.match(forWeb, /Scheduled/);
    assert.doesNotMatch(forWeb, /Unrelated/);
    const warnings = await c.kubectlOk(['events', '-n', 'desc', '--types=Warning']);
    assert.match(warnings, /BackOff/);
    assert.doesNotMatch(warnings, /Scheduled/);
  });

  // Upstream stores both Event versions under one prefix (/registry/events), converting between
  // involvedObject/message and regarding/note; k8ts keeps them apart (registry/builtin.ts gives
  // each group its own prefix).
  test('an events.k8s.io/v1 Event is readable as a core/v1 Event and shows in describe', async () => {
    const pod = JSON.parse(await c.kubectlOk(['get', 'pod', 'web', '-n', 'desc', '-o', 'json']));
    await post('/apis/events.k8s.io/v1/namespaces/desc/events', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web.3', namespace: 'desc' },
      regarding: { apiVersion: 'v1', kind: 'Pod', namespace: 'desc', name: 'web', uid: pod.metadata.uid },
      reason: 'Pulled',
      note: 'Container image pulled',
      type: 'Normal',
      action: 'Pull',
      reportingController: 'k8ts/kubelet',
      reportingInstance: 'node-a',
      // MicroTime: exactly six fractional digits, as Go's layout demands.
      eventTime: new Date().toISOString().replace('Z', '000Z'),
    });
    const core = JSON.parse(await c.kubectlOk(['get', 'events.v1.', 'web.3', '-n', 'desc', '-o', 'json']));
    assert.equal(core.involvedObject.name, 'web');
    assert.equal(core.message, 'Container image pulled');
    const out = await c.kubectlOk(['describe', 'pod', 'web', '-n', 'desc']);
    assert.match(out, /Pulled\s+.*Container image pulled/);
  });

  test('describe deployment shows replicas, strategy, template and selector', async () => {
    await c.kubectlOk(['create', 'deployment', 'api', '-n', 'desc', '--image=registry.example.com/api:2', '--replicas=2']);
    const out = await c.kubectlOk(['describe', 'deployment', 'api', '-n', 'desc']);
    assert.match(out, /^Name:\s+api$/m);
    assert.match(out, /^Selector:\s+app=api$/m);
    assert.match(out, /^Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(out, /^\s+Image:\s+registry\.example\.com\/api:2$/m);
    assert.match(out, /^Events:\s+<none>$/m);
  });

  test('describe node shows conditions, addresses, capacity, taints and the pods bound to it', async () => {
    const out = await c.kubectlOk(['describe', 'node', 'node-a']);
    assert.match(out, /^Name:\s+node-a$/m);
    assert.match(out, /^Roles:\s+worker$/m);
    assert.match(out, /^Taints:\s+dedicated=tests:PreferNoSchedule$/m);
    assert.match(out, /^\s+Ready\s+True\s+.+KubeletReady\s+kubelet is posting ready status$/m);
    assert.match(out, /^\s+InternalIP:\s+10\.0\.0\.7$/m);
    assert.match(out, /^PodCIDR:\s+10\.244\.1\.0\/24$/m);
    assert.match(out, /^\s+Kubelet Version:\s+v1\.32\.0$/m);
    assert.match(out, /^Non-terminated Pods:\s+\(1 in total\)$/m);
    assert.match(out, /^\s+desc\s+web\s+250m \(6%\)\s+0 \(0%\)\s+64Mi \(0%\)\s+0 \(0%\)\s+\S+$/m);
    const wide = await c.kubectlOk(['get', 'node', 'node-a', '-o', 'wide']);
    assert.match(wide, /^node-a\s+Ready\s+worker\s+\S+\s+v1\.32\.0\s+10\.0\.0\.7\s+<none>\s+k8ts test image\s+6\.1\.0\s+k8ts:\/\/0\.1$/m);
  });

  test('describe namespace shows its status, quota usage and limit ranges', async () => {
    await c.kubectlOk(['create', 'quota', 'compute', '-n', 'desc', '--hard=pods=5,requests.cpu=2']);
    // describe prints the quota's status (filled by the quota controller upstream): set it through
    // the status subresource as that controller would.
    await c.kubectlOk(['patch', 'quota', 'compute', '-n', 'desc', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { hard: { pods: '5', 'requests.cpu': '2' }, used: { pods: '1', 'requests.cpu': '250m' } } })]);
    await c.kubectlOk(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'limits', namespace: 'desc' },
        spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] },
      }),
    });
    const out = await c.kubectlOk(['describe', 'namespace', 'desc']);
    assert.match(out, /^Name:\s+desc$/m);
    assert.match(out, /^Labels:\s+kubernetes\.io\/metadata\.name=desc$/m);
    assert.match(out, /^Status:\s+Active$/m);
    assert.match(out, /^Resource Quotas$/m);
    assert.match(out, /^\s+Name:\s+compute$/m);
    assert.match(out, /^\s+pods\s+1\s+5$/m);
    assert.match(out, /^\s+requests\.cpu\s+250m\s+2$/m);
    assert.match(out, /^Resource Limits$/m);
    assert.match(out, /^\s+Container\s+cpu\s+-\s+-\s+100m\s+500m\s+-$/m);
  });
});

describe('kubectl explain reads the OpenAPI v3 schemas', () => {
  test('explain pod.spec.containers describes the field and lists its children', async () => {
    const out = await c.kubectlOk(['explain', 'pod.spec.containers']);
    assert.match(out, /^KIND:\s+Pod$/m);
    assert.match(out, /^VERSION:\s+v1$/m);
    assert.match(out, /^FIELD: containers <\[\]Container>$/m);
    assert.match(out, /^DESCRIPTION:$/m);
    assert.match(out, /List of containers belonging to the pod/);
    assert.match(out, /^FIELDS:$/m);
    assert.match(out, /^\s+image\s+<string>$/m);
    assert.match(out, /^\s+name\s+<string> -required-$/m);
    assert.match(out, /^\s+ports\s+<\[\]ContainerPort>$/m);
  });

  test('explain deployment.spec --recursive prints the nested field tree', async () => {
    const out = await c.kubectlOk(['explain', 'deployment.spec', '--recursive']);
    assert.match(out, /^GROUP:\s+apps$/m);
    assert.match(out, /^KIND:\s+Deployment$/m);
    assert.match(out, /^FIELD: spec <DeploymentSpec>$/m);
    assert.match(out, /^\s{2}replicas\s+<integer>$/m);
    assert.match(out, /^\s{2}selector\s+<LabelSelector> -required-$/m);
    assert.match(out, /^\s{4}matchLabels\s+<map\[string\]string>$/m);
    assert.match(out, /^\s{2}strategy\s+<DeploymentStrategy>$/m);
    assert.match(out, /^\s{6}maxSurge\s+<IntOrString>$/m);
    assert.match(out, /^\s{2}template\s+<PodTemplateSpec> -required-$/m);
    assert.match(out, /^\s{6}containers\s+<\[\]Container> -required-$/m);
  });

  test('explain of an unknown field fails with kubectl’s message', async () => {
    const r = await c.kubectl(['explain', 'pod.spec.bogus']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /field "bogus" does not exist/);
  });
});
