// InterPodAffinity in the real scheduler against the real API server (in-process): required
// anti-affinity spreads a group one per zone and leaves the extra pod pending with upstream's
// message (and preemption's, which finds no lower-priority victims); required affinity joins a
// zone; preferred affinity picks the node of the matching pod.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { waitForObject } from '../../helpers/controllers.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import type { Client } from '../../../src/client/rest/client.js';
import type { KubeObject } from '../../../src/api/object.js';
import { runScheduler } from '../../../src/scheduler/start.js';
import { createLogger } from '../../../src/util/log.js';
import { makeNode, makePod } from '../fixtures.js';

const log = createLogger('scheduler-test', { level: process.env.SCHED_LOG ?? 'silent' });
const ZONE = 'topology.kubernetes.io/zone';

let api: InProcessApi;
let client: Client;
let abort: AbortController;
let running: Promise<void>;

before(async () => {
  api = await startInProcessApi();
  client = api.client();
  abort = new AbortController();
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  running = runScheduler({ client, log, onStarted: () => started() }, abort.signal);
  await ready;
  for (const [name, zone] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['c1', 'c']]) {
    await client.resource(resources.nodes).create(makeNode(name, { cpu: '8', labels: { [ZONE]: zone } }));
  }
});

after(async () => {
  abort?.abort();
  await running;
  await api?.close();
});

const pods = () => client.resource(resources.pods);
const bound = (name: string) => waitForObject(pods(), 'default', name, (p) => !!p?.spec?.nodeName, `${name} bound`, 10_000) as Promise<Pod>;
const zoneOf = (nodeName: string) => ({ a1: 'a', a2: 'a', b1: 'b', c1: 'c' })[nodeName];

function withAffinity(p: Pod & KubeObject, a: NonNullable<Pod['spec']>['affinity']): Pod & KubeObject {
  return { ...p, spec: { ...p.spec!, affinity: a } };
}
const term = (labels: Record<string, string>, topologyKey: string): PodAffinityTerm => ({ labelSelector: { matchLabels: labels }, topologyKey });

test('required anti-affinity puts one pod per zone; the fourth stays pending with upstream messages', async () => {
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'spread' }, ZONE)] } };
  for (const n of ['s1', 's2', 's3']) {
    await pods().create(withAffinity(makePod(n, { cpu: '100m', labels: { app: 'spread' } }), anti));
    await bound(n);
  }
  const zones = await Promise.all(['s1', 's2', 's3'].map(async (n) => zoneOf((await bound(n)).spec!.nodeName!)));
  assert.deepEqual(zones.sort(), ['a', 'b', 'c']);

  await pods().create(withAffinity(makePod('s4', { cpu: '100m', labels: { app: 'spread' } }), anti));
  const p = await waitForObject(pods(), 'default', 's4', (o) => o?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false, 's4 unschedulable');
  const msg = p!.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message;
  // Both sides of the rule hold on every node: the incoming pod's terms are checked first.
  assert.equal(msg, "0/4 nodes are available: 4 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod..");
});

test('required affinity joins the zone of the matching pod; preferred affinity picks its node', async () => {
  await pods().create(makePod('db', { cpu: '100m', labels: { app: 'db' }, nodeSelector: { 'kubernetes.io/hostname': 'a2' } }));
  assert.equal((await bound('db')).spec!.nodeName, 'a2');

  await pods().create(withAffinity(makePod('api', { cpu: '100m' }), { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, ZONE)] } }));
  assert.equal(zoneOf((await bound('api')).spec!.nodeName!), 'a');

  await pods().create(withAffinity(makePod('cache', { cpu: '100m' }), { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term({ app: 'db' }, 'kubernetes.io/hostname') }] } }));
  assert.equal((await bound('cache')).spec!.nodeName, 'a2');
});
