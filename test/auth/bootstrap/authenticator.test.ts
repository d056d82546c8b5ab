// The bootstrap-token authenticator against the real API server: Secrets written through the API,
// tokens checked by the filter the server runs (over its watch cache), and over HTTPS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { bootstrapTokenAuthenticator } from '../../../src/apiserver/filters/bootstrap-token-authenticator.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { Client } from '../../../src/client/rest/client.js';
import { newTokenSecret, parseToken, generateToken, formatToken } from '../../../src/auth/bootstrap/token.js';
import { authenticateBootstrapToken } from '../../../src/auth/bootstrap/authenticate.js';

let api: InProcessApi;
let admin: Client;
let now = Date.now();

before(async () => {
  api = await startInProcessApi();
  admin = api.client();
});

after(async () => {
  await api.close();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function put(secret: Secret): Promise<void> {
  await admin.resource(resources.secrets).create(secret as never, { namespace: 'kube-system' });
}

function authenticate(token: string) {
  return bootstrapTokenAuthenticator(api.api.cache, api.api.registry, undefined, () => now).authenticate(token);
}

test('a valid token authenticates as system:bootstrap:<id> in system:bootstrappers and its extra groups', async () => {
  const token = { id: 'abcdef', secret: '0123456789abcdef' };
  await put(newTokenSecret({ token, ttlMs: 3_600_000, groups: ['system:bootstrappers:kubeadm:default-node-token', 'system:bootstrappers:extra'] }));
  const user = await authenticate('abcdef.0123456789abcdef');
  assert.deepEqual(user, {
    username: 'system:bootstrap:abcdef',
    groups: ['system:bootstrappers', 'system:bootstrappers:extra', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
  });
});

test('a wrong secret, an unknown id, or a string that is not a token is refused', async () => {
  assert.equal(await authenticate('abcdef.0123456789abcdee'), undefined);
  assert.equal(await authenticate('zzzzzz.0123456789abcdef'), undefined);
  assert.equal(await authenticate('abcdef.0123456789abcdef.x'), undefined);
  assert.equal(await authenticate('ABCDEF.0123456789ABCDEF'), undefined);
});

test('an expired token is refused, and so is one whose expiration does not parse', async () => {
  const token = { id: 'expird', secret: 'aaaaaaaaaaaaaaaa' };
  await put(newTokenSecret({ token, ttlMs: 60_000, now }));
  assert.ok(await authenticate(formatToken(token)), 'valid before it expires');
  const saved = now;
  now += 61_000;
  try {
    assert.equal(await authenticate(formatToken(token)), undefined);
  } finally {
    now = saved;
  }
  const broken = newTokenSecret({ token: { id: 'badexp', secret: 'bbbbbbbbbbbbbbbb' }, ttlMs: 0 });
  broken.data!.expiration = b64('tomorrow');
  await put(broken);
  assert.equal(await authenticate('badexp.bbbbbbbbbbbbbbbb'), undefined);
});

test('a token without usage-bootstrap-authentication "true" is refused', async () => {
  await put(newTokenSecret({ token: { id: 'signon', secret: 'cccccccccccccccc' }, ttlMs: 0, usages: ['signing'] }));
  assert.equal(await authenticate('signon.cccccccccccccccc'), undefined);
});

test('a Secret with the wrong name, type or token-id does not make a token valid', async () => {
  // Right data under another name: the authenticator only looks up bootstrap-token-<id>.
  const misnamed = newTokenSecret({ token: { id: 'nameid', secret: 'dddddddddddddddd' }, ttlMs: 0 });
  misnamed.metadata!.name = 'my-token-nameid';
  await put(misnamed);
  assert.equal(await authenticate('nameid.dddddddddddddddd'), undefined);
  const opaque = newTokenSecret({ token: { id: 'opaque', secret: 'eeeeeeeeeeeeeeee' }, ttlMs: 0 });
  opaque.type = 'Opaque';
  await put(opaque);
  assert.equal(await authenticate('opaque.eeeeeeeeeeeeeeee'), undefined);
  const otherId = newTokenSecret({ token: { id: 'idmism', secret: 'ffffffffffffffff' }, ttlMs: 0 });
  otherId.data!['token-id'] = b64('zzzzzz');
  await put(otherId);
  assert.equal(await authenticate('idmism.ffffffffffffffff'), undefined);
});

test('an extra group outside system:bootstrappers: makes the token unusable', async () => {
  const s = newTokenSecret({ token: { id: 'grpbad', secret: 'gggggggggggggggg' }, ttlMs: 0 });
  s.data!['auth-extra-groups'] = b64('system:masters');
  const r = await authenticateBootstrapToken('grpbad.gggggggggggggggg', () => s);
  assert.deepEqual(r, { rejected: 'invalid extra groups' });
  assert.throws(() => newTokenSecret({ token: generateToken(), ttlMs: 0, groups: ['system:masters'] }), /must match/);
});

test('generated tokens have the upstream format', () => {
  for (let i = 0; i < 20; i++) assert.ok(parseToken(formatToken(generateToken())));
});

test('over HTTPS a bootstrap token is accepted and a wrong one gets 401', async () => {
  let cluster: TestCluster | undefined;
  try {
    cluster = await startTestCluster();
    const create = await cluster.request('POST', '/api/v1/namespaces/kube-system/secrets', {
      body: JSON.stringify(newTokenSecret({ token: { id: 'httpsx', secret: 'hhhhhhhhhhhhhhhh' }, ttlMs: 3_600_000 })),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(create.status, 201, create.body);
    // kubeadm's kubeadm:kubelet-bootstrap binding lets the token's group read CSRs, and nothing else.
    const ok = await cluster.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { anonymous: true, headers: { authorization: 'Bearer httpsx.hhhhhhhhhhhhhhhh' } });
    assert.equal(ok.status, 200, ok.body);
    const other = await cluster.request('GET', '/api/v1/namespaces/default/configmaps', { anonymous: true, headers: { authorization: 'Bearer httpsx.hhhhhhhhhhhhhhhh' } });
    assert.equal(other.json().message, 'configmaps is forbidden: User "system:bootstrap:httpsx" cannot list resource "configmaps" in API group "" in the namespace "default"');
    const bad = await cluster.request('GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { anonymous: true, headers: { authorization: 'Bearer httpsx.hhhhhhhhhhhhhhhx' } });
    assert.equal(bad.status, 401);
  } finally {
    await cluster?.close();
  }
});
