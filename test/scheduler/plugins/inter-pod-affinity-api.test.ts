// InterPodAffinity built by its factory against the real API server (in-process): the
// namespaceSelector of a term is resolved through the Namespace informer the factory asks the
// handle's informers for, and follows namespace label changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { startInProcessApi, until, type InProcessApi } from '../../client/transport/in-process-api.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { newControllerContext } from '../../../src/controllers/context.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import type { FilterPlugin, Handle, NodeInfoLister, PreFilterPlugin } from '../../../src/scheduler/framework/types.js';
import { ERR_REASON_AFFINITY_RULES_NOT_MATCH, factory } from '../../../src/scheduler/plugins/inter-pod-affinity/index.js';

let api: InProcessApi;
let ctx: ReturnType<typeof newControllerContext>;
before(async () => {
  api = await startInProcessApi();
  ctx = newControllerContext(api.client(), pino({ level: 'silent' }));
});
after(async () => {
  await ctx?.close();
  await api?.close();
});

const node = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
const pod = (name: string, namespace: string, nodeName?: string, labels: Record<string, string> = {}): Pod => ({
  metadata: { name, namespace, uid: name, labels },
  spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
});

test('a namespaceSelector term sees the namespaces the informer knows, with their current labels', async () => {
  const client = api.client();
  const namespaces = client.resource(resources.namespaces);
  await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } });
  await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', labels: { team: 'b' } } });

  const infos = [new NodeInfo(node('n1'), pod('db-a', 'team-a', 'n1', { app: 'db' })), new NodeInfo(node('n2'), pod('db-b', 'team-b', 'n2', { app: 'db' }))];
  const lister: NodeInfoLister = { list: () => infos, get: (n) => infos.find((i) => i.name === n), havePodsWithAffinityList: () => [], havePodsWithRequiredAntiAffinityList: () => [] };
  const handle = { informers: ctx.informers, snapshotSharedLister: () => lister } as unknown as Handle;
  const plugin = factory(undefined, handle) as PreFilterPlugin & FilterPlugin;
  ctx.informers.start();
  assert.ok(await ctx.informers.waitForCacheSync());

  const incoming: Pod = {
    ...pod('web', 'default'),
    spec: {
      containers: [{ name: 'c', image: 'x' }],
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, namespaceSelector: { matchLabels: { team: 'b' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    },
  };
  const verdicts = () => {
    const state = new CycleState();
    plugin.preFilter(state, incoming, infos);
    return infos.map((ni) => plugin.filter(state, incoming, ni)?.message() ?? 'ok');
  };
  assert.deepEqual(verdicts(), [ERR_REASON_AFFINITY_RULES_NOT_MATCH, 'ok']);

  // Relabel team-a into team b: its pods now count too.
  await namespaces.patch('team-a', { metadata: { labels: { team: 'b' } } }, { type: 'merge' });
  const store = ctx.informers.for(resources.namespaces).getStore();
  await until(() => store.getByKey('team-a')?.metadata?.labels?.team === 'b', 'the informer to see the new label');
  assert.deepEqual(verdicts(), ['ok', 'ok']);
});
