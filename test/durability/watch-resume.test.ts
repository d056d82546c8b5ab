// The smallest form of the storm's watch check: a watch resumed after a restart from a
// resourceVersion the client saw before it must deliver every later change, for a young data dir
// (fewer revisions than the watch cache's replay window). The 20-round bench/durability.ts covers
// old data dirs too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { apiClient } from './https-client.js';

const ns = 'resume';
const cm = (name: string, v: string, rv?: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(rv ? { resourceVersion: rv } : {}) }, data: { v } });

async function write(c: TestCluster, method: string, path: string, body: string): Promise<string> {
  const r = await c.request(method, path, { body });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.body}`);
  return (r.json() as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

/** Watches from rv and collects events until one at or after `until` arrives (or the stream ends). */
async function watchFrom(c: TestCluster, rv: string, until: number): Promise<{ lines: { type: string; rv: number; name: string; code?: number }[]; status: number }> {
  const client = apiClient(c.url, { ca: c.server.pki.caCertPem, cert: c.server.pki.adminCertPem, key: c.server.pki.adminKeyPem });
  const lines: { type: string; rv: number; name: string; code?: number }[] = [];
  let done: () => void = () => {};
  const reached = new Promise<void>((r) => (done = r));
  try {
    const s = await client.stream(`/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=${rv}`, (line) => {
      const ev = JSON.parse(line) as { type: string; object: { code?: number; metadata?: { name?: string; resourceVersion?: string } } };
      const at = Number(ev.object.metadata?.resourceVersion ?? 0);
      lines.push({ type: ev.type, rv: at, name: ev.object.metadata?.name ?? '', code: ev.object.code });
      if (ev.type === 'ERROR' || at >= until) done();
    });
    await Promise.race([reached, s.ended]);
    s.abort();
    return { lines, status: s.status };
  } finally {
    client.close();
  }
}

test('a watch resumed after a restart from a pre-restart resourceVersion delivers every later change of a young data dir', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-resume-'));
  try {
    let c = await startTestCluster({ dataDir });
    let seenRv: string;
    let lastRv: string;
    try {
      await write(c, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
      seenRv = await write(c, 'POST', `/api/v1/namespaces/${ns}/configmaps`, cm('a', '1'));
      await write(c, 'PUT', `/api/v1/namespaces/${ns}/configmaps/a`, cm('a', '2', seenRv));
      lastRv = await write(c, 'POST', `/api/v1/namespaces/${ns}/configmaps`, cm('b', '1'));
    } finally {
      await c.close();
    }
    c = await startTestCluster({ dataDir });
    try {
      const { lines, status } = await watchFrom(c, seenRv, Number(lastRv));
      assert.equal(status, 200);
      assert.deepEqual(
        lines.map((l) => `${l.type} ${l.name}`),
        ['MODIFIED a', 'ADDED b'],
        `watch from ${seenRv} after restart got ${JSON.stringify(lines)}`,
      );
      assert.equal(lines[1].rv, Number(lastRv));
    } finally {
      await c.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
