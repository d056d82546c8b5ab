// An eviction end to end against the real API server (in-process): the manager, under provoked
// memory pressure, evicts the BestEffort pod through an evictPod that writes the status the node
// agent writes (phase Failed, reason Evicted, the message, DisruptionTarget); the pod then reads
// as `kubectl get pod` shows it (STATUS Evicted in the server-side table) and carries an Evicted
// event from the kubelet.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { newControllerContext } from '../../../src/controllers/context.js';
import { createLogger } from '../../../src/util/log.js';
import { EvictionManager } from '../../../src/kubelet/eviction/manager.js';
import { parseThresholdConfig } from '../../../src/kubelet/eviction/thresholds.js';
import { evictedPodStatus } from '../../../src/kubelet/eviction/pod-status.js';
import { nodeSummary, podMemoryStats } from './helpers.js';
import { waitForPod } from '../agent-helpers.js';

const log = createLogger('eviction-test', { level: 'silent' });

describe('evicted pod status through the API', () => {
  let api: InProcessApi;
  before(async () => {
    api = await startInProcessApi();
  });
  after(async () => {
    await api.close();
  });

  it('an evicted pod is Failed with reason Evicted, reads as Evicted in `kubectl get pod`, and has an Evicted event', async () => {
    const client = api.client();
    const pods = client.resource(resources.pods, 'default');
    const mk = (name: string, requests?: Record<string, string>): Pod =>
      ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox', resources: requests ? { requests, limits: requests } : undefined }] } }) as Pod;
    const bestEffort = await pods.create(mk('hog') as never);
    const guaranteed = await pods.create(mk('steady', { cpu: '100m', memory: '1Gi' }) as never);

    const ctx = newControllerContext(client, log, { host: 'n1' });
    const recorder = ctx.recorder('kubelet');
    const manager = new EvictionManager({
      thresholds: parseThresholdConfig({ hard: 'memory.available<100Mi' }),
      summary: {
        get: async () => nodeSummary({ time: Date.now(), memoryAvailable: '50Mi', pods: [podMemoryStats(bestEffort as Pod, '70Mi'), podMemoryStats(guaranteed as Pod, '500Mi')] }),
      },
      activePods: () => [bestEffort as Pod, guaranteed as Pod],
      // What the node agent does after killing the pod's containers.
      evictPod: async (pod, o) => {
        await pods.patch(
          pod.metadata!.name!,
          { status: evictedPodStatus(pod.status, o) },
          { type: 'strategic', subresource: 'status' },
        );
      },
      recorder,
      log,
    });
    try {
      const evicted = await manager.synchronize();
      assert.equal(evicted?.metadata?.name, 'hog');
      const message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container app was using 70Mi, request is 0, has larger consumption of memory. ';

      const got = await pods.get('hog');
      assert.equal(got.status?.phase, 'Failed');
      assert.equal(got.status?.reason, 'Evicted');
      assert.equal(got.status?.message, message);
      assert.equal(got.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'TerminationByKubelet');
      assert.equal((await pods.get('steady')).status?.phase, 'Pending', 'one pod per round');

      // kubectl get pod asks for a Table; its STATUS column is what users see.
      const table = await client.requestJSON<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>({
        method: 'GET',
        path: '/api/v1/namespaces/default/pods/hog',
        headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      });
      const statusCol = table.columnDefinitions.findIndex((c) => c.name === 'Status');
      assert.equal(table.rows[0].cells[statusCol], 'Evicted');

      // The Evicted event on the pod, with upstream's annotations.
      const events = client.resource(resources.coreEvents, 'default');
      const deadline = Date.now() + 5000;
      let ev: Event | undefined;
      const list = await events.list();
      ev = list.items.find((e) => e.reason === 'Evicted' && e.involvedObject?.name === 'hog');
      if (!ev) {
        const w = await events.watch({ resourceVersion: list.metadata.resourceVersion });
        const timer = setTimeout(() => w.stop(), deadline - Date.now());
        for await (const e of w) {
          const obj = e.object as Event;
          if (e.type === 'ADDED' && obj.reason === 'Evicted' && obj.involvedObject?.name === 'hog') {
            ev = obj;
            break;
          }
        }
        clearTimeout(timer);
        w.stop();
      }
      assert.ok(ev, 'an Evicted event');
      assert.equal(ev.type, 'Warning');
      assert.equal(ev.message, message);
      assert.equal(ev.metadata?.annotations?.offending_containers, 'app');
      assert.equal(ev.metadata?.annotations?.starved_resource, 'memory');
      await waitForPod(client, 'default', 'hog', (p) => p?.status?.reason === 'Evicted', 1000);
    } finally {
      await ctx.close();
    }
  });
});
