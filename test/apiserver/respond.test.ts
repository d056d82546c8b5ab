// writeJSON over HTTP/2 builds its headers as one lower-case literal instead of going through
// writeHead's copy: the client must see exactly the headers (names, order, values) and body the
// general writeHead path sends, for object, text and byte bodies, with and without extra headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createSecureServer, type ClientHttp2Session, type Http2SecureServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '../../src/auth/pki/keys.js';
import { createCa } from '../../src/auth/pki/issue.js';
import { serveHttp2Streams, type Http2Response } from '../../src/apiserver/http/http2-exchange.js';
import { writeJSON } from '../../src/apiserver/http/respond.js';

const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
const bodies: Record<string, unknown> = { object: status, text: JSON.stringify(status), bytes: Buffer.from(JSON.stringify({ ünïcödé: 'ß' })) };

/** What writeJSON sent before its HTTP/2 shortcut: writeHead with these headers, then the text. */
function general(res: Http2Response, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': String(length), ...headers });
  res.end(text);
}

interface Seen {
  sent: OutgoingHttpHeaders;
  received: IncomingHttpHeaders;
  body: string;
}

describe('writeJSON over HTTP/2', () => {
  let server: Http2SecureServer;
  let session: ClientHttp2Session;
  const sent = new Map<string, OutgoingHttpHeaders>();
  before(async () => {
    const keys = await generateKeyPair();
    server = createSecureServer({ key: keys.privateKeyPem, cert: await createCa(keys, { commonName: 'localhost' }, 1) });
    server.on(
      'stream',
      serveHttp2Streams((req, res) => {
        const [, how, kind, code, extra] = req.url.split('/');
        const headers: Record<string, string> | undefined = extra === 'vary' ? { Vary: 'Accept' } : extra === 'empty' ? {} : undefined;
        if (how === 'fast') writeJSON(res, Number(code), bodies[kind], headers);
        else general(res, Number(code), bodies[kind], headers);
        sent.set(req.url, { ...res.stream.sentHeaders });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    session = connect(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { rejectUnauthorized: false });
  });
  after(async () => {
    session.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (path: string): Promise<Seen> =>
    new Promise((resolve, reject) => {
      const s = session.request({ ':path': path });
      let received: IncomingHttpHeaders = {};
      let body = '';
      s.on('response', (h) => (received = h));
      s.setEncoding('utf8');
      s.on('data', (d: string) => (body += d));
      s.on('end', () => resolve({ sent: sent.get(path)!, received, body }));
      s.on('error', reject);
    });
  const withoutDate = (h: object) => Object.entries(h).filter(([k]) => k !== 'date');

  for (const kind of Object.keys(bodies)) {
    for (const code of [200, 201, 404]) {
      for (const extra of ['none', 'empty', 'vary']) {
        test(`${kind} body, ${code}, extra headers: ${extra}`, async () => {
          const fast = await get(`/fast/${kind}/${code}/${extra}`);
          const slow = await get(`/general/${kind}/${code}/${extra}`);
          assert.deepEqual(withoutDate(fast.sent), withoutDate(slow.sent), 'headers as sent, in order');
          assert.deepEqual(withoutDate(fast.received), withoutDate(slow.received), 'headers as received, in order');
          assert.equal(fast.body, slow.body);
          assert.equal(typeof fast.received.date, 'string');
        });
      }
    }
  }

  test('a bind\'s answer carries the headers it always had', async () => {
    const a = await get('/fast/object/201/none');
    assert.deepEqual(Object.keys(a.sent), [':status', 'content-type', 'cache-control', 'content-length', 'date']);
    assert.equal(a.received['content-length'], String(Buffer.byteLength(a.body)));
    assert.deepEqual(JSON.parse(a.body), status);
  });
});
