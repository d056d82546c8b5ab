// The oracle is kubectl itself: each command runs once against a capture server (which records
// the protobuf body of its POST) and once with --dry-run=client -o json (which prints the same
// object as Go's encoding/json). The decoded protobuf must equal the printed JSON exactly — no
// normalization was needed: Go marshals `creationTimestamp: null`, `status: {}` and
// `resources: {}` into the dry-run output, and the decoder reproduces those Go semantics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeProtobufObject, isProtobufContentType } from '../../../src/api/protobuf/decode.js';
import { startCaptureServer, type CaptureServer } from './capture-server.js';

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    try {
      execFileSync(name, ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}

const haveKubectl = hasTool('kubectl');
const haveOpenssl = hasTool('openssl');

let server: CaptureServer;
before(async () => {
  if (haveKubectl) server = await startCaptureServer();
});
after(async () => {
  await server?.close();
});

/** Runs the command, returns the one protobuf POST it made, decoded. */
async function captureDecoded(args: string[]): Promise<{ url: string; object: unknown }> {
  server.takePosts();
  await server.kubectl(args);
  const posts = server.takePosts();
  assert.equal(posts.length, 1, `expected one POST from kubectl ${args.join(' ')}`);
  assert.ok(isProtobufContentType(posts[0].contentType), `kubectl ${args.join(' ')} sent ${posts[0].contentType}`);
  return { url: posts[0].url, object: decodeProtobufObject(posts[0].body) };
}

const createCases: { name: string; args: () => string[] }[] = [
  { name: 'create namespace', args: () => ['create', 'namespace', 'ns1'] },
  { name: 'create configmap from literals', args: () => ['create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=empty='] },
  { name: 'create secret generic from literals (bytes map → base64)', args: () => ['create', 'secret', 'generic', 's', '--from-literal=a=b', '--from-literal=k=v2', '--type=Opaque'] },
  {
    name: 'create secret tls',
    args: () => ['create', 'secret', 'tls', 't', `--cert=${join(server.dir, 'tls.crt')}`, `--key=${join(server.dir, 'tls.key')}`],
  },
  {
    name: 'create secret docker-registry',
    args: () => ['create', 'secret', 'docker-registry', 'r', '--docker-server=reg.example', '--docker-username=u', '--docker-password=p', '--docker-email=e@x'],
  },
  { name: 'create deployment with replicas, two images and a port', args: () => ['create', 'deployment', 'd', '--replicas=3', '--image=a', '--image=b', '--port=80'] },
  { name: 'create deployment with zero replicas keeps replicas: 0', args: () => ['create', 'deployment', 'z', '--replicas=0', '--image=a'] },
  { name: 'create service clusterip', args: () => ['create', 'service', 'clusterip', 'c', '--tcp=80:8080', '--tcp=443:https'] },
  { name: 'create headless service clusterip', args: () => ['create', 'service', 'clusterip', 'h', '--clusterip=None'] },
  { name: 'create service nodeport', args: () => ['create', 'service', 'nodeport', 'n', '--tcp=80:8080', '--node-port=30080'] },
  { name: 'create service loadbalancer', args: () => ['create', 'service', 'loadbalancer', 'l', '--tcp=80:8080'] },
  { name: 'create service externalname', args: () => ['create', 'service', 'externalname', 'e', '--external-name=x.example.com'] },
  { name: 'create serviceaccount', args: () => ['create', 'serviceaccount', 'sa'] },
  { name: 'create job with an image and a command', args: () => ['create', 'job', 'j', '--image=busybox', '--', 'sh', '-c', 'echo hi'] },
  { name: 'create cronjob with a schedule', args: () => ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure'] },
  { name: 'create role', args: () => ['create', 'role', 'r', '--verb=get', '--verb=list', '--resource=pods', '--resource=deployments.apps', '--resource-name=x'] },
  { name: 'create rolebinding', args: () => ['create', 'rolebinding', 'rb', '--role=r', '--user=u', '--group=g', '--serviceaccount=default:sa'] },
  { name: 'create clusterrole', args: () => ['create', 'clusterrole', 'cr', '--verb=get', '--resource=pods', '--non-resource-url=/healthz'] },
  { name: 'create clusterrole with an aggregation rule (rules: null)', args: () => ['create', 'clusterrole', 'agg', '--aggregation-rule=a=b'] },
  { name: 'create clusterrolebinding', args: () => ['create', 'clusterrolebinding', 'crb', '--clusterrole=x', '--user=u'] },
  { name: 'create priorityclass', args: () => ['create', 'priorityclass', 'pc', '--value=100', '--description=d', '--preemption-policy=Never'] },
  { name: 'create priorityclass with value 0 and global default', args: () => ['create', 'priorityclass', 'pc0', '--value=0', '--global-default'] },
  { name: 'create poddisruptionbudget with min-available (IntOrString int)', args: () => ['create', 'poddisruptionbudget', 'pdb', '--min-available=1', '--selector=app=x'] },
  { name: 'create poddisruptionbudget with max-unavailable percent (IntOrString string)', args: () => ['create', 'poddisruptionbudget', 'pdb2', '--max-unavailable=50%', '--selector=app=x'] },
  { name: 'create quota (Quantity map)', args: () => ['create', 'quota', 'q', '--hard=cpu=1,pods=2,memory=1Gi', '--scopes=BestEffort'] },
];

for (const c of createCases) {
  test(`kubectl ${c.name}: the decoded protobuf body equals kubectl's own JSON for the object`, { skip: !haveKubectl && 'kubectl not installed' }, async (t) => {
    if (c.name.includes('tls')) {
      if (!haveOpenssl) return t.skip('openssl not installed');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(server.dir, 'tls.key'), '-out', join(server.dir, 'tls.crt'), '-days', '1', '-subj', '/CN=x'], { stdio: 'ignore' });
    }
    const args = c.args();
    const { object } = await captureDecoded(args);
    const dashdash = args.indexOf('--');
    const dryArgs = dashdash < 0 ? [...args, '--dry-run=client', '-o', 'json'] : [...args.slice(0, dashdash), '--dry-run=client', '-o', 'json', ...args.slice(dashdash)];
    const expected = JSON.parse(await server.kubectl(dryArgs)) as unknown;
    assert.deepEqual(object, expected);
  });
}

// Commands without --dry-run: the expected objects are what kubectl builds, written as Go's
// encoding/json prints them (non-omitempty fields appear as null / "" / false).
test('kubectl auth can-i sends a SelfSubjectAccessReview that decodes to the JSON kubectl would send', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
  const { url, object } = await captureDecoded(['auth', 'can-i', 'create', 'pods', '--subresource=log']);
  assert.match(url, /selfsubjectaccessreviews/);
  assert.deepEqual(object, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { creationTimestamp: null },
    spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods', subresource: 'log' } },
    // SubjectAccessReviewStatus.allowed has no omitempty.
    status: { allowed: false },
  });
});

test('kubectl create token sends a TokenRequest with audiences, expirationSeconds and a null boundObjectRef', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
  const { url, object } = await captureDecoded(['create', 'token', 'sa', '--audience=a', '--audience=b', '--duration=1h']);
  assert.match(url, /\/serviceaccounts\/sa\/token/);
  assert.deepEqual(object, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { creationTimestamp: null },
    // boundObjectRef is a pointer without omitempty → null; status fields have no omitempty.
    spec: { audiences: ['a', 'b'], expirationSeconds: 3600, boundObjectRef: null },
    status: { token: '', expirationTimestamp: null },
  });
});

test('kubectl debug node sends a Pod whose host-namespace booleans and volumes decode like kubectl JSON', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
  server.takePosts();
  // kubectl may fail after the POST (the fixture's reply is minimal): only the body matters.
  await server.kubectl(['debug', 'node/n1', '--image=busybox', '--profile=legacy']).catch(() => undefined);
  const posts = server.takePosts();
  assert.equal(posts.length, 1);
  const pod = decodeProtobufObject(posts[0].body);
  assert.match(String(pod.metadata?.name), /^node-debugger-n1-/);
  assert.deepEqual({ ...pod, metadata: { ...pod.metadata, name: 'X' } }, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'X', creationTimestamp: null },
    spec: {
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
      containers: [{ name: 'debugger', image: 'busybox', resources: {}, volumeMounts: [{ name: 'host-root', mountPath: '/host' }], terminationMessagePolicy: 'File' }],
      restartPolicy: 'Never',
      nodeName: 'n1',
      hostNetwork: true,
      hostPID: true,
      hostIPC: true,
      tolerations: [{ operator: 'Exists' }],
    },
    status: {},
  });
});

// kubectl 1.32 sends `run` (Pod) and `drain` (Eviction) bodies as JSON, not protobuf; the test
// pins that so a change in kubectl is noticed. Pods and Evictions are covered by roundtrip tests.
test('kubectl run and kubectl drain send their bodies as JSON, not protobuf', { skip: !haveKubectl && 'kubectl not installed' }, async () => {
  server.takePosts();
  await server.kubectl(['run', 'p', '--image=nginx', '--labels=a=b', '--env=X=1', '--port=80']);
  await server.kubectl(['drain', 'n1', '--timeout=10s']);
  const posts = server.takePosts();
  assert.deepEqual(
    posts.map((p) => [new URL(p.url, 'http://x').pathname, p.contentType]),
    [
      ['/api/v1/namespaces/default/pods', 'application/json'],
      ['/api/v1/namespaces/default/pods/p1/eviction', 'application/json'],
    ],
  );
});
