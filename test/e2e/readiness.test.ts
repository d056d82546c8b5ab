// A failing readiness probe takes a pod out of its Service, through `k8ts up` and the real kubectl:
// a Deployment of two HTTP servers whose /healthz answers 503 while a file exists in their emptyDir
// (toggled with `kubectl exec … touch/rm`), a Service in front (userspace proxy mode). The pod whose
// probe fails goes not-ready in `kubectl get pods` and in its EndpointSlice, new connections to
// the ClusterIP reach only the other pod, and once the file is gone both serve again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { getOnce } from '../helpers/http.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startK8ts, type K8tsProcess } from '../cli/k8ts-process.js';
import { kubectlFor, type Kubectl } from '../helpers/kubectl.js';

// Loopback ranges of this test alone, so parallel test files never bind the same addresses.
const serviceCidr = '127.91.0.0/16';
const podCidr = '127.92.0.0/16';
// Without root, emptyDirs are symlinks at their mountPath on the host, shared by both replicas.
const skip = process.getuid?.() === 0 ? false : 'needs root: each replica needs its own emptyDir at /health (a mount namespace)';

let up: K8tsProcess;
let dataDir: string;
let cacheDir: string;
let k: Kubectl;

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: flaky}
spec:
  replicas: 2
  selector: {matchLabels: {app: flaky}}
  template:
    metadata: {labels: {app: flaky}}
    spec:
      terminationGracePeriodSeconds: 1
      volumes:
      - name: health
        emptyDir: {}
      containers:
      - name: web
        image: node
        # The program is command[0]; each replica listens on its own IP ($POD_IP).
        command:
        - node
        - -e
        - |
          const fs = require('fs');
          require('http').createServer((q, s) => {
            if (q.url !== '/healthz') return s.end(process.env.POD_NAME);
            const down = fs.existsSync('/health/down');
            s.statusCode = down ? 503 : 200;
            s.end(down ? 'down' : 'ok');
          }).listen(8080, process.env.POD_IP);
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        volumeMounts:
        - {name: health, mountPath: /health}
        readinessProbe:
          httpGet: {path: /healthz, port: 8080}
          periodSeconds: 1
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: flaky}
spec:
  selector: {app: flaky}
  ports:
  - {port: 80, targetPort: 8080}
`;

before(async () => {
  if (skip) return;
  dataDir = mkdtempSync(join(tmpdir(), 'k8ts-readiness-'));
  cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-readiness-kubectl-'));
  k = kubectlFor(join(dataDir, 'kubeconfig'), cacheDir);
  up = startK8ts(['up', '--data-dir', dataDir, '--port', '0', '--kubelet-port', '0', '--service-cidr', serviceCidr, '--pod-cidr', podCidr, '--proxy-mode', 'userspace'], { K8TS_LOG_LEVEL: 'warn' });
  await up.waitForLine(/k8ts cluster ready/);
});

after(async () => {
  if (up && up.child.exitCode === null) {
    // Ctrl-C stops the pods gracefully; SIGKILL would leave their processes behind.
    up.child.kill('SIGINT');
    const timer = setTimeout(() => up.child.kill('SIGKILL'), 15_000);
    await up.exited;
    clearTimeout(timer);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

/** pod name → the ready condition of its endpoint, from `kubectl get endpointslices`. */
async function endpointReadiness(): Promise<Record<string, string>> {
  const out = await k.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=flaky', '-o', 'jsonpath={range .items[*].endpoints[*]}{.targetRef.name}={.conditions.ready}{"\\n"}{end}']);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]));
}

/** Polls `kubectl get endpointslices` (an external view; no watch to await) until `want` holds. */
async function waitForEndpoints(want: Record<string, string>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: Record<string, string> = {};
  while (Date.now() < deadline) {
    seen = await endpointReadiness();
    if (JSON.stringify(Object.entries(seen).sort()) === JSON.stringify(Object.entries(want).sort())) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`endpoints never became ${JSON.stringify(want)}; last seen ${JSON.stringify(seen)}`);
}

/**
 * The set of pods that answer `n` requests in a row on new connections to the ClusterIP, once the
 * proxy follows the slice: retries (briefly) while an answer outside `expected` still comes.
 */
async function answering(clusterIP: string, expected: string[], n = 12, timeoutMs = 5000): Promise<Set<string>> {
  const deadline = Date.now() + timeoutMs;
  let seen = new Set<string>();
  while (Date.now() < deadline) {
    seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(await getOnce(clusterIP, 80, 2000));
    if ([...seen].every((p) => expected.includes(p)) && seen.size === expected.length) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

test('a pod whose readiness probe fails leaves the Service until it passes again', { skip, timeout: 120_000 }, async () => {
  await k.ok(['apply', '-f', '-'], { stdin: manifests });
  await k.ok(['rollout', 'status', 'deployment/flaky', '--timeout=60s']);
  const pods = (await k.ok(['get', 'pods', '-l', 'app=flaky', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(' ').sort();
  assert.equal(pods.length, 2);
  const [sick, healthy] = pods as [string, string];
  const clusterIP = (await k.ok(['get', 'service', 'flaky', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  assert.match(clusterIP, /^127\.91\./);

  await waitForEndpoints({ [sick]: 'true', [healthy]: 'true' });
  assert.deepEqual([...(await answering(clusterIP, pods))].sort(), pods, 'both replicas answer through the ClusterIP');

  // The probe of one pod starts failing: it stays Running but goes 0/1 and not-ready in the slice.
  await k.ok(['exec', sick, '--', 'touch', '/health/down']);
  await waitForEndpoints({ [sick]: 'false', [healthy]: 'true' });
  const listed = await k.ok(['get', 'pods', '-l', 'app=flaky', '--no-headers']);
  assert.match(listed, new RegExp(`^${sick}\\s+0/1\\s+Running\\s+0\\s`, 'm'));
  assert.match(listed, new RegExp(`^${healthy}\\s+1/1\\s+Running\\s+0\\s`, 'm'));
  assert.match(await k.ok(['describe', 'pod', sick]), /Warning\s+Unhealthy\s+.*Readiness probe failed: HTTP probe failed with statuscode: 503/);
  assert.deepEqual([...(await answering(clusterIP, [healthy]))], [healthy], 'new connections reach only the ready pod');
  // The Deployment counts it as unavailable.
  assert.equal((await k.ok(['get', 'deployment', 'flaky', '-o', 'jsonpath={.status.readyReplicas}'])).trim(), '1');

  // The probe passes again: the pod is back in the Service.
  await k.ok(['exec', sick, '--', 'rm', '/health/down']);
  await waitForEndpoints({ [sick]: 'true', [healthy]: 'true' });
  assert.deepEqual([...(await answering(clusterIP, pods))].sort(), pods, 'both replicas answer again');
});
