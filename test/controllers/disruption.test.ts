// The disruption controller against the real API server: PodDisruptionBudget status for int and
// percentage minAvailable and maxUnavailable (scale from the owning controllers), fail-safe on
// unknown owners, disruptedPods expiry, and evictions decided by the status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { startControllers, waitForObject, type ControllerRig } from '../helpers/controllers.js';
import { disruptionController } from '../../src/controllers/disruption/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { isTooManyRequests } from '../../src/client/rest/errors.js';
import type { KubeObject } from '../../src/api/object.js';
import { createNamespace, createPod, rfc3339, setPodStatus } from './endpoints-fixtures.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([disruptionController]);
});
after(async () => {
  await rig?.close();
});

type PDB = PodDisruptionBudget & KubeObject;
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

async function createPdb(ns: string, name: string, spec: PodDisruptionBudget['spec']): Promise<PDB> {
  return rig.client.resource(resources.podDisruptionBudgets).create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: ns }, spec }, { namespace: ns });
}

function waitForPdb(ns: string, name: string, cond: (p: PDB) => boolean, what: string): Promise<PDB> {
  return waitForObject(rig.client.resource(resources.podDisruptionBudgets), ns, name, (p) => !!p && (p.status?.observedGeneration ?? 0) === p.metadata?.generation && cond(p), what) as Promise<PDB>;
}

const ownerRef = (apiVersion: string, kind: string, o: KubeObject): OwnerReference => ({ apiVersion, kind, name: o.metadata!.name!, uid: o.metadata!.uid!, controller: true, blockOwnerDeletion: true });

/** Creates the owning controller (replicas as given) and returns the controller ref its pods carry. */
async function createOwner(ns: string, kind: string, app: string, replicas: number): Promise<OwnerReference> {
  const selector = { matchLabels: { app } };
  const c = rig.client;
  switch (kind) {
    case 'ReplicationController': {
      const rc = await c.resource(resources.replicationControllers).create({ metadata: { name: app, namespace: ns }, spec: { replicas, selector: { app }, template: template(app) } }, { namespace: ns });
      return ownerRef('v1', 'ReplicationController', rc);
    }
    case 'ReplicaSet': {
      const rs = await c.resource(resources.replicaSets).create({ metadata: { name: app, namespace: ns }, spec: { replicas, selector, template: template(app) } }, { namespace: ns });
      return ownerRef('apps/v1', 'ReplicaSet', rs);
    }
    case 'Deployment': {
      const dep = await c.resource(resources.deployments).create({ metadata: { name: app, namespace: ns }, spec: { replicas, selector, template: template(app) } }, { namespace: ns });
      // The Deployment's ReplicaSet (no deployment controller here): its own replicas do not count.
      const rs = await c.resource(resources.replicaSets).create(
        { metadata: { name: `${app}-rs`, namespace: ns, ownerReferences: [ownerRef('apps/v1', 'Deployment', dep)] }, spec: { replicas: 1, selector, template: template(app) } },
        { namespace: ns },
      );
      return ownerRef('apps/v1', 'ReplicaSet', rs);
    }
    case 'StatefulSet': {
      const ss = await c.resource(resources.statefulSets).create({ metadata: { name: app, namespace: ns }, spec: { replicas, selector, serviceName: app, template: template(app) } }, { namespace: ns });
      return ownerRef('apps/v1', 'StatefulSet', ss);
    }
  }
  throw new Error(kind);
}

describe('disruption controller', () => {
  test('an integer minAvailable counts the selected pods and allows the healthy surplus, with the DisruptionAllowed condition', async () => {
    const ns = 'pdb-int';
    await createNamespace(rig.client, ns);
    await createPdb(ns, 'web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } });
    const empty = await waitForPdb(ns, 'web', (p) => p.status?.conditions !== undefined, 'a first status');
    assert.equal(empty.status?.disruptionsAllowed, 0, 'a budget matching nothing allows nothing');
    for (const n of ['a', 'b', 'c']) await createPod(rig.client, ns, n, { ip: `10.0.0.${n.charCodeAt(0)}`, ready: true });
    let pdb = await waitForPdb(ns, 'web', (p) => p.status?.currentHealthy === 3, 'three healthy pods');
    assert.deepEqual(
      { currentHealthy: pdb.status!.currentHealthy, desiredHealthy: pdb.status!.desiredHealthy, expectedPods: pdb.status!.expectedPods, disruptionsAllowed: pdb.status!.disruptionsAllowed },
      { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 },
    );
    const cond = pdb.status!.conditions!.find((c) => c.type === 'DisruptionAllowed')!;
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'SufficientPods');
    assert.equal(cond.observedGeneration, pdb.metadata?.generation);

    await setPodStatus(rig.client, ns, 'a', { ips: ['10.0.0.97'], ready: false });
    pdb = await waitForPdb(ns, 'web', (p) => p.status?.currentHealthy === 2, 'two healthy pods');
    assert.equal(pdb.status!.disruptionsAllowed, 0);
    assert.equal(pdb.status!.expectedPods, 3, 'an unready pod is still expected');
    const c2 = pdb.status!.conditions!.find((c) => c.type === 'DisruptionAllowed')!;
    assert.deepEqual([c2.status, c2.reason], ['False', 'InsufficientPods']);
  });

  const owners: { kind: string; replicas: number; spec: PodDisruptionBudget['spec']; want: { expectedPods: number; desiredHealthy: number; disruptionsAllowed: number } }[] = [
    { kind: 'ReplicaSet', replicas: 4, spec: { minAvailable: '50%' }, want: { expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { kind: 'Deployment', replicas: 5, spec: { minAvailable: '50%' }, want: { expectedPods: 5, desiredHealthy: 3, disruptionsAllowed: 0 } },
    { kind: 'StatefulSet', replicas: 3, spec: { maxUnavailable: 1 }, want: { expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 } },
    { kind: 'ReplicationController', replicas: 3, spec: { maxUnavailable: '34%' }, want: { expectedPods: 3, desiredHealthy: 1, disruptionsAllowed: 2 } },
  ];
  for (const o of owners) {
    test(`${JSON.stringify(o.spec)} with pods of a ${o.kind} of ${o.replicas} replicas takes the expected count from its scale`, async () => {
      const ns = `pdb-${o.kind.toLowerCase()}`;
      await createNamespace(rig.client, ns);
      const ref = await createOwner(ns, o.kind, 'app', o.replicas);
      for (let i = 0; i < 3; i++) await createPod(rig.client, ns, `p${i}`, { ip: `10.1.0.${i + 1}`, labels: { app: 'app' }, ownerReferences: [ref] });
      await createPdb(ns, 'budget', { ...o.spec, selector: { matchLabels: { app: 'app' } } });
      const pdb = await waitForPdb(ns, 'budget', (p) => p.status?.currentHealthy === 3, 'three healthy pods');
      assert.deepEqual({ expectedPods: pdb.status!.expectedPods, desiredHealthy: pdb.status!.desiredHealthy, disruptionsAllowed: pdb.status!.disruptionsAllowed }, o.want);
    });
  }

  test('a percentage budget whose pods name a missing controller fails safe with SyncFailed', async () => {
    const ns = 'pdb-fail';
    await createNamespace(rig.client, ns);
    const ghost: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: '00000000-0000-0000-0000-000000000001', controller: true };
    await createPod(rig.client, ns, 'orphan', { ip: '10.2.0.1', labels: { app: 'x' }, ownerReferences: [ghost] });
    await createPdb(ns, 'budget', { minAvailable: '10%', selector: { matchLabels: { app: 'x' } } });
    const pdb = await waitForObject(
      rig.client.resource(resources.podDisruptionBudgets),
      ns,
      'budget',
      (p) => p?.status?.conditions?.some((c) => c.reason === 'SyncFailed') ?? false,
      'SyncFailed',
    );
    const c = pdb!.status!.conditions!.find((x) => x.type === 'DisruptionAllowed')!;
    assert.equal(c.status, 'False');
    assert.equal(c.message, 'found no controllers for pod "orphan"');
    assert.equal(pdb!.status!.disruptionsAllowed, 0);
  });

  test('disruptedPods entries younger than 2 minutes keep a pod out of currentHealthy; older ones are dropped', async () => {
    const ns = 'pdb-disrupted';
    await createNamespace(rig.client, ns);
    for (const n of ['a', 'b', 'c']) await createPod(rig.client, ns, n, { ip: `10.3.0.${n.charCodeAt(0)}` });
    await createPdb(ns, 'budget', { minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
    const pdbs = rig.client.resource(resources.podDisruptionBudgets);
    const first = await waitForPdb(ns, 'budget', (p) => p.status?.currentHealthy === 3, 'three healthy pods');
    // What an eviction records: the pod's name and when.
    await pdbs.updateStatus({ ...structuredClone(first), status: { ...first.status!, disruptedPods: { a: rfc3339(Date.now() - 3 * 60_000), b: rfc3339() } } }, { namespace: ns });
    const pdb = await waitForPdb(ns, 'budget', (p) => p.status?.currentHealthy === 2 && !p.status?.disruptedPods?.a, 'the stale entry dropped');
    assert.deepEqual(Object.keys(pdb.status!.disruptedPods ?? {}), ['b']);
    assert.equal(pdb.status!.disruptionsAllowed, 1);
  });

  test('evictions succeed while disruptions are allowed and are refused with 429 once the budget is spent', async () => {
    const ns = 'pdb-evict';
    await createNamespace(rig.client, ns);
    for (const n of ['a', 'b', 'c']) await createPod(rig.client, ns, n, { ip: `10.4.0.${n.charCodeAt(0)}` });
    await createPdb(ns, 'budget', { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } });
    // Unmanaged pods with maxUnavailable: expected comes from controllers only (none here).
    let pdb = await waitForPdb(ns, 'budget', (p) => p.status?.currentHealthy === 3, 'three healthy pods');
    assert.equal(pdb.status!.expectedPods, 0);
    assert.equal(pdb.status!.disruptionsAllowed, 0, 'no expected pods: nothing may be disrupted');
    await pdbs().patch('budget', { spec: { maxUnavailable: null, minAvailable: 2 } }, { type: 'merge', namespace: ns });
    pdb = await waitForPdb(ns, 'budget', (p) => p.status?.disruptionsAllowed === 1, 'one disruption allowed');
    const pods = rig.client.resource(resources.pods);
    await pods.evict('a', { metadata: { namespace: ns } }, { namespace: ns });
    await assert.rejects(pods.evict('b', { metadata: { namespace: ns } }, { namespace: ns }), (err) => isTooManyRequests(err));
    pdb = await waitForPdb(ns, 'budget', (p) => p.status?.currentHealthy === 2 && p.status.expectedPods === 2, 'the evicted pod gone');
    assert.equal(pdb.status!.disruptionsAllowed, 0);
  });

  const unhealthyCases: { policy: 'AlwaysAllow' | 'IfHealthyBudget'; minAvailable: number; why: string }[] = [
    { policy: 'AlwaysAllow', minAvailable: 3, why: 'AlwaysAllow lets unready pods go whatever the budget says' },
    { policy: 'IfHealthyBudget', minAvailable: 2, why: 'IfHealthyBudget lets unready pods go while currentHealthy >= desiredHealthy' },
  ];
  for (const c of unhealthyCases) {
    test(
      `unhealthyPodEvictionPolicy ${c.policy}: an unready pod is evicted although disruptionsAllowed is 0 (${c.why})`,
      async () => {
        const ns = `pdb-unhealthy-${c.policy.toLowerCase()}`;
        await createNamespace(rig.client, ns);
        for (const n of ['a', 'b']) await createPod(rig.client, ns, n, { ip: `10.5.0.${n.charCodeAt(0)}` });
        await createPod(rig.client, ns, 'sick', { ip: '10.5.0.9', ready: false });
        await createPdb(ns, 'budget', { minAvailable: c.minAvailable, selector: { matchLabels: { app: 'web' } }, unhealthyPodEvictionPolicy: c.policy });
        await waitForPdb(ns, 'budget', (p) => p.status?.currentHealthy === 2 && p.status.disruptionsAllowed === 0, 'no disruptions allowed');
        await rig.client.resource(resources.pods).evict('sick', { metadata: { namespace: ns } }, { namespace: ns });
      },
    );
  }
});

const pdbs = () => rig.client.resource(resources.podDisruptionBudgets);
