// DefaultPreemption in the real scheduler against the real API server (in-process): the
// preemptor avoids evicting a pod a PodDisruptionBudget protects even though that victim has the
// lower priority; the victim gets DisruptionTarget and a graceful delete, the preemptor is
// nominated, and once the victim is gone (played here, as no node agent runs) it is bound there.
// A pod with preemptionPolicy Never stays pending with upstream's message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { waitForObject } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { resourceRef } from '../../../src/client/rest/resource-ref.js';
import type { Client } from '../../../src/client/rest/client.js';
import type { KubeObject } from '../../../src/api/object.js';
import { runScheduler } from '../../../src/scheduler/start.js';
import { createLogger } from '../../../src/util/log.js';
import { makeNode, makePod } from '../fixtures.js';

const log = createLogger('scheduler-test', { level: process.env.SCHED_LOG ?? 'silent' });

let api: InProcessApi;
let client: Client;
let abort: AbortController;
let running: Promise<void>;

const priorityClasses = resourceRef<KubeObject & { value: number }>({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false });

before(async () => {
  api = await startInProcessApi();
  client = api.client();
  for (const [name, value] of [['p5', 5], ['p10', 10], ['p1000', 1000]] as const) {
    await client.resource(priorityClasses).create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value });
  }
  abort = new AbortController();
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  running = runScheduler({ client, log, onStarted: () => started() }, abort.signal);
  await ready;
});

after(async () => {
  abort?.abort();
  await running;
  await api?.close();
});

const pods = () => client.resource(resources.pods);
const bound = (name: string, ms = 10_000) => waitForObject(pods(), 'default', name, (p) => !!p?.spec?.nodeName, `${name} bound`, ms) as Promise<Pod>;

test('the preemptor spares a PDB-protected lower-priority pod and evicts the other node\'s pod instead', async () => {
  await client.resource(resources.nodes).create(makeNode('x1', { cpu: '1', labels: { pool: 'pdb' } }));
  await client.resource(resources.nodes).create(makeNode('x2', { cpu: '1', labels: { pool: 'pdb' } }));
  // No disruption controller runs: the budget's status allows no disruption.
  await client.resource(resources.podDisruptionBudgets).create({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'guarded', namespace: 'default' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
  });
  await pods().create(makePod('guarded-0', { cpu: '1', priorityClassName: 'p5', labels: { app: 'guarded' }, nodeSelector: { 'kubernetes.io/hostname': 'x1' } }));
  await pods().create(makePod('plain-0', { cpu: '1', priorityClassName: 'p10', nodeSelector: { 'kubernetes.io/hostname': 'x2' } }));
  await bound('guarded-0');
  await bound('plain-0');

  await pods().create(makePod('vip', { cpu: '1', priorityClassName: 'p1000', nodeSelector: { pool: 'pdb' } }));
  const vip = await waitForObject(pods(), 'default', 'vip', (o) => !!o?.status?.nominatedNodeName, 'vip nominated');
  assert.equal(vip!.status!.nominatedNodeName, 'x2');

  const victim = await waitForObject(pods(), 'default', 'plain-0', (o) => !!o?.metadata?.deletionTimestamp, 'plain-0 terminating');
  const cond = victim!.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']);
  const guarded = await pods().get('guarded-0', { namespace: 'default' });
  assert.equal(guarded.metadata?.deletionTimestamp, undefined);

  // Finish the victim's deletion as its kubelet would.
  await pods().delete('plain-0', { gracePeriodSeconds: 0 });
  assert.equal((await bound('vip', 20_000)).spec!.nodeName, 'x2');
});

test('a pod with preemptionPolicy Never does not preempt and says so', async () => {
  await client.resource(resources.nodes).create(makeNode('y1', { cpu: '1', labels: { pool: 'never' } }));
  await pods().create(makePod('low-y', { cpu: '1', priorityClassName: 'p5', nodeSelector: { pool: 'never' } }));
  await bound('low-y');
  const polite = makePod('polite', { cpu: '1', priorityClassName: 'p1000', nodeSelector: { pool: 'never' } });
  polite.spec!.preemptionPolicy = 'Never';
  await pods().create(polite);
  const p = await waitForObject(pods(), 'default', 'polite', (o) => o?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false, 'polite unschedulable');
  assert.match(p!.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message!, /\. preemption: not eligible due to preemptionPolicy=Never\.\.$/);
  assert.equal((await pods().get('low-y', { namespace: 'default' })).metadata?.deletionTimestamp, undefined);
});
