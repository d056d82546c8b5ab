// The in-process transport against the real API server (no listener): identity, bodies, status
// and headers, watches that end on abort/stop/close, and that nothing is lost while a watch
// consumer is not reading.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { InProcessTransport } from '../../../src/client/transport/in-process.js';
import { readAll } from '../../../src/client/transport/read-body.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { WatchConnectionError } from '../../../src/client/watch/decoder.js';
import { startInProcessApi, until, type InProcessApi } from './in-process-api.js';

let env: InProcessApi;
before(async () => {
  env = await startInProcessApi();
});
after(async () => {
  await env.close();
});

const cmWatchers = () => env.serverWatchers('', 'v1', 'configmaps');

test('the in-process user reaches the authenticator: SelfSubjectReview names it with system:authenticated added', async () => {
  const t = new InProcessTransport(env.api.handle as never, { username: 'alice', groups: ['team-a'] });
  const res = await t.request({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  assert.equal(res.status, 201);
  assert.match(String(res.headers['content-type']), /application\/json/);
  const review = JSON.parse((await readAll(res.body)).toString());
  assert.equal(review.status.userInfo.username, 'alice');
  assert.deepEqual(review.status.userInfo.groups, ['team-a', 'system:authenticated']);
  await t.close();
});

test('request bodies and content types go through the same decoding as over the network (YAML create, 415 for unknown)', async () => {
  const t = new InProcessTransport(env.api.handle as never, { username: 'admin', groups: ['system:masters'] });
  const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n';
  const created = await t.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: yaml, headers: { 'Content-Type': 'application/yaml' } });
  assert.equal(created.status, 201);
  assert.equal(JSON.parse((await readAll(created.body)).toString()).data.k, 'v');
  const bad = await t.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: 'x', headers: { 'Content-Type': 'text/csv' } });
  assert.equal(bad.status, 415);
  assert.equal(JSON.parse((await readAll(bad.body)).toString()).reason, 'UnsupportedMediaType');
  await t.close();
});

test('an already-aborted signal rejects before the server is called', async () => {
  const t = new InProcessTransport(() => assert.fail('handler must not run'), { username: 'a', groups: [] });
  await assert.rejects(t.request({ method: 'GET', path: '/version', signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('a watch sees create, update and delete in order, and stop() ends the server-side watch', async () => {
  const cms = env.client().resource(resources.configMaps, 'default');
  const list = await cms.list();
  const before = cmWatchers();
  const watch = await cms.watch({ resourceVersion: list.metadata.resourceVersion });
  assert.equal(cmWatchers(), before + 1);
  const created = await cms.create({ metadata: { name: 'watched' }, data: { a: '1' } });
  await cms.update({ ...created, data: { a: '2' } });
  await cms.delete('watched');
  const seen: string[] = [];
  for await (const e of watch) {
    seen.push(`${e.type} ${e.object.metadata?.name} ${(e.object as ConfigMap).data?.a}`);
    if (seen.length === 3) watch.stop();
  }
  assert.deepEqual(seen, ['ADDED watched 1', 'MODIFIED watched 2', 'DELETED watched 2']);
  await until(() => cmWatchers() === before, 'the server to drop the stopped watch');
});

test('aborting the signal of a running watch closes the request: the iteration ends with AbortError and the server drops the watch', async () => {
  const cms = env.client().resource(resources.configMaps, 'default');
  const before = cmWatchers();
  const ac = new AbortController();
  const watch = await cms.watch({ resourceVersion: (await cms.list()).metadata.resourceVersion, signal: ac.signal });
  await cms.create({ metadata: { name: 'abort-me' } });
  const it = watch[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.object.metadata?.name, 'abort-me');
  const pending = it.next();
  ac.abort();
  await assert.rejects(pending, { name: 'AbortError' });
  await until(() => cmWatchers() === before, 'the server to drop the aborted watch');
});

test('events written while the consumer is not reading are buffered (backpressure), not lost, and arrive in order', async () => {
  const cms = env.client().resource(resources.configMaps, 'default');
  const watch = await cms.watch({ resourceVersion: (await cms.list()).metadata.resourceVersion });
  const n = 300;
  const payload = 'x'.repeat(2000);
  for (let i = 0; i < n; i++) await cms.create({ metadata: { name: `bp-${i}` }, data: { payload } });
  let i = 0;
  for await (const e of watch) {
    assert.equal(e.object.metadata?.name, `bp-${i}`);
    if (++i === n) watch.stop();
  }
  assert.equal(i, n);
});

test('closing the transport ends its open watches with an error for the reader', async () => {
  const client = env.client();
  const cms = client.resource(resources.configMaps, 'default');
  const watch = await cms.watch({ resourceVersion: (await cms.list()).metadata.resourceVersion });
  const it = watch[Symbol.asyncIterator]();
  const pending = it.next();
  await client.close();
  await assert.rejects(pending, WatchConnectionError);
});
