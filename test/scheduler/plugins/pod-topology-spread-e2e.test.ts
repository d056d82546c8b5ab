// PodTopologySpread and NodeResourcesFit in the real scheduler against the real API server
// (in-process): a hard zone constraint spreads a group evenly; a constraint on a key no node has
// leaves the pod pending with upstream's reason; a request larger than any node is reported as
// Insufficient cpu.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
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
const zoneOf: Record<string, string> = { a1: 'a', a2: 'a', b1: 'b' };

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
  for (const [name, zone] of Object.entries(zoneOf)) await client.resource(resources.nodes).create(makeNode(name, { cpu: '8', labels: { [ZONE]: zone } }));
});

after(async () => {
  abort?.abort();
  await running;
  await api?.close();
});

const pods = () => client.resource(resources.pods);
const bound = (name: string) => waitForObject(pods(), 'default', name, (p) => !!p?.spec?.nodeName, `${name} bound`, 10_000) as Promise<Pod>;
const pending = (name: string) =>
  waitForObject(pods(), 'default', name, (o) => o?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false, `${name} unschedulable`) as Promise<Pod>;
const message = (p: Pod) => p.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message!;

function spread(p: Pod & KubeObject, topologyKey: string): Pod & KubeObject {
  const labelSelector = { matchLabels: { app: 'spread' } };
  return { ...p, spec: { ...p.spec!, topologySpreadConstraints: [{ maxSkew: 1, topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector }] } };
}

test('a hard zone constraint with maxSkew 1 spreads pods evenly over two zones of unequal size', async () => {
  const zones: string[] = [];
  for (const n of ['s1', 's2', 's3', 's4']) {
    await pods().create(spread(makePod(n, { cpu: '100m', labels: { app: 'spread' } }), ZONE));
    zones.push(zoneOf[(await bound(n)).spec!.nodeName!]!);
  }
  assert.deepEqual(zones.filter((z) => z === 'a').length, 2, `zones ${zones.join(',')}`);
});

test('a constraint on a topology key no node has leaves the pod pending with the missing-label reason', async () => {
  await pods().create(spread(makePod('norack', { cpu: '100m', labels: { app: 'spread' } }), 'rack'));
  const msg = message(await pending('norack'));
  assert.match(msg, /^0\/3 nodes are available: 3 node\(s\) didn't match pod topology spread constraints \(missing required label\)\. preemption: /);
});

test('a pod larger than every node is reported as Insufficient cpu', async () => {
  await pods().create(makePod('huge', { cpu: '64' }));
  const msg = message(await pending('huge'));
  assert.match(msg, /^0\/3 nodes are available: 3 Insufficient cpu\. preemption: /);
});
