// The HTTPS transport against the real API server (startTestCluster: the `k8ts server` pipeline
// on a loopback port with its generated PKI and kubeconfig): HTTP/2 and HTTP/1.1, one HTTP/2
// session for many watches, the server's stream limit, TLS options, rotated token files, and a
// server that goes away mid-watch.
import { after, before, test } from 'node:test';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SelfSubjectReview } from 'kubernetes-types/authentication/v1.js';
import { loadConfig } from '../../../src/client/kubeconfig/load.js';
import type { ClientConfig } from '../../../src/client/kubeconfig/client-config.js';
import { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { isAlreadyExists, isUnauthorized } from '../../../src/client/rest/errors.js';
import { readAll } from '../../../src/client/transport/read-body.js';
import { defaultProtocol, HttpsTransport, isLongRunning } from '../../../src/client/transport/https.js';
import { WatchConnectionError } from '../../../src/client/watch/decoder.js';
import type { WatchStream } from '../../../src/client/types.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';

let cluster: TestCluster;
let clusterClosed = false;
let config: ClientConfig;
const tmp = mkdtempSync(join(tmpdir(), 'k8ts-https-'));

before(async () => {
  cluster = await startTestCluster();
  config = loadConfig({ kubeconfig: cluster.kubeconfig, env: {} });
});
after(async () => {
  if (!clusterClosed) await cluster.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function whoAmI(client: Client): Promise<string | undefined> {
  const review = await client.requestJSON<SelfSubjectReview>({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  return review.status?.userInfo?.username;
}

for (const protocol of ['h2', 'http/1.1', 'split'] as const) {
  test(`protocol ${protocol} with the kubeconfig's client certificate: create, get, list and delete a ConfigMap as the admin user`, async () => {
    const client = Client.fromConfig(config, { protocol });
    const t = client.transport as HttpsTransport;
    assert.equal(t.mode, protocol);
    assert.equal(t.protocol, protocol === 'h2' ? 'h2' : 'http/1.1');
    const cms = client.resource(resources.configMaps);
    const name = `https-${protocol.replace(/\W/g, '')}`;
    await cms.create({ metadata: { name }, data: { protocol } });
    assert.equal((await cms.get(name)).data?.protocol, protocol);
    assert.ok((await cms.list({ namespace: 'default' })).items.some((i) => i.metadata?.name === name));
    await cms.delete(name);
    // A write whose answer is not decoded: resolves with nothing, the object is stored, and a
    // failure is still the server's Status.
    assert.equal(await cms.create({ metadata: { name: `${name}-nd` }, data: { protocol } }, { decode: false }), undefined);
    assert.equal((await cms.get(`${name}-nd`)).data?.protocol, protocol);
    await assert.rejects(cms.create({ metadata: { name: `${name}-nd` } }, { decode: false }), (err: Error) => isAlreadyExists(err) && /already exists/.test(err.message));
    await cms.delete(`${name}-nd`);
    assert.notEqual(await whoAmI(client), 'system:anonymous');
    // Unary requests: one HTTP/2 session, or kept-alive HTTP/1.1 sockets and no session.
    assert.equal(t.sessionCount, protocol === 'h2' ? 1 : 0);
    assert.equal(t.socketCount > 0, protocol !== 'h2');
    await client.close();
  });
}


/** Each watch's first event as "TYPE name" (each watch stopped after it). */
function firstEvents(watches: WatchStream[]): Promise<string[]> {
  return Promise.all(
    watches.map(async (w) => {
      for await (const e of w) {
        w.stop();
        return `${e.type} ${e.object.metadata?.name}`;
      }
      return 'ended';
    }),
  );
}

test('http1: true is protocol http/1.1; DISABLE_HTTP2 (any value) makes HTTP/1.1 the default, as in client-go', async () => {
  const client = Client.fromConfig(config, { http1: true });
  assert.equal((client.transport as HttpsTransport).mode, 'http/1.1');
  await client.close();
  assert.equal(defaultProtocol({}), 'h2');
  assert.equal(defaultProtocol({ DISABLE_HTTP2: '' }), 'h2');
  assert.equal(defaultProtocol({ DISABLE_HTTP2: 'true' }), 'http/1.1');
  assert.equal(defaultProtocol({ DISABLE_HTTP2: '0' }), 'http/1.1');
});

test('watches and followed logs are told apart from unary requests by their query', () => {
  for (const path of ['/api/v1/pods?watch=1', '/api/v1/pods?watch=true', '/api/v1/pods?labelSelector=a%3Db&watch=1&resourceVersion=5', '/api/v1/namespaces/d/pods/p/log?follow=true']) assert.ok(isLongRunning(path), path);
  for (const path of ['/api/v1/pods', '/api/v1/pods?watch=0', '/api/v1/pods?watch=false', '/api/v1/pods?labelSelector=watch%3D1', '/api/v1/namespaces/d/pods/p/log', '/api/v1/namespaces/watch=1/pods']) assert.ok(!isLongRunning(path), path);
});

test('split: a hundred unary requests use at most maxSockets HTTP/1.1 sockets (the rest go over HTTP/2), watches share one HTTP/2 session, and every watch sees the event', async () => {
  const client = Client.fromConfig(config, { protocol: 'split', maxSockets: 4 });
  const t = client.transport as HttpsTransport;
  const cms = client.resource(resources.configMaps, 'default');
  const rv = (await cms.list()).metadata.resourceVersion;
  const watches: WatchStream[] = await Promise.all(Array.from({ length: 10 }, () => cms.watch({ resourceVersion: rv })));
  assert.equal(t.sessionCount, 1);
  await Promise.all(Array.from({ length: 100 }, () => cms.list({ limit: 1 })));
  assert.ok(t.socketCount >= 1 && t.socketCount <= 4, `${t.socketCount} sockets`);
  await cms.create({ metadata: { name: 'split-fan-out' } });
  const firsts = await firstEvents(watches);
  assert.deepEqual(new Set(firsts), new Set(['ADDED split-fan-out']));
  assert.equal(t.sessionCount, 1);
  await cms.delete('split-fan-out');
  await client.close();
});

test('split: unary requests beyond the HTTP/1.1 pool go over HTTP/2 instead of waiting for a socket', async () => {
  const client = Client.fromConfig(config, { protocol: 'split', maxSockets: 1 });
  const t = client.transport as HttpsTransport;
  const cms = client.resource(resources.configMaps, 'default');
  const answers = await Promise.all(Array.from({ length: 20 }, () => cms.list({ limit: 1 })));
  assert.equal(answers.length, 20);
  assert.equal(t.socketCount, 1);
  assert.equal(t.sessionCount, 1);
  await client.close();
});

test('http/1.1: each watch holds a socket of its own, so more watches than the unary pool allows never starve unary requests', async () => {
  const client = Client.fromConfig(config, { protocol: 'http/1.1', maxSockets: 2 });
  const t = client.transport as HttpsTransport;
  const cms = client.resource(resources.configMaps, 'default');
  const rv = (await cms.list()).metadata.resourceVersion;
  const watches: WatchStream[] = await Promise.all(Array.from({ length: 5 }, () => cms.watch({ resourceVersion: rv })));
  await cms.create({ metadata: { name: 'h1-watches' } });
  assert.equal((await cms.get('h1-watches')).metadata?.name, 'h1-watches');
  assert.equal(t.sessionCount, 0);
  assert.ok(t.socketCount >= 6 && t.socketCount <= 7, `${t.socketCount} sockets`);
  const firsts = await firstEvents(watches);
  assert.deepEqual(new Set(firsts), new Set(['ADDED h1-watches']));
  await cms.delete('h1-watches');
  await client.close();
});

test('the kubeconfig user is who the server sees (client certificate CN)', async () => {
  const client = Client.fromConfig(config);
  const user = await whoAmI(client);
  const viaKubectl = JSON.parse(await cluster.kubectlOk(['auth', 'whoami', '-o', 'json'])) as SelfSubjectReview;
  assert.equal(user, viaKubectl.status?.userInfo?.username);
  await client.close();
});

test('a hundred concurrent watches share one HTTP/2 session and each sees the same event', async () => {
  const client = Client.fromConfig(config);
  const cms = client.resource(resources.configMaps, 'default');
  const rv = (await cms.list()).metadata.resourceVersion;
  const watches: WatchStream[] = await Promise.all(Array.from({ length: 100 }, () => cms.watch({ resourceVersion: rv })));
  assert.equal((client.transport as HttpsTransport).sessionCount, 1);
  await cms.create({ metadata: { name: 'fan-out' } });
  const firsts = await firstEvents(watches);
  assert.deepEqual(new Set(firsts), new Set(['ADDED fan-out']));
  assert.equal((client.transport as HttpsTransport).sessionCount, 1);
  await cms.delete('fan-out');
  await client.close();
});

test("requests beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait for a free stream instead of being refused", async () => {
  const limit = 2;
  const held: ServerHttp2Stream[] = [];
  let open = 0;
  let maxOpen = 0;
  const server = createSecureServer({ cert: cluster.server.pki.servingCertPem, key: cluster.server.pki.servingKeyPem, settings: { maxConcurrentStreams: limit } });
  server.on('stream', (stream) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    stream.on('close', () => open--);
    held.push(stream);
    // Answer in batches of `limit`: a client that opened more streams would have them refused.
    if (held.length === limit) for (const s of held.splice(0)) s.respond({ ':status': 200 }), s.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const t = new HttpsTransport({ server: `https://127.0.0.1:${port}`, ca: cluster.server.pki.caCertPem, insecure: false, namespace: 'default' });
  const answers = await Promise.all(Array.from({ length: 6 }, () => t.request({ method: 'GET', path: '/x' }).then(async (r) => (await readAll(r.body), r.status))));
  assert.deepEqual(answers, [200, 200, 200, 200, 200, 200]);
  assert.equal(maxOpen, limit);
  assert.equal(t.sessionCount, 1);
  await t.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('thousands of requests in a row keep one HTTP/2 session: a finished stream is not reset (no "rapid reset" flood that makes the server end the session)', async () => {
  // nghttp2 (inside Node's HTTP/2 server) ends a session with INTERNAL_ERROR once a client has
  // reset more than ~1,000 streams at over 33/s; a client that sends RST_STREAM after every
  // complete response trips that after about a thousand requests.
  const t = new HttpsTransport(config);
  const get = () => t.request({ method: 'GET', path: '/api/v1/namespaces/default' }).then(async (r) => (await readAll(r.body), r.status));
  let next = 0;
  const statuses = new Map<number | string, number>();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < 3000) {
        const status = await get().catch((err: Error) => err.message);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  assert.deepEqual([...statuses], [[200, 3000]]);
  assert.equal(t.sessionCount, 1);
  await t.close();
});

test('HTTP/2 requests leave AsyncResource.prototype.bind as Node has it (the lean one stands in only inside session.request) and keep the caller\'s async context', async () => {
  const nodeBind = AsyncResource.prototype.bind;
  const t = new HttpsTransport(config);
  const als = new AsyncLocalStorage<string>();
  const seen = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      als.run(`caller-${i}`, async () => {
        const r = await t.request({ method: 'GET', path: '/api/v1/namespaces/default' });
        // Body events come from the stream set up inside session.request's PendingRequest scope.
        const store = await new Promise<string | undefined>((resolve) => r.body.once('data', () => resolve(als.getStore())));
        r.body.resume();
        return store;
      }),
    ),
  );
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => `caller-${i}`));
  assert.equal(AsyncResource.prototype.bind, nodeBind);
  // Everyone else still gets Node's bind, with its (deprecated) asyncResource accessor.
  const resource = new AsyncResource('Test');
  assert.equal((resource.bind(() => 1) as unknown as { asyncResource: AsyncResource }).asyncResource, resource);
  await t.close();
});

test('after the server sends GOAWAY and drops the session, the next request opens a new session', async () => {
  const server = createSecureServer({ cert: cluster.server.pki.servingCertPem, key: cluster.server.pki.servingKeyPem });
  const sessions: Array<{ goaway(): void; destroy(): void }> = [];
  server.on('session', (s) => sessions.push(s));
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200 });
    stream.end(String(sessions.length));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const t = new HttpsTransport({ server: `https://127.0.0.1:${port}`, ca: cluster.server.pki.caCertPem, insecure: false, namespace: 'default' });
  const get = async () => (await readAll((await t.request({ method: 'GET', path: '/' })).body)).toString();
  assert.equal(await get(), '1');
  const closed = new Promise((resolve) => server.once('session', resolve));
  sessions[0].goaway();
  sessions[0].destroy();
  // The client may still be learning that the session is gone; a GET is idempotent, so retry
  // only the race itself (a reset), never a wrong answer.
  let answer: string | undefined;
  for (let i = 0; i < 5 && answer === undefined; i++) answer = await get().catch((err: NodeJS.ErrnoException) => (/ECONNRESET|ERR_HTTP2/.test(err.code ?? '') ? undefined : Promise.reject(err)));
  await closed;
  assert.equal(answer, '2');
  await t.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a watch the server ends on its own (timeoutSeconds) ends the iteration cleanly over HTTP/2, HTTP/1.1 and split', async () => {
  for (const protocol of ['h2', 'http/1.1', 'split'] as const) {
    const client = Client.fromConfig(config, { protocol });
    const cms = client.resource(resources.configMaps, 'default');
    const watch = await cms.watch({ resourceVersion: (await cms.list()).metadata.resourceVersion, timeoutSeconds: 1 });
    const events: string[] = [];
    for await (const e of watch) events.push(e.type);
    assert.deepEqual(events, []);
    await client.close();
  }
});

test('TLS: insecure-skip-tls-verify connects without the CA; without it an unknown CA is refused; tls-server-name is what is verified', async () => {
  const base = { server: config.server, cert: config.cert, key: config.key, namespace: 'default' };
  const insecure = Client.fromConfig({ ...base, insecure: true });
  assert.equal(await whoAmI(insecure), await whoAmI(insecure));
  await insecure.close();

  const untrusted = Client.fromConfig({ ...base, insecure: false });
  await assert.rejects(whoAmI(untrusted), (err: NodeJS.ErrnoException) => /certificate/i.test(err.message) || /CERT|SIGNED/.test(err.code ?? ''));
  await untrusted.close();

  const named = Client.fromConfig({ ...base, ca: config.ca, insecure: false, tlsServerName: 'kubernetes.default.svc' });
  assert.ok(await whoAmI(named));
  await named.close();
  const wrongName = Client.fromConfig({ ...base, ca: config.ca, insecure: false, tlsServerName: 'not-the-server.example' }, { http1: true });
  await assert.rejects(whoAmI(wrongName), /not-the-server\.example|altnames/i);
  await wrongName.close();
});

test('a bearer token file is re-read when it is rotated (atomic rename), as a projected service account token is', async () => {
  const admin = Client.fromConfig(config);
  const sa = admin.resource(resources.serviceAccounts, 'default');
  await sa.create({ metadata: { name: 'robot' } });
  const token = async () => (await sa.createToken('robot', { spec: { audiences: [] } })).status!.token;
  const file = join(tmp, 'token');
  const rotate = (value: string) => {
    writeFileSync(file + '.new', value);
    renameSync(file + '.new', file);
  };
  rotate(await token());
  const robot = Client.fromConfig({ server: config.server, ca: config.ca, tokenFile: file, insecure: false, namespace: 'default' });
  assert.equal(await whoAmI(robot), 'system:serviceaccount:default:robot');
  rotate('not-a-valid-token');
  await assert.rejects(whoAmI(robot), (err) => isUnauthorized(err));
  rotate(await token());
  assert.equal(await whoAmI(robot), 'system:serviceaccount:default:robot');
  await robot.close();
  await admin.close();
});

// Last: stops the cluster.
test('when the server goes away, open watches over HTTP/2, HTTP/1.1 and split end with a connection error (not a clean end)', async () => {
  const clients = (['h2', 'http/1.1', 'split'] as const).map((protocol) => Client.fromConfig(config, { protocol }));
  const pending = await Promise.all(
    clients.map(async (c) => {
      const cms = c.resource(resources.configMaps, 'default');
      const w = await cms.watch({ resourceVersion: (await cms.list()).metadata.resourceVersion });
      // Wrapped: awaiting the bare promise here would wait for an event that never comes.
      return { next: w[Symbol.asyncIterator]().next() };
    }),
  );
  const checks = pending.map((p) => assert.rejects(p.next, WatchConnectionError));
  clusterClosed = true;
  await cluster.close();
  await Promise.all(checks);
  for (const c of clients) await c.close();
});
