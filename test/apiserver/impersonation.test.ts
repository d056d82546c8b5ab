// Impersonation headers are found wherever a request carries them — HTTP/1.1 names in any case
// (read from the raw header list), HTTP/2 names, Impersonate-Extra-* alone — and a request
// without any runs as its own user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session } from 'node:http2';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const reviewPath = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const review = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });

interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

describe('impersonation', () => {
  let c: TestCluster;
  let session: ClientHttp2Session;
  before(async () => {
    c = await startTestCluster({ serviceAccounts: false });
    session = connect(c.url, { ca: c.server.pki.caCertPem, cert: c.server.pki.adminCertPem, key: c.server.pki.adminKeyPem });
  });
  after(async () => {
    session.close();
    await c.close();
  });

  const overHttp1 = async (headers: Record<string, string>): Promise<{ status: number; user?: UserInfo }> => {
    const res = await c.request('POST', reviewPath, { body: review, headers });
    return { status: res.status, user: res.status === 201 ? res.json().status.userInfo : undefined };
  };
  const overHttp2 = (headers: Record<string, string>): Promise<{ status: number; user?: UserInfo }> =>
    new Promise((resolve, reject) => {
      const s = session.request({ ':method': 'POST', ':path': reviewPath, 'content-type': 'application/json', ...headers });
      let status = 0;
      let body = '';
      s.on('response', (h) => (status = Number(h[':status'])));
      s.setEncoding('utf8');
      s.on('data', (d: string) => (body += d));
      s.on('end', () => resolve({ status, user: status === 201 ? JSON.parse(body).status.userInfo : undefined }));
      s.on('error', reject);
      s.end(review);
    });

  for (const [name, send] of [
    ['HTTP/1.1', overHttp1],
    ['HTTP/2', overHttp2],
  ] as const) {
    test(`${name}: no impersonation headers: the certificate's user`, async () => {
      const a = await send({});
      assert.equal(a.status, 201);
      assert.notEqual(a.user?.username, 'jane');
      assert.ok(a.user?.groups.includes('system:authenticated'));
    });
    test(`${name}: user, groups, uid and extra, names in mixed case`, async () => {
      const a = await send({ 'Impersonate-User': 'jane', 'IMPERSONATE-GROUP': 'devs', 'impersonate-uid': 'u-1', 'Impersonate-Extra-Scopes': 'a, b' });
      assert.equal(a.status, 201);
      assert.deepEqual(a.user, { username: 'jane', groups: ['devs', 'system:authenticated'], uid: 'u-1', extra: { scopes: ['a', 'b'] } });
    });
    test(`${name}: a service account gets its groups`, async () => {
      const a = await send({ 'Impersonate-User': 'system:serviceaccount:ns1:robot' });
      assert.deepEqual(a.user?.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
    });
    test(`${name}: extra without a user is refused`, async () => {
      assert.equal((await send({ 'Impersonate-Extra-Scopes': 'a' })).status, 400);
      assert.equal((await send({ 'Impersonate-Group': 'devs' })).status, 400);
    });
  }
});
