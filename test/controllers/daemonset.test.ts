// The DaemonSet controller against the real API server: pods only for nodes the selector and
// taints allow, pinned by node affinity; a new node gets a pod; a rolling update replaces pods
// within maxUnavailable. Nodes are plain API objects; tests mark pods Ready through pods/status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { isConflict } from '../../src/client/rest/errors.js';
import type { KubeObject } from '../../src/api/object.js';
import { daemonSetController, nodeShouldRunDaemonPod, targetNodeName } from '../../src/controllers/daemonset/index.js';
import { markPodsReady } from './util/pods.js';

let rig: ControllerRig;
before(async () => {
  rig = await startControllers([daemonSetController]);
  for (const [name, labels, taints] of [
    ['n1', { disk: 'ssd' }, []],
    ['n2', { disk: 'ssd' }, []],
    ['n3', { disk: 'hdd' }, []],
    ['n4', { disk: 'ssd' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]],
  ] as Array<[string, Record<string, string>, Taint[]]>) {
    await rig.client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } });
  }
});
after(async () => {
  await rig?.close();
});

const ns = 'default';
const pods = () => rig.client.resource(resources.pods);
const dss = () => rig.client.resource(resources.daemonSets);
const live = (p: Pod) => !p.metadata?.deletionTimestamp;
const nodesOf = (ps: Pod[]) => ps.filter(live).map((p) => targetNodeName(p)).sort();

function dsObject(name: string, spec: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet & KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'agent:1' }] } },
      ...spec,
    },
  };
}

async function patchDS(name: string, patch: unknown): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await dss().patch(name, patch, { namespace: ns, type: 'strategic' });
      return;
    } catch (err) {
      // The server answers a patch that lost a race with a status write with 409 (reported).
      if (!isConflict(err) || attempt > 5) throw err;
    }
  }
}

describe('daemonset node fit', () => {
  const node = (taints: Taint[], labels: Record<string, string> = {}): Node => ({ metadata: { name: 'x', labels }, spec: { taints } });
  const spec = { containers: [{ name: 'c' }] };
  for (const [name, n, want] of [
    ['an untainted node runs the pod', node([]), { shouldRun: true, shouldContinueRunning: true }],
    ['a NoSchedule taint without toleration blocks new pods but keeps running ones', node([{ key: 'k', effect: 'NoSchedule' }]), { shouldRun: false, shouldContinueRunning: true }],
    ['a NoExecute taint without toleration evicts', node([{ key: 'k', effect: 'NoExecute' }]), { shouldRun: false, shouldContinueRunning: false }],
    ['the default tolerations cover an unschedulable node', node([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), { shouldRun: true, shouldContinueRunning: true }],
    ['the default tolerations cover a not-ready node', node([{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), { shouldRun: true, shouldContinueRunning: true }],
  ] as Array<[string, Node, { shouldRun: boolean; shouldContinueRunning: boolean }]>) {
    test(name, () => assert.deepEqual(nodeShouldRunDaemonPod(spec, n), want));
  }
});

describe('daemonset controller', () => {
  test('creates one pod per matching untainted node, pinned by node affinity, then one for a new node', async () => {
    await dss().create(dsObject('agent'));
    const ps = await waitForObjects(pods(), (p) => p.filter(live).length === 2, 'two pods', { namespace: ns, labelSelector: 'app=agent' });
    assert.deepEqual(nodesOf(ps), ['n1', 'n2']);
    for (const p of ps) {
      assert.equal(p.spec?.nodeName, undefined, 'bound by the scheduler, not the controller');
      assert.ok(p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'));
      assert.ok(p.metadata?.labels?.['controller-revision-hash']);
    }
    const s = await waitForObject(dss(), ns, 'agent', (d) => d?.status?.currentNumberScheduled === 2, 'status');
    assert.equal(s!.status!.desiredNumberScheduled, 2);
    assert.equal(s!.status!.numberMisscheduled, 0);
    await rig.client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n5', labels: { disk: 'ssd' } } });
    const more = await waitForObjects(pods(), (p) => p.filter(live).length === 3, 'three pods', { namespace: ns, labelSelector: 'app=agent' });
    assert.deepEqual(nodesOf(more), ['n1', 'n2', 'n5']);
    await markPodsReady(rig.client, more);
    const ready = await waitForObject(dss(), ns, 'agent', (d) => d?.status?.numberAvailable === 3, 'all available');
    assert.equal(ready!.status!.updatedNumberScheduled, 3);
    assert.equal(ready!.status!.numberReady, 3);
  });

  test('a pod tolerating the taint runs on the tainted node too', async () => {
    await dss().create(
      dsObject('tol', {
        template: { metadata: { labels: { app: 'tol' } }, spec: { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }], containers: [{ name: 'c', image: 'agent:1' }] } },
      }),
    );
    const ps = await waitForObjects(pods(), (p) => p.filter(live).length === 4, 'four pods', { namespace: ns, labelSelector: 'app=tol' });
    assert.deepEqual(nodesOf(ps), ['n1', 'n2', 'n4', 'n5']);
  });

  test('a rolling update replaces every pod with one of the new revision', async () => {
    await dss().create(dsObject('roll', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } }));
    const first = await waitForObjects(pods(), (p) => p.filter(live).length === 3, 'three pods', { namespace: ns, labelSelector: 'app=roll' });
    await markPodsReady(rig.client, first);
    await waitForObject(dss(), ns, 'roll', (d) => d?.status?.numberAvailable === 3, 'available');
    await patchDS('roll', { spec: { template: { spec: { containers: [{ name: 'c', image: 'agent:2' }] } } } });
    // Play the kubelet: every new pod becomes ready as it appears.
    const isNew = (p: Pod) => p.spec?.containers[0].image === 'agent:2';
    const marked = new Set<string>();
    await waitForObjects(
      pods(),
      (ps) => {
        for (const p of ps) if (live(p) && isNew(p) && !marked.has(p.metadata!.name!) && p.status?.phase === 'Pending') {
          marked.add(p.metadata!.name!);
          void markPodsReady(rig.client, [p]);
        }
        const alive = ps.filter(live);
        return alive.length === 3 && alive.every(isNew);
      },
      'all pods at agent:2',
      { namespace: ns, labelSelector: 'app=roll' },
    );
    const s = await waitForObject(dss(), ns, 'roll', (d) => d?.status?.updatedNumberScheduled === 3 && d.status.numberAvailable === 3, 'rolled out');
    assert.equal(s!.status!.observedGeneration, s!.metadata!.generation);
  });
});
