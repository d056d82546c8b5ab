// Events expire --event-ttl after their last write (upstream: an etcd lease per write), seen by
// watchers as DELETED; nothing else expires. After a restart, stored Events expire counted from
// the newest time they record. Driven through @kubernetes/client-node and the real kubectl; the
// retry of a failed delete through the real store with one delete made to fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { EventExpiry } from '../../src/apiserver/event-ttl.js';
import { WatchCache } from '../../src/apiserver/watch-cache.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';
import { createLogger } from '../../src/util/log.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const ttlMs = 1000;

function clientOf(c: TestCluster): { kc: k8s.KubeConfig; core: k8s.CoreV1Api } {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api) };
}

const event = (name: string, lastTimestamp = new Date()): k8s.CoreV1Event => ({
  metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
  reason: 'Tested',
  message: 'an event',
  type: 'Normal',
  count: 1,
  firstTimestamp: lastTimestamp,
  lastTimestamp,
  source: { component: 'event-ttl-test' },
});

/** Resolves with the time (performance.now()) the watch saw the Event `name` DELETED. */
async function deletedAt(kc: k8s.KubeConfig, core: k8s.CoreV1Api, name: string): Promise<number> {
  const list = await core.listNamespacedEvent({ namespace: 'default' });
  if (!list.items.some((e) => e.metadata?.name === name)) return performance.now();
  let ctl: { abort(): void } | undefined;
  const seen = new Promise<number>((resolve, reject) => {
    new k8s.Watch(kc)
      .watch(
        '/api/v1/namespaces/default/events',
        { resourceVersion: list.metadata?.resourceVersion },
        (type, obj: k8s.CoreV1Event) => {
          if (type === 'DELETED' && obj.metadata?.name === name) resolve(performance.now());
        },
        (err) => (err ? reject(err) : undefined),
      )
      .then((c) => (ctl = c), reject);
  });
  try {
    return await seen;
  } finally {
    ctl?.abort();
  }
}

describe('event TTL', { timeout: 60_000 }, () => {
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  before(async () => {
    c = await startTestCluster({ eventTTLMs: ttlMs });
    ({ kc, core } = clientOf(c));
  });
  after(async () => {
    await c?.close();
  });

  test('an Event is deleted the TTL after it was written, and watchers see DELETED; a ConfigMap is not', async () => {
    const t0 = performance.now();
    await core.createNamespacedEvent({ namespace: 'default', body: event('short-lived') });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stays' } } });
    const gone = await deletedAt(kc, core, 'short-lived');
    assert.ok(gone - t0 >= ttlMs, `deleted ${Math.round(gone - t0)} ms after its create, before the ${ttlMs} ms TTL`);
    await assert.rejects(core.readNamespacedEvent({ name: 'short-lived', namespace: 'default' }), (err: { code?: number }) => err.code === 404);
    assert.equal((await core.readNamespacedConfigMap({ name: 'stays', namespace: 'default' })).metadata?.name, 'stays');
    // The events.k8s.io/v1 view of the same storage agrees.
    const v1 = await c.request('GET', '/apis/events.k8s.io/v1/namespaces/default/events');
    assert.deepEqual(v1.json().items.map((e: { metadata: { name: string } }) => e.metadata.name), []);
  });

  test('each write starts the TTL again (a series count bumped by a patch)', async () => {
    await core.createNamespacedEvent({ namespace: 'default', body: event('repeated') });
    // Time has to pass for a renewal to mean anything; well inside the TTL.
    await sleep(ttlMs / 4);
    const t1 = performance.now();
    await core.patchNamespacedEvent({ name: 'repeated', namespace: 'default', body: { count: 2, lastTimestamp: new Date() } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const gone = await deletedAt(kc, core, 'repeated');
    assert.ok(gone - t1 >= ttlMs, `deleted ${Math.round(gone - t1)} ms after its last write, before the ${ttlMs} ms TTL`);
  });

  test('an Event deleted by a client before its deadline, and one created again under its name, are left alone', async () => {
    await core.createNamespacedEvent({ namespace: 'default', body: event('recreated') });
    await core.deleteNamespacedEvent({ name: 'recreated', namespace: 'default' });
    const t1 = performance.now();
    await core.createNamespacedEvent({ namespace: 'default', body: event('recreated') });
    const gone = await deletedAt(kc, core, 'recreated');
    assert.ok(gone - t1 >= ttlMs, `the new incarnation went ${Math.round(gone - t1)} ms after its create`);
  });
});

test('after a restart, stored Events expire counted from the newest time they record', { timeout: 60_000 }, async (t) => {
  const yesterday = new Date(Date.now() - 24 * 3600_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-event-ttl-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startTestCluster({ dataDir, eventTTLMs: 0 });
  try {
    const { core } = clientOf(first);
    await core.createNamespacedEvent({ namespace: 'default', body: event('from-yesterday', yesterday) });
    await core.createNamespacedEvent({ namespace: 'default', body: event('from-now') });
  } finally {
    await first.close();
  }
  // The server stamps creationTimestamp with the time of the create: made a day old in storage.
  const store = openSqliteStore({ path: join(dataDir, 'state.db') });
  try {
    const key = '/registry/core/events/default/from-yesterday';
    const kv = (await store.get(key))!;
    const stored = JSON.parse(kv.value) as { metadata: { creationTimestamp: string } };
    stored.metadata.creationTimestamp = yesterday.toISOString().replace(/\.\d+Z$/, 'Z');
    await store.update(key, JSON.stringify(stored), kv.modRevision);
  } finally {
    await store.close();
  }
  // Restarted with the default TTL (1 h): the day-old Event is due at once, the new one is not.
  const second = await startTestCluster({ dataDir });
  try {
    const { kc, core } = clientOf(second);
    await deletedAt(kc, core, 'from-yesterday');
    const names = (await second.kubectlOk(['get', 'events', '-n', 'default', '-o', 'name'])).trim().split('\n');
    assert.deepEqual(names, ['event/from-now']);
  } finally {
    await second.close();
  }
});

test('a delete that fails for another reason than a newer write is tried again', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-event-ttl-retry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  t.after(() => store.close());
  // The real store, whose first delete fails as a full disk would.
  let failures = 1;
  const flaky = new Proxy(store, {
    get(target, prop) {
      if (prop === 'delete' && failures > 0) {
        failures--;
        return () => Promise.reject(new Error('database or disk is full'));
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Store;
  const cache = new WatchCache(store);
  await cache.start();
  t.after(() => cache.stop());
  const warnings: string[] = [];
  const log = createLogger('test', {
    level: 'warn',
    format: 'json',
    destination: new Writable({
      write: (chunk: Buffer, _e, cb) => {
        warnings.push(...chunk.toString().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg));
        cb();
      },
    }) as never,
  });
  const prefix = '/registry/core/events/';
  const key = `${prefix}default/e1`;
  const rc = cache.resourceFor(prefix);
  const gone = new Promise<void>((resolve) => rc.addWatcher({ onEvent: (ev) => ev.type === 'DELETED' && resolve(), onClose: () => undefined }, cache.revision));
  const expiry = new EventExpiry(flaky, cache, prefix, { ttlMs: 20, retryAfterMs: 20, log });
  expiry.start();
  t.after(() => expiry.stop());
  await store.create(key, JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' } }));
  // The expiry timer never holds a process open (it is unref'd): this test's own wait does.
  const holdOpen = setInterval(() => undefined, 1000);
  try {
    await gone;
  } finally {
    clearInterval(holdOpen);
  }
  assert.equal(failures, 0, 'the first delete failed');
  assert.deepEqual(warnings, ['deleting an expired event failed; retrying']);
  assert.equal(await store.get(key), undefined);
});
