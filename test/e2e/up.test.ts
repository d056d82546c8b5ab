// `k8ts up` as a user runs it: one process with every component, driven by the real kubectl.
// A Deployment of two HTTP servers that answer with their pod name is exposed as a Service and
// reached by ClusterIP from the host and by DNS name from inside a pod; logs and exec work;
// scaling to zero refuses connections; Ctrl-C stops the pods and the process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { startK8ts, type K8tsProcess } from '../cli/k8ts-process.js';
import { kubectlFor, type KubectlResult } from '../helpers/kubectl.js';

let up: K8tsProcess;
let dataDir: string;
let cacheDir: string;
// Loopback ranges of this test alone, so parallel test files never bind the same ClusterIPs.
const serviceCidr = '127.97.0.0/16';
const podCidr = '127.98.0.0/16';

function kubectl(args: string[], stdin = ''): Promise<KubectlResult> {
  return kubectlFor(join(dataDir, 'kubeconfig'), cacheDir).run(args, { stdin });
}

async function kubectlOk(args: string[], stdin = ''): Promise<string> {
  const r = await kubectl(args, stdin);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: node
        # Pods share the host's network: each listens on its own IP ($POD_IP).
        command: ["node", "-e", "require('http').createServer((q, s) => s.end(process.env.POD_NAME)).listen(8080, process.env.POD_IP)"]
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
`;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'k8ts-up-'));
  cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-up-kubectl-'));
  up = startK8ts(['up', '--data-dir', dataDir, '--port', '0', '--kubelet-port', '0', '--service-cidr', serviceCidr, '--pod-cidr', podCidr, '--proxy-mode', 'userspace'], { K8TS_LOG_LEVEL: 'warn' });
  await up.waitForLine(/k8ts cluster ready/);
});

after(async () => {
  if (up.child.exitCode === null) {
    up.child.kill('SIGKILL');
    await up.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

test('k8ts up announces each component, and the node is Ready', async () => {
  const out = up.stdout();
  for (const re of [/API server ready at https:\/\/127\.0\.0\.1:\d+/, /node \S+ Ready/, /service proxy ready \(userspace mode/, /cluster DNS ready at 127\.97\.0\.10:53/, /export KUBECONFIG=/]) assert.match(out, re);
  const nodes = await kubectlOk(['get', 'nodes', '--no-headers']);
  assert.match(nodes, /\sReady\s/);
});

test('a Deployment exposed as a Service is reachable by ClusterIP from the host and by DNS name from a pod', async () => {
  await kubectlOk(['apply', '-f', '-'], deployment);
  await kubectlOk(['expose', 'deployment', 'web', '--port', '80', '--target-port', '8080']);
  await kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  const pods = (await kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
  assert.equal(pods.length, 2);
  const clusterIP = (await kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  assert.match(clusterIP, /^127\.97\./);
  // The EndpointSlice lists both pods once their readiness probes pass.
  for (let i = 0; i < 100; i++) {
    const eps = await kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[*].addresses[0]}']);
    if (eps.trim().split(/\s+/).filter(Boolean).length === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seen = new Set<string>();
  for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(await (await fetch(`http://${clusterIP}/`)).text());
  assert.deepEqual([...seen].sort(), pods, 'both replicas answer through the ClusterIP');

  // From inside a pod: the Service's DNS name through the pod's resolv.conf (cluster DNS).
  const fromPod = await kubectlOk(['exec', pods[0]!, '--', 'node', '-e', "fetch('http://web.default.svc.cluster.local/').then((r) => r.text()).then((t) => console.log(t))"]);
  assert.ok(pods.includes(fromPod.trim()), `a pod reached the Service by name: ${fromPod}`);
  const resolv = await kubectlOk(['exec', pods[0]!, '--', 'cat', '/etc/resolv.conf']);
  assert.match(resolv, /nameserver 127\.97\.0\.10/);
  assert.match(resolv, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
});

test('kubectl logs and exec reach the pods through the API server and the node agent', async () => {
  const pod = (await kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
  assert.equal((await kubectlOk(['exec', pod, '--', 'sh', '-c', 'echo $POD_NAME'])).trim(), pod);
  await kubectlOk(['exec', pod, '--', 'sh', '-c', 'echo written-to-stdout > /proc/1/fd/1']);
  for (let i = 0; i < 50; i++) {
    if ((await kubectlOk(['logs', pod])).includes('written-to-stdout')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the line written to the container stdout shows in kubectl logs');
});

test('scaling to zero makes the ClusterIP refuse connections', async () => {
  const clusterIP = (await kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  await kubectlOk(['scale', 'deployment', 'web', '--replicas=0']);
  let refused = false;
  for (let i = 0; i < 100 && !refused; i++) {
    refused = await new Promise<boolean>((resolve) => {
      const s = connect({ host: clusterIP, port: 80 });
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    if (!refused) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(refused, 'connection refused once no endpoint is left');
});

test('Ctrl-C stops the cluster cleanly', async () => {
  await kubectlOk(['scale', 'deployment', 'web', '--replicas=1']);
  await kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  up.child.kill('SIGINT');
  const { code } = await up.exited;
  assert.equal(code, 0, up.stderr().slice(-2000));
});
