// Status writes (the kubelet's hot path) start from the watch cache's copy of the pod; what they
// answer must be what a write based on storage answers: no-ops keep the resourceVersion,
// preconditions hold, only status changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';

let api: InProcessApi;
let c: Client;
before(async () => {
  api = await startInProcessApi();
  c = api.client();
  await c.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sw' } });
});
after(async () => {
  await api?.close();
});

const pods = () => c.resource(resources.pods);
const newPod = async (name: string) =>
  (await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] } } as never, { namespace: 'sw' })) as Pod;
const patchStatus = (name: string, body: unknown) => pods().patch(name, body as never, { type: 'merge', subresource: 'status', namespace: 'sw' }) as Promise<Pod>;

describe('pods/status writes', () => {
  test('a status patch that changes nothing keeps the resourceVersion; one that changes something moves it', async () => {
    await newPod('a');
    const first = await patchStatus('a', { status: { phase: 'Running', podIP: '10.0.0.1' } });
    const again = await patchStatus('a', { status: { phase: 'Running', podIP: '10.0.0.1' } });
    assert.equal(again.metadata?.resourceVersion, first.metadata?.resourceVersion);
    const changed = await patchStatus('a', { status: { podIP: '10.0.0.2' } });
    assert.notEqual(changed.metadata?.resourceVersion, first.metadata?.resourceVersion);
    assert.equal(changed.status?.podIP, '10.0.0.2');
    assert.equal((await pods().get('a', { namespace: 'sw' })).status?.podIP, '10.0.0.2');
  });

  test('a status patch carrying the current resourceVersion applies; a stale one is a 409 Conflict', async () => {
    const created = await newPod('b');
    const ok = await patchStatus('b', { metadata: { resourceVersion: created.metadata?.resourceVersion }, status: { phase: 'Running' } });
    assert.equal(ok.status?.phase, 'Running');
    await assert.rejects(patchStatus('b', { metadata: { resourceVersion: created.metadata?.resourceVersion }, status: { phase: 'Succeeded' } }), (err: { code?: number }) => err.code === 409);
    const latest = await pods().get('b', { namespace: 'sw' });
    const next = await patchStatus('b', { metadata: { resourceVersion: latest.metadata?.resourceVersion }, status: { phase: 'Succeeded' } });
    assert.equal(next.status?.phase, 'Succeeded');
  });

  test('PUT of pods/status changes the status only, whatever else the body carries', async () => {
    const created = await newPod('d');
    const body = { ...created, metadata: { ...created.metadata, labels: { sneaky: 'x' } }, spec: { ...created.spec, nodeName: 'elsewhere' }, status: { ...created.status, phase: 'Running' } };
    const updated = (await pods().updateStatus(body as never, { namespace: 'sw' })) as Pod;
    assert.equal(updated.status?.phase, 'Running');
    assert.equal(updated.spec?.nodeName, undefined);
    assert.equal(updated.metadata?.labels, undefined);
    const stored = await pods().get('d', { namespace: 'sw' });
    assert.deepEqual(stored.spec, created.spec);
    assert.equal(stored.status?.phase, 'Running');
  });

  test('a bind after a status write binds the latest pod and keeps its status', async () => {
    await newPod('e');
    await patchStatus('e', { status: { message: 'waiting' } });
    await pods().bind('e', { metadata: { name: 'e', namespace: 'sw' }, target: { kind: 'Node', name: 'n1' } } as never, { namespace: 'sw' });
    const bound = await pods().get('e', { namespace: 'sw' });
    assert.equal(bound.spec?.nodeName, 'n1');
    assert.equal(bound.status?.message, 'waiting');
    assert.ok(bound.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'True'));
  });
});
