// Pod garbage collection against the real API server, with short periods: orphaned pods of a
// node that does not exist (after quarantine, with the DisruptionTarget condition), terminated
// pods beyond the threshold (evicted, then oldest first), unscheduled terminating pods, and
// terminating pods on an out-of-service node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { podGCControllerWith, compareForDeletion, isPodTerminated } from '../../src/controllers/podgc/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { KubeObject } from '../../src/api/object.js';

const spec = (nodeName?: string) => ({ ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] });

function pod(name: string, o: { phase?: string; reason?: string; created?: string } = {}): Pod {
  return { metadata: { name, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z' }, status: o.phase ? { phase: o.phase, reason: o.reason } : {} };
}

describe('pod GC ordering (pure)', () => {
  test('evicted pods sort first, then older pods, then by name', () => {
    const pods = [
      pod('c', { phase: 'Succeeded', created: '2024-01-01T00:00:02Z' }),
      pod('b', { phase: 'Succeeded', created: '2024-01-01T00:00:01Z' }),
      pod('a', { phase: 'Succeeded', created: '2024-01-01T00:00:01Z' }),
      pod('z', { phase: 'Failed', reason: 'Evicted', created: '2024-01-01T00:00:09Z' }),
    ];
    assert.deepEqual(pods.sort(compareForDeletion).map((p) => p.metadata!.name), ['z', 'a', 'b', 'c']);
  });

  test('terminated means any phase other than Pending, Running and Unknown', () => {
    const cases: Array<[string | undefined, boolean]> = [['Pending', false], ['Running', false], ['Unknown', false], ['Succeeded', true], ['Failed', true], [undefined, true]];
    for (const [phase, want] of cases) assert.equal(isPodTerminated(pod('x', { phase })), want, String(phase));
  });
});

describe('pod GC against the server', () => {
  let rig: ControllerRig;
  before(async () => {
    rig = await startControllers([podGCControllerWith({ terminatedPodThreshold: 0, gcCheckPeriodMs: 50, quarantineMs: 200 })]);
  });
  after(async () => {
    await rig?.close();
  });
  const pods = () => rig.client.resource(resources.pods);

  test('a pod bound to a node that does not exist is marked Failed with DisruptionTarget and deleted after the quarantine', async () => {
    const created = await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default' }, spec: spec('no-such-node') });
    const start = Date.now();
    // The DELETED event carries the last state: the patched status.
    const list = await pods().list({ namespace: 'default' });
    const stream = await pods().watch({ namespace: 'default', resourceVersion: list.metadata.resourceVersion });
    let last: Pod | undefined;
    for await (const ev of stream) {
      if (ev.object.metadata?.name !== 'orphan') continue;
      if (ev.type === 'DELETED') {
        last = ev.object;
        break;
      }
    }
    stream.stop();
    assert.ok(Date.now() - start >= 150, 'not before the quarantine');
    assert.equal(last?.metadata?.uid, created.metadata?.uid);
    assert.equal(last?.status?.phase, 'Failed');
    const cond = last?.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual({ status: cond?.status, reason: cond?.reason, message: cond?.message }, { status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    assert.ok(cond?.lastTransitionTime);
  });

  test('a pod on a node that exists is left alone', async () => {
    await rig.client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'real-node' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'placed', namespace: 'default' }, spec: spec('real-node') });
    // Another orphan created after it is collected: by then several passes have seen "placed".
    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan-2', namespace: 'default' }, spec: spec('gone-node') });
    await waitForObject(pods(), 'default', 'orphan-2', (o) => o === undefined, 'orphan-2 to be collected');
    assert.equal((await pods().get('placed', { namespace: 'default' })).status?.phase, 'Pending');
  });

  test('an unscheduled terminating pod is marked Failed and deleted', async () => {
    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unscheduled', namespace: 'default', finalizers: ['test.k8ts.io/hold'] }, spec: spec() });
    await pods().delete('unscheduled', { namespace: 'default' });
    const p = await waitForObject(pods(), 'default', 'unscheduled', (o) => o?.status?.phase === 'Failed', 'the pod to be marked Failed');
    assert.ok(p?.metadata?.deletionTimestamp);
    await pods().patch('unscheduled', { metadata: { finalizers: null } }, { type: 'merge', namespace: 'default' });
    await waitForObject(pods(), 'default', 'unscheduled', (o) => o === undefined, 'the pod to go');
  });

  test('a terminating pod on a NotReady node with the out-of-service taint is force deleted', async () => {
    await rig.client.resource(resources.nodes).create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'oos-node' },
      spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck', namespace: 'default' }, spec: { ...spec('oos-node'), terminationGracePeriodSeconds: 3600 } });
    const res = (await pods().delete('stuck', { namespace: 'default' })) as KubeObject;
    assert.ok(res.metadata?.deletionTimestamp, 'without a kubelet the pod would stay terminating for an hour');
    await waitForObject(pods(), 'default', 'stuck', (o) => o === undefined, 'the pod to be force deleted');
  });
});

describe('pod GC of terminated pods beyond the threshold', () => {
  let rig: ControllerRig;
  before(async () => {
    rig = await startControllers([podGCControllerWith({ terminatedPodThreshold: 2, gcCheckPeriodMs: 50 })]);
  });
  after(async () => {
    await rig?.close();
  });

  test('only the threshold of terminated pods is kept: the evicted one and then the oldest go first', async () => {
    const pods = rig.client.resource(resources.pods);
    for (const name of ['t-a', 't-b', 't-c', 't-d', 'running']) {
      await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { set: 'threshold' } }, spec: spec() });
    }
    const statuses: Record<string, Pod['status']> = {
      't-a': { phase: 'Succeeded' },
      't-b': { phase: 'Succeeded' },
      't-c': { phase: 'Failed' },
      't-d': { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
      running: { phase: 'Running' },
    };
    for (const [name, status] of Object.entries(statuses)) {
      const p = await pods.get(name, { namespace: 'default' });
      await pods.updateStatus({ ...p, status });
    }
    const left = await waitForObjects(pods, (ps) => ps.length === 3, 'two terminated pods to be deleted', { namespace: 'default', labelSelector: 'set=threshold' });
    assert.deepEqual(left.map((p) => p.metadata!.name).sort(), ['running', 't-b', 't-c']);
  });
});
