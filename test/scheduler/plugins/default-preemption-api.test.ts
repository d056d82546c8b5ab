// DefaultPreemption against the real API server (in-process): the chosen victim gets the
// DisruptionTarget condition (reason PreemptionByScheduler) and a graceful delete, a
// "Preempted" event is recorded, other pods stay, and a lower-priority pod nominated to the
// node loses its nomination.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { resourceRef } from '../../../src/client/rest/resource-ref.js';
import type { KubeObject } from '../../../src/api/object.js';
import { Client as ClientClass, type Client } from '../../../src/client/rest/client.js';
import { newControllerContext } from '../../../src/controllers/context.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { Code, isSuccess } from '../../../src/scheduler/framework/status.js';
import type { NodeToStatus } from '../../../src/scheduler/framework/types.js';
import { DefaultPreemption, defaultPreemptionArgs, factory } from '../../../src/scheduler/plugins/default-preemption/index.js';
import { fitsByCpu, preemptionHandle } from './preemption-handle.js';
import type { PostFilterPlugin } from '../../../src/scheduler/framework/types.js';

let api: InProcessApi;
let client: Client;
let ctx: ReturnType<typeof newControllerContext>;
before(async () => {
  api = await startInProcessApi();
  client = api.client();
  ctx = newControllerContext(client, pino({ level: 'silent' }));
});
after(async () => {
  await ctx?.close();
  await api?.close();
});

const pods = () => client.resource(resources.pods);

const priorityClasses = () => client.resource(resourceRef<KubeObject>({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false }));

/** A pod of PriorityClass prio-<priority> (the Priority admission plugin fills spec.priority). */
function podSpec(name: string, priority: number, nodeName?: string): Pod & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, priorityClassName: `prio-${priority}`, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1' } } }] },
  };
}

const node: Node = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, status: { allocatable: { cpu: '2', memory: '8Gi', pods: '110' } } };

test('the victim gets DisruptionTarget and a graceful delete; a lower nomination on the node is cleared', async () => {
  for (const value of [1, 5, 10, 100]) {
    await priorityClasses().create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `prio-${value}` }, value });
  }
  const victim = await pods().create(podSpec('victim', 1, 'n1'));
  const keeper = await pods().create(podSpec('keeper', 100, 'n1'));
  const preemptor = await pods().create(podSpec('preemptor', 10));
  // A lower-priority pod already nominated to n1 by an earlier preemption.
  const nominatedLow = await pods().create(podSpec('nominated-low', 5));
  const nominatedNow = await pods().patch<Pod & KubeObject>('nominated-low', { status: { nominatedNodeName: 'n1' } }, { type: 'merge', subresource: 'status', namespace: 'default' });
  assert.equal(nominatedNow.status?.nominatedNodeName, 'n1');

  const ni = new NodeInfo(node, victim, keeper);
  const plugin = new DefaultPreemption({
    args: defaultPreemptionArgs(undefined),
    pdbs: () => [],
    handle: preemptionHandle([ni], client, ctx, { nominator: { nominatedPodsForNode: (n) => (n === 'n1' ? [newPodInfo(nominatedNow)] : []), addNominatedPod() {}, deleteNominatedPodIfExists() {} } }),
    asyncPreemption: false,
  });
  const failed = new Map([['n1', fitsByCpu(preemptor, ni)!]]);
  const statuses: NodeToStatus = { get: (n) => failed.get(n), entries: () => failed.entries() };

  const { result, status } = await plugin.postFilter(new CycleState(), preemptor, statuses);
  assert.ok(isSuccess(status), status?.message());
  assert.deepEqual(result, { nominatedNodeName: 'n1' });

  // A bound pod is deleted gracefully: it stays, terminating, with the condition set.
  const v = await pods().get('victim', { namespace: 'default' });
  assert.ok(v.metadata?.deletionTimestamp, 'victim is terminating');
  const cond = v.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  assert.equal(cond?.status, 'True');
  assert.equal(cond?.reason, 'PreemptionByScheduler');
  assert.equal(cond?.message, 'default-scheduler: preempting to accommodate a higher priority pod');

  const k = await pods().get('keeper', { namespace: 'default' });
  assert.equal(k.metadata?.deletionTimestamp, undefined);
  assert.equal(k.status?.conditions?.find((c) => c.type === 'DisruptionTarget'), undefined);

  const low = await pods().get('nominated-low', { namespace: 'default' });
  assert.equal(low.status?.nominatedNodeName, undefined, 'the lower-priority nomination is cleared');
  assert.equal(low.metadata?.uid, nominatedLow.metadata?.uid);

  // The recorder writes asynchronously: poll the events (no watch event to await for a list).
  const deadline = Date.now() + 5000;
  let preempted: Event | undefined;
  while (!preempted) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the Preempted event');
    const events = (await client.resource(resources.coreEvents).list({ namespace: 'default' })).items;
    preempted = events.find((e) => e.reason === 'Preempted' && e.involvedObject.name === 'victim');
    if (!preempted) await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(preempted.message, `Preempted by pod ${preemptor.metadata?.uid} on node n1`);
  assert.equal(preempted.type, 'Normal');
  // events.k8s.io/v1 as upstream records it: the preemptor is the related object.
  assert.equal(preempted.action, 'Preempting');
  assert.equal(preempted.related?.name, preemptor.metadata?.name);
});

test('through the factory: PDBs come from the informer, and the node whose victim no PDB protects is chosen', async () => {
  const budgets = client.resource(resources.podDisruptionBudgets);
  // No disruption controller runs here: the PDB's status allows no disruption.
  await budgets.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } });
  const protectedPod = await pods().create({ ...podSpec('db-0', 1, 'm1'), metadata: { name: 'db-0', namespace: 'default', labels: { app: 'db' } } });
  const plain = await pods().create(podSpec('plain-0', 5, 'm2'));
  const preemptor = await pods().create(podSpec('preemptor-2', 10));

  const nodes = ['m1', 'm2'].map((n) => ({ ...node, metadata: { name: n, labels: { 'kubernetes.io/hostname': n } }, status: { allocatable: { cpu: '1', memory: '8Gi', pods: '110' } } }));
  const infos = [new NodeInfo(nodes[0], protectedPod), new NodeInfo(nodes[1], plain)];
  const handle = preemptionHandle(infos, client, ctx);
  const plugin = factory(undefined, handle) as PostFilterPlugin;
  ctx.informers.start();
  assert.ok(await ctx.informers.waitForCacheSync());
  assert.equal(ctx.informers.for(resources.podDisruptionBudgets).getStore().list().length, 1);

  const failed = new Map(infos.map((i) => [i.name, fitsByCpu(preemptor, i)!]));
  const statuses: NodeToStatus = { get: (n) => failed.get(n), entries: () => failed.entries() };
  const { result, status } = await plugin.postFilter(new CycleState(), preemptor, statuses);
  assert.ok(isSuccess(status), status?.message());
  // The eviction runs after the cycle (asynchronous preemption, the default).
  await Promise.all((plugin as DefaultPreemption).evictions);
  // m1's victim has the lower priority, but evicting it would violate the PDB.
  assert.deepEqual(result, { nominatedNodeName: 'm2' });
  assert.ok((await pods().get('plain-0', { namespace: 'default' })).metadata?.deletionTimestamp);
  assert.equal((await pods().get('db-0', { namespace: 'default' })).metadata?.deletionTimestamp, undefined);
});

test('asynchronous preemption: the cycle returns before the evictions; the preemptor waits at PreEnqueue until its last victim is being evicted', async () => {
  const victims = [await pods().create(podSpec('async-v1', 1, 'a1')), await pods().create(podSpec('async-v2', 1, 'a1'))];
  const preemptor = await pods().create(podSpec('async-preemptor', 10));
  // 1.5 cpu: the 1-cpu preemptor fits only once both 1-cpu victims are gone.
  const a1: Node = { ...node, metadata: { name: 'a1', labels: { 'kubernetes.io/hostname': 'a1' } }, status: { allocatable: { cpu: '1500m', memory: '8Gi', pods: '110' } } };
  const ni = new NodeInfo(a1, ...victims);
  const activated: string[] = [];
  const plugin = new DefaultPreemption({
    args: defaultPreemptionArgs(undefined),
    pdbs: () => [],
    handle: preemptionHandle([ni], client, ctx, { activate: (ps) => activated.push(...ps.map((p) => p.metadata?.name ?? '')) }),
  });
  const failed = new Map([['a1', fitsByCpu(preemptor, ni)!]]);
  const statuses: NodeToStatus = { get: (n) => failed.get(n), entries: () => failed.entries() };

  const { result, status } = await plugin.postFilter(new CycleState(), preemptor, statuses);
  assert.ok(isSuccess(status), status?.message());
  assert.deepEqual(result, { nominatedNodeName: 'a1' });
  // Nothing was sent yet: the evictions run after the cycle, and the preemptor is held back.
  assert.equal(plugin.evictions.size, 1);
  const held = plugin.preEnqueue(preemptor);
  assert.equal(held?.code, Code.UnschedulableAndUnresolvable);
  assert.equal(held?.message(), 'waiting for the preemption for this pod to be finished');
  assert.equal(held?.plugin, 'DefaultPreemption');

  await Promise.all(plugin.evictions);
  assert.equal(plugin.preEnqueue(preemptor), null);
  for (const name of ['async-v1', 'async-v2']) {
    const v = await pods().get(name, { namespace: 'default' });
    assert.ok(v.metadata?.deletionTimestamp, `${name} is terminating`);
    assert.equal(v.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'PreemptionByScheduler');
  }
  // No error: the victims' delete events requeue the preemptor, no activation is needed.
  assert.deepEqual(activated, []);
});

test('asynchronous preemption: when an eviction fails the preemptor is activated rather than left parked', async () => {
  const preemptor = await pods().create(podSpec('async-preemptor-2', 10));
  // The evictions go to an API server that is not there: a real client whose connections are refused.
  const unreachable = ClientClass.fromConfig({ server: 'https://127.0.0.1:1', insecure: true, namespace: 'default', source: 'test' }, { http1: true, retry: { maxRetries: 0 } });
  const ghost: Pod = { ...podSpec('Not_A_Valid_Name', 1, 'a2'), metadata: { name: 'Not_A_Valid_Name', namespace: 'default', uid: 'ghost' } };
  const a2: Node = { ...node, metadata: { name: 'a2', labels: { 'kubernetes.io/hostname': 'a2' } }, status: { allocatable: { cpu: '1', memory: '8Gi', pods: '110' } } };
  const ni = new NodeInfo(a2, ghost);
  const activated: string[] = [];
  const plugin = new DefaultPreemption({
    args: defaultPreemptionArgs(undefined),
    pdbs: () => [],
    handle: preemptionHandle([ni], unreachable, ctx, { activate: (ps) => activated.push(...ps.map((p) => p.metadata?.name ?? '')) }),
  });
  const failed = new Map([['a2', fitsByCpu(preemptor, ni)!]]);
  const statuses: NodeToStatus = { get: (n) => failed.get(n), entries: () => failed.entries() };
  const { status } = await plugin.postFilter(new CycleState(), preemptor, statuses);
  assert.ok(isSuccess(status), status?.message());
  await Promise.all(plugin.evictions);
  assert.deepEqual(activated, ['async-preemptor-2']);
  assert.equal(plugin.preEnqueue(preemptor), null);
});
