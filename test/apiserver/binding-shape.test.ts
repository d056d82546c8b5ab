// pods/binding copies the stored pod along the paths a bind changes: the bound pod must be, key
// for key and in the same order, the stored pod with spec.nodeName, the PodScheduled condition
// (and the Binding's annotations) added — what spreading each level gives — and the Status answer
// must be upstream's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { Client } from '../../src/client/rest/client.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';

type Obj = Record<string, unknown>;

/** The bound pod as the straightforward spreads build it, with the server's time, revision and managedFields. */
function expected(old: KubeObject, got: KubeObject, node: string, annotations?: Record<string, string>): KubeObject {
  const status = (old.status ?? {}) as { conditions?: Obj[] };
  const gotCondition = ((got.status as { conditions: Obj[] }).conditions ?? []).find((c) => c.type === 'PodScheduled')!;
  const conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: gotCondition.lastTransitionTime }];
  const metadata = annotations ? { ...old.metadata, annotations: { ...old.metadata?.annotations, ...annotations } } : { ...old.metadata };
  metadata.managedFields = got.metadata?.managedFields;
  // Storage keeps no resourceVersion: a read adds it last.
  delete metadata.resourceVersion;
  metadata.resourceVersion = got.metadata?.resourceVersion;
  return { ...old, spec: { ...(old.spec as Obj), nodeName: node }, status: { ...status, conditions }, metadata };
}

describe('pods/binding', () => {
  let api: InProcessApi;
  let c: Client;
  before(async () => {
    api = await startInProcessApi();
    c = api.client();
    await c.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bs' } });
  });
  after(async () => {
    await api?.close();
  });

  const create = async (name: string, extra: Obj = {}): Promise<KubeObject> => {
    const pods = c.resource(resources.pods);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] }, ...extra } as never, { namespace: 'bs' })) as KubeObject;
      } catch (err) {
        // The namespace's default ServiceAccount may not exist yet.
        if (attempt > 100) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const get = async (name: string) => (await c.resource(resources.pods).get(name, { namespace: 'bs' })) as KubeObject;

  test('a new pod: nodeName and the condition appended, everything else as stored', async () => {
    const old = await create('p1');
    await c.resource(resources.pods).bind('p1', { metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n1' } }, { namespace: 'bs' });
    const got = await get('p1');
    assert.equal(JSON.stringify(got), JSON.stringify(expected(old, got, 'n1')));
  });

  test('annotations from the Binding are merged into the pod\'s', async () => {
    const old = await create('p2', { metadata: { name: 'p2', annotations: { a: '1' } } });
    await c.resource(resources.pods).bind('p2', { metadata: { name: 'p2', annotations: { b: '2', a: '3' } }, target: { kind: 'Node', name: 'n2' } }, { namespace: 'bs' });
    const got = await get('p2');
    assert.equal(JSON.stringify(got), JSON.stringify(expected(old, got, 'n2', { b: '2', a: '3' })));
  });

  test('a pod without annotations gets the Binding\'s', async () => {
    const old = await create('p3');
    await c.resource(resources.pods).bind('p3', { metadata: { name: 'p3', annotations: { b: '2' } }, target: { kind: 'Node', name: 'n3' } }, { namespace: 'bs' });
    const got = await get('p3');
    assert.equal(JSON.stringify(got), JSON.stringify(expected(old, got, 'n3', { b: '2' })));
  });

  test('an earlier PodScheduled condition is replaced, other conditions kept in place', async () => {
    await create('p4');
    const pods = c.resource(resources.pods);
    const current = await get('p4');
    const status = { ...(current.status as Obj), conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }, { type: 'Custom', status: 'True' }] };
    await pods.updateSubresource('p4', 'status', { ...current, status }, { namespace: 'bs' });
    const old = await get('p4');
    await pods.bind('p4', { metadata: { name: 'p4' }, target: { kind: 'Node', name: 'n4' } }, { namespace: 'bs' });
    const got = await get('p4');
    assert.equal(JSON.stringify(got), JSON.stringify(expected(old, got, 'n4')));
  });

  test('the answer is upstream\'s Success Status, 201', async () => {
    await create('p5');
    const answer = await c.resource(resources.pods).createSubresource('p5', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p5' }, target: { kind: 'Node', name: 'n5' } }, { namespace: 'bs' });
    assert.deepEqual(answer, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  });
});
