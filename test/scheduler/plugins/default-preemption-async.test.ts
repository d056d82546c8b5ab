// DefaultPreemption's asynchronous evictions against the real API server (in-process), built
// through the factory so the pod informer feeds it: a victim counts as terminating from the
// moment a preemption picks it until the informer shows it so (the preemptor does not preempt
// again meanwhile); a victim already being deleted gets no second call; the preemptor waits at
// PreEnqueue while its last victim's eviction has not shown up; the dry run leaves the
// snapshot's NodeInfo as it was.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { resourceRef } from '../../../src/client/rest/resource-ref.js';
import type { KubeObject } from '../../../src/api/object.js';
import type { Client } from '../../../src/client/rest/client.js';
import { newControllerContext } from '../../../src/controllers/context.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { Code, isSuccess } from '../../../src/scheduler/framework/status.js';
import type { NodeToStatus } from '../../../src/scheduler/framework/types.js';
import { DefaultPreemption, defaultPreemptionArgs, factory } from '../../../src/scheduler/plugins/default-preemption/index.js';
import { fitsByCpu, preemptionHandle } from './preemption-handle.js';

let api: InProcessApi;
let client: Client;
let ctx: ReturnType<typeof newControllerContext>;
before(async () => {
  api = await startInProcessApi();
  client = api.client();
  ctx = newControllerContext(client, pino({ level: 'silent' }));
  const pcs = client.resource(resourceRef<KubeObject>({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false }));
  for (const value of [1, 10]) await pcs.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `prio-${value}` }, value } as KubeObject);
});
after(async () => {
  await ctx?.close();
  await api?.close();
});

const pods = () => client.resource(resources.pods);

function podSpec(name: string, priority: number, nodeName?: string): Pod & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, priorityClassName: `prio-${priority}`, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1' } } }] },
  };
}

const oneCpuNode = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { allocatable: { cpu: '1', memory: '8Gi', pods: '110' } } });
/** A plugin built by the factory (pod and PDB informers from ctx) over the given NodeInfos. */
function pluginOver(infos: NodeInfo[]): DefaultPreemption {
  return factory(undefined, preemptionHandle(infos, client, ctx)) as DefaultPreemption;
}

const statusesFor = (pod: Pod, infos: NodeInfo[]): NodeToStatus => {
  const failed = new Map(infos.map((i) => [i.name, fitsByCpu(pod, i)!]));
  return { get: (n) => failed.get(n), entries: () => failed.entries() };
};

/** Resolves when the pod informer delivers a version of `name` for which `pred` holds. */
function informerSees(name: string, pred: (p: Pod | undefined) => boolean): Promise<void> {
  const informer = ctx.informers.for(resources.pods);
  if (pred(informer.getStore().getByKey(`default/${name}`))) return Promise.resolve();
  return new Promise((resolve) => {
    const reg = informer.addEventHandler({
      onAdd: (p) => check(p),
      onUpdate: (_o, p) => check(p),
      onDelete: () => check(undefined),
    });
    function check(p: Pod | undefined) {
      if (p && p.metadata?.name !== name) return;
      if (!pred(informer.getStore().getByKey(`default/${name}`))) return;
      void informer.removeEventHandler(reg);
      resolve();
    }
  });
}

let started = false;
async function startInformers(): Promise<void> {
  if (!started) ctx.informers.start();
  started = true;
  assert.ok(await ctx.informers.waitForCacheSync());
}

test('a victim counts as terminating from the moment it is picked until the informer shows it: its preemptor does not preempt again meanwhile', async () => {
  const victim = await pods().create(podSpec('t-victim', 1, 'x1'));
  const other = await pods().create(podSpec('t-other', 1, 'x2'));
  const preemptor = await pods().create(podSpec('t-preemptor', 10));
  const infos = [new NodeInfo(oneCpuNode('x1'), victim), new NodeInfo(oneCpuNode('x2'), other)];
  // No informer feeds this plugin: the test plays its lag, then its catching up.
  const plugin = new DefaultPreemption({
    args: defaultPreemptionArgs(undefined),
    pdbs: () => [],
    random: () => 0,
    informerReleasesVictims: true,
    handle: preemptionHandle(infos, client, ctx),
  });

  const first = await plugin.postFilter(new CycleState(), preemptor, statusesFor(preemptor, infos));
  assert.ok(isSuccess(first.status), first.status?.message());
  assert.deepEqual(first.result, { nominatedNodeName: 'x1' });
  assert.deepEqual([...plugin.evicting.uids], [victim.metadata?.uid], 'counted from the cycle that picked it');
  await Promise.all(plugin.evictions);
  assert.ok((await pods().get('t-victim', { namespace: 'default' })).metadata?.deletionTimestamp);
  assert.deepEqual([...plugin.evicting.uids], [victim.metadata?.uid], 'the API calls are done, the informer has not shown it yet');

  // Requeued (another pod's deletion) while the snapshot still has its victim as it was: not
  // eligible, and no second victim is picked.
  const nominated: Pod = { ...preemptor, status: { ...preemptor.status, nominatedNodeName: 'x1' } };
  const again = await plugin.postFilter(new CycleState(), nominated, statusesFor(nominated, infos));
  assert.equal(again.status?.code, Code.Unschedulable);
  assert.equal(again.status?.message(), 'preemption: not eligible due to a terminating pod on the nominated node.');
  assert.equal(again.result, undefined);
  assert.equal(plugin.evictions.size, 0);
  assert.equal((await pods().get('t-other', { namespace: 'default' })).metadata?.deletionTimestamp, undefined, 'no second victim');

  // The informer shows it terminating: from now on its copy speaks for the victim.
  plugin.observedTerminatingOrGone((await pods().get('t-victim', { namespace: 'default' })) as Pod);
  assert.equal(plugin.evicting.uids.size, 0);
});

test('through the factory, the pod informer releases a victim once it shows it terminating', async () => {
  const victim = await pods().create(podSpec('f-victim', 1, 'w1'));
  const preemptor = await pods().create(podSpec('f-preemptor', 10));
  const infos = [new NodeInfo(oneCpuNode('w1'), victim)];
  const plugin = pluginOver(infos);
  await startInformers();
  const { result, status } = await plugin.postFilter(new CycleState(), preemptor, statusesFor(preemptor, infos));
  assert.ok(isSuccess(status), status?.message());
  assert.deepEqual(result, { nominatedNodeName: 'w1' });
  assert.equal(plugin.evicting.uids.size, 1);
  await Promise.all(plugin.evictions);
  await informerSees('f-victim', (p) => !p || !!p.metadata?.deletionTimestamp);
  // The factory's handler was added before this test's: it has run by now.
  assert.equal(plugin.evicting.uids.size, 0);
});

test('a victim already being deleted gets no second delete, and the preemptor is not held back for it', async () => {
  const victim = await pods().create(podSpec('d-victim', 1, 'y1'));
  const preemptor = await pods().create(podSpec('d-preemptor', 10));
  // The snapshot's copy shows a graceful deletion already under way (by someone else).
  const terminating: Pod = { ...victim, metadata: { ...victim.metadata, deletionTimestamp: new Date().toISOString() } };
  const infos = [new NodeInfo(oneCpuNode('y1'), terminating)];
  const plugin = pluginOver(infos);
  await startInformers();

  const { result, status } = await plugin.postFilter(new CycleState(), preemptor, statusesFor(preemptor, infos));
  assert.ok(isSuccess(status), status?.message());
  assert.deepEqual(result, { nominatedNodeName: 'y1' });
  // Nothing to evict: no background work, nothing to wait for at PreEnqueue.
  assert.equal(plugin.preempting.size, 0);
  assert.equal(plugin.evicting.uids.size, 0);
  assert.equal(plugin.preEnqueue(preemptor), null);
  await Promise.all(plugin.evictions);
  const v = await pods().get('d-victim', { namespace: 'default' });
  assert.equal(v.metadata?.deletionTimestamp, undefined, 'no delete was sent');
  assert.equal(v.status?.conditions?.find((c) => c.type === 'DisruptionTarget'), undefined, 'no condition was written');
});

test('PreEnqueue holds the preemptor while its victims are evicted, and once only the last is left, until that one shows terminating or gone', () => {
  let latest: Pod | undefined;
  const plugin = new DefaultPreemption({
    args: defaultPreemptionArgs(undefined),
    handle: {} as never,
    pdbs: () => [],
    latestPod: () => latest,
  });
  const preemptor: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'p-uid' } };
  const last: Pod = { metadata: { name: 'v', namespace: 'default', uid: 'v-uid' } };
  assert.equal(plugin.preEnqueue(preemptor), null, 'not preempting');

  plugin.preempting.set('p-uid', undefined);
  latest = last;
  assert.equal(plugin.preEnqueue(preemptor)?.code, Code.UnschedulableAndUnresolvable, 'earlier victims still being evicted');

  plugin.preempting.set('p-uid', { namespace: 'default', name: 'v', uid: 'v-uid' });
  assert.equal(plugin.preEnqueue(preemptor)?.message(), 'waiting for the preemption for this pod to be finished', 'last victim not shown terminating yet');
  latest = { metadata: { ...last.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.equal(plugin.preEnqueue(preemptor), null, 'last victim terminating');
  latest = undefined;
  assert.equal(plugin.preEnqueue(preemptor), null, 'last victim gone');
  latest = { metadata: { ...last.metadata, uid: 'another' } };
  assert.equal(plugin.preEnqueue(preemptor), null, 'a new pod of the same name is not the victim');
});

test('the dry run leaves the snapshot NodeInfo as it was', async () => {
  const victims = [await pods().create(podSpec('s-v1', 1, 'z1')), await pods().create(podSpec('s-v2', 1, 'z1'))];
  const preemptor = await pods().create(podSpec('s-preemptor', 10));
  const ni = new NodeInfo({ ...oneCpuNode('z1'), status: { allocatable: { cpu: '2', memory: '8Gi', pods: '110' } } }, ...victims);
  const before = { pods: ni.pods.slice(), requested: { ...ni.requested }, nonZero: { ...ni.nonZeroRequested }, generation: ni.generation };
  const plugin = pluginOver([ni]);
  await startInformers();
  const { result, status } = await plugin.postFilter(new CycleState(), preemptor, statusesFor(preemptor, [ni]));
  assert.ok(isSuccess(status), status?.message());
  assert.deepEqual(result, { nominatedNodeName: 'z1' });
  await Promise.all(plugin.evictions);
  assert.deepEqual(ni.pods, before.pods);
  assert.equal(ni.requested.milliCPU, before.requested.milliCPU);
  assert.equal(ni.nonZeroRequested.milliCPU, before.nonZero.milliCPU);
  assert.equal(ni.generation, before.generation);
});
