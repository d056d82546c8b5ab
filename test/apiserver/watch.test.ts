// Watch over real HTTPS: ordering, resume from a resourceVersion, selector transitions,
// initial events with the end bookmark, timeoutSeconds, and kubectl get -w.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { spawn } from 'node:child_process';
import { startTestCluster, kubectlPath, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'w' } }) });
});
after(async () => {
  await c?.close();
});

interface WatchEvent {
  type: string;
  object: { metadata: { name?: string; resourceVersion: string; annotations?: Record<string, string> }; data?: Record<string, string> };
}

/** Opens a watch and collects events until `until` says stop (or the server ends the stream). */
function watch(path: string, until: (events: WatchEvent[]) => boolean): Promise<{ events: WatchEvent[]; ended: boolean; reads: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, c.url);
    const events: WatchEvent[] = [];
    let buffer = '';
    let reads = 0;
    const req = httpsRequest(
      { method: 'GET', hostname: u.hostname, port: u.port, path: u.pathname + u.search, ca: c.server.pki.caCertPem, cert: c.server.pki.adminCertPem, key: c.server.pki.adminKeyPem },
      (res) => {
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], 'application/json');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          reads++;
          buffer += chunk;
          let nl;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buffer.slice(0, nl)));
            buffer = buffer.slice(nl + 1);
          }
          if (until(events)) {
            req.destroy();
            resolve({ events, ended: false, reads });
          }
        });
        res.on('end', () => resolve({ events, ended: true, reads }));
      },
    );
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
}

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) => JSON.stringify({ metadata: { name, labels }, data });

describe('watch', () => {
  test('events after a resourceVersion arrive in order with ADDED, MODIFIED and DELETED', async () => {
    const list = (await c.request('GET', '/api/v1/namespaces/w/configmaps')).json();
    const done = watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`, (e) => e.length >= 3);
    await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: cm('a') });
    await c.request('PATCH', '/api/v1/namespaces/w/configmaps/a', { body: '{"data":{"x":"1"}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    await c.request('DELETE', '/api/v1/namespaces/w/configmaps/a');
    const { events } = await done;
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2]);
  });

  test('a watch resumed from an older resourceVersion replays what it missed, without duplicates', async () => {
    const first = (await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: cm('r1') })).json();
    await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: cm('r2') });
    await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: cm('r3') });
    const { events } = await watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}`, (e) => e.length >= 2);
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED r2', 'ADDED r3']);
  });

  test('the events a watcher is handed together reach it in one write, not one write per event', async () => {
    const from = (await c.request('GET', '/api/v1/namespaces/w/configmaps')).json().metadata.resourceVersion;
    for (let i = 0; i < 20; i++) await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: cm(`batch-${i}`) });
    // Replayed history is handed to the watcher in one batch; each write is one chunk (a TLS
    // record) on the wire, so the client reads it in one or two pieces rather than twenty.
    const { events, reads } = await watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${from}`, (e) => e.length >= 20);
    assert.deepEqual(events.map((e) => e.object.metadata.name), Array.from({ length: 20 }, (_, i) => `batch-${i}`));
    assert.ok(reads <= 2, `${reads} reads for 20 events`);
  });

  test('label selector transitions: an object that starts matching is ADDED, one that stops is DELETED', async () => {
    const rv = (await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: cm('t') })).json().metadata.resourceVersion;
    const done = watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}&labelSelector=role%3Dweb`, (e) => e.length >= 3);
    const label = (v: string | null) => c.request('PATCH', '/api/v1/namespaces/w/configmaps/t', { body: JSON.stringify({ metadata: { labels: { role: v } } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    await label('web');
    await c.request('PATCH', '/api/v1/namespaces/w/configmaps/t', { body: '{"data":{"k":"v"}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    await label('db');
    const { events } = await done;
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  });

  test('a watch without resourceVersion starts with the current objects; sendInitialEvents ends them with a bookmark', async () => {
    const { events } = await watch('/api/v1/namespaces/w/configmaps?watch=true&labelSelector=role%21%3Dnone', (e) => e.length >= 3);
    assert.ok(events.every((e) => e.type === 'ADDED'));
    const withBookmark = await watch('/api/v1/namespaces/w/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan', (e) => e.some((x) => x.type === 'BOOKMARK'));
    const bookmark = withBookmark.events.at(-1)!;
    assert.equal(bookmark.type, 'BOOKMARK');
    assert.equal(bookmark.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    assert.ok(withBookmark.events.slice(0, -1).length >= 3);
  });

  test('a watch far behind catches up at its own pace instead of being cut off (more than 16 MiB of events)', async () => {
    const start = (await c.request('GET', '/api/v1/namespaces/w/configmaps')).json().metadata.resourceVersion;
    const big = 'x'.repeat(900 * 1024);
    for (let i = 0; i < 24; i++) {
      const r = await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: JSON.stringify({ metadata: { name: `big-${i}` }, data: { v: big } }) });
      assert.equal(r.status, 201);
    }
    const { events, ended } = await watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${start}`, (e) => e.length >= 24);
    assert.equal(ended, false, 'the server did not end the stream');
    assert.deepEqual(events.map((e) => e.object.metadata.name), Array.from({ length: 24 }, (_, i) => `big-${i}`));
    await c.request('DELETE', '/api/v1/namespaces/w/configmaps?labelSelector=');
  });

  test('timeoutSeconds ends the stream', async () => {
    const rv = (await c.request('GET', '/api/v1/namespaces/w/configmaps')).json().metadata.resourceVersion;
    const { ended } = await watch(`/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`, () => false);
    assert.equal(ended, true);
  });

  test('a watch from a resourceVersion in the future waits for it (or times out as upstream)', async () => {
    const r = await c.request('GET', '/api/v1/namespaces/w/configmaps?resourceVersion=999999999&resourceVersionMatch=NotOlderThan');
    assert.equal(r.status, 504);
    assert.match(r.json().message, /Too large resource version/);
  });

  test('kubectl get -w prints table rows as objects change', async () => {
    const child = spawn(kubectlPath, ['--kubeconfig', c.kubeconfig, 'get', 'configmaps', '-n', 'w', '-w', '--output-watch-events', '-v=6'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const seen = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (/MODIFIED\s+kw\s+1/.test(out)) resolve();
      });
    });
    // At -v=6 kubectl logs each request once answered: start writing when its watch is open.
    let log = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        log += d;
        if (/watch=true\S* 200 OK/.test(log)) resolve();
      });
    });
    await c.request('POST', '/api/v1/namespaces/w/configmaps', { body: cm('kw') });
    await c.request('PATCH', '/api/v1/namespaces/w/configmaps/kw', { body: '{"data":{"a":"b"}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    await seen;
    child.kill();
    assert.match(out, /EVENT\s+NAME\s+DATA\s+AGE/);
    assert.match(out, /ADDED\s+kw\s+0/);
  });
});
