// Watches against the real API server: 410 for a compacted resourceVersion surfaces as an
// ApiError that isGone, and a ListerWatcher scopes list and watch to a namespace and selectors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { ApiError, isGone } from '../../../src/client/rest/errors.js';
import { listerWatcher } from '../../../src/client/rest/lister-watcher.js';
import { startInProcessApi, type InProcessApi } from '../transport/in-process-api.js';

let env: InProcessApi;
before(async () => {
  env = await startInProcessApi();
});
after(async () => {
  await env.close();
});

test('a watch from a resourceVersion older than the compacted history ends with a 410 ApiError (isGone), not silently', async () => {
  const cms = env.client().resource(resources.configMaps, 'default');
  const first = await cms.create({ metadata: { name: 'old' } });
  for (let i = 0; i < 3; i++) await cms.create({ metadata: { name: `newer-${i}` } });
  await env.store.compact(await env.store.currentRevision());
  await env.restart();
  const watch = await cms.watch({ resourceVersion: first.metadata!.resourceVersion });
  const events: string[] = [];
  const err = await (async () => {
    for await (const e of watch) events.push(e.type);
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.deepEqual(events, []);
  assert.ok(err instanceof ApiError, String(err));
  assert.ok(isGone(err));
  assert.equal(err.code, 410);
});

test('a ListerWatcher lists and watches only its namespace and selectors, ANDed with the caller\'s', async () => {
  const client = env.client();
  await client.resource(resources.namespaces).create({ metadata: { name: 'lw' } });
  const cms = client.resource(resources.configMaps);
  const lw = listerWatcher(cms, { namespace: 'lw', labelSelector: 'team=a' });
  await cms.create({ metadata: { name: 'match', namespace: 'lw', labels: { team: 'a', tier: 'web' } } });
  await cms.create({ metadata: { name: 'other-team', namespace: 'lw', labels: { team: 'b' } } });
  await cms.create({ metadata: { name: 'other-ns', namespace: 'default', labels: { team: 'a' } } });
  const list = await lw.list({});
  assert.deepEqual(list.items.map((i) => i.metadata?.name), ['match']);
  assert.deepEqual((await lw.list({ labelSelector: 'tier=db' })).items, []);

  const watch = await lw.watch({ resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true });
  await cms.create({ metadata: { name: 'skip-ns', namespace: 'default', labels: { team: 'a' } } });
  await cms.create({ metadata: { name: 'skip-team', namespace: 'lw', labels: { team: 'b' } } });
  await cms.create({ metadata: { name: 'second-match', namespace: 'lw', labels: { team: 'a' } } });
  for await (const e of watch) {
    if (e.type === 'BOOKMARK') continue;
    assert.equal(`${e.type} ${e.object.metadata?.namespace}/${e.object.metadata?.name}`, 'ADDED lw/second-match');
    watch.stop();
  }
});
