// The buffered path (Transport.requestBuffered, which the REST client uses for every unary call
// over HTTPS): the same body, status and headers as the streamed path, and the same failures — a
// stream reset mid-body is retried for GET and surfaces for POST, an error answer becomes its
// ApiError (even when its body is cut), 429 Retry-After is honoured — against a raw HTTP/2 server
// that answers however a test needs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, createSecureServer, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, type Pki } from '../../../src/auth/pki/pki.js';
import { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { isNotFound, isTooManyRequests } from '../../../src/client/rest/errors.js';
import { readAll } from '../../../src/client/transport/read-body.js';
import { HttpsTransport } from '../../../src/client/transport/https.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-buffered-'));
let pki: Pki;
let server: Http2SecureServer;
let port: number;
/** How the server answers the next requests (a test sets it). */
let answer: (stream: ServerHttp2Stream, path: string, n: number) => void = () => undefined;
let requests = 0;
/** The headers of the last request the server saw. */
let lastHeaders: IncomingHttpHeaders = {};

before(async () => {
  pki = await ensurePki(dir, { hosts: ['localhost'], ips: ['127.0.0.1'] });
  server = createSecureServer({ cert: pki.servingCertPem, key: pki.servingKeyPem });
  server.on('stream', (stream, headers) => {
    lastHeaders = headers;
    const n = requests++;
    // Resetting a stream with an error code errors the server's side of it too.
    stream.on('error', () => undefined);
    // Read the request body to its end before answering, as a real server does.
    stream.resume();
    stream.on('end', () => answer(stream, String(headers[':path']), n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const transport = () => new HttpsTransport({ server: `https://127.0.0.1:${port}`, ca: pki.caCertPem, insecure: false, namespace: 'default' });
const client = (t: HttpsTransport) => new Client({ transport: t, retry: { sleep: async () => undefined } });
const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

/** Answers with `body` in frames of `chunk` bytes, then ends (or resets, when `reset`). */
function respond(stream: ServerHttp2Stream, code: number, body: string, o: { chunk?: number; reset?: boolean; headers?: Record<string, string> } = {}): void {
  stream.respond({ ':status': code, 'content-type': 'application/json', ...o.headers });
  const bytes = Buffer.from(body);
  const chunk = o.chunk ?? bytes.length;
  for (let i = 0; i < bytes.length; i += chunk) stream.write(bytes.subarray(i, i + chunk));
  if (o.reset) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  else stream.end();
}

test('a large body in many frames arrives whole and identical through requestBuffered and request()', async () => {
  const big = JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'big' }, data: { x: 'é'.repeat(100_000) } });
  answer = (s) => respond(s, 200, big, { chunk: 999, headers: { 'x-extra': 'yes' } });
  const t = transport();
  const buffered = await t.requestBuffered({ method: 'GET', path: '/big' });
  const streamed = await t.request({ method: 'GET', path: '/big' });
  assert.equal(buffered.status, 200);
  assert.equal(buffered.error, undefined);
  assert.equal(buffered.body.toString('utf8'), big);
  assert.equal((await readAll(streamed.body)).toString('utf8'), big);
  assert.equal(buffered.headers['x-extra'], 'yes');
  assert.deepEqual(Object.keys(buffered.headers).sort(), Object.keys(streamed.headers).sort());
  assert.ok(!Object.keys(buffered.headers).some((k) => k.startsWith(':')));
  const got = await client(t).resource(resources.configMaps).get('big', { namespace: 'default' });
  assert.equal(got.data?.x?.length, 100_000);
  await t.close();
});

test('a body reset mid-way: a GET is sent again and succeeds; a POST surfaces the reset (the server may have acted)', async () => {
  const cm = JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' } });
  const t = transport();
  // The first answer of each pair is cut after a partial body.
  answer = (s, _path, n) => (n % 2 === 0 ? respond(s, 200, cm.slice(0, 10), { reset: true }) : respond(s, 200, cm));
  requests = 0;
  const got = await client(t).resource(resources.configMaps).get('c', { namespace: 'default' });
  assert.equal(got.metadata?.name, 'c');
  assert.equal(requests, 2);
  requests = 0;
  await assert.rejects(client(t).resource(resources.configMaps).create({ metadata: { name: 'c' } }, { namespace: 'default' }), { code: 'ECONNRESET' });
  assert.equal(requests, 1);
  // What the transport hands back for a cut body: the status, and the reason in `error`.
  requests = 0;
  const cut = await t.requestBuffered({ method: 'GET', path: '/x' });
  assert.equal(cut.status, 200);
  assert.equal((cut.error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
  await t.close();
});

test('error answers become ApiErrors: the Status when complete, the code alone when its body is cut; 429 with Retry-After is sent again', async () => {
  const t = transport();
  const c = client(t);
  answer = (s) => respond(s, 404, status(404, 'NotFound', 'configmaps "gone" not found'));
  await assert.rejects(c.resource(resources.configMaps).get('gone', { namespace: 'default' }), (err: Error) => isNotFound(err) && /configmaps "gone" not found/.test(err.message));
  answer = (s) => respond(s, 404, status(404, 'NotFound', 'cut').slice(0, 20), { reset: true });
  await assert.rejects(c.resource(resources.configMaps).delete('gone', { namespace: 'default' }), isNotFound);
  answer = (s, _path, n) => (n === 0 ? respond(s, 429, status(429, 'TooManyRequests', 'slow down'), { headers: { 'retry-after': '1' } }) : respond(s, 201, '{}'));
  requests = 0;
  await c.resource(resources.pods).bind('p', { metadata: { name: 'p' }, target: { kind: 'Node', name: 'n' } }, { namespace: 'default' });
  assert.equal(requests, 2);
  answer = (s) => respond(s, 429, status(429, 'TooManyRequests', 'no'));
  await assert.rejects(c.resource(resources.pods).bind('p', { metadata: { name: 'p' }, target: { kind: 'Node', name: 'n' } }, { namespace: 'default' }), isTooManyRequests);
  await t.close();
});

test('bind does not decode the answer (a body that is not JSON is fine), and many buffered requests in flight share one session', async () => {
  const t = transport();
  answer = (s, path) => respond(s, 201, `not json: ${path}`);
  const pods = client(t).resource(resources.pods, 'default');
  await Promise.all(Array.from({ length: 200 }, (_, i) => pods.bind(`p${i}`, { metadata: { name: `p${i}` }, target: { kind: 'Node', name: 'n' } })));
  assert.equal(t.sessionCount, 1);
  // A decoded call of the same answer is an error naming what came back.
  await assert.rejects(pods.createSubresource('p0', 'binding', {}), /not JSON/);
  await t.close();
});

test('an abort while the body arrives rejects with the abort, and the session stays usable', async () => {
  const t = transport();
  let held: ServerHttp2Stream | undefined;
  answer = (s) => {
    held = s;
    s.respond({ ':status': 200 });
    s.write('{"partial":');
  };
  const ac = new AbortController();
  const pending = t.requestBuffered({ method: 'GET', path: '/slow', signal: ac.signal });
  while (!held) await new Promise((r) => setImmediate(r));
  const res = await Promise.race([pending, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 50))]);
  assert.equal(res, 'waiting');
  ac.abort();
  const r = await pending;
  assert.equal(r.error?.name, 'AbortError');
  answer = (s) => respond(s, 200, '{"ok":true}');
  assert.deepEqual(await client(t).requestJSON({ method: 'GET', path: '/after' }), { ok: true });
  assert.equal(t.sessionCount, 1);
  await t.close();
});

test('skip2xxBody (what decode: false asks for): a 2xx answer comes back empty, an error answer keeps its body; a cut 2xx still fails a POST', async () => {
  const t = transport();
  answer = (s) => respond(s, 201, '{"kind":"ConfigMap"}', { chunk: 5, headers: { 'x-extra': 'yes' } });
  const skipped = await t.requestBuffered({ method: 'POST', path: '/x', body: '{}' }, true);
  assert.equal(skipped.status, 201);
  assert.equal(skipped.body.length, 0);
  assert.equal(skipped.error, undefined);
  assert.equal(skipped.headers['x-extra'], 'yes');
  answer = (s) => respond(s, 404, status(404, 'NotFound', 'gone'));
  const kept = await t.requestBuffered({ method: 'POST', path: '/x', body: '{}' }, true);
  assert.equal(JSON.parse(kept.body.toString()).message, 'gone');
  const cms = client(t).resource(resources.configMaps, 'default');
  answer = (s) => respond(s, 201, 'not json');
  assert.equal(await cms.create({ metadata: { name: 'c' } }, { decode: false }), undefined);
  await assert.rejects(cms.create({ metadata: { name: 'c' } }), /not JSON/);
  answer = (s) => respond(s, 201, '{"kind":"ConfigMap","metadata":', { reset: true });
  requests = 0;
  await assert.rejects(cms.create({ metadata: { name: 'c' } }, { decode: false }), { code: 'ECONNRESET' });
  assert.equal(requests, 1);
  await t.close();
});

/** A server of its own with `settings`, answering each stream as `onStream` says. */
async function ownServer(settings: { maxConcurrentStreams?: number }, onStream: (s: ServerHttp2Stream, n: number) => void): Promise<{ url: string; close(): Promise<void> }> {
  const srv = createSecureServer({ cert: pki.servingCertPem, key: pki.servingKeyPem, settings });
  let n = 0;
  srv.on('stream', (s) => {
    s.on('error', () => undefined);
    s.resume();
    onStream(s, n++);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
}

test('a refused stream (REFUSED_STREAM) is sent again, a POST too, at most five times; the stream slots it held are free again', async () => {
  let refuse = 0;
  const srv = await ownServer({ maxConcurrentStreams: 1 }, (s) => {
    if (refuse > 0) {
      refuse--;
      s.close(constants.NGHTTP2_REFUSED_STREAM);
    } else s.on('end', () => respond(s, 201, '{"ok":true}'));
  });
  const t = new HttpsTransport({ server: srv.url, ca: pki.caCertPem, insecure: false, namespace: 'default' });
  const c = client(t);
  refuse = 5;
  assert.deepEqual(await c.requestJSON({ method: 'POST', path: '/x', body: '{}' }), { ok: true });
  refuse = 6;
  await assert.rejects(c.requestJSON({ method: 'POST', path: '/x', body: '{}' }), /REFUSED_STREAM/);
  // With one stream allowed, a slot kept by any refused stream would leave these waiting forever.
  refuse = 0;
  const answers = await Promise.all(Array.from({ length: 4 }, () => c.requestJSON({ method: 'GET', path: '/y' })));
  assert.deepEqual(answers, Array.from({ length: 4 }, () => ({ ok: true })));
  assert.equal(t.sessionCount, 1);
  await t.close();
  await srv.close();
});

test('an abort before the answer rejects with the abort and frees the stream slot; an aborted signal never sends; a request waiting for a slot can be aborted', async () => {
  const held: ServerHttp2Stream[] = [];
  const srv = await ownServer({ maxConcurrentStreams: 1 }, (s, n) => {
    if (n === 0) held.push(s);
    else s.on('end', () => respond(s, 200, '{"n":' + n + '}'));
  });
  const t = new HttpsTransport({ server: srv.url, ca: pki.caCertPem, insecure: false, namespace: 'default' });
  const ac = new AbortController();
  const first = t.requestBuffered({ method: 'GET', path: '/held', signal: ac.signal });
  while (held.length === 0) await new Promise((r) => setImmediate(r));
  // The only slot is taken: this one waits, and its abort takes it out of the queue.
  const waiting = new AbortController();
  const second = t.requestBuffered({ method: 'GET', path: '/queued', signal: waiting.signal });
  waiting.abort();
  await assert.rejects(second, { name: 'AbortError' });
  ac.abort();
  await assert.rejects(first, { name: 'AbortError' });
  await assert.rejects(t.requestBuffered({ method: 'GET', path: '/never', signal: AbortSignal.abort() }), { name: 'AbortError' });
  // The slot is free again: the next request goes through (stream 0 was the held one).
  const next = await t.requestBuffered({ method: 'GET', path: '/next' });
  assert.equal(next.status, 200);
  assert.equal(JSON.parse(next.body.toString()).n, 1);
  await t.close();
  await srv.close();
});

test('the headers sent over HTTP/2: method, path, user agent, accept, credentials, the body\'s type and length; the caller\'s own headers win, connection-specific ones are dropped', async () => {
  const t = new HttpsTransport({ server: `https://127.0.0.1:${port}/prefix/`, ca: pki.caCertPem, insecure: false, namespace: 'default', token: 'tkn' }, { userAgent: 'ua/1' });
  answer = (s) => respond(s, 200, '{}');
  await t.requestBuffered({ method: 'PATCH', path: '/x?y=1', body: '{"é":1}', headers: { 'Content-Type': 'application/merge-patch+json', Connection: 'keep-alive', Host: 'h', 'X-Custom': 'c' } });
  assert.deepEqual(Object.fromEntries(Object.entries(lastHeaders)), {
    ':method': 'PATCH',
    ':path': '/prefix/x?y=1',
    ':scheme': 'https',
    ':authority': `127.0.0.1:${port}`,
    'user-agent': 'ua/1',
    accept: 'application/json',
    'content-type': 'application/merge-patch+json',
    'x-custom': 'c',
    authorization: 'Bearer tkn',
    'content-length': '8',
  });
  await t.requestBuffered({ method: 'GET', path: '/z', headers: { accept: 'application/yaml', authorization: 'Basic other' } });
  assert.equal(lastHeaders[':method'], 'GET');
  assert.equal(lastHeaders.accept, 'application/yaml');
  assert.equal(lastHeaders.authorization, 'Basic other');
  assert.equal(lastHeaders['content-length'], undefined);
  assert.equal(lastHeaders['content-type'], undefined);
  await t.close();
});
