// kubectl logs and exec end to end: the real kubectl → the API server (which authenticates and
// relays) → the kubelet's HTTPS API → the process runtime, with real processes.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { ProcessRuntime } from '../../../src/kubelet/runtime/process/runtime.js';
import { startKubeletServer, type KubeletServer } from '../../../src/kubelet/server/server.js';
import { ensureKubeletServingCert } from '../../../src/kubelet/server/serving-cert.js';
import { containerLabels, sandboxLabels } from '../../../src/kubelet/container-labels.js';
import { createLogger } from '../../../src/util/log.js';

let cluster: TestCluster;
let runtime: ProcessRuntime;
let kubelet: KubeletServer;
let rootDir: string;
const pods: Pod[] = [];
const NODE = 'stream-node';

async function createPod(name: string, containers: { name: string; script: string }[], nodeName = NODE): Promise<Pod> {
  const body = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: containers.map((c) => ({ name: c.name, image: 'sh' })) },
  };
  const res = await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 201, res.body);
  return res.json<Pod>();
}

/** Runs the pod's containers in the runtime as the node agent would (labels included); `$IP` in a script is the pod's IP. */
async function runPod(pod: Pod, containers: { name: string; script: string }[]): Promise<string> {
  const sandboxConfig = {
    name: pod.metadata!.name!,
    namespace: 'default',
    uid: pod.metadata!.uid!,
    attempt: 0,
    hostname: pod.metadata!.name!,
    logDirectory: join(rootDir, 'logs', pod.metadata!.uid!),
    labels: sandboxLabels(pod),
    annotations: {},
    portMappings: [],
  };
  const sandbox = await runtime.runPodSandbox(sandboxConfig);
  const { ip } = await runtime.podSandboxStatus(sandbox);
  for (const c of containers) {
    const spec = pod.spec!.containers.find((s) => s.name === c.name)!;
    const id = await runtime.createContainer(
      sandbox,
      { name: c.name, attempt: 0, image: 'sh', command: ['sh', '-c', c.script], args: [], envs: [{ name: 'IP', value: ip }], mounts: [], logPath: `${c.name}/0.log`, labels: containerLabels(pod, spec), annotations: {} },
      sandboxConfig,
    );
    await runtime.startContainer(id);
  }
  pods.push(pod);
  return ip;
}

before(async () => {
  cluster = await startTestCluster();
  rootDir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-streams-'));
  runtime = new ProcessRuntime({ rootDir: join(rootDir, 'runtime'), podCidr: '127.78.0.0/16', namespaces: false });
  const tls = await ensureKubeletServingCert(rootDir, { hostname: NODE, ips: ['127.0.0.1'] });
  kubelet = await startKubeletServer({
    port: 0,
    bindAddress: '127.0.0.1',
    tls,
    clientCaPem: cluster.server.pki.caCertPem,
    runtime,
    pods: () => pods,
    log: createLogger('kubelet-test', { level: 'silent' }),
  });
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
  };
  const res = await cluster.request('POST', '/api/v1/nodes', { body: JSON.stringify(node), headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 201, res.body);
});

after(async () => {
  for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
  runtime.close();
  await kubelet.close();
  await cluster.close();
  rmSync(rootDir, { recursive: true, force: true });
});

test('kubectl logs prints what the container wrote to stdout and stderr, with --tail and --timestamps', async () => {
  const containers = [{ name: 'app', script: 'echo hello; echo oops >&2; sleep 0.3; echo bye; sleep 30' }];
  const pod = await createPod('logger', containers);
  await runPod(pod, containers);
  let out = '';
  for (let i = 0; i < 50 && !out.includes('bye'); i++) {
    out = await cluster.kubectlOk(['logs', 'logger']);
    if (!out.includes('bye')) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(out.split('\n').filter(Boolean).sort(), ['bye', 'hello', 'oops']);
  assert.equal((await cluster.kubectlOk(['logs', 'logger', '--tail=1'])).trim(), 'bye');
  assert.match(await cluster.kubectlOk(['logs', 'logger', '--timestamps', '--tail=1']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z bye\n$/);
});

test('kubectl logs -f streams lines as they are written and ends when the container exits', async () => {
  const containers = [{ name: 'ticker', script: 'for i in 1 2 3; do echo tick$i; sleep 0.2; done' }];
  const pod = await createPod('ticker', containers);
  await runPod(pod, containers);
  const out = await cluster.kubectlOk(['logs', '-f', 'ticker']);
  assert.equal(out, 'tick1\ntick2\ntick3\n');
});

test('kubectl exec runs a command in the container, passes stdin through, and returns its exit code', async () => {
  const containers = [{ name: 'shell', script: 'sleep 30' }];
  const pod = await createPod('shell', containers);
  await runPod(pod, containers);
  assert.equal(await cluster.kubectlOk(['exec', 'shell', '--', 'sh', '-c', 'echo $((40+2))']), '42\n');
  assert.equal(await cluster.kubectlOk(['exec', '-i', 'shell', '--', 'cat'], { stdin: 'through stdin\n' }), 'through stdin\n');
  const failed = await cluster.kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
  assert.equal(failed.code, 3, failed.stderr);
  assert.match(failed.stderr, /to-stderr/);
});

test('a multi-container pod needs -c for exec through the API, and the error names the choices', async () => {
  const containers = [
    { name: 'one', script: 'sleep 30' },
    { name: 'two', script: 'echo from-two; sleep 30' },
  ];
  const pod = await createPod('pair', containers);
  await runPod(pod, containers);
  const res = await cluster.request('GET', '/api/v1/namespaces/default/pods/pair/log');
  assert.equal(res.status, 400);
  assert.match(res.json<{ message: string }>().message, /a container name must be specified for pod pair, choose one of: \[one two\]/);
  assert.equal(await cluster.kubectlOk(['exec', 'pair', '-c', 'two', '--', 'echo', 'hi']), 'hi\n');
});

test('logs of a pod that is not bound to a node are a 400 naming the pod', async () => {
  const res = await cluster.request('POST', '/api/v1/namespaces/default/pods', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'sh' }] } }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.status, 201);
  const r = await cluster.kubectl(['logs', 'unbound']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pod unbound does not have a host assigned/);
});

test('the kubelet API refuses callers without a client certificate from the cluster CA', async () => {
  const { request } = await import('node:https');
  const status = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port: kubelet.port, path: '/pods', rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(status, 401);
});

const kubectl128 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.28';

test('kubectl 1.28 execs over SPDY/3.1, with stdin and the exit code', async () => {
  const containers = [{ name: 'shell', script: 'sleep 30' }];
  const pod = await createPod('spdy-shell', containers);
  await runPod(pod, containers);
  assert.equal(await cluster.kubectlOk(['exec', 'spdy-shell', '--', 'sh', '-c', 'echo $((6*7))'], { binary: kubectl128 }), '42\n');
  assert.equal(await cluster.kubectlOk(['exec', '-i', 'spdy-shell', '--', 'cat'], { binary: kubectl128, stdin: 'spdy stdin\n' }), 'spdy stdin\n');
  const failed = await cluster.kubectl(['exec', 'spdy-shell', '--', 'sh', '-c', 'exit 5'], { binary: kubectl128 });
  assert.equal(failed.code, 5, failed.stderr);
});

/** Runs `kubectl port-forward` until it prints its local port, fetches through it, then stops it. */
async function fetchThroughPortForward(pod: string, binary: string | undefined): Promise<string> {
  const { spawn } = await import('node:child_process');
  const child = spawn(binary ?? '/usr/bin/kubectl', ['--kubeconfig', cluster.kubeconfig, 'port-forward', `pod/${pod}`, ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${err}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return await res.text();
  } finally {
    child.kill();
  }
}

test('kubectl port-forward reaches a port of the pod, tunnelled over WebSocket (1.32) and over SPDY (1.28)', async () => {
  const containers = [{ name: 'web', script: `exec node -e "require('http').createServer((q, s) => s.end('hello from the pod')).listen(8080, process.env.IP)"` }];
  const pod = await createPod('web', containers);
  const ip = await runPod(pod, containers);
  // kubectl port-forward insists on a Running pod; the node agent would report it.
  const status = await cluster.request('PATCH', '/api/v1/namespaces/default/pods/web/status', {
    body: JSON.stringify({ status: { phase: 'Running', podIP: ip } }),
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(status.status, 200, status.body);
  // Wait until the server listens.
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://${ip}:8080/`).then(() => true, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await fetchThroughPortForward('web', undefined), 'hello from the pod');
  assert.equal(await fetchThroughPortForward('web', kubectl128), 'hello from the pod');
});

test('pods/proxy and services/proxy relay HTTP to the pod and to a ready endpoint of the Service', async () => {
  // The "web" pod of the port-forward test serves on its IP:8080.
  const pod = await cluster.request('GET', '/api/v1/namespaces/default/pods/web');
  const ip = pod.json<Pod>().status?.podIP;
  assert.ok(ip, 'the port-forward test ran first and set the pod IP');
  const viaPod = await cluster.request('GET', '/api/v1/namespaces/default/pods/web:8080/proxy/');
  assert.equal(viaPod.status, 200, viaPod.body);
  assert.equal(viaPod.body, 'hello from the pod');

  await cluster.kubectlOk(['create', 'service', 'clusterip', 'websvc', '--tcp=80:8080']);
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'websvc-manual', labels: { 'kubernetes.io/service-name': 'websvc' } },
    addressType: 'IPv4',
    ports: [{ name: '80-8080', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
  };
  const created = await cluster.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { body: JSON.stringify(slice), headers: { 'content-type': 'application/json' } });
  assert.equal(created.status, 201, created.body);
  assert.equal(await cluster.kubectlOk(['get', '--raw', '/api/v1/namespaces/default/services/websvc:80-8080/proxy/']), 'hello from the pod');
  const missing = await cluster.request('GET', '/api/v1/namespaces/default/services/websvc:nope/proxy/');
  assert.equal(missing.status, 503);
  assert.match(missing.json<{ message: string }>().message, /no service port "nope" found for service "websvc"/);
});

test('kubectl cp copies a file into a container and back out (tar over exec)', async () => {
  const { writeFileSync, readFileSync, mkdtempSync: mk } = await import('node:fs');
  const containers = [{ name: 'files', script: 'sleep 30' }];
  const pod = await createPod('files', containers);
  await runPod(pod, containers);
  const local = mk(join(tmpdir(), 'k8ts-cp-'));
  // The process runtime without namespaces shares the host's file system: a private target dir.
  const remote = mk(join(tmpdir(), 'k8ts-cp-remote-'));
  writeFileSync(join(local, 'in.txt'), 'copied through exec\n');
  await cluster.kubectlOk(['cp', join(local, 'in.txt'), `files:${remote}/in.txt`]);
  assert.equal(readFileSync(join(remote, 'in.txt'), 'utf8'), 'copied through exec\n');
  await cluster.kubectlOk(['cp', `files:${remote}/in.txt`, join(local, 'out.txt')]);
  assert.equal(readFileSync(join(local, 'out.txt'), 'utf8'), 'copied through exec\n');
  rmSync(local, { recursive: true, force: true });
  rmSync(remote, { recursive: true, force: true });
});
