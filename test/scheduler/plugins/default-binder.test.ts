// DefaultBinder through the real API server (in-process transport): the binding sets
// spec.nodeName; a stale UID or a pod already bound comes back as an Error status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { Client } from '../../../src/client/rest/client.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { DefaultBinderPlugin, factory, NAME } from '../../../src/scheduler/plugins/default-binder/index.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { handle } from './basic-fixtures.js';

let env: InProcessApi;
let client: Client;
before(async () => {
  env = await startInProcessApi();
  client = env.client();
  await client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
});
after(async () => {
  await env.close();
});

const newPod = (name: string): Promise<Pod> =>
  client.resource(resources.pods).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

test('binding a pending pod sets its spec.nodeName', async () => {
  const created = await newPod('bind-me');
  const binder = factory(undefined, handle([], { client })) as DefaultBinderPlugin;
  assert.equal(binder.name, NAME);
  assert.equal(NAME, 'DefaultBinder');
  const status = await binder.bind(new CycleState(), created, 'node-a');
  assert.equal(status, undefined);
  const got = await client.resource(resources.pods).get('bind-me', { namespace: 'default' });
  assert.equal(got.spec?.nodeName, 'node-a');
});

test('binding with a UID that is no longer the pod’s fails with an Error status', async () => {
  const created = await newPod('stale');
  const binder = new DefaultBinderPlugin(handle([], { client }));
  const status = await binder.bind(new CycleState(), { ...created, metadata: { ...created.metadata, uid: 'not-the-uid' } }, 'node-a');
  assert.equal(status?.code, Code.Error);
  const got = await client.resource(resources.pods).get('stale', { namespace: 'default' });
  assert.equal(got.spec?.nodeName, undefined);
});

test('binding a pod that is already bound fails with an Error status', async () => {
  const created = await newPod('twice');
  const binder = new DefaultBinderPlugin(handle([], { client }));
  assert.equal(await binder.bind(new CycleState(), created, 'node-a'), undefined);
  const again = await binder.bind(new CycleState(), created, 'node-a');
  assert.equal(again?.code, Code.Error);
  assert.match(again!.message(), /already|assigned|bound|Conflict/i);
});
