// History that is gone: a watch from a resourceVersion older than the watch cache's window gets
// an ERROR event with a 410 Expired Status; an exact-revision list below the compacted revision
// gets 410; a continue token from before a compaction gets 410 with upstream's message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, type Pki } from '../../src/auth/pki/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/server.js';
import type { Store } from '../../src/storage/store.js';

let dir: string;
let pki: Pki;
let store: Store;
let server: RunningApiServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-expiry-'));
  pki = await ensurePki(dir, { hosts: [], ips: ['127.0.0.1'] });
  store = openSqliteStore({ path: join(dir, 'state.db') });
  server = await startApiServer({
    store,
    bindAddress: '127.0.0.1',
    port: 0,
    tls: { certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, clientCaPem: pki.caCertPem },
    watchCache: { historyCapacity: 5, replayOnStart: 5 },
  });
});
after(async () => {
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, server.url);
    const req = httpsRequest(
      {
        method,
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        ca: pki.caCertPem,
        cert: pki.adminCertPem,
        key: pki.adminKeyPem,
        headers: body ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const create = async (name: string) => JSON.parse((await call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name } }))).text);

describe('expired history', () => {
  test('a watch from before the watch cache window ends with an ERROR event carrying 410 Expired', async () => {
    const first = await create('old-0');
    for (let i = 1; i <= 8; i++) await create(`old-${i}`);
    const r = await call('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    assert.equal(r.status, 200);
    const events = r.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].object.code, 410);
    assert.equal(events[0].object.reason, 'Expired');
    assert.match(events[0].object.message, /^too old resource version: \d+ \(\d+\)$/);
  });

  test('a list at an exact revision below the compacted one, and an old continue token, get 410', async () => {
    const page = JSON.parse((await call('GET', '/api/v1/namespaces/default/configmaps?limit=2')).text);
    assert.ok(page.metadata.continue);
    const exactRV = page.metadata.resourceVersion;
    for (let i = 0; i < 3; i++) await create(`new-${i}`);
    await store.compact(await store.currentRevision());
    const exact = await call('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${exactRV}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 410);
    assert.equal(JSON.parse(exact.text).message, 'The resourceVersion for the provided list is too old.');
    const cont = await call('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(page.metadata.continue)}`);
    assert.equal(cont.status, 410);
    const status = JSON.parse(cont.text);
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, /The provided continue parameter is too old/);
  });
});
