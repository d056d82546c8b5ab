// PodTopologySpread against upstream's semantics (podtopologyspread/filtering_test.go,
// scoring_test.go, plugin_test.go): Filter codes and reasons for hard constraints (maxSkew,
// minDomains, missing labels, node inclusion policies, matchLabelKeys), the preemption
// extensions on a cloned state, soft-constraint scores and normalization, the cluster default
// constraints (selectors from Services read through real informers), and queueing hints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { Informers } from '../../../src/controllers/context.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { Code, type Status } from '../../../src/scheduler/framework/status.js';
import { QueueingHint, type Handle, type NodeInfoLister, type NodeScore } from '../../../src/scheduler/framework/types.js';
import { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH, factory, NAME, type PodTopologySpread } from '../../../src/scheduler/plugins/pod-topology-spread/index.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';

const log = pino({ level: 'silent' });
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

function node(name: string, labels: Record<string, string>, taints?: Taint[]): Node {
  return { metadata: { name, labels }, spec: { taints }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } };
}
/** Upstream's four test nodes: zone1 = node-a, node-b; zone2 = node-x, node-y. */
const zoned = (name: string, zone: string, extra: Record<string, string> = {}) => node(name, { [ZONE]: zone, [HOST]: name, ...extra });

let seq = 0;
function pod(opts: { name?: string; ns?: string; labels?: Record<string, string>; node?: string; spread?: TopologySpreadConstraint[]; nodeSelector?: Record<string, string>; terminating?: boolean; uid?: string } = {}): Pod {
  seq++;
  return {
    metadata: {
      name: opts.name ?? `p${seq}`,
      namespace: opts.ns ?? 'default',
      uid: opts.uid ?? `uid-${seq}`,
      labels: opts.labels,
      deletionTimestamp: opts.terminating ? '2026-01-01T00:00:00Z' : undefined,
    },
    spec: { nodeName: opts.node, containers: [{ name: 'c', image: 'x' }], topologySpreadConstraints: opts.spread, nodeSelector: opts.nodeSelector },
  };
}
/** `n` pods labelled foo on a node. */
const on = (nodeName: string, n: number, labels: Record<string, string> = { foo: '' }) => Array.from({ length: n }, () => pod({ node: nodeName, labels }));

function constraint(maxSkew: number, topologyKey: string, when: 'DoNotSchedule' | 'ScheduleAnyway', extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable: when, labelSelector: { matchExpressions: [{ key: 'foo', operator: 'Exists' }] }, ...extra };
}

function snapshot(nodes: Node[], pods: Pod[]): NodeInfo[] {
  return nodes.map((n) => new NodeInfo(n, ...pods.filter((p) => p.spec?.nodeName === n.metadata?.name)));
}

function lister(infos: NodeInfo[]): NodeInfoLister {
  return { list: () => infos, get: (n) => infos.find((i) => i.name === n), havePodsWithAffinityList: () => [], havePodsWithRequiredAntiAffinityList: () => [] };
}

function plugin(infos: NodeInfo[], args?: Record<string, unknown>, informers?: Informers): PodTopologySpread {
  const handle = { snapshotSharedLister: () => lister(infos), informers, log } as unknown as Handle;
  return factory(args ?? { defaultingType: 'List' }, handle) as PodTopologySpread;
}

/** Filter results per node: 'ok' or "<code>: <message>". */
function filterAll(pl: PodTopologySpread, p: Pod, infos: NodeInfo[]): Record<string, string> {
  const state = new CycleState();
  const pre = pl.preFilter(state, p, infos) as Status | undefined;
  if (pre) return { prefilter: `${pre.code}: ${pre.message()}` };
  return Object.fromEntries(infos.map((ni) => [ni.name, fmt(pl.filter(state, p, ni))]));
}
const fmt = (s: Status | undefined | null | void) => (s ? `${s.code}: ${s.message()}` : 'ok');
const NOT_MATCH = `${Code.Unschedulable}: ${ERR_REASON_CONSTRAINTS_NOT_MATCH}`;
const NO_LABEL = `${Code.UnschedulableAndUnresolvable}: ${ERR_REASON_NODE_LABEL_NOT_MATCH}`;

describe('PodTopologySpread Filter (hard constraints)', () => {
  const fourNodes = [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')];
  const hard = (maxSkew: number, key: string, extra: Partial<TopologySpreadConstraint> = {}) => constraint(maxSkew, key, 'DoNotSchedule', extra);
  const cases: { name: string; pod: Pod; nodes?: Node[]; existing?: Pod[]; want: Record<string, string> }[] = [
    {
      name: 'no existing pods: every node fits',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE)] }),
      want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'no existing pods, the incoming pod does not match itself: every node fits',
      pod: pod({ labels: { foo: '' }, spread: [hard(0, ZONE, { labelSelector: { matchExpressions: [{ key: 'bar', operator: 'Exists' }] } })] }),
      want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'pods in another namespace and terminating pods are not counted',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE)] }),
      existing: [...on('node-a', 3).map((p) => ({ ...p, metadata: { ...p.metadata, namespace: 'other' } })), pod({ node: 'node-b', labels: { foo: '' }, terminating: true })],
      want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'pods spread across zones as 3/3: every node fits',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE)] }),
      existing: [...on('node-a', 1), ...on('node-b', 2), ...on('node-x', 1), ...on('node-y', 2)],
      want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'pods spread across zones as 3/1: only the emptier zone fits',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE)] }),
      existing: [...on('node-a', 2), ...on('node-b', 1), ...on('node-x', 1)],
      want: { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'a node without the topology label is unresolvable and its pods are not counted',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE)] }),
      nodes: [zoned('node-a', 'zone1'), node('node-b', { [HOST]: 'node-b' }), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')],
      existing: [...on('node-a', 1), ...on('node-b', 5), ...on('node-x', 1), ...on('node-y', 1)],
      want: { 'node-a': 'ok', 'node-b': NO_LABEL, 'node-x': NOT_MATCH, 'node-y': NOT_MATCH },
    },
    {
      name: 'no node has the topology key: all unresolvable',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, 'rack')] }),
      want: { 'node-a': NO_LABEL, 'node-b': NO_LABEL, 'node-x': NO_LABEL, 'node-y': NO_LABEL },
    },
    {
      name: 'pods spread across nodes as 2/1/0/3: only node-x fits',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, HOST)] }),
      existing: [...on('node-a', 2), ...on('node-b', 1), ...on('node-y', 3)],
      want: { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': 'ok', 'node-y': NOT_MATCH },
    },
    {
      name: 'pods spread across nodes as 2/1/0/3 with maxSkew 2: node-b and node-x fit',
      pod: pod({ labels: { foo: '' }, spread: [hard(2, HOST)] }),
      existing: [...on('node-a', 2), ...on('node-b', 1), ...on('node-y', 3)],
      want: { 'node-a': NOT_MATCH, 'node-b': 'ok', 'node-x': 'ok', 'node-y': NOT_MATCH },
    },
    {
      name: 'pods spread across nodes as 2/1/0/3 but the pod does not match itself: node-b and node-x fit',
      pod: pod({ labels: { bar: '' }, spread: [hard(1, HOST)] }),
      existing: [...on('node-a', 2), ...on('node-b', 1), ...on('node-y', 3)],
      want: { 'node-a': NOT_MATCH, 'node-b': 'ok', 'node-x': 'ok', 'node-y': NOT_MATCH },
    },
    {
      name: 'two constraints: both must hold (zone 3/1 and nodes 2/1/1/0)',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE), hard(1, HOST)] }),
      existing: [...on('node-a', 2), ...on('node-b', 1), ...on('node-x', 1)],
      want: { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': NOT_MATCH, 'node-y': 'ok' },
    },
    {
      name: 'minDomains above the number of domains makes the global minimum 0',
      pod: pod({ labels: { foo: '' }, spread: [hard(2, ZONE, { minDomains: 3 })] }),
      existing: [...on('node-a', 1), ...on('node-b', 1), ...on('node-x', 1), ...on('node-y', 1)],
      // each zone has 2: 2 + 1 - 0 = 3 > 2 everywhere.
      want: { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': NOT_MATCH, 'node-y': NOT_MATCH },
    },
    {
      name: 'minDomains met: the real global minimum applies',
      pod: pod({ labels: { foo: '' }, spread: [hard(2, ZONE, { minDomains: 2 })] }),
      existing: [...on('node-a', 1), ...on('node-b', 1), ...on('node-x', 1), ...on('node-y', 1)],
      want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'nodeAffinityPolicy Honor (default): nodes the pod cannot go to are not domains',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, HOST)], nodeSelector: { pool: 'a' } }),
      nodes: [zoned('node-a', 'zone1', { pool: 'a' }), zoned('node-b', 'zone1', { pool: 'a' }), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')],
      existing: [...on('node-a', 1), ...on('node-b', 0), ...on('node-x', 0)],
      // domains are node-a (1) and node-b (0): node-x's 0 does not lower the minimum.
      want: { 'node-a': NOT_MATCH, 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'nodeAffinityPolicy Ignore: every node with the key is a domain',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE, { nodeAffinityPolicy: 'Ignore' })], nodeSelector: { pool: 'a' } }),
      nodes: [zoned('node-a', 'zone1', { pool: 'a' }), zoned('node-b', 'zone1', { pool: 'a' }), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')],
      existing: [...on('node-a', 1)],
      want: { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': 'ok', 'node-y': 'ok' },
    },
    {
      name: 'nodeTaintsPolicy Ignore (default): a tainted empty zone still holds the minimum at 0',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE)] }),
      nodes: [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), node('node-z', { [ZONE]: 'zone3', [HOST]: 'node-z' }, [{ key: 'k', value: 'v', effect: 'NoSchedule' }])],
      existing: [...on('node-a', 1), ...on('node-x', 1)],
      want: { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': NOT_MATCH, 'node-z': 'ok' },
    },
    {
      name: 'nodeTaintsPolicy Honor: an untolerated tainted zone is not a domain',
      pod: pod({ labels: { foo: '' }, spread: [hard(1, ZONE, { nodeTaintsPolicy: 'Honor' })] }),
      nodes: [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), node('node-z', { [ZONE]: 'zone3', [HOST]: 'node-z' }, [{ key: 'k', value: 'v', effect: 'NoSchedule' }])],
      existing: [...on('node-a', 1), ...on('node-x', 1)],
      want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-z': 'ok' },
    },
    {
      name: 'matchLabelKeys narrows the selector to pods with the same value',
      pod: pod({ labels: { foo: '', rev: '2' }, spread: [hard(1, ZONE, { matchLabelKeys: ['rev'] })] }),
      existing: [...on('node-a', 3, { foo: '', rev: '1' }), ...on('node-x', 1, { foo: '', rev: '2' })],
      // only rev=2 pods count: zone1 0, zone2 1.
      want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': NOT_MATCH, 'node-y': NOT_MATCH },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const infos = snapshot(c.nodes ?? fourNodes, c.existing ?? []);
      assert.deepEqual(filterAll(plugin(infos), c.pod, infos), c.want);
    });
  }

  test('a pod without hard constraints skips the plugin', () => {
    const infos = snapshot(fourNodes, []);
    const s = plugin(infos).preFilter(new CycleState(), pod({ spread: [constraint(1, ZONE, 'ScheduleAnyway')] }), infos) as Status;
    assert.equal(s.code, Code.Skip);
  });

  test('an invalid selector is a PreFilter error', () => {
    const infos = snapshot(fourNodes, []);
    const bad = pod({ spread: [hard(1, ZONE, { labelSelector: { matchExpressions: [{ key: 'foo', operator: 'Bogus' }] } })] });
    const s = plugin(infos).preFilter(new CycleState(), bad, infos) as Status;
    assert.equal(s.code, Code.Error);
  });

  test('counts on crowded nodes are remembered across cycles and refreshed when the node changes', () => {
    const infos = snapshot(fourNodes, [...on('node-a', 20), ...on('node-x', 20, { bar: '' })]);
    const pl = plugin(infos);
    const p = pod({ labels: { foo: '' }, spread: [hard(1, ZONE)] });
    const want = { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': 'ok', 'node-y': 'ok' };
    assert.deepEqual(filterAll(pl, p, infos), want);
    assert.deepEqual(filterAll(pl, p, infos), want);
    // 19 matching pods join zone2: zone1 has 20, zone2 19.
    for (const q of on('node-y', 19)) infos[3]!.addPod(q);
    assert.deepEqual(filterAll(pl, p, infos), { 'node-a': NOT_MATCH, 'node-b': NOT_MATCH, 'node-x': 'ok', 'node-y': 'ok' });
    infos[3]!.addPod(pod({ node: 'node-y', labels: { foo: '' } }));
    infos[3]!.addPod(pod({ node: 'node-y', labels: { foo: '' } }));
    // zone2 now 21 against zone1's 20.
    assert.deepEqual(filterAll(pl, p, infos), { 'node-a': 'ok', 'node-b': 'ok', 'node-x': NOT_MATCH, 'node-y': NOT_MATCH });
    // Another selector on the same nodes is counted separately.
    const q = pod({ labels: { bar: '' }, spread: [hard(1, ZONE, { labelSelector: { matchLabels: { bar: '' } } })] });
    assert.deepEqual(filterAll(pl, q, infos), { 'node-a': 'ok', 'node-b': 'ok', 'node-x': NOT_MATCH, 'node-y': NOT_MATCH });
  });

  test('preemption: removing a pod from a cloned state changes only the clone', () => {
    const existing = [...on('node-a', 2), ...on('node-x', 1)];
    const infos = snapshot(fourNodes.slice(0, 3), existing);
    const pl = plugin(infos);
    const p = pod({ labels: { foo: '' }, spread: [hard(1, HOST)] });
    const state = new CycleState();
    pl.preFilter(state, p, infos);
    const nodeA = infos[0]!;
    assert.equal(fmt(pl.filter(state, p, nodeA)), NOT_MATCH);
    const sim = state.clone();
    const ext = pl.preFilterExtensions();
    ext.removePod(sim, p, newPodInfo(existing[0]!), nodeA);
    ext.removePod(sim, p, newPodInfo(existing[1]!), nodeA);
    // node-b's 0 is the minimum: node-a with 0 → 0 + 1 - 0 fits.
    assert.equal(fmt(pl.filter(sim, p, nodeA)), 'ok');
    assert.equal(fmt(pl.filter(state, p, nodeA)), NOT_MATCH);
    ext.addPod(sim, p, newPodInfo(pod({ node: 'node-b', labels: { foo: '' } })), infos[1]!);
    ext.addPod(sim, p, newPodInfo(pod({ node: 'node-x', labels: { foo: '' }, ns: 'other' })), infos[2]!);
    // node-a 0, node-b 1, node-x 1 (the other namespace does not count): node-b fails, 1 + 1 - 0 = 2 > 1.
    assert.equal(fmt(pl.filter(sim, p, infos[1]!)), NOT_MATCH);
  });
});

describe('PodTopologySpread Score (soft constraints)', () => {
  const soft = (maxSkew: number, key: string, extra: Partial<TopologySpreadConstraint> = {}) => constraint(maxSkew, key, 'ScheduleAnyway', extra);

  function scoreAll(pl: PodTopologySpread, p: Pod, filtered: NodeInfo[]): Record<string, number> | string {
    const state = new CycleState();
    const s = pl.preScore(state, p, filtered) as Status | undefined;
    if (s) return s.code;
    const scores: NodeScore[] = filtered.map((ni) => ({ name: ni.name, score: pl.score(state, p, ni) as number }));
    pl.scoreExtensions().normalizeScore(state, p, scores);
    return Object.fromEntries(scores.map((s) => [s.name, s.score]));
  }

  const hosts = (...names: string[]) => names.map((n) => node(n, { [HOST]: n }));
  const cases: { name: string; pod: Pod; nodes: Node[]; existing?: Pod[]; filtered?: string[]; want: Record<string, number> | string }[] = [
    { name: 'one constraint on node, no existing pods', pod: pod({ labels: { foo: '' }, spread: [soft(1, HOST)] }), nodes: hosts('node-a', 'node-b'), want: { 'node-a': 100, 'node-b': 100 } },
    {
      name: 'one constraint on node, only one node is a candidate',
      pod: pod({ labels: { foo: '' }, spread: [soft(1, HOST)] }),
      nodes: hosts('node-a', 'node-b'),
      existing: [...on('node-a', 2), ...on('node-b', 1)],
      filtered: ['node-a'],
      want: { 'node-a': 100 },
    },
    {
      name: 'one constraint on node, all nodes have the same number of matching pods',
      pod: pod({ labels: { foo: '' }, spread: [soft(1, HOST)] }),
      nodes: hosts('node-a', 'node-b'),
      existing: [...on('node-a', 1), ...on('node-b', 1)],
      want: { 'node-a': 100, 'node-b': 100 },
    },
    {
      name: 'one constraint on node, all 4 nodes are candidates',
      pod: pod({ labels: { foo: '' }, spread: [soft(1, HOST)] }),
      nodes: hosts('node-a', 'node-b', 'node-c', 'node-d'),
      existing: [...on('node-a', 2), ...on('node-b', 1), ...on('node-d', 3)],
      // weight log(6): raw 4, 2, 0, 5 → 100 × (5 - raw) / 5.
      want: { 'node-a': 20, 'node-b': 60, 'node-c': 100, 'node-d': 0 },
    },
    {
      name: 'nodes missing the topology key are ignored and score 0',
      pod: pod({ labels: { foo: '' }, spread: [soft(1, ZONE)] }),
      nodes: [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), node('node-n', { [HOST]: 'node-n' })],
      existing: [...on('node-a', 1), ...on('node-b', 2), ...on('node-n', 5)],
      // weight log(2 + 2): zone1 3 → raw 4, zone2 0 → raw 0.
      want: { 'node-a': 0, 'node-b': 0, 'node-x': 100, 'node-n': 0 },
    },
    {
      name: 'two constraints on zone and node, maxSkew softens differences',
      pod: pod({ labels: { foo: '' }, spread: [soft(2, ZONE), soft(1, HOST)] }),
      nodes: [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')],
      existing: [...on('node-a', 2), ...on('node-b', 1), ...on('node-x', 1)],
      // zone weight log(4) = 1.386, host weight log(6) = 1.792.
      // raw a = 3×1.386 + 1 + 2×1.792 = 8.74 → 9; b = 4.159 + 1 + 1.792 = 6.95 → 7; x = 1.386 + 1 + 1.792 = 4.18 → 4; y = 1.386 + 1 = 2.39 → 2.
      // normalized 100 × (9 + 2 - raw) / 9: a 22, b 44, x 77, y 100.
      want: { 'node-a': 22, 'node-b': 44, 'node-x': 77, 'node-y': 100 },
    },
    {
      name: 'pods on nodes that are not candidates still count toward their zone',
      pod: pod({ labels: { foo: '' }, spread: [soft(1, ZONE)] }),
      nodes: [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')],
      existing: [...on('node-b', 3)],
      filtered: ['node-a', 'node-x'],
      // zone1 3 × log(4) = 4.16 → 4; zone2 0.
      want: { 'node-a': 0, 'node-x': 100 },
    },
    { name: 'a pod without soft constraints skips scoring', pod: pod({ labels: { foo: '' }, spread: [constraint(1, HOST, 'DoNotSchedule')] }), nodes: hosts('node-a'), want: Code.Skip },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const infos = snapshot(c.nodes, c.existing ?? []);
      const filtered = c.filtered ? infos.filter((i) => c.filtered!.includes(i.name)) : infos;
      assert.deepEqual(scoreAll(plugin(infos), c.pod, filtered), c.want);
    });
  }

  describe('cluster default constraints', () => {
    let api: InProcessApi;
    let informers: Informers;
    before(async () => {
      api = await startInProcessApi();
      const client = api.client();
      await client.resource(resources.services).create(
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
        { namespace: 'default' },
      );
      informers = new Informers(client);
    });
    after(async () => {
      await informers?.shutdown();
      await api?.close();
    });

    async function started(infos: NodeInfo[], args?: Record<string, unknown>): Promise<PodTopologySpread> {
      const pl = plugin(infos, args ?? {}, informers);
      informers.start();
      assert.ok(await informers.waitForCacheSync());
      return pl;
    }

    test('system defaults spread pods a Service selects by hostname, even on nodes without a zone', async () => {
      const infos = snapshot(
        [node('node-a', { [HOST]: 'node-a' }), node('node-b', { [HOST]: 'node-b' })],
        [...on('node-a', 4, { app: 'web' }), ...on('node-b', 1, { app: 'other' })],
      );
      const pl = await started(infos);
      // hostname: weight log(4), maxSkew 3: a = 4 × 1.386 + 2 = 7.5 → 8 (rounded half up); b = 2. Zone: both in the "" domain, not scored (no label).
      assert.deepEqual(scoreAll(pl, pod({ labels: { app: 'web' } }), infos), { 'node-a': 25, 'node-b': 100 });
      // The defaults are soft only: no hard constraint, Filter is skipped.
      assert.equal((pl.preFilter(new CycleState(), pod({ labels: { app: 'web' } }), infos) as Status).code, Code.Skip);
    });

    test('a pod nothing selects gets no default constraints', async () => {
      const infos = snapshot([node('node-a', { [HOST]: 'node-a' })], []);
      const pl = await started(infos);
      assert.equal(scoreAll(pl, pod({ labels: { app: 'lonely' } }), infos), Code.Skip);
    });

    test('listed default constraints require every topology key', async () => {
      const infos = snapshot([zoned('node-a', 'zone1'), node('node-b', { [HOST]: 'node-b' }), zoned('node-x', 'zone2')], on('node-a', 2, { app: 'web' }));
      const pl = await started(infos, { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }] });
      assert.deepEqual(filterAll(pl, pod({ labels: { app: 'web' } }), infos), { 'node-a': NOT_MATCH, 'node-b': NO_LABEL, 'node-x': 'ok' });
    });
  });
});

describe('PodTopologySpread args and events', () => {
  const infos = snapshot([], []);
  test('the name is upstream\'s and System defaulting rejects listed constraints', () => {
    assert.equal(NAME, 'PodTopologySpread');
    assert.throws(() => plugin(infos, { defaultingType: 'System', defaultConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway' }] }), /must be empty/);
    assert.throws(
      () => plugin(infos, { defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: {} }] }),
      /must not define a selector/,
    );
    assert.throws(() => plugin(infos, { defaultingType: 'List', defaultConstraints: [{ maxSkew: 0, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway' }] }), /maxSkew/);
  });

  const pl = plugin(infos);
  const events = pl.eventsToRegister();
  const podHint = events.find((e) => e.event.resource === 'Pod')!.hint!;
  const nodeHint = events.find((e) => e.event.resource === 'Node')!.hint!;
  const target = pod({ labels: { foo: '' }, spread: [constraint(1, ZONE, 'DoNotSchedule')] });

  test('a scheduled matching pod in the namespace added or deleted requeues; others do not', () => {
    assert.equal(podHint(log, target, undefined, pod({ node: 'n', labels: { foo: '' } })), QueueingHint.Queue);
    assert.equal(podHint(log, target, pod({ node: 'n', labels: { foo: '' } }), undefined), QueueingHint.Queue);
    assert.equal(podHint(log, target, undefined, pod({ node: 'n', labels: { bar: '' } })), QueueingHint.Skip);
    assert.equal(podHint(log, target, undefined, pod({ labels: { foo: '' } })), QueueingHint.Skip);
    assert.equal(podHint(log, target, undefined, pod({ node: 'n', ns: 'other', labels: { foo: '' } })), QueueingHint.Skip);
  });
  test('a label change requeues only when it flips a selector match', () => {
    const a = pod({ node: 'n', labels: { foo: '' }, uid: 'x' });
    assert.equal(podHint(log, target, a, { ...a, metadata: { ...a.metadata, labels: { bar: '' } } }), QueueingHint.Queue);
    assert.equal(podHint(log, target, a, { ...a, metadata: { ...a.metadata, labels: { foo: '', other: '1' } } }), QueueingHint.Skip);
  });
  test('nodes: added with the keys, removed, or relabelled in a topology key requeue', () => {
    const n = zoned('n', 'zone1');
    assert.equal(nodeHint(log, target, undefined, n), QueueingHint.Queue);
    assert.equal(nodeHint(log, target, undefined, node('bare', {})), QueueingHint.Skip);
    assert.equal(nodeHint(log, target, n, undefined), QueueingHint.Queue);
    assert.equal(nodeHint(log, target, n, zoned('n', 'zone2')), QueueingHint.Queue);
    assert.equal(nodeHint(log, target, n, zoned('n', 'zone1', { extra: 'x' })), QueueingHint.Skip);
    assert.equal(nodeHint(log, target, n, { ...n, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }), QueueingHint.Queue);
  });
});
