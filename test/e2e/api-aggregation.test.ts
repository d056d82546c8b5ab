// The aggregation layer end to end: a real HTTPS "extension API server" in the test, which trusts
// only the front proxy CA that kube-system/extension-apiserver-authentication publishes, registered
// through an APIService and a Service; the real kubectl discovers and reads its resources through
// k8ts, which authorizes each request itself and names the user in X-Remote-* headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import { createCa, issueLeaf } from '../../src/auth/pki/issue.js';
import { generateKeyPair } from '../../src/auth/pki/keys.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const group = 'wardle.example.com';
const gv = `${group}/v1alpha1`;

let c: TestCluster;
let wardle: Server;
let port: number;
let caBundle: string;
/** What the extension server saw: the user and groups the front proxy named, per path. */
const seen: { path: string; user: string; groups: string[]; extra: Record<string, string> }[] = [];

const flunder = (name: string) => ({ apiVersion: gv, kind: 'Flunder', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { reference: name } });

function serve(req: IncomingMessage, res: ServerResponse, allowedNames: string[]): void {
  const socket = req.socket as TLSSocket;
  const peer = socket.getPeerCertificate();
  // requestheader authentication: the identity headers count only from an allowed front proxy.
  if (!socket.authorized || !allowedNames.includes(String(peer.subject?.CN ?? ''))) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }));
    return;
  }
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('x-remote-extra-')) extra[k] = String(v);
  // One header line per group, as Go's requestheader authenticator reads them (not Node's joined value).
  seen.push({ path: req.url ?? '', user: String(req.headers['x-remote-user']), groups: req.headersDistinct['x-remote-group'] ?? [], extra });
  const json = (code: number, body: object) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const path = (req.url ?? '').split('?')[0];
  if (path === `/apis/${gv}`) {
    return json(200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: [
        { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list'], shortNames: ['fl'] },
        { name: 'flunders/status', singularName: '', namespaced: true, kind: 'Flunder', verbs: ['get'] },
      ],
    });
  }
  if (path === `/apis/${gv}/namespaces/default/flunders`) return json(200, { kind: 'FlunderList', apiVersion: gv, metadata: { resourceVersion: '1' }, items: [flunder('one'), flunder('two')] });
  if (path === `/apis/${gv}/namespaces/default/flunders/one`) return json(200, flunder('one'));
  json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
}

before(async () => {
  c = await startTestCluster();
  // The extension server learns whom to trust from the ConfigMap, as upstream's do.
  const auth = JSON.parse(await c.kubectlOk(['get', 'configmap', 'extension-apiserver-authentication', '-n', 'kube-system', '-o', 'json'])) as { data: Record<string, string> };
  const allowedNames = JSON.parse(auth.data['requestheader-allowed-names']) as string[];
  const caKeys = await generateKeyPair();
  const ca = { certPem: await createCa(caKeys, { commonName: 'wardle-ca' }, 1), keys: caKeys };
  const keys = await generateKeyPair();
  const cert = await issueLeaf(ca, keys, { subject: { commonName: 'wardle' }, usage: 'server', validityDays: 1, ips: ['127.0.0.1'], dnsNames: ['api.wardle.svc'] });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  wardle = createServer({ cert, key: keys.privateKeyPem, ca: auth.data['requestheader-client-ca-file'], requestCert: true, rejectUnauthorized: false }, (req, res) => serve(req, res, allowedNames));
  await new Promise<void>((resolve) => wardle.listen(0, '127.0.0.1', resolve));
  port = (wardle.address() as AddressInfo).port;
  await c.kubectlOk(['create', 'namespace', 'wardle']);
  await c.kubectlOk(['apply', '-f', '-'], {
    stdin: [
      stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'wardle' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } }),
      stringify({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'api-1', namespace: 'wardle', labels: { 'kubernetes.io/service-name': 'api' } },
        addressType: 'IPv4',
        ports: [{ name: 'https', port }],
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      }),
    ].join('---\n'),
  });
});

after(async () => {
  wardle?.closeAllConnections();
  wardle?.close();
  await c?.close();
});

const apiService = (service: object | null, extra: object = {}) =>
  stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `v1alpha1.${group}` }, spec: { group, version: 'v1alpha1', service, caBundle, groupPriorityMinimum: 1000, versionPriority: 15, ...extra } });

const available = () => c.kubectlOk(['get', 'apiservice', `v1alpha1.${group}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].reason} {.status.conditions[?(@.type=="Available")].message}']);

describe('API aggregation', () => {
  test('the front proxy CA and names are published in extension-apiserver-authentication', async () => {
    const cm = JSON.parse(await c.kubectlOk(['get', 'configmap', 'extension-apiserver-authentication', '-n', 'kube-system', '-o', 'json']));
    assert.deepEqual(JSON.parse(cm.data['requestheader-allowed-names']), ['front-proxy-client']);
    assert.deepEqual(JSON.parse(cm.data['requestheader-username-headers']), ['X-Remote-User']);
    assert.deepEqual(JSON.parse(cm.data['requestheader-group-headers']), ['X-Remote-Group']);
    assert.deepEqual(JSON.parse(cm.data['requestheader-extra-headers-prefix']), ['X-Remote-Extra-']);
    assert.match(cm.data['requestheader-client-ca-file'], /^-----BEGIN CERTIFICATE-----/);
    assert.notEqual(cm.data['requestheader-client-ca-file'], cm.data['client-ca-file'], 'the front proxy has its own CA');
  });

  test('an APIService for a Service becomes Available, and kubectl discovers and reads its resources through k8ts', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: apiService({ namespace: 'wardle', name: 'api', port: 443 }) });
    await c.kubectlOk(['wait', '--for=condition=Available', `apiservice/v1alpha1.${group}`, '--timeout=15s']);
    assert.equal(await available(), 'True Passed all checks passed');
    assert.match(await c.kubectlOk(['get', 'apiservices', `v1alpha1.${group}`]), /^NAME\s+SERVICE\s+AVAILABLE\s+AGE\s*\nv1alpha1\.wardle\.example\.com\s+wardle\/api\s+True\s+\S+\s*$/);
    // The availability check asked as the aggregator, a member of system:masters.
    const check = seen.find((s) => s.path === `/apis/${gv}`)!;
    assert.equal(check.user, 'system:kube-aggregator');
    assert.deepEqual(check.groups, ['system:masters']);

    assert.match(await c.kubectlOk(['api-resources', `--api-group=${group}`]), /flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder/);
    const list = JSON.parse(await c.kubectlOk(['get', 'flunders', '-o', 'json']));
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['one', 'two']);
    const one = JSON.parse(await c.kubectlOk(['get', 'fl', 'one', '-o', 'json']));
    assert.equal(one.spec.reference, 'one');
    const read = seen.filter((s) => s.path.startsWith(`/apis/${gv}/namespaces/default/flunders`)).at(-1)!;
    assert.equal(read.user, 'kubernetes-admin');
    assert.ok(read.groups.includes('system:masters') && read.groups.includes('system:authenticated'), read.groups.join());
    // The legacy documents list it too.
    const groups = (await c.request('GET', '/apis')).json();
    assert.ok(groups.groups.some((g: { name: string; preferredVersion: { groupVersion: string } }) => g.name === group && g.preferredVersion.groupVersion === gv));
    assert.equal((await c.request('GET', `/apis/${group}`)).json().preferredVersion.version, 'v1alpha1');
  });

  test('a request is authorized by k8ts before it is relayed, and an impersonated user is the one named', async () => {
    const denied = await c.kubectl(['get', 'flunders', '--as', 'jane']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /flunders\.wardle\.example\.com is forbidden: User "jane" cannot list resource "flunders" in API group "wardle\.example\.com" in the namespace "default"/);
    await c.kubectlOk(['create', 'clusterrole', 'flunder-reader', '--verb=get,list', `--resource=flunders.${group}`]);
    await c.kubectlOk(['create', 'clusterrolebinding', 'jane-flunders', '--clusterrole=flunder-reader', '--user=jane']);
    const before = seen.length;
    assert.match(await c.kubectlOk(['get', 'flunders', 'one', '--as', 'jane', '--as-group', 'wardle-fans']), /^NAME\s+AGE\s*\none\s+/);
    const asJane = seen.slice(before).find((s) => s.path.includes('/flunders/one'))!;
    assert.equal(asJane.user, 'jane');
    assert.deepEqual(asJane.groups, ['wardle-fans', 'system:authenticated']);
    // A client cannot name another user to the extension server itself.
    const forged = await c.request('GET', `/apis/${gv}/namespaces/default/flunders/one`, { headers: { 'X-Remote-User': 'mallory', 'X-Remote-Group': 'evil' } });
    assert.equal(forged.status, 200, forged.body);
    assert.equal(seen.at(-1)!.user, 'kubernetes-admin');
    // A user's extra attributes go as X-Remote-Extra-<key>.
    const impersonated = await c.request('GET', `/apis/${gv}/namespaces/default/flunders/one`, { headers: { 'Impersonate-User': 'jane', 'Impersonate-Extra-Scopes': 'flunders' } });
    assert.equal(impersonated.status, 200, impersonated.body);
    assert.deepEqual(seen.at(-1)!.extra, { 'x-remote-extra-scopes': 'flunders' });
  });

  test('without endpoints the APIService is not Available and requests get upstream\'s 503', async () => {
    await c.kubectlOk(['delete', 'endpointslice', 'api-1', '-n', 'wardle']);
    await c.kubectlOk(['wait', '--for=condition=Available=False', `apiservice/v1alpha1.${group}`, '--timeout=15s']);
    assert.equal(await available(), 'False EndpointsNotFound cannot find endpoints for service/api in "wardle"');
    const got = await c.request('GET', `/apis/${gv}/namespaces/default/flunders`);
    assert.equal(got.status, 503);
    assert.equal(got.body, 'service unavailable\n');
    await c.kubectlOk(['delete', 'service', 'api', '-n', 'wardle']);
    await c.kubectlOk(['wait', '--for', 'jsonpath={.status.conditions[?(@.type=="Available")].reason}=ServiceNotFound', `apiservice/v1alpha1.${group}`, '--timeout=15s']);
    assert.equal(await available(), 'False ServiceNotFound service/api in "wardle" is not present');
  });

  test('a local APIService (no service) is Available as Local, and deleting an APIService stops routing', async () => {
    // Local APIServices may not have a caBundle (kube-aggregator's validation): null drops it in the apply.
    await c.kubectlOk(['apply', '-f', '-'], { stdin: apiService(null, { caBundle: null }) });
    await c.kubectlOk(['wait', '--for', 'jsonpath={.status.conditions[?(@.type=="Available")].reason}=Local', `apiservice/v1alpha1.${group}`, '--timeout=15s']);
    assert.equal(await available(), 'True Local Local APIServices are always available');
    assert.equal((await c.request('GET', `/apis/${gv}/namespaces/default/flunders`)).status, 404);
    await c.kubectlOk(['delete', 'apiservice', `v1alpha1.${group}`]);
    assert.equal((await c.request('GET', `/apis/${group}`)).status, 404);
  });
});
