// Service account tokens end to end: `kubectl create token` (a protobuf TokenRequest) issues a
// signed JWT; the token authenticates kubectl as the service account; TokenReview agrees; a
// token of a deleted account stops working.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'sa']);
  await c.kubectlOk(['create', 'serviceaccount', 'bot', '-n', 'sa']);
});
after(async () => {
  await c?.close();
});

describe('service account tokens', () => {
  test('kubectl create token returns a JWT with upstream claims', async () => {
    const token = (await c.kubectlOk(['create', 'token', 'bot', '-n', 'sa', '--duration=1h', '--audience=api'])).trim();
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:sa:bot');
    assert.deepEqual(claims.aud, ['api']);
    assert.equal(claims.exp - claims.iat, 3600);
    assert.equal(claims['kubernetes.io'].namespace, 'sa');
    assert.equal(claims['kubernetes.io'].serviceaccount.name, 'bot');
  });

  test('a token shorter than ten minutes is refused with a field error', async () => {
    const r = await c.kubectl(['create', 'token', 'bot', '-n', 'sa', '--duration=1m']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
  });

  test('the token authenticates kubectl as the service account, TokenReview confirms it, and it dies with the account', async () => {
    const token = (await c.kubectlOk(['create', 'token', 'bot', '-n', 'sa'])).trim();
    const whoami = JSON.parse(await c.kubectlOk(['auth', 'whoami', '-o', 'json', '--token', token, '--user', '']));
    assert.equal(whoami.status.userInfo.username, 'system:serviceaccount:sa:bot');
    assert.ok(whoami.status.userInfo.groups.includes('system:serviceaccounts:sa'));
    const review = await c.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) });
    assert.equal(review.status, 201);
    assert.equal(review.json().status.authenticated, true);
    assert.equal(review.json().status.user.username, 'system:serviceaccount:sa:bot');
    await c.kubectlOk(['delete', 'serviceaccount', 'bot', '-n', 'sa']);
    const after = await c.request('GET', '/api', { anonymous: true, headers: { Authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401);
    const bogus = await c.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'a.b.c' } }) });
    assert.equal(bogus.json().status.authenticated, false);
  });
});
