// The scheduler against the real API server in-process, with the in-tree plugins: nodes are API
// objects (no node agent), pods get bound through pods/binding; failures show on the pod
// (PodScheduled=False) and as FailedScheduling events in upstream's message shape.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import { waitForObject, waitForObjects } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { resourceRef } from '../../src/client/rest/resource-ref.js';
import type { KubeObject } from '../../src/api/object.js';
import { runScheduler } from '../../src/scheduler/start.js';
import { schedulerConfigFrom } from '../../src/scheduler/config/load.js';
import { inTreeRegistry } from '../../src/scheduler/plugins/registry.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { createLogger } from '../../src/util/log.js';
import { metricsText } from '../../src/util/metrics.js';
import { makeNode, makePod } from './fixtures.js';

const registry = inTreeRegistry();
const known = (n: string) => registry.has(n);
const log = createLogger('scheduler-test', { level: process.env.SCHED_LOG ?? 'silent' });

let api: InProcessApi;
let client: Client;
let abort: AbortController;
let running: Promise<void>;
let scheduler: Scheduler;

const config = schedulerConfigFrom(
  {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    profiles: [
      { schedulerName: 'default-scheduler' },
      // A second profile: no scoring at all, and NodeName/TaintToleration still filter.
      { schedulerName: 'second-scheduler', plugins: { score: { disabled: [{ name: '*' }] }, preScore: { disabled: [{ name: '*' }] } } },
    ],
  },
  known,
);

before(async () => {
  api = await startInProcessApi();
  client = api.client();
  abort = new AbortController();
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  running = runScheduler(
    {
      client,
      log,
      config,
      registry,
      onStarted: (s) => {
        scheduler = s;
        started();
      },
    },
    abort.signal,
  );
  await ready;
});

after(async () => {
  abort?.abort();
  await running;
  await api?.close();
});

/** scheduler_queue_incoming_pods_total{event="NodeAdd"} over the active and backoff queues (this process's counter). */
async function movedByNodeAdd(): Promise<number> {
  const lines = (await metricsText()).split('\n').filter((l) => /^scheduler_queue_incoming_pods_total\{queue="(active|backoff)",event="NodeAdd"\} /.test(l));
  return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const priorityClasses = resourceRef<KubeObject & { value: number }>({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false });
const pods = () => client.resource(resources.pods);
const nodes = () => client.resource(resources.nodes);
const events = () => client.resource(resources.coreEvents);

const bound = (name: string, timeoutMs = 10_000) => waitForObject(pods(), 'default', name, (p) => !!p?.spec?.nodeName, `${name} bound`, timeoutMs) as Promise<Pod>;

const eventsFor = (name: string, reason: string, match: (msg: string) => boolean = () => true) =>
  waitForObjects(events(), (es) => es.some((e) => e.involvedObject?.name === name && e.reason === reason && match(e.message ?? '')), `${reason} event for ${name}`, { namespace: 'default' }).then((es) =>
    es.filter((e) => e.involvedObject?.name === name && e.reason === reason),
  );

describe('scheduler end to end', () => {
  test('pods are bound to nodes with room, and a Scheduled event names the node', async () => {
    await nodes().create(makeNode('fit-a', { cpu: '2', labels: { pool: 'fit' } }));
    await nodes().create(makeNode('fit-b', { cpu: '2', labels: { pool: 'fit' } }));
    for (const n of ['p1', 'p2', 'p3', 'p4']) await pods().create(makePod(n, { cpu: '1', nodeSelector: { pool: 'fit' } }));
    const placed = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((n) => bound(n)));
    const perNode = new Map<string, number>();
    for (const p of placed) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    assert.deepEqual([...perNode.entries()].sort(), [['fit-a', 2], ['fit-b', 2]], 'two 1-cpu pods per 2-cpu node');
    const ev = await eventsFor('p1', 'Scheduled');
    assert.equal(ev[0].message, `Successfully assigned default/p1 to ${placed[0].spec!.nodeName}`);
    assert.equal(ev[0].type, 'Normal');
    // Recorded through events.k8s.io/v1, as kube-scheduler records: regarding the pod (with its uid), action Binding.
    const v1 = (await client.resource(resources.events).list({ namespace: 'default' })).items.find((e) => e.regarding?.name === 'p1' && e.reason === 'Scheduled');
    assert.equal(v1?.reportingController, 'default-scheduler');
    assert.equal(v1?.action, 'Binding');
    assert.equal(v1?.regarding?.uid, placed.find((p) => p.metadata?.name === 'p1')?.metadata?.uid);
    assert.ok(v1?.eventTime, 'eventTime is set');
  });

  test('a pod that fits nowhere gets PodScheduled=False and FailedScheduling with counts by reason', async () => {
    await nodes().create(makeNode('small', { cpu: '1', labels: { pool: 'tight' } }));
    await nodes().create(makeNode('tainted', { cpu: '8', labels: { pool: 'tight' }, taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] }));
    await pods().create(makePod('big', { cpu: '3', nodeSelector: { pool: 'tight' } }));
    const p = await waitForObject(pods(), 'default', 'big', (o) => o?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false, 'PodScheduled=False');
    const cond = p!.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.equal(cond.reason, 'Unschedulable');
    const all = (await nodes().list()).items.length;
    assert.match(cond.message!, new RegExp(`^0/${all} nodes are available: `));
    assert.match(cond.message!, /1 Insufficient cpu/);
    assert.match(cond.message!, /1 node\(s\) had untolerated taint \{dedicated: infra\}/);
    assert.match(cond.message!, /node\(s\) didn't match Pod's node affinity\/selector/);
    // Preemption's own message follows, with upstream's double period.
    assert.match(cond.message!, /\. preemption: 0\/\d+ nodes are available: .*\.\.$/);
    // Reasons sorted as strings, as upstream's sortReasonsHistogram.
    const reasons = cond.message!.replace(/^0\/\d+ nodes are available: /, '').split('.')[0].split(', ');
    assert.deepEqual(reasons, [...reasons].sort());
    const ev = await eventsFor('big', 'FailedScheduling');
    assert.equal(ev[0].type, 'Warning');
    assert.equal(ev[0].message, cond.message);
    assert.equal(ev[0].action, 'Scheduling');
  });

  test('the pending pod is scheduled once a node with room is added', async () => {
    const movedBefore = await movedByNodeAdd();
    await nodes().create(makeNode('roomy', { cpu: '4', labels: { pool: 'tight' } }));
    const p = await bound('big');
    assert.equal(p.spec!.nodeName, 'roomy');
    // The node's arrival moved it out of the unschedulable pool (to backoffQ if its backoff had not ended yet).
    assert.ok((await movedByNodeAdd()) > movedBefore, 'scheduler_queue_incoming_pods_total counts the move by NodeAdd');
  });

  test('a second profile schedules its own pods; pods for an unknown scheduler are left alone', async () => {
    await pods().create(makePod('second', { cpu: '100m', schedulerName: 'second-scheduler', nodeSelector: { pool: 'tight' } }));
    await pods().create(makePod('elsewhere', { cpu: '100m', schedulerName: 'no-such-scheduler' }));
    const p = await bound('second');
    assert.ok(['small', 'roomy'].includes(p.spec!.nodeName!), 'an untainted node with room');
    const ev = await eventsFor('second', 'Scheduled');
    // events.k8s.io/v1 events, as kube-scheduler's: the profile is the reporting controller.
    assert.equal(ev[0].reportingComponent, 'second-scheduler');
    assert.equal(ev[0].action, 'Binding');
    const other = await pods().get('elsewhere');
    assert.equal(other.spec?.nodeName, undefined);
    assert.equal(scheduler.queue.whereIs(other), undefined);
  });

  test('a gated pod shows SchedulingGated and is scheduled once its gates are removed', async () => {
    await pods().create(makePod('gated', { cpu: '100m', schedulingGates: ['example.com/wait'] }));
    const p = await waitForObject(pods(), 'default', 'gated', (o) => o?.status?.conditions?.some((c) => c.reason === 'SchedulingGated') ?? false, 'SchedulingGated');
    assert.equal(p!.spec?.nodeName, undefined);
    await pods().patch('gated', { spec: { schedulingGates: null } }, { type: 'merge' });
    await bound('gated');
  });

  test('a pod deleted while pending leaves the queue', async () => {
    await pods().create(makePod('doomed', { cpu: '64' }));
    await eventsFor('doomed', 'FailedScheduling');
    const before = (await pods().get('doomed'));
    assert.ok(scheduler.queue.whereIs(before));
    await pods().delete('doomed', { gracePeriodSeconds: 0 });
    await waitForObject(pods(), 'default', 'doomed', (o) => o === undefined, 'doomed deleted');
    const deadline = Date.now() + 5000;
    while (scheduler.queue.whereIs(before) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(scheduler.queue.whereIs(before), undefined);
  });

  test('a high-priority pod preempts a lower-priority one: nominated, victim deleted, then bound there', async () => {
    await nodes().create(makeNode('pre-1', { cpu: '2', labels: { pool: 'pre' } }));
    await client.resource(priorityClasses).create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'vip' }, value: 1000 });
    await pods().create(makePod('victim', { cpu: '2', nodeSelector: { pool: 'pre' } }));
    await bound('victim');
    await pods().create(makePod('vip', { cpu: '2', priorityClassName: 'vip', nodeSelector: { pool: 'pre' } }));
    const vip = await waitForObject(pods(), 'default', 'vip', (o) => o?.status?.nominatedNodeName === 'pre-1', 'vip nominated to pre-1');
    assert.equal(vip!.spec?.nodeName, undefined);
    // The victim is deleted gracefully; with no node agent here, finish its deletion as a kubelet would.
    await waitForObject(pods(), 'default', 'victim', (o) => o === undefined || !!o.metadata?.deletionTimestamp, 'victim terminating');
    await pods().delete('victim', { gracePeriodSeconds: 0 }).catch(() => undefined);
    const placed = await bound('vip', 20_000);
    assert.equal(placed.spec!.nodeName, 'pre-1');
  });

  test('pods bound by someone else take their room in the cache', async () => {
    await nodes().create(makeNode('direct', { cpu: '1', labels: { pool: 'direct' } }));
    await pods().create(makePod('placed-by-hand', { cpu: '1', nodeName: 'direct' }));
    await pods().create(makePod('wants-direct', { cpu: '500m', nodeSelector: { pool: 'direct' } }));
    const p = await waitForObject(pods(), 'default', 'wants-direct', (o) => o?.status?.conditions?.some((c) => c.reason === 'Unschedulable') ?? false, 'wants-direct unschedulable');
    assert.match(p!.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message!, /1 Insufficient cpu/);
    // Its deletion frees the room: the pending pod is scheduled there.
    await pods().delete('placed-by-hand', { gracePeriodSeconds: 0 });
    assert.equal((await bound('wants-direct')).spec!.nodeName, 'direct');
  });
});
