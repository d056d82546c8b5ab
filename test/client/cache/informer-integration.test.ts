// An informer against the real API server (the same pipeline as `k8ts server`), through a
// minimal HTTPS ListerWatcher: adds, updates and deletes flow to handlers, and after the server
// restarts on the same data directory the informer reconnects and converges on the server's state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { isDeletedFinalStateUnknown } from '../../../src/client/cache/keys.js';
import { SharedIndexInformer } from '../../../src/client/cache/shared-informer.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { HttpsListerWatcher } from './https-lister-watcher.js';
import { until } from './fake-lister-watcher.js';

type CM = ConfigMap & KubeObject;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const base = '/api/v1/namespaces/default/configmaps';

function cm(name: string, data: Record<string, string>): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { suite: 'informer' } }, data });
}

async function ok(c: TestCluster, method: string, path: string, body?: string): Promise<void> {
  const r = await c.request(method, path, { body });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
}

async function serverState(c: TestCluster): Promise<Map<string, string>> {
  const r = await c.request('GET', `${base}?labelSelector=suite%3Dinformer`);
  const list = r.json<{ items: CM[] }>();
  return new Map(list.items.map((i) => [`default/${i.metadata!.name}`, i.metadata!.resourceVersion!]));
}

function cacheState(informer: SharedIndexInformer<CM>): Map<string, string> {
  return new Map(informer.getIndexer().list().map((i) => [`default/${i.metadata!.name}`, i.metadata!.resourceVersion!]));
}

test('an informer over HTTPS delivers adds, updates and deletes, and converges after the API server restarts on the same data', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-informer-'));
  let c = await startTestCluster({ dataDir });
  const target = () => ({ url: c.url, ca: c.server.pki.caCertPem, cert: c.server.pki.adminCertPem, key: c.server.pki.adminKeyPem });
  const lw = new HttpsListerWatcher<CM>(target, base);
  const errors: string[] = [];
  const informer = new SharedIndexInformer<CM>(lw, {
    name: 'configmaps',
    labelSelector: 'suite=informer',
    logger: silent,
    backoff: { initialMs: 20, maxMs: 200 },
    onError: (err, ctx) => void errors.push(`${ctx.phase}: ${err.message}`),
  });
  const log: string[] = [];
  informer.addEventHandler({
    onAdd: (o, initial) => void log.push(`add ${o.metadata?.name}${initial ? ' (initial)' : ''}`),
    onUpdate: (a, b) => void log.push(`update ${b.metadata?.name} ${a.data?.v}->${b.data?.v}`),
    onDelete: (o) => void log.push(`delete ${isDeletedFinalStateUnknown(o) ? `tombstone ${o.key}` : o.metadata?.name}`),
  });
  try {
    await ok(c, 'POST', base, cm('one', { v: '1' }));
    await ok(c, 'POST', base, cm('two', { v: '1' }));
    void informer.run();
    assert.equal(await informer.waitForCacheSync(), true);
    assert.deepEqual([...cacheState(informer).keys()].sort(), ['default/one', 'default/two']);
    assert.equal(lw.listCalls[0].resourceVersion, '0');

    await until(() => lw.watchCalls.length === 1, 'the watch');
    await ok(c, 'POST', base, cm('three', { v: '1' }));
    await ok(c, 'PUT', `${base}/one`, cm('one', { v: '2' }));
    await ok(c, 'DELETE', `${base}/two`);
    await until(() => log.length === 5, 'three live events');
    assert.deepEqual(log.slice(0, 2).sort(), ['add one (initial)', 'add two (initial)']);
    assert.deepEqual(log.slice(2), ['add three', 'update one 1->2', 'delete two']);
    assert.deepEqual(cacheState(informer), await serverState(c));
    assert.ok(Number(informer.lastSyncResourceVersion()) >= Math.max(...[...cacheState(informer).values()].map(Number)), 'the last RV covers every cached object');

    // Restart the server on the same data. While the informer cannot reach it, objects change.
    const rvBeforeOutage = informer.lastSyncResourceVersion();
    lw.offline = true;
    await c.close();
    c = await startTestCluster({ dataDir });
    await ok(c, 'DELETE', `${base}/three`);
    await ok(c, 'PUT', `${base}/one`, cm('one', { v: '3' }));
    await ok(c, 'POST', base, cm('four', { v: '1' }));
    const expected = await serverState(c);
    log.length = 0;
    lw.offline = false;
    await until(() => cacheState(informer).size === expected.size && [...expected].every(([k, rv]) => cacheState(informer).get(k) === rv), 'convergence after restart', 1_000_000);
    await informer.whenHandlersIdle();
    assert.deepEqual(cacheState(informer), expected);
    const sorted = log.filter((l) => !l.includes('one 3->3')).sort();
    assert.ok(sorted.includes('add four'), log.join('\n'));
    assert.ok(sorted.includes('update one 2->3'), log.join('\n'));
    assert.ok(sorted.some((l) => l === 'delete three' || l === 'delete tombstone default/three'), log.join('\n'));
    assert.ok(errors.length > 0, 'the outage was reported, not swallowed');
    // The restarted server replays its watch history from storage, so the informer resumes from
    // the last resourceVersion it saw instead of relisting (a 410 would relist; see the unit tests).
    assert.ok(lw.watchCalls.slice(1).every((w) => w.resourceVersion === rvBeforeOutage), JSON.stringify(lw.watchCalls));
  } finally {
    await informer.stop();
    lw.close();
    await c.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
