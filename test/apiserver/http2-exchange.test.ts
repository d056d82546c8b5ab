// HTTP/2 streams are served through a thin request/response pair (http2-exchange.ts), not Node's
// compatibility API: each stream must get exactly one complete answer, with the status, headers
// and body the handlers wrote, for every way a response ends (a body, none, HEAD, 304, a watch
// the client cancels, a client that goes away mid-request), and HTTP/1.1 must be served as before.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Informational (1xx) responses seen before the final one. */
  informational: number[];
}

describe('HTTP/2 exchanges', () => {
  let c: TestCluster;
  let session: ClientHttp2Session;
  before(async () => {
    c = await startTestCluster();
    session = connect(c.url, { ca: c.server.pki.caCertPem, cert: c.server.pki.adminCertPem, key: c.server.pki.adminKeyPem });
  });
  after(async () => {
    session.close();
    await c.close();
  });

  const exchange = (headers: Record<string, string>, body?: string | Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const s = session.request({ accept: 'application/json', ...headers }, { endStream: body === undefined });
      const a: Answer = { status: 0, headers: {}, body: '', informational: [] };
      let responses = 0;
      s.on('headers', (h) => a.informational.push(Number(h[':status'])));
      s.on('response', (h) => {
        responses++;
        a.status = Number(h[':status']);
        a.headers = h;
      });
      s.setEncoding('utf8');
      s.on('data', (d: string) => (a.body += d));
      s.on('end', () => (responses === 1 ? resolve(a) : reject(new Error(`${responses} responses on one stream`))));
      s.on('error', reject);
      if (body !== undefined) s.end(body);
    });

  test('a create answers 201 with its JSON, its length and the client certificate user', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h2-a' }, data: { k: 'v' } });
    const a = await exchange({ ':method': 'POST', ':path': '/api/v1/namespaces/default/configmaps', 'content-type': 'application/json' }, body);
    assert.equal(a.status, 201);
    assert.equal(a.headers['content-type'], 'application/json');
    assert.equal(Number(a.headers['content-length']), Buffer.byteLength(a.body));
    const obj = JSON.parse(a.body);
    assert.equal(obj.metadata.name, 'h2-a');
    assert.equal(obj.metadata.managedFields[0].manager, 'unknown');
    const who = JSON.parse((await exchange({ ':method': 'POST', ':path': '/apis/authentication.k8s.io/v1/selfsubjectreviews', 'content-type': 'application/json' }, JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }))).body);
    assert.equal(who.status.userInfo.username, 'kubernetes-admin');
  });

  test('a body of many DATA frames is read whole', async () => {
    const big = 'x'.repeat(600_000);
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h2-big' }, data: { big } });
    const a = await exchange({ ':method': 'POST', ':path': '/api/v1/namespaces/default/configmaps', 'content-type': 'application/json' }, body);
    assert.equal(a.status, 201);
    assert.equal(JSON.parse(a.body).data.big.length, big.length);
  });

  test('errors are Status objects', async () => {
    const a = await exchange({ ':path': '/api/v1/namespaces/default/configmaps/missing' });
    assert.equal(a.status, 404);
    assert.equal(JSON.parse(a.body).reason, 'NotFound');
  });

  test('HEAD answers the headers without a body', async () => {
    const a = await exchange({ ':method': 'HEAD', ':path': '/version' });
    assert.equal(a.status, 200);
    assert.equal(a.body, '');
  });

  test('a 304 to an ETag carries no body', async () => {
    const root = JSON.parse((await exchange({ ':path': '/openapi/v3' })).body);
    const url = root.paths['api/v1'].serverRelativeURL as string;
    const doc = await exchange({ ':path': url });
    assert.equal(doc.status, 200);
    const again = await exchange({ ':path': url, 'if-none-match': String(doc.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  });

  test('Expect: 100-continue is answered with 100 before the response; another expectation with 417', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h2-expect' } });
    const a = await exchange({ ':method': 'POST', ':path': '/api/v1/namespaces/default/configmaps', 'content-type': 'application/json', expect: '100-continue' }, body);
    assert.deepEqual(a.informational, [100]);
    assert.equal(a.status, 201);
    const b = await exchange({ ':path': '/version', expect: 'something-else' });
    assert.equal(b.status, 417);
  });

  test('a watch streams events; the client cancelling it leaves the server serving', async () => {
    const s = session.request({ ':path': '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0', accept: 'application/json' });
    s.setEncoding('utf8');
    let buf = '';
    const seen = new Promise<void>((resolve, reject) => {
      s.on('data', (d: string) => {
        buf += d;
        if (buf.includes('"h2-watched"')) resolve();
      });
      s.on('error', reject);
    });
    const status = await new Promise<number>((resolve) => s.on('response', (h) => resolve(Number(h[':status']))));
    assert.equal(status, 200);
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h2-watched' } });
    assert.equal((await exchange({ ':method': 'POST', ':path': '/api/v1/namespaces/default/configmaps', 'content-type': 'application/json' }, body)).status, 201);
    await seen;
    const closed = new Promise((resolve) => s.on('close', resolve));
    s.close(constants.NGHTTP2_CANCEL);
    await closed;
    assert.equal((await exchange({ ':path': '/version' })).status, 200);
  });

  test('a client that resets its stream mid-body leaves the server serving', async () => {
    const s = session.request({ ':method': 'POST', ':path': '/api/v1/namespaces/default/configmaps', 'content-type': 'application/json' }, { endStream: false });
    s.on('error', () => {});
    s.write('{"apiVersion":"v1","kind":"Conf');
    const closed = new Promise((resolve) => s.on('close', resolve));
    s.close(constants.NGHTTP2_CANCEL);
    await closed;
    assert.equal((await exchange({ ':path': '/api/v1/namespaces/default/configmaps/h2-a' })).status, 200);
  });

  test('many streams at once each get their own answer', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => exchange({ ':path': i % 2 ? '/version' : '/api/v1/namespaces/default/configmaps/h2-a' })));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    for (const [i, a] of answers.entries()) assert.equal(i % 2 ? JSON.parse(a.body).major : JSON.parse(a.body).metadata.name, i % 2 ? '1' : 'h2-a');
  });

  test('HTTP/1.1 is served on the same port', async () => {
    const a = await c.request('GET', '/api/v1/namespaces/default/configmaps/h2-a');
    assert.equal(a.status, 200);
    assert.equal(a.json().metadata.name, 'h2-a');
  });
});
