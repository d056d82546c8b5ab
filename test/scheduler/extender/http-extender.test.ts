// The HTTP extender client against a real extender server written here (node:http and
// node:https on port 0), speaking k8s.io/kube-scheduler/extender/v1: what the client sends
// (Go field names, null for the unused of Nodes/NodeNames) and how it reads the answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { createCa, issueLeaf } from '../../../src/auth/pki/issue.js';
import { generateKeyPair } from '../../../src/auth/pki/keys.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { HTTPExtender, parseGoDuration, type ExtenderConfig } from '../../../src/scheduler/extender/index.js';
import { lister } from '../plugins/basic-fixtures.js';

interface Call {
  verb: string;
  body: Record<string, unknown>;
}

/** A scriptable extender: each verb's answer is a function of the request body. */
type Answer = (body: Record<string, unknown>) => { status?: number; json?: unknown; hang?: boolean };

const calls: Call[] = [];
const answers = new Map<string, Answer>();
const hanging: http.ServerResponse[] = [];

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const verb = (req.url ?? '').split('/').pop() ?? '';
    const body = JSON.parse(Buffer.concat(chunks).toString() || 'null') as Record<string, unknown>;
    calls.push({ verb, body });
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/json');
    const a = answers.get(verb)?.(body) ?? { status: 404, json: {} };
    if (a.hang) {
      hanging.push(res);
      return;
    }
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a.json ?? {}));
  });
}

let server: http.Server;
let tlsServer: https.Server;
let base: string;
let tlsBase: string;
let caPem: string;
const extenders: HTTPExtender[] = [];

before(async () => {
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scheduler`;
  const caKeys = await generateKeyPair();
  caPem = await createCa(caKeys, { commonName: 'extender-ca' }, 1);
  const leafKeys = await generateKeyPair();
  const cert = await issueLeaf({ certPem: caPem, keys: caKeys }, leafKeys, { subject: { commonName: 'extender' }, usage: 'server', validityDays: 1, ips: ['127.0.0.1'], dnsNames: ['extender.local'] });
  tlsServer = https.createServer({ cert, key: leafKeys.privateKeyPem }, handler);
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}/scheduler`;
});

after(async () => {
  for (const e of extenders) e.close();
  for (const r of hanging) r.destroy();
  server.closeAllConnections();
  tlsServer.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => tlsServer.close(r));
});

function extender(config: Partial<ExtenderConfig>): HTTPExtender {
  const e = new HTTPExtender({ urlPrefix: base, ...config });
  extenders.push(e);
  return e;
}

const mkNode = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { name } } });
const nodes = ['a', 'b', 'c'].map((n) => new NodeInfo(mkNode(n)));
const thePod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'uid-p' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
const lastCall = () => calls[calls.length - 1]!;

test('filter sends the pod and full Nodes (NodeNames null) and maps the answer back to NodeInfos', async () => {
  answers.set('filter', (body) => {
    const items = (body.Nodes as { items: Node[] }).items;
    return { json: { Nodes: { items: items.filter((n) => n.metadata?.name !== 'b' && n.metadata?.name !== 'c') }, NodeNames: null, FailedNodes: { b: 'no gpu' }, FailedAndUnresolvableNodes: { c: 'wrong rack' }, Error: '' } };
  });
  const out = await extender({ filterVerb: 'filter' }).filter(thePod, nodes);
  const req = lastCall();
  assert.equal(req.verb, 'filter');
  assert.deepEqual(Object.keys(req.body).sort(), ['NodeNames', 'Nodes', 'Pod']);
  assert.equal(req.body.NodeNames, null);
  assert.equal((req.body.Pod as Pod).metadata?.uid, 'uid-p');
  assert.deepEqual((req.body.Nodes as { items: Node[] }).items.map((n) => n.metadata?.name), ['a', 'b', 'c']);
  assert.deepEqual(out.nodes.map((n) => n.name), ['a']);
  assert.strictEqual(out.nodes[0], nodes[0]);
  assert.deepEqual([...out.failedNodes], [['b', 'no gpu']]);
  assert.deepEqual([...out.failedAndUnresolvable], [['c', 'wrong rack']]);
});

test('a nodeCacheCapable extender gets NodeNames only (Nodes null); lower-case answer keys are read as Go does', async () => {
  answers.set('filter', (body) => ({ json: { nodeNames: (body.NodeNames as string[]).filter((n) => n !== 'a'), failedNodes: { a: 'busy' } } }));
  const out = await extender({ filterVerb: 'filter', nodeCacheCapable: true }).filter(thePod, nodes);
  assert.equal(lastCall().body.Nodes, null);
  assert.deepEqual(lastCall().body.NodeNames, ['a', 'b', 'c']);
  assert.deepEqual(out.nodes.map((n) => n.name), ['b', 'c']);
  assert.deepEqual(out.failedNodes.get('a'), 'busy');
  assert.equal(out.failedAndUnresolvable.size, 0);
});

test('filter errors: an Error field, a node not in the input, a non-200 code', async () => {
  answers.set('filter', () => ({ json: { Error: 'extender is sad' } }));
  await assert.rejects(extender({ filterVerb: 'filter' }).filter(thePod, nodes), /^Error: extender is sad$/);
  answers.set('filter', () => ({ json: { NodeNames: ['zzz'] } }));
  await assert.rejects(extender({ filterVerb: 'filter', nodeCacheCapable: true }).filter(thePod, nodes), /claims a filtered node "zzz" which is not found in the input node list/);
  answers.set('filter', () => ({ status: 500, json: {} }));
  await assert.rejects(extender({ filterVerb: 'filter' }).filter(thePod, nodes), new RegExp(`failed filter with extender at URL ${base}/filter, code 500`));
});

test('without a filterVerb every node passes and nothing is sent', async () => {
  const before = calls.length;
  const out = await extender({ prioritizeVerb: 'prioritize' }).filter(thePod, nodes);
  assert.equal(calls.length, before);
  assert.equal(out.nodes.length, 3);
});

test('prioritize reads a HostPriorityList and reports the configured weight', async () => {
  answers.set('prioritize', (body) => ({ json: (body.Nodes as { items: Node[] }).items.map((n, i) => ({ Host: n.metadata?.name, Score: i * 5 })) }));
  const e = extender({ prioritizeVerb: 'prioritize', weight: 3 });
  assert.equal(e.isPrioritizer(), true);
  const out = await e.prioritize(thePod, nodes);
  assert.equal(out.weight, 3);
  assert.deepEqual(out.scores, [
    { name: 'a', score: 0 },
    { name: 'b', score: 5 },
    { name: 'c', score: 10 },
  ]);
  const none = await extender({}).prioritize(thePod, nodes);
  assert.deepEqual(none, { scores: nodes.map((n) => ({ name: n.name, score: 0 })), weight: 0 });
});

test('bind sends ExtenderBindingArgs; an Error answer fails the bind', async () => {
  answers.set('bind', () => ({ json: { Error: '' } }));
  const e = extender({ bindVerb: 'bind' });
  assert.equal(e.isBinder(), true);
  await e.bind(thePod, 'a');
  assert.deepEqual(lastCall().body, { PodName: 'p', PodNamespace: 'ns', PodUID: 'uid-p', Node: 'a' });
  answers.set('bind', () => ({ json: { Error: 'no room' } }));
  await assert.rejects(e.bind(thePod, 'a'), /no room/);
  await assert.rejects(extender({}).bind(thePod, 'a'), /unexpected empty bindVerb/);
});

test('preempt: meta victims (UIDs) for a nodeCacheCapable extender, resolved back to pods of the snapshot', async () => {
  const v1: Pod = { metadata: { name: 'v1', namespace: 'ns', uid: 'u1' }, spec: { containers: [] } };
  const v2: Pod = { metadata: { name: 'v2', namespace: 'ns', uid: 'u2' }, spec: { containers: [] } };
  const infos = [new NodeInfo(mkNode('a'), v1, v2), new NodeInfo(mkNode('b'))];
  answers.set('preempt', (body) => {
    const meta = body.NodeNameToMetaVictims as Record<string, { Pods: { UID: string }[]; NumPDBViolations: number }>;
    // Keep node a with only its first victim.
    return { json: { NodeNameToMetaVictims: { a: { Pods: [meta.a!.Pods[0]], NumPDBViolations: 1 } } } };
  });
  const e = extender({ preemptVerb: 'preempt', nodeCacheCapable: true });
  assert.equal(e.supportsPreemption(), true);
  const out = await e.processPreemption(thePod, new Map([['a', { pods: [v1, v2], numPDBViolations: 2 }], ['b', { pods: [], numPDBViolations: 0 }]]), lister(infos));
  assert.equal(lastCall().body.NodeNameToVictims, null);
  assert.deepEqual(lastCall().body.NodeNameToMetaVictims, { a: { Pods: [{ UID: 'u1' }, { UID: 'u2' }], NumPDBViolations: 2 }, b: { Pods: [], NumPDBViolations: 0 } });
  assert.deepEqual([...out.keys()], ['a']);
  assert.strictEqual(out.get('a')!.pods[0], infos[0]!.pods[0]!.pod);
  assert.equal(out.get('a')!.numPDBViolations, 1);

  answers.set('preempt', () => ({ json: { NodeNameToMetaVictims: { a: { Pods: [{ UID: 'ghost' }], NumPDBViolations: 0 } } } }));
  await assert.rejects(e.processPreemption(thePod, new Map(), lister(infos)), /claims to preempt pod \(UID: &\{ghost\}\) on node: a, but the pod is not found on that node/);

  // Not node-cache-capable: whole victim pods are sent.
  answers.set('preempt', () => ({ json: { NodeNameToMetaVictims: {} } }));
  await extender({ preemptVerb: 'preempt' }).processPreemption(thePod, new Map([['a', { pods: [v1], numPDBViolations: 0 }]]), lister(infos));
  assert.deepEqual(lastCall().body.NodeNameToVictims, { a: { Pods: [v1], NumPDBViolations: 0 } });
  assert.equal(lastCall().body.NodeNameToMetaVictims, null);
});

test('httpTimeout bounds a call to an extender that does not answer', async () => {
  answers.set('slow', () => ({ hang: true }));
  const started = Date.now();
  await assert.rejects(extender({ filterVerb: 'slow', httpTimeout: '150ms' }).filter(thePod, nodes), /Client\.Timeout exceeded/);
  assert.ok(Date.now() - started < 5000);
});

test('HTTPS: verified against caData; without a CA, enableHTTPS skips verification; a wrong CA fails', async () => {
  answers.set('filter', (body) => ({ json: { NodeNames: body.NodeNames } }));
  const verified = extender({ urlPrefix: tlsBase, filterVerb: 'filter', nodeCacheCapable: true, enableHTTPS: true, tlsConfig: { caData: Buffer.from(caPem).toString('base64') } });
  assert.equal((await verified.filter(thePod, nodes)).nodes.length, 3);
  const insecure = extender({ urlPrefix: tlsBase, filterVerb: 'filter', nodeCacheCapable: true, enableHTTPS: true });
  assert.equal((await insecure.filter(thePod, nodes)).nodes.length, 3);
  const otherCa = await createCa(await generateKeyPair(), { commonName: 'other' }, 1);
  const wrong = extender({ urlPrefix: tlsBase, filterVerb: 'filter', nodeCacheCapable: true, enableHTTPS: true, tlsConfig: { caData: otherCa } });
  await assert.rejects(wrong.filter(thePod, nodes));
});

test('HTTPS with client certificates: certData/keyData (base64, as Go []byte) authenticate to an extender that requires them', async () => {
  const caKeys = await generateKeyPair();
  const ca = await createCa(caKeys, { commonName: 'mtls-ca' }, 1);
  const serverKeys = await generateKeyPair();
  const serverCert = await issueLeaf({ certPem: ca, keys: caKeys }, serverKeys, { subject: { commonName: 'extender' }, usage: 'server', validityDays: 1, dnsNames: ['extender.local'] });
  const clientKeys = await generateKeyPair();
  const clientCert = await issueLeaf({ certPem: ca, keys: caKeys }, clientKeys, { subject: { commonName: 'kube-scheduler' }, usage: 'client', validityDays: 1 });
  const mtls = https.createServer({ cert: serverCert, key: serverKeys.privateKeyPem, ca, requestCert: true, rejectUnauthorized: true }, handler);
  await new Promise<void>((r) => mtls.listen(0, '127.0.0.1', r));
  try {
    const url = `https://127.0.0.1:${(mtls.address() as AddressInfo).port}/scheduler`;
    answers.set('filter', (body) => ({ json: { NodeNames: body.NodeNames } }));
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    // serverName: the certificate names extender.local, not the IP we dial.
    const tls = { caData: b64(ca), serverName: 'extender.local' };
    const withCert = extender({ urlPrefix: url, filterVerb: 'filter', nodeCacheCapable: true, enableHTTPS: true, tlsConfig: { ...tls, certData: b64(clientCert), keyData: b64(clientKeys.privateKeyPem) } });
    assert.equal((await withCert.filter(thePod, nodes)).nodes.length, 3);
    const withoutCert = extender({ urlPrefix: url, filterVerb: 'filter', nodeCacheCapable: true, enableHTTPS: true, tlsConfig: tls });
    await assert.rejects(withoutCert.filter(thePod, nodes));
  } finally {
    mtls.closeAllConnections();
    await new Promise((r) => mtls.close(r));
  }
});

test('isInterested: every pod without managedResources; else only pods requesting or limiting one', () => {
  assert.equal(extender({}).isInterested(thePod), true);
  const e = extender({ managedResources: [{ name: 'example.com/gpu', ignoredByScheduler: true }] });
  assert.equal(e.isInterested(thePod), false);
  const limits: Pod = { ...thePod, spec: { containers: [{ name: 'c', resources: { limits: { 'example.com/gpu': '1' } } }] } };
  const initReq: Pod = { ...thePod, spec: { containers: [{ name: 'c' }], initContainers: [{ name: 'i', resources: { requests: { 'example.com/gpu': '1' } } }] } };
  assert.equal(e.isInterested(limits), true);
  assert.equal(e.isInterested(initReq), true);
});

test('name is the urlPrefix; ignorable and verbs are reported as configured', () => {
  const e = extender({ ignorable: true, filterVerb: 'f' });
  assert.equal(e.name(), base);
  assert.equal(e.isIgnorable(), true);
  assert.equal(e.isFilter(), true);
  assert.equal(e.isBinder(), false);
  assert.equal(e.supportsPreemption(), false);
});

test('parseGoDuration reads Go durations', () => {
  assert.equal(parseGoDuration('30s'), 30_000);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('30'), /invalid duration/);
  assert.throws(() => parseGoDuration('s'), /invalid duration/);
});
