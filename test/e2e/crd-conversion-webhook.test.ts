// CRD conversion webhooks end to end: a real HTTPS conversion webhook (certificates from our own
// PKI code) converting between v1 (`spec.hostPort: "host:port"`, the storage version) and v2
// (`spec.host`, `spec.port`), as upstream's documentation example does; the real kubectl and
// @kubernetes/client-node reading and writing both versions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number };
  spec?: Record<string, unknown>;
}

interface Review {
  apiVersion: string;
  kind: string;
  request: { uid: string; desiredAPIVersion: string; objects: Obj[] };
}

let c: TestCluster;
let hook: WebhookServer;
let port: number;
let caBundle: string;
const reviews: Review[] = [];

/** v1 ↔ v2 of one object; names starting with "bad-" get the misbehaviour their name says. */
function convertOne(o: Obj, to: string): Obj {
  const out: Obj = { ...o, apiVersion: to, metadata: { ...o.metadata } };
  const spec = { ...(o.spec ?? {}) };
  if (to.endsWith('/v2') && typeof spec.hostPort === 'string') {
    const [host, p] = spec.hostPort.split(':');
    delete spec.hostPort;
    Object.assign(spec, { host, port: Number(p) });
  } else if (to.endsWith('/v1') && 'host' in spec) {
    spec.hostPort = `${String(spec.host)}:${String(spec.port)}`;
    delete spec.host;
    delete spec.port;
  }
  out.spec = spec;
  const name = o.metadata.name;
  if (name === 'bad-rename') out.metadata.name = 'renamed';
  if (name === 'bad-meta') {
    // The labels are the webhook's to change; the rest of metadata is not.
    out.metadata.labels = { ...o.metadata.labels, converted: 'yes' };
    out.metadata.generation = 99;
    out.metadata.annotations = { note: 'from the webhook' };
  }
  if (name === 'bad-label') out.metadata.labels = { 'not a label key!': 'x' };
  if (name === 'bad-extra') (out.spec as Record<string, unknown>).unknownField = 'pruned';
  return out;
}

function answer(path: string, review: Review): object {
  const { uid, desiredAPIVersion, objects } = review.request;
  const reply = (response: object) => ({ apiVersion: review.apiVersion, kind: 'ConversionReview', response: { uid, ...response } });
  if (path === '/fail' || objects.some((o) => o.metadata.name === 'bad-fail')) return reply({ result: { status: 'Failure', message: 'refusing to convert' } });
  if (path === '/wrong-uid') return { ...reply({ convertedObjects: objects.map((o) => convertOne(o, desiredAPIVersion)), result: { status: 'Success' } }), response: { uid: 'nope', result: { status: 'Success' } } };
  const converted = objects.map((o) => convertOne(o, desiredAPIVersion));
  if (path === '/short') converted.pop();
  if (path === '/wrong-version') for (const o of converted) o.apiVersion = 'conv.example.com/v9';
  return reply({ convertedObjects: converted, result: { status: 'Success' } });
}

before(async () => {
  c = await startTestCluster();
  // The shared webhook test server types what it receives as an AdmissionReview; these are ConversionReviews.
  hook = await startWebhookServer((path, body) => {
    const review = body as unknown as Review;
    reviews.push(review);
    return answer(path, review);
  });
  ({ port, caBundle } = hook);
});

after(async () => {
  hook?.close();
  await c?.close();
});

const props = {
  v1: { type: 'object', properties: { spec: { type: 'object', properties: { hostPort: { type: 'string' } } } } },
  v2: { type: 'object', properties: { spec: { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } } } },
};

/** A CRD of kind `kind` converted by the test webhook at `path` (url), or at `url` itself. */
function crd(plural: string, kind: string, opts: { path?: string; url?: string; reviewVersions?: string[] } = {}): string {
  return stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.conv.example.com` },
    spec: {
      group: 'conv.example.com',
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind },
      versions: [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: props.v1 } },
        { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: props.v2 }, additionalPrinterColumns: [{ name: 'Port', type: 'integer', jsonPath: '.spec.port' }] },
      ],
      conversion: {
        strategy: 'Webhook',
        webhook: { clientConfig: { url: opts.url ?? `https://127.0.0.1:${port}${opts.path ?? '/convert'}`, caBundle }, conversionReviewVersions: opts.reviewVersions ?? ['v1'] },
      },
    },
  });
}

async function defineCRD(plural: string, kind: string, opts?: Parameters<typeof crd>[2]): Promise<void> {
  await c.kubectlOk(['apply', '-f', '-'], { stdin: crd(plural, kind, opts) });
  await c.kubectlOk(['wait', '--for', 'condition=Established', `crd/${plural}.conv.example.com`, '--timeout=10s']);
}

const v1Object = (kind: string, name: string, hostPort: string, labels?: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'conv.example.com/v1', kind, metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) }, spec: { hostPort } });

const reviewsFor = (name: string) => reviews.filter((r) => r.request.objects.some((o) => o.metadata.name === name));

describe('CRD conversion webhooks', () => {
  before(() => defineCRD('backends', 'Backend'));

  test('an object written as v1 reads as v2 through the webhook, with v2 defaults, in upstream\'s ConversionReview', async () => {
    await c.kubectlOk(['create', '-f', '-'], { stdin: v1Object('Backend', 'one', 'db.local:5432') });
    assert.equal(reviewsFor('one').length, 0, 'a write at the storage version needs no conversion');
    const v2 = JSON.parse(await c.kubectlOk(['get', 'backends.v2.conv.example.com', 'one', '-o', 'json']));
    assert.equal(v2.apiVersion, 'conv.example.com/v2');
    assert.deepEqual(v2.spec, { host: 'db.local', port: 5432, protocol: 'TCP' });
    const [review] = reviewsFor('one');
    assert.equal(review.apiVersion, 'apiextensions.k8s.io/v1');
    assert.equal(review.kind, 'ConversionReview');
    assert.equal(review.request.desiredAPIVersion, 'conv.example.com/v2');
    assert.match(review.request.uid, /^[0-9a-f-]{36}$/);
    assert.equal(review.request.objects[0].apiVersion, 'conv.example.com/v1');
    assert.equal(review.request.objects[0].spec?.hostPort, 'db.local:5432');
    // The storage version is read without a call.
    const before = reviews.length;
    const v1 = JSON.parse(await c.kubectlOk(['get', 'backends.v1.conv.example.com', 'one', '-o', 'json']));
    assert.deepEqual(v1.spec, { hostPort: 'db.local:5432' });
    assert.equal(reviews.length, before);
  });

  test('a v2 create is stored as v1 and answered as v2; a v2 merge patch changes the stored v1 object', async () => {
    const created = JSON.parse(
      await c.kubectlOk(['create', '-o', 'json', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'conv.example.com/v2', kind: 'Backend', metadata: { name: 'two', namespace: 'default' }, spec: { host: 'cache.local', port: 6379 } }) }),
    );
    assert.equal(created.apiVersion, 'conv.example.com/v2');
    assert.deepEqual(created.spec, { host: 'cache.local', port: 6379, protocol: 'TCP' });
    const stored = JSON.parse(await c.kubectlOk(['get', 'backends.v1.conv.example.com', 'two', '-o', 'json']));
    // v2's defaulted protocol has no place in v1: the webhook leaves it, pruning to v1's schema drops it.
    assert.deepEqual(stored.spec, { hostPort: 'cache.local:6379' });
    assert.equal(stored.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.ok(reviewsFor('two').some((r) => r.request.desiredAPIVersion === 'conv.example.com/v1'), 'the v2 object went to the webhook for storage');

    await c.kubectlOk(['patch', 'backends.v2.conv.example.com', 'two', '--type=merge', '-p', '{"spec":{"port":6380}}']);
    const patched = JSON.parse(await c.kubectlOk(['get', 'backends.v1.conv.example.com', 'two', '-o', 'json']));
    assert.equal(patched.spec.hostPort, 'cache.local:6380');
    assert.equal(patched.metadata.generation, 2);
  });

  test('a v2 list is converted in one review, and kubectl prints v2\'s printer columns', async () => {
    await c.kubectlOk(['create', '-f', '-'], { stdin: v1Object('Backend', 'three', 'mq.local:5672') });
    const before = reviews.length;
    const list = JSON.parse(await c.kubectlOk(['get', 'backends.v2.conv.example.com', '-o', 'json']));
    assert.deepEqual(list.items.map((i: Obj) => `${i.metadata.name} ${i.apiVersion} ${String(i.spec?.port)}`), ['one conv.example.com/v2 5432', 'three conv.example.com/v2 5672', 'two conv.example.com/v2 6380']);
    const listed = reviews.slice(before);
    assert.equal(listed.length, 1, 'one ConversionReview for the whole list');
    assert.equal(listed[0].request.objects.length, 3);
    const table = await c.kubectlOk(['get', 'backends.v2.conv.example.com', 'three']);
    assert.match(table, /^NAME\s+PORT\s*\nthree\s+5672\s*$/);
  });

  test('a v2 watch through @kubernetes/client-node gets the current objects and every event converted, in order', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const seen: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    // No resourceVersion: the current objects come first, as ADDED events.
    const before = reviews.length;
    const req = await new k8s.Watch(kc).watch(
      '/apis/conv.example.com/v2/namespaces/default/backends',
      {},
      (type, obj: Obj) => {
        seen.push(`${type} ${obj.metadata.name} ${obj.apiVersion} ${String(obj.spec?.port)}`);
        if (type === 'DELETED') done();
      },
      () => undefined,
    );
    await c.kubectlOk(['create', '-f', '-'], { stdin: v1Object('Backend', 'watched', 'w.local:1') });
    for (let i = 2; i <= 4; i++) await c.kubectlOk(['patch', 'backends.v1.conv.example.com', 'watched', '--type=merge', '-p', JSON.stringify({ spec: { hostPort: `w.local:${i}` } })]);
    await c.kubectlOk(['delete', 'backends.v1.conv.example.com', 'watched']);
    await finished;
    req.abort();
    // The initial events arrive together: one review converts them all.
    assert.deepEqual(reviews[before].request.objects.map((o) => o.metadata.name), ['one', 'three', 'two']);
    assert.deepEqual(seen, [
      'ADDED one conv.example.com/v2 5432',
      'ADDED three conv.example.com/v2 5672',
      'ADDED two conv.example.com/v2 6380',
      'ADDED watched conv.example.com/v2 1',
      'MODIFIED watched conv.example.com/v2 2',
      'MODIFIED watched conv.example.com/v2 3',
      'MODIFIED watched conv.example.com/v2 4',
      'DELETED watched conv.example.com/v2 4',
    ]);
  });

  test('kubectl apply, server-side and client-side, works through v2 and the stored object follows', async () => {
    const applied = (port: number) => JSON.stringify({ apiVersion: 'conv.example.com/v2', kind: 'Backend', metadata: { name: 'applied', namespace: 'default' }, spec: { host: 'ssa.local', port } });
    await c.kubectlOk(['apply', '--server-side', '-f', '-'], { stdin: applied(1) });
    await c.kubectlOk(['apply', '--server-side', '-f', '-'], { stdin: applied(2) });
    const v2 = JSON.parse(await c.kubectlOk(['get', 'backends.v2.conv.example.com', 'applied', '-o', 'json']));
    assert.deepEqual(v2.spec, { host: 'ssa.local', port: 2, protocol: 'TCP' });
    assert.equal(JSON.parse(await c.kubectlOk(['get', 'backends.v1.conv.example.com', 'applied', '-o', 'json'])).spec.hostPort, 'ssa.local:2');
    await c.kubectlOk(['delete', 'backends.v2.conv.example.com', 'applied']);
    const csa = (port: number) => JSON.stringify({ apiVersion: 'conv.example.com/v2', kind: 'Backend', metadata: { name: 'csa', namespace: 'default' }, spec: { host: 'csa.local', port } });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: csa(1) });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: csa(3) });
    assert.equal(JSON.parse(await c.kubectlOk(['get', 'backends.v1.conv.example.com', 'csa', '-o', 'json'])).spec.hostPort, 'csa.local:3');
    const deleted = await c.kubectlOk(['delete', 'backends.v2.conv.example.com', 'csa']);
    assert.match(deleted, /backend\.conv\.example\.com "csa" deleted/);
  });

  test('metadata other than labels and annotations is restored; fields v2 does not know are pruned', async () => {
    await c.kubectlOk(['create', '-f', '-'], { stdin: v1Object('Backend', 'bad-meta', 'm.local:1', { app: 'x' }) });
    const v2 = JSON.parse(await c.kubectlOk(['get', 'backends.v2.conv.example.com', 'bad-meta', '-o', 'json']));
    assert.deepEqual(v2.metadata.labels, { app: 'x', converted: 'yes' });
    assert.deepEqual(v2.metadata.annotations, { note: 'from the webhook' });
    assert.equal(v2.metadata.generation, 1);
    await c.kubectlOk(['create', '-f', '-'], { stdin: v1Object('Backend', 'bad-extra', 'e.local:1') });
    const pruned = JSON.parse(await c.kubectlOk(['get', 'backends.v2.conv.example.com', 'bad-extra', '-o', 'json']));
    assert.deepEqual(pruned.spec, { host: 'e.local', port: 1, protocol: 'TCP' });
  });

  test('a webhook that fails, renames, or answers invalid labels makes the read a 500 with upstream\'s message', async () => {
    const cases: [string, RegExp][] = [
      ['bad-fail', /^Error from server: conversion webhook for conv\.example\.com\/v1, Kind=Backend failed: refusing to convert$/m],
      ['bad-rename', /^Error from server: conversion webhook for conv\.example\.com\/v1, Kind=Backend returned invalid object: must have the same name: bad-rename != renamed$/m],
      ['bad-label', /^Error from server: conversion webhook for conv\.example\.com\/v1, Kind=Backend returned invalid metadata: metadata\.labels: Invalid value: "not a label key!": name part must consist of alphanumeric characters/m],
    ];
    for (const [name, message] of cases) {
      await c.kubectlOk(['create', '-f', '-'], { stdin: v1Object('Backend', name, 'f.local:1') });
      const got = await c.kubectl(['get', 'backends.v2.conv.example.com', name]);
      assert.notEqual(got.code, 0);
      assert.match(got.stderr, message);
      // The stored version still reads.
      await c.kubectlOk(['get', 'backends.v1.conv.example.com', name]);
    }
    const raw = await c.request('GET', '/apis/conv.example.com/v2/namespaces/default/backends/bad-fail');
    assert.equal(raw.status, 500);
    const status = raw.json();
    assert.equal(status.reason, undefined, 'upstream answers a plain error: reason Unknown, omitted');
    // A list with one object the webhook refuses fails whole.
    const listed = await c.request('GET', '/apis/conv.example.com/v2/namespaces/default/backends');
    assert.equal(listed.status, 500);
    assert.equal(listed.json().message, 'conversion webhook for conv.example.com/v2, Kind=BackendList failed: refusing to convert');
    for (const [name] of cases) await c.kubectlOk(['delete', 'backends.v1.conv.example.com', name]);
  });
});

describe('CRD conversion webhooks that misbehave or are unreachable', () => {
  const readV2 = async (plural: string, kind: string, opts: Parameters<typeof crd>[2]) => {
    await defineCRD(plural, kind, opts);
    await c.kubectlOk(['create', '-f', '-'], { stdin: v1Object(kind, 'x', 'h:1') });
    return c.request('GET', `/apis/conv.example.com/v2/namespaces/default/${plural}/x`);
  };

  test('a reply for another request, too few objects, or the wrong version is refused with upstream\'s message', async () => {
    const uid = await readV2('uids', 'Uid', { path: '/wrong-uid' });
    assert.equal(uid.status, 500);
    assert.match(uid.json().message, /^conversion webhook for conv\.example\.com\/v1, Kind=Uid failed: expected response\.uid="[0-9a-f-]{36}", got "nope"$/);
    const short = await readV2('shorts', 'Short', { path: '/short' });
    assert.equal(short.json().message, 'conversion webhook for conv.example.com/v1, Kind=Short returned 0 objects, expected 1');
    const version = await readV2('versions', 'Version', { path: '/wrong-version' });
    assert.equal(version.json().message, 'conversion webhook for conv.example.com/v1, Kind=Version returned invalid object at index 0: invalid groupVersion (expected conv.example.com/v2, received conv.example.com/v9)');
  });

  test('an unreachable webhook fails reads and writes that need it; the storage version still works', async () => {
    const down = await readV2('downs', 'Down', { url: 'https://127.0.0.1:1/convert' });
    assert.equal(down.status, 500);
    assert.match(down.json().message, /^conversion webhook for conv\.example\.com\/v1, Kind=Down failed: Post "https:\/\/127\.0\.0\.1:1\/convert": .*ECONNREFUSED/);
    const write = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'conv.example.com/v2', kind: 'Down', metadata: { name: 'y', namespace: 'default' }, spec: { host: 'h', port: 2 } }) });
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /conversion webhook for conv\.example\.com\/v2, Kind=Down failed: Post/);
    assert.equal((await c.request('GET', '/apis/conv.example.com/v1/namespaces/default/downs/y')).status, 404, 'nothing was stored');
    await c.kubectlOk(['get', 'downs.v1.conv.example.com', 'x']);
  });

  test('a webhook that speaks only v1beta1 gets an apiextensions.k8s.io/v1beta1 ConversionReview', async () => {
    const before = reviews.length;
    const got = await readV2('olds', 'Old', { reviewVersions: ['v1beta1'] });
    assert.equal(got.status, 200, got.body);
    assert.deepEqual(got.json().spec, { host: 'h', port: 1, protocol: 'TCP' });
    assert.deepEqual(
      reviews.slice(before).map((r) => r.apiVersion),
      ['apiextensions.k8s.io/v1beta1'],
    );
  });
});

describe('admission webhooks for another version of a converted resource (matchPolicy Equivalent)', () => {
  let admission: WebhookServer;
  before(async () => {
    admission = await startWebhookServer((path, review) => {
      if (path !== '/patch-v1') return undefined;
      // A patch in v1's terms, applied to the object as v1 presents it.
      const patch = [{ op: 'replace', path: '/spec/hostPort', value: 'patched.local:7' }];
      return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') } };
    });
  });
  after(() => admission?.close());

  const configuration = (kind: 'Mutating' | 'Validating', name: string, path: string, matchPolicy?: string) =>
    stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: `${kind}WebhookConfiguration`,
      metadata: { name },
      webhooks: [
        admission.webhook(`${name}.example.com`, path, {
          rules: [{ operations: ['CREATE'], apiGroups: ['conv.example.com'], apiVersions: ['v1'], resources: ['backends'] }],
          objectSelector: { matchLabels: { hooked: name } },
          ...(matchPolicy ? { matchPolicy } : {}),
        }),
      ],
    });
  const v2Object = (name: string, hooked: string) => JSON.stringify({ apiVersion: 'conv.example.com/v2', kind: 'Backend', metadata: { name, namespace: 'default', labels: { hooked } }, spec: { host: 'eq.local', port: 1 } });

  test('a webhook whose rules name v1 is called for a v2 write with the object converted to v1, and names both versions', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'equivalent', '/allow') });
    await c.kubectlOk(['create', '-f', '-'], { stdin: v2Object('eq-one', 'equivalent') });
    const review = admission.calls.find((x) => x.review.request.name === 'eq-one')!.review.request as unknown as Record<string, unknown> & { object: Obj };
    assert.deepEqual(review.kind, { group: 'conv.example.com', version: 'v1', kind: 'Backend' });
    assert.deepEqual(review.resource, { group: 'conv.example.com', version: 'v1', resource: 'backends' });
    assert.deepEqual(review.requestKind, { group: 'conv.example.com', version: 'v2', kind: 'Backend' });
    assert.deepEqual(review.requestResource, { group: 'conv.example.com', version: 'v2', resource: 'backends' });
    assert.equal(review.object.apiVersion, 'conv.example.com/v1');
    assert.deepEqual(review.object.spec, { hostPort: 'eq.local:1' }, 'converted by the CRD\'s conversion webhook');
  });

  test('with matchPolicy Exact the same webhook is not called for v2', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'exact', '/allow', 'Exact') });
    await c.kubectlOk(['create', '-f', '-'], { stdin: v2Object('eq-two', 'exact') });
    assert.equal(admission.calls.filter((x) => x.review.request.name === 'eq-two').length, 0);
  });

  test('a mutating webhook\'s v1 patch of a v2 write is converted back and stored', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Mutating', 'patching', '/patch-v1') });
    const created = JSON.parse(await c.kubectlOk(['create', '-o', 'json', '-f', '-'], { stdin: v2Object('eq-three', 'patching') }));
    assert.deepEqual(created.spec, { host: 'patched.local', port: 7, protocol: 'TCP' });
    assert.equal(JSON.parse(await c.kubectlOk(['get', 'backends.v1.conv.example.com', 'eq-three', '-o', 'json'])).spec.hostPort, 'patched.local:7');
  });
});


describe('ValidatingAdmissionPolicy for another version of a converted resource (matchPolicy Equivalent)', () => {
  before(() => defineCRD('backends', 'Backend'));
  const onV1 = [{ operations: ['CREATE'], apiGroups: ['conv.example.com'], apiVersions: ['v1'], resources: ['backends'] }];
  // spec.hostPort exists only in v1: the v2 object as the CRD's conversion webhook gives it in v1.
  const validation = {
    expression: "object.spec.hostPort != 'deny.local:1'",
    messageExpression: "'kind ' + request.kind.version + ', requestKind ' + request.requestKind.version + ', resource ' + request.resource.version + ', requestResource ' + request.requestResource.version + ', object ' + object.apiVersion + ' ' + object.spec.hostPort",
  };
  const policy = (name: string, matchPolicy?: string) =>
    stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: { matchConstraints: { resourceRules: onV1, objectSelector: { matchLabels: { vap: name } }, ...(matchPolicy ? { matchPolicy } : {}) }, validations: [validation] },
    }) +
    '---\n' +
    stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName: name, validationActions: ['Deny'] } });
  const create = (version: string, name: string, vap: string) => {
    const spec = version === 'v1' ? { hostPort: 'deny.local:1' } : { host: 'deny.local', port: 1 };
    const body = JSON.stringify({ apiVersion: `conv.example.com/${version}`, kind: 'Backend', metadata: { name, namespace: 'default', labels: { vap } }, spec });
    return c.request('POST', `/apis/conv.example.com/${version}/namespaces/default/backends`, { body, headers: { 'content-type': 'application/json' } });
  };

  test('a policy whose rules name v1 denies a v2 create, its expressions seeing the object converted to v1 and both versions in request', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: policy('vap-equivalent') });
    const refused = await create('v2', 'vap-eq', 'vap-equivalent');
    assert.equal(refused.status, 422);
    assert.equal(
      refused.json().message,
      'backends.conv.example.com "vap-eq" is forbidden: ValidatingAdmissionPolicy \'vap-equivalent\' with binding \'vap-equivalent\' denied request: kind v1, requestKind v2, resource v1, requestResource v2, object conv.example.com/v1 deny.local:1',
    );
    assert.ok(reviewsFor('vap-eq').some((r) => r.request.desiredAPIVersion === 'conv.example.com/v1'), 'converted by the CRD\'s conversion webhook');
    // Requested as v1, the request names v1 throughout.
    const direct = await create('v1', 'vap-eq-v1', 'vap-equivalent');
    assert.equal(direct.status, 422);
    assert.match(direct.json().message, /denied request: kind v1, requestKind v1, resource v1, requestResource v1, object conv\.example\.com\/v1 deny\.local:1$/);
    // A conversion that fails is the policy's configuration error (failurePolicy Fail).
    const unconvertible = await create('v2', 'bad-fail', 'vap-equivalent');
    assert.match(unconvertible.json().message, /ValidatingAdmissionPolicy 'vap-equivalent' denied request: failed to configure policy: conversion webhook for conv\.example\.com\/v2, Kind=Backend failed: refusing to convert$/);
  });

  test('with matchPolicy Exact the same policy does not apply to a v2 create, only to a v1 one', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: policy('vap-exact', 'Exact') });
    assert.equal((await create('v2', 'vap-exact', 'vap-exact')).status, 201);
    assert.equal((await create('v1', 'vap-exact-v1', 'vap-exact')).status, 422);
  });
});
