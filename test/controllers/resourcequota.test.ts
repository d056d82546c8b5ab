// The ResourceQuota controller and the quota admission plugin against the real API server:
// status.hard/used are computed, creates beyond the quota are refused with upstream's message,
// charges made at admission stop bursts, and deletes are given back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startControllers, waitForObject, type ControllerRig } from '../helpers/controllers.js';
import { resourceQuotaController, resourceQuotasRef, type Quota } from '../../src/controllers/resourcequota/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { ApiError } from '../../src/client/rest/errors.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([resourceQuotaController]);
});
after(async () => {
  await rig?.close();
});

const pod = (name: string, resources?: { requests?: Record<string, string>; limits?: Record<string, string> }, extra: Partial<Pod['spec']> = {}) =>
  ({ metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx', resources }], ...extra } }) as Pod & KubeObject;

async function newNamespace(name: string): Promise<void> {
  await rig.client.resource(resources.namespaces).create({ metadata: { name } });
}

async function quotaSettled(ns: string, name: string, cond: (q: Quota) => boolean): Promise<Quota> {
  const q = await waitForObject(rig.client.resource(resourceQuotasRef), ns, name, (o) => !!o?.status?.used && cond(o), `quota ${ns}/${name} status`);
  return q!;
}

async function refused(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `expected an API error, got ${String(err)}`);
  return err;
}

describe('resourcequota controller and admission', () => {
  test('status.hard copies spec.hard and status.used counts what already exists', async () => {
    await newNamespace('rq-count');
    const cms = rig.client.resource(resources.configMaps);
    await cms.create({ metadata: { name: 'a' } }, { namespace: 'rq-count' });
    await cms.create({ metadata: { name: 'b' } }, { namespace: 'rq-count' });
    await rig.client.resource(resourceQuotasRef).create({ metadata: { name: 'q' }, spec: { hard: { configmaps: '5', 'count/configmaps': '5', pods: '3', 'requests.memory': '1Gi' } } }, { namespace: 'rq-count' });
    const q = await quotaSettled('rq-count', 'q', () => true);
    assert.deepEqual(q.status?.hard, { configmaps: '5', 'count/configmaps': '5', pods: '3', 'requests.memory': '1Gi' });
    assert.deepEqual(q.status?.used, { configmaps: '2', 'count/configmaps': '2', pods: '0', 'requests.memory': '0' });
  });

  test('a pod beyond the pods quota is refused with upstream message and status.used is charged at admission', async () => {
    await newNamespace('rq-pods');
    await rig.client.resource(resourceQuotasRef).create({ metadata: { name: 'q' }, spec: { hard: { pods: '2' } } }, { namespace: 'rq-pods' });
    await quotaSettled('rq-pods', 'q', () => true);
    const pods = rig.client.resource(resources.pods);
    await pods.create(pod('p1'), { namespace: 'rq-pods' });
    await pods.create(pod('p2'), { namespace: 'rq-pods' });
    const err = await refused(pods.create(pod('p3'), { namespace: 'rq-pods' }));
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    const q = await rig.client.resource(resourceQuotasRef).get('q', { namespace: 'rq-pods' });
    assert.equal(q.status?.used?.pods, '2');
  });

  test('a burst of concurrent creates cannot overshoot the quota', async () => {
    await newNamespace('rq-burst');
    await rig.client.resource(resourceQuotasRef).create({ metadata: { name: 'q' }, spec: { hard: { 'count/secrets': '3' } } }, { namespace: 'rq-burst' });
    await quotaSettled('rq-burst', 'q', () => true);
    const secrets = rig.client.resource(resources.secrets);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => secrets.create({ metadata: { name: `s${i}` } }, { namespace: 'rq-burst' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    const list = await secrets.list({ namespace: 'rq-burst' });
    assert.equal(list.items.length, 3);
  });

  test('a pod without requests for a quota-tracked resource is refused naming the resources and containers', async () => {
    await newNamespace('rq-cpu');
    await rig.client.resource(resourceQuotasRef).create({ metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '1', 'requests.memory': '1Gi' } } }, { namespace: 'rq-cpu' });
    await quotaSettled('rq-cpu', 'compute', () => true);
    const pods = rig.client.resource(resources.pods);
    const err = await refused(pods.create(pod('bare'), { namespace: 'rq-cpu' }));
    assert.equal(err.message, 'pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: app; requests.memory for: app');
    await pods.create(pod('ok', { requests: { cpu: '600m', memory: '512Mi' } }), { namespace: 'rq-cpu' });
    const err2 = await refused(pods.create(pod('big', { requests: { cpu: '500m', memory: '100Mi' } }), { namespace: 'rq-cpu' }));
    assert.equal(err2.message, 'pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1');
  });

  test('deleting a pod gives its usage back (replenishment)', async () => {
    await newNamespace('rq-free');
    await rig.client.resource(resourceQuotasRef).create({ metadata: { name: 'q' }, spec: { hard: { pods: '1', 'requests.memory': '1Gi' } } }, { namespace: 'rq-free' });
    await quotaSettled('rq-free', 'q', () => true);
    const pods = rig.client.resource(resources.pods);
    await pods.create(pod('one', { requests: { memory: '512Mi' } }), { namespace: 'rq-free' });
    await quotaSettled('rq-free', 'q', (q) => q.status?.used?.pods === '1' && q.status.used['requests.memory'] === '512Mi');
    await pods.delete('one', { namespace: 'rq-free', gracePeriodSeconds: 0 });
    const q = await quotaSettled('rq-free', 'q', (x) => x.status?.used?.pods === '0');
    assert.equal(q.status?.used?.['requests.memory'], '0');
    await pods.create(pod('two', { requests: { memory: '1Gi' } }), { namespace: 'rq-free' });
  });

  test('scoped quotas count only the pods their scopes select', async () => {
    await newNamespace('rq-scope');
    const quotas = rig.client.resource(resourceQuotasRef);
    await quotas.create({ metadata: { name: 'besteffort' }, spec: { hard: { pods: '1' }, scopes: ['BestEffort'] } }, { namespace: 'rq-scope' });
    await quotas.create({ metadata: { name: 'terminating' }, spec: { hard: { pods: '5' }, scopes: ['Terminating'] } }, { namespace: 'rq-scope' });
    await quotaSettled('rq-scope', 'besteffort', () => true);
    await quotaSettled('rq-scope', 'terminating', () => true);
    const pods = rig.client.resource(resources.pods);
    await pods.create(pod('be'), { namespace: 'rq-scope' });
    await pods.create(pod('burst', { requests: { cpu: '100m' } }), { namespace: 'rq-scope' });
    await pods.create(pod('job', { requests: { cpu: '100m' } }, { activeDeadlineSeconds: 60 }), { namespace: 'rq-scope' });
    const err = await refused(pods.create(pod('be2'), { namespace: 'rq-scope' }));
    assert.match(err.message, /exceeded quota: besteffort, requested: pods=1, used: pods=1, limited: pods=1/);
    const t = await quotas.get('terminating', { namespace: 'rq-scope' });
    assert.equal(t.status?.used?.pods, '1');
  });

  test('a changed spec.hard is recomputed into status', async () => {
    await newNamespace('rq-change');
    const quotas = rig.client.resource(resourceQuotasRef);
    await quotas.create({ metadata: { name: 'q' }, spec: { hard: { services: '2' } } }, { namespace: 'rq-change' });
    await rig.client.resource(resources.services).create({ metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }, { namespace: 'rq-change' });
    const current = await quotaSettled('rq-change', 'q', () => true);
    await quotas.update({ ...current, spec: { hard: { services: '2', 'services.nodeports': '3', 'services.loadbalancers': '0' } } }, { namespace: 'rq-change' });
    const q = await quotaSettled('rq-change', 'q', (x) => x.status?.hard?.['services.nodeports'] === '3' && x.status.used?.['services.nodeports'] !== undefined);
    assert.deepEqual(q.status?.used, { services: '1', 'services.nodeports': '1', 'services.loadbalancers': '0' });
  });
});
