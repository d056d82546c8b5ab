// The binding cycle against the real API server, with the in-tree plugins plus two test plugins:
// a Permit plugin that holds pods until the test allows (or rejects) them, and a Bind plugin
// that fails a pod's first bind. Failures must undo the assumption and requeue the pod; the
// metrics count attempts by result.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, until, type InProcessApi } from '../client/transport/in-process-api.js';
import { waitForObject, waitForObjects } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { runScheduler } from '../../src/scheduler/start.js';
import { schedulerConfigFrom } from '../../src/scheduler/config/load.js';
import { inTreeRegistry, mergeRegistries } from '../../src/scheduler/plugins/registry.js';
import * as defaultBinder from '../../src/scheduler/plugins/default-binder/index.js';
import { Code, Status } from '../../src/scheduler/framework/status.js';
import type { BindPlugin, Handle, PermitPlugin, PluginFactory } from '../../src/scheduler/framework/types.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { metricsText } from '../../src/util/metrics.js';
import { createLogger } from '../../src/util/log.js';
import { makeNode, makePod } from './fixtures.js';

const log = createLogger('binding-test', { level: 'silent' });
let handle: Handle;
let flakyFailures = 0;

const permitFactory: PluginFactory = (_args, h) => {
  handle = h;
  const p: PermitPlugin = {
    name: 'HoldForTest',
    permit: (_s, pod) => (pod.metadata?.labels?.hold ? { status: new Status(Code.Wait), timeoutMs: 30_000 } : {}),
  };
  return p;
};

const flakyFactory: PluginFactory = (args, h) => {
  const real = defaultBinder.factory(args, h) as BindPlugin;
  const failed = new Set<string>();
  const p: BindPlugin = {
    name: 'FlakyBinder',
    async bind(state, pod, node) {
      const uid = pod.metadata?.uid ?? '';
      if (pod.metadata?.labels?.flaky && !failed.has(uid)) {
        failed.add(uid);
        flakyFailures++;
        return Status.error(new Error('injected bind failure'));
      }
      return real.bind(state, pod, node);
    },
  };
  return p;
};

const registry = mergeRegistries(inTreeRegistry(), { HoldForTest: permitFactory, FlakyBinder: flakyFactory });
const config = schedulerConfigFrom(
  {
    profiles: [
      {
        schedulerName: 'default-scheduler',
        plugins: {
          permit: { enabled: [{ name: 'HoldForTest' }] },
          bind: { enabled: [{ name: 'FlakyBinder' }], disabled: [{ name: 'DefaultBinder' }] },
        },
      },
    ],
    // Short backoffs keep the retry quick.
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 1,
  },
  (n) => registry.has(n),
);

let api: InProcessApi;
let client: Client;
let abort: AbortController;
let running: Promise<void>;
let scheduler: Scheduler;

before(async () => {
  api = await startInProcessApi();
  client = api.client();
  abort = new AbortController();
  let started!: () => void;
  const ready = new Promise<void>((r) => (started = r));
  running = runScheduler({ client, log, config, registry, onStarted: (s) => ((scheduler = s), started()) }, abort.signal);
  await ready;
  await client.resource(resources.nodes).create(makeNode('only', { cpu: '2' }));
  // Generous: on a machine shared by many test workers the watch event can take seconds.
  await until(() => scheduler.cache.nodeCount === 1, 'node in the cache', 30_000);
});

after(async () => {
  abort?.abort();
  await running;
  await api?.close();
});

const pods = () => client.resource(resources.pods);
const bound = (name: string) => waitForObject(pods(), 'default', name, (p) => !!p?.spec?.nodeName, `${name} bound`) as Promise<Pod>;
const uidOf = async (name: string) => (await pods().get(name)).metadata!.uid!;

describe('binding cycle', () => {
  test('a pod held at Permit keeps its room reserved and is bound once allowed', async () => {
    await pods().create(makePod('held', { cpu: '1500m', labels: { hold: 'yes' } }));
    const uid = await uidOf('held');
    await until(() => handle.getWaitingPod(uid) !== undefined, 'held waiting at Permit');
    // Its room is taken while it waits: a pod that needs it does not fit.
    await pods().create(makePod('squeezed', { cpu: '1' }));
    await waitForObject(pods(), 'default', 'squeezed', (p) => p?.status?.conditions?.some((c) => c.reason === 'Unschedulable') ?? false, 'squeezed unschedulable');
    handle.getWaitingPod(uid)!.allow('HoldForTest');
    assert.equal((await bound('held')).spec!.nodeName, 'only');
    await pods().delete('squeezed', { gracePeriodSeconds: 0 });
  });

  test('a pod rejected at Permit is unreserved, forgotten and reported', async () => {
    await pods().delete('held', { gracePeriodSeconds: 0 });
    await until(() => scheduler.cache.podCount === 0, 'held gone from the cache');
    await pods().create(makePod('refused', { cpu: '100m', labels: { hold: 'yes' } }));
    const uid = await uidOf('refused');
    await until(() => handle.getWaitingPod(uid) !== undefined, 'refused waiting at Permit');
    handle.getWaitingPod(uid)!.reject('HoldForTest', 'not today');
    const p = await waitForObject(pods(), 'default', 'refused', (o) => o?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false, 'refused condition');
    assert.equal(p!.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message, '0/1 nodes are available: 1 not today.');
    assert.equal(scheduler.cache.podCount, 0, 'the assumption was forgotten');
    await pods().delete('refused', { gracePeriodSeconds: 0 });
  });

  test('a failed bind forgets the assumption and the pod is retried after backoff', async () => {
    await pods().create(makePod('flaky', { cpu: '100m', labels: { flaky: 'yes' } }));
    const p = await bound('flaky');
    assert.equal(p.spec!.nodeName, 'only');
    assert.equal(flakyFailures, 1);
    const es = await waitForObjects(client.resource(resources.coreEvents), (list) => list.some((e) => e.involvedObject?.name === 'flaky' && e.reason === 'FailedScheduling'), 'FailedScheduling for flaky', { namespace: 'default' });
    const failed = es.find((e) => e.involvedObject?.name === 'flaky' && e.reason === 'FailedScheduling')!;
    assert.match(failed.message!, /injected bind failure/);
    await until(() => scheduler.cache.podCount === 1 && !scheduler.cache.isAssumedPod(p), 'flaky confirmed in the cache');
  });

  test('attempts are counted by result in scheduler_schedule_attempts_total', async () => {
    const text = await metricsText();
    assert.match(text, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} [1-9]/);
    assert.match(text, /scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} [1-9]/);
    assert.match(text, /scheduler_schedule_attempts_total\{result="error",profile="default-scheduler"\} [1-9]/);
    assert.match(text, /scheduler_pod_scheduling_sli_duration_seconds_count\{attempts="2"\} [1-9]/);
    assert.match(text, /scheduler_pending_pods\{queue="active"\}/);
  });
});
