// DefaultPreemption against upstream's semantics (defaultpreemption/default_preemption_test.go
// and framework/preemption): victim selection on one node with real Filter plugins (a small
// resource filter written here, and the real InterPodAffinity through its PreFilter extensions),
// PodDisruptionBudgets, the order in which candidate nodes are preferred, the dry run's
// candidate count and offset, eligibility, extenders and the FailedScheduling message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import pino from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { newPodInfo, type PodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { podRequests } from '../../../src/scheduler/framework/resource.js';
import { Code, isSuccess, Status, type MaybeStatus } from '../../../src/scheduler/framework/status.js';
import type { Extender, FilterPlugin, NodeInfoLister, NodeToStatus, PreFilterPlugin } from '../../../src/scheduler/framework/types.js';
import { InterPodAffinity, interPodAffinityArgs } from '../../../src/scheduler/plugins/inter-pod-affinity/index.js';
import {
  DefaultPreemption,
  defaultPreemptionArgs,
  dryRunPreemption,
  NAME,
  numCandidates,
  pickOneNodeForPreemption,
  selectVictimsOnNode,
  type NodeVictims,
  type PreemptionHandle,
} from '../../../src/scheduler/plugins/default-preemption/index.js';

// ---- fixtures ----

const node = (name: string, cpu = '4', pods = '110', labels: Record<string, string> = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  status: { allocatable: { cpu, memory: '16Gi', pods } },
});

interface PodOpts {
  prio?: number;
  cpu?: string;
  node?: string;
  labels?: Record<string, string>;
  start?: string;
  antiAffinity?: PodAffinityTerm[];
  nominated?: string;
  never?: boolean;
  terminatingByPreemption?: boolean;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? {} },
    spec: {
      nodeName: o.node,
      priority: o.prio ?? 0,
      containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: o.cpu ?? '1' } } }],
      preemptionPolicy: o.never ? 'Never' : undefined,
      affinity: o.antiAffinity ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: o.antiAffinity } } : undefined,
    },
    status: { startTime: o.start ?? '2026-01-01T00:00:00Z', nominatedNodeName: o.nominated },
  };
  if (o.terminatingByPreemption) {
    p.metadata = { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' };
    p.status!.conditions = [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }];
  }
  return p;
}

const pdb = (name: string, labels: Record<string, string>, disruptionsAllowed: number, disruptedPods?: Record<string, string>): PodDisruptionBudget => ({
  metadata: { name, namespace: 'default' },
  spec: { selector: { matchLabels: labels } },
  status: { disruptionsAllowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods },
});

/** A resource filter as NodeResourcesFit would answer for cpu and pod count. */
const fit: FilterPlugin = {
  name: 'TestFit',
  filter(_state, p, ni) {
    const reasons: string[] = [];
    if (ni.pods.length + 1 > ni.allocatable.allowedPodNumber) reasons.push('Too many pods');
    if (ni.requested.milliCPU + podRequests(p).milliCPU > ni.allocatable.milliCPU) reasons.push('Insufficient cpu');
    return reasons.length ? Status.unschedulable(...reasons) : null;
  },
};

/** A node selector as an unresolvable filter: pods labelled want=<node> only fit that node. */
const pinned: FilterPlugin = {
  name: 'TestPinned',
  filter(_state, p, ni) {
    const want = p.metadata?.labels?.want;
    return want && want !== ni.name ? Status.unresolvable("node(s) didn't match Pod's node affinity/selector") : null;
  },
};

type AnyPlugin = FilterPlugin & Partial<PreFilterPlugin>;

interface Rig {
  handle: PreemptionHandle;
  lister: NodeInfoLister;
  infos: NodeInfo[];
  nominated: Map<string, PodInfo[]>;
  /** Names of victims rejected in Permit (with allWaiting, every pod waits there: no API call is needed). */
  rejected: string[];
  /** PreFilter then Filter on every node, as a failed scheduling cycle would leave them. */
  schedule(p: Pod): { state: CycleState; statuses: NodeToStatus };
}

function rig(nodes: Node[], pods: Pod[], opts: { extenders?: Extender[]; withAffinity?: boolean; allWaiting?: boolean } = {}): Rig {
  const infos = nodes.map((n) => new NodeInfo(n, ...pods.filter((p) => p.spec?.nodeName === n.metadata?.name)));
  const lister: NodeInfoLister = {
    list: () => infos,
    get: (name) => infos.find((i) => i.name === name),
    havePodsWithAffinityList: () => infos.filter((i) => i.podsWithAffinity.length > 0),
    havePodsWithRequiredAntiAffinityList: () => infos.filter((i) => i.podsWithRequiredAntiAffinity.length > 0),
  };
  // The pinning filter runs first, as NodeAffinity runs before NodeResourcesFit upstream.
  const plugins: AnyPlugin[] = [pinned, fit];
  if (opts.withAffinity) {
    plugins.push(new InterPodAffinity({ args: interPodAffinityArgs(undefined), lister: () => lister, namespaces: { labels: () => ({}), namesMatching: () => [] } }));
  }
  const nominated = new Map<string, PodInfo[]>();
  const rejected: string[] = [];
  const runFilters = (state: CycleState, p: Pod, ni: NodeInfo): MaybeStatus => {
    for (const pl of plugins) {
      if (state.skipFilterPlugins.has(pl.name)) continue;
      const s = pl.filter(state, p, ni);
      if (!isSuccess(s)) return (s as Status).withPlugin(pl.name);
    }
    return null;
  };
  const ext = (kind: 'addPod' | 'removePod', state: CycleState, p: Pod, pi: PodInfo, ni: NodeInfo): MaybeStatus => {
    for (const pl of plugins) {
      if (state.skipFilterPlugins.has(pl.name)) continue;
      const s = pl.preFilterExtensions?.()?.[kind](state, p, pi, ni);
      if (!isSuccess(s)) return s;
    }
    return null;
  };
  const prio = (p: Pod) => p.spec?.priority ?? 0;
  const handle: PreemptionHandle = {
    client: undefined as never,
    log: pino({ level: 'silent' }),
    recorder: { event() {}, eventf() {}, annotatedEventf() {} } as never,
    snapshotSharedLister: () => lister,
    nominator: {
      nominatedPodsForNode: (n) => nominated.get(n) ?? [],
      addNominatedPod: (pi, n) => nominated.set(n, [...(nominated.get(n) ?? []), pi]),
      deleteNominatedPodIfExists: () => {},
    },
    // Upstream RunFilterPluginsWithNominatedPods: with the nominated pods of at least equal
    // priority added, then without them.
    runFilterPluginsWithNominatedPods(state, p, ni) {
      const noms = (nominated.get(ni.name) ?? []).filter((pi) => prio(pi.pod) >= prio(p) && pi.pod.metadata?.uid !== p.metadata?.uid);
      if (noms.length) {
        const s2 = state.clone();
        const ni2 = ni.clone();
        for (const pi of noms) {
          ni2.addPodInfo(pi);
          ext('addPod', s2, p, pi, ni2);
        }
        const st = runFilters(s2, p, ni2);
        if (!isSuccess(st)) return st;
      }
      return runFilters(state, p, ni);
    },
    runPreFilterExtensionAddPod: (state, p, pi, ni) => ext('addPod', state, p, pi, ni),
    runPreFilterExtensionRemovePod: (state, p, pi, ni) => ext('removePod', state, p, pi, ni),
    getWaitingPod: (uid) => {
      const p = opts.allWaiting ? pods.find((x) => x.metadata?.uid === uid) : undefined;
      return p && { pod: p, allow() {}, reject: (plugin: string, msg: string) => rejected.push(`${p.metadata?.name} by ${plugin}: ${msg}`) };
    },
    activate: () => {},
    extenders: opts.extenders ?? [],
  };
  const schedule = (p: Pod) => {
    const state = new CycleState();
    for (const pl of plugins) {
      const r = pl.preFilter?.(state, p, infos);
      if (r && 'code' in r && r.code === Code.Skip) state.skipFilterPlugins.add(pl.name);
    }
    const map = new Map<string, Status>();
    for (const ni of infos) {
      const s = handle.runFilterPluginsWithNominatedPods(state, p, ni);
      if (!isSuccess(s)) map.set(ni.name, s as Status);
    }
    const statuses: NodeToStatus = { get: (n) => map.get(n), entries: () => map.entries() };
    return { state, statuses };
  };
  return { handle, lister, infos, nominated, rejected, schedule };
}

const names = (v: NodeVictims | Status) => (v instanceof Status ? `${v.code}: ${v.message()}` : v.pods.map((p) => p.metadata?.name).join(','));

// ---- selectVictimsOnNode ----

interface VictimCase {
  name: string;
  preemptor: Pod;
  pods: Pod[];
  node?: Node;
  pdbs?: PodDisruptionBudget[];
  withAffinity?: boolean;
  want: string;
  wantViolations?: number;
}

const victimCases: VictimCase[] = [
  {
    name: 'lower-priority pods are reprieved highest priority first; what still does not fit is the victim',
    preemptor: pod('p', { prio: 10, cpu: '2' }),
    pods: [pod('low1', { prio: 1, cpu: '1', node: 'n1' }), pod('low2', { prio: 2, cpu: '2', node: 'n1' }), pod('high', { prio: 100, cpu: '1', node: 'n1' })],
    want: 'low2',
  },
  {
    name: 'several victims come out most important first',
    preemptor: pod('p', { prio: 10, cpu: '4' }),
    pods: [pod('a', { prio: 1, cpu: '1', node: 'n1' }), pod('b', { prio: 3, cpu: '1', node: 'n1' }), pod('c', { prio: 2, cpu: '1', node: 'n1' })],
    want: 'b,c,a',
  },
  {
    name: 'pods of equal or higher priority are never victims',
    preemptor: pod('p', { prio: 5, cpu: '2' }),
    pods: [pod('same', { prio: 5, cpu: '2', node: 'n1' }), pod('low', { prio: 1, cpu: '2', node: 'n1' })],
    want: 'low',
  },
  {
    name: 'a node without lower-priority pods has no victims (unresolvable)',
    preemptor: pod('p', { prio: 5, cpu: '2' }),
    pods: [pod('high', { prio: 9, cpu: '4', node: 'n1' })],
    want: `${Code.UnschedulableAndUnresolvable}: No preemption victims found for incoming pod`,
  },
  {
    name: 'when the pod does not fit even with every lower-priority pod gone, the filter status is returned',
    preemptor: pod('p', { prio: 5, cpu: '3' }),
    pods: [pod('high', { prio: 9, cpu: '2', node: 'n1' }), pod('low', { prio: 1, cpu: '1', node: 'n1' })],
    want: `${Code.Unschedulable}: Insufficient cpu`,
  },
  {
    name: 'among equal priorities the pod that started last is the victim',
    preemptor: pod('p', { prio: 10, cpu: '2' }),
    pods: [pod('old', { prio: 1, cpu: '2', node: 'n1', start: '2026-01-01T00:00:00Z' }), pod('new', { prio: 1, cpu: '2', node: 'n1', start: '2026-02-01T00:00:00Z' })],
    want: 'new',
  },
  {
    name: 'a pod protected by a PDB with no disruptions allowed is reprieved first, so an unprotected one is the victim',
    preemptor: pod('p', { prio: 10, cpu: '2' }),
    pods: [pod('protected', { prio: 1, cpu: '2', node: 'n1', labels: { app: 'db' }, start: '2026-02-01T00:00:00Z' }), pod('free', { prio: 1, cpu: '2', node: 'n1' })],
    pdbs: [pdb('db', { app: 'db' }, 0)],
    want: 'free',
    wantViolations: 0,
  },
  {
    name: 'a PDB-protected victim that cannot be reprieved counts as a violation',
    preemptor: pod('p', { prio: 10, cpu: '4' }),
    pods: [pod('protected', { prio: 1, cpu: '2', node: 'n1', labels: { app: 'db' } }), pod('free', { prio: 2, cpu: '2', node: 'n1' })],
    pdbs: [pdb('db', { app: 'db' }, 0)],
    want: 'free,protected',
    wantViolations: 1,
  },
  {
    name: 'a PDB that still allows a disruption is not violated',
    preemptor: pod('p', { prio: 10, cpu: '4' }),
    pods: [pod('protected', { prio: 1, cpu: '2', node: 'n1', labels: { app: 'db' } }), pod('free', { prio: 2, cpu: '2', node: 'n1' })],
    pdbs: [pdb('db', { app: 'db' }, 1)],
    want: 'free,protected',
    wantViolations: 0,
  },
  {
    name: "a pod already in the PDB's disruptedPods does not spend its budget again",
    preemptor: pod('p', { prio: 10, cpu: '4' }),
    pods: [pod('gone', { prio: 1, cpu: '2', node: 'n1', labels: { app: 'db' } }), pod('other', { prio: 1, cpu: '2', node: 'n1', labels: { app: 'db' } })],
    pdbs: [pdb('db', { app: 'db' }, 1, { gone: '2026-01-01T00:00:00Z' })],
    want: 'gone,other',
    wantViolations: 0,
  },
  {
    name: 'removing a lower-priority pod that the preemptor is anti-affine to makes room (InterPodAffinity RemovePod)',
    preemptor: pod('p', { prio: 10, cpu: '1', antiAffinity: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] }),
    pods: [pod('web', { prio: 1, cpu: '1', node: 'n1', labels: { app: 'web' } }), pod('other', { prio: 1, cpu: '1', node: 'n1' })],
    withAffinity: true,
    want: 'web',
  },
];

describe('DefaultPreemption selectVictimsOnNode', () => {
  for (const c of victimCases) {
    test(c.name, () => {
      const r = rig([c.node ?? node('n1')], c.pods, { withAffinity: c.withAffinity });
      const { state } = r.schedule(c.preemptor);
      const ni = r.infos[0]!;
      const before = ni.pods.length;
      const got = selectVictimsOnNode(r.handle, state.clone(), c.preemptor, ni.clone(), c.pdbs ?? [], Date.parse('2026-06-01T00:00:00Z'));
      assert.equal(names(got), c.want);
      if (c.wantViolations !== undefined) assert.equal((got as NodeVictims).numPDBViolations, c.wantViolations);
      assert.equal(ni.pods.length, before, 'the snapshot NodeInfo is untouched');
    });
  }
});

// ---- pickOneNodeForPreemption ----

describe('DefaultPreemption candidate order', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const v = (pods: Pod[], numPDBViolations = 0): NodeVictims => ({ pods, numPDBViolations });
  const cases: { name: string; nodes: Record<string, NodeVictims>; want: string }[] = [
    { name: 'fewest PDB violations wins first', nodes: { a: v([pod('x', { prio: 1 })], 1), b: v([pod('y', { prio: 50 })], 0) }, want: 'b' },
    { name: 'then the lowest highest-priority victim', nodes: { a: v([pod('x', { prio: 5 })]), b: v([pod('y', { prio: 3 }), pod('z', { prio: 3 })]) }, want: 'b' },
    { name: 'then the smallest sum of priorities', nodes: { a: v([pod('x', { prio: 3 }), pod('y', { prio: 2 })]), b: v([pod('z', { prio: 3 }), pod('w', { prio: 1 })]) }, want: 'b' },
    { name: 'negative priorities do not make more victims look cheaper', nodes: { a: v([pod('x', { prio: -5 }), pod('y', { prio: -5 })]), b: v([pod('z', { prio: -5 })]) }, want: 'b' },
    {
      name: 'then the fewest victims',
      nodes: { a: v([pod('x', { prio: 3 }), pod('y', { prio: 0 }), pod('q', { prio: 0 })]), b: v([pod('z', { prio: 3 }), pod('w', { prio: 0 })]) },
      want: 'b',
    },
    {
      name: 'then the latest start time of the highest-priority victims',
      nodes: { a: v([pod('x', { prio: 3, start: '2026-01-01T00:00:00Z' })]), b: v([pod('y', { prio: 3, start: '2026-03-01T00:00:00Z' })]) },
      want: 'b',
    },
    { name: 'then the first node', nodes: { a: v([pod('x', { prio: 3 })]), b: v([pod('y', { prio: 3 })]) }, want: 'a' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(pickOneNodeForPreemption(new Map(Object.entries(c.nodes)), now), c.want);
    });
  }
});

// ---- args and the dry run's extent ----

describe('DefaultPreemption dry run extent', () => {
  test('args default to 10% / 100 and are validated as upstream', () => {
    assert.deepEqual(defaultPreemptionArgs(undefined), { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 });
    assert.throws(() => defaultPreemptionArgs({ minCandidateNodesPercentage: 101 }), /not in valid range \[0, 100\]/);
    assert.throws(() => defaultPreemptionArgs({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }), /cannot be zero/);
  });

  const table: [string, Record<string, unknown>, number, number][] = [
    ['fewer nodes than the absolute minimum: all of them', {}, 50, 50],
    ['the absolute minimum when the percentage is smaller', {}, 500, 100],
    ['the percentage when it is larger', {}, 5000, 500],
    ['a zero absolute minimum leaves the percentage', { minCandidateNodesAbsolute: 0, minCandidateNodesPercentage: 40 }, 10, 4],
  ];
  for (const [name, args, nodes, want] of table) {
    test(`number of candidates: ${name}`, () => assert.equal(numCandidates(defaultPreemptionArgs(args), nodes), want));
  }

  test('the dry run starts at the offset, wraps around and stops once enough candidates (one without PDB violation) are found', () => {
    const nodes = ['n0', 'n1', 'n2', 'n3', 'n4'].map((n) => node(n, '2'));
    const pods = nodes.map((n, i) => pod(`v${i}`, { prio: 1, cpu: '2', node: n.metadata!.name }));
    const r = rig(nodes, pods);
    const p = pod('p', { prio: 10, cpu: '2' });
    const { state } = r.schedule(p);
    const run = dryRunPreemption({ fw: r.handle, state, pod: p, potentialNodes: r.infos, pdbs: [], offset: 3, numCandidates: 3, now: 0 });
    assert.deepEqual(
      run.candidates.map((c) => c.name),
      ['n3', 'n4', 'n0'],
    );
  });

  test('with only PDB-violating candidates the dry run keeps looking for one without violations', () => {
    const nodes = ['n0', 'n1', 'n2'].map((n) => node(n, '2'));
    const pods = [pod('v0', { prio: 1, cpu: '2', node: 'n0', labels: { app: 'db' } }), pod('v1', { prio: 1, cpu: '2', node: 'n1', labels: { app: 'db' } }), pod('v2', { prio: 1, cpu: '2', node: 'n2' })];
    const r = rig(nodes, pods);
    const p = pod('p', { prio: 10, cpu: '2' });
    const { state } = r.schedule(p);
    const run = dryRunPreemption({ fw: r.handle, state, pod: p, potentialNodes: r.infos, pdbs: [pdb('db', { app: 'db' }, 0)], offset: 0, numCandidates: 1, now: 0 });
    assert.deepEqual(
      run.candidates.map((c) => `${c.name}:${c.victims.numPDBViolations}`),
      ['n2:0', 'n0:1'],
    );
  });
});

// ---- PostFilter ----

function plugin(r: Rig, pdbs: PodDisruptionBudget[] = []): DefaultPreemption {
  // Victims evicted within the cycle, so a test sees the rejections when postFilter returns
  // (the asynchronous eviction is tested against the API server).
  return new DefaultPreemption({ args: defaultPreemptionArgs(undefined), handle: r.handle, pdbs: () => pdbs, random: () => 0, now: () => Date.parse('2026-06-01T00:00:00Z'), asyncPreemption: false });
}

describe('DefaultPreemption PostFilter', () => {
  test('the plugin is registered under the upstream name', () => assert.equal(NAME, 'DefaultPreemption'));

  test('a pod with preemptionPolicy Never does not preempt', async () => {
    const r = rig([node('n1', '1')], [pod('low', { prio: 1, node: 'n1' })]);
    const p = pod('p', { prio: 10, never: true });
    const { state, statuses } = r.schedule(p);
    const { result, status } = await plugin(r).postFilter(state, p, statuses);
    assert.equal(result, undefined);
    assert.equal(status?.code, Code.Unschedulable);
    assert.equal(status?.message(), 'preemption: not eligible due to preemptionPolicy=Never.');
  });

  test('a pod whose nominated node still has a victim terminating by preemption waits', async () => {
    const r = rig([node('n1', '1')], [pod('victim', { prio: 1, node: 'n1', terminatingByPreemption: true })]);
    const p = pod('p', { prio: 10, nominated: 'n1' });
    const { state, statuses } = r.schedule(p);
    const { status } = await plugin(r).postFilter(state, p, statuses);
    assert.equal(status?.message(), 'preemption: not eligible due to a terminating pod on the nominated node.');
  });

  test('a nominated node the pod cannot use at all (unresolvable) does not block a new preemption', async () => {
    const r = rig([node('n1', '1'), node('n2', '1')], [pod('victim', { prio: 1, node: 'n1', terminatingByPreemption: true }), pod('low', { prio: 1, node: 'n2' })], { allWaiting: true });
    const p = pod('p', { prio: 10, nominated: 'n1', labels: { want: 'n2' } });
    const { state, statuses } = r.schedule(p);
    assert.equal(statuses.get('n1')?.code, Code.UnschedulableAndUnresolvable);
    const { result, status } = await plugin(r).postFilter(state, p, statuses);
    assert.ok(status?.isSuccess(), status?.message());
    assert.deepEqual(result, { nominatedNodeName: 'n2' });
    assert.deepEqual(r.rejected, ['low by DefaultPreemption: preempted']);
  });

  test('no candidate: the message counts nodes without victims and nodes where preemption cannot help', async () => {
    const r = rig(
      [node('n1', '1'), node('n2', '1'), node('n3', '1')],
      [pod('high', { prio: 100, node: 'n1' }), pod('low', { prio: 1, node: 'n2' }), pod('low3', { prio: 1, node: 'n3' })],
    );
    const p = pod('p', { prio: 10, labels: { want: 'n1' } });
    const { state, statuses } = r.schedule(p);
    const { result, status } = await plugin(r).postFilter(state, p, statuses);
    assert.deepEqual(result, { nominatedNodeName: '' });
    assert.equal(status?.code, Code.Unschedulable);
    assert.equal(status?.message(), 'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
  });

  test('no node failed with Unschedulable: preemption is not helpful on any node', async () => {
    const r = rig([node('n1', '1'), node('n2', '1')], [pod('low', { prio: 1, node: 'n1' })]);
    const p = pod('p', { prio: 10, labels: { want: 'elsewhere' } });
    const { state, statuses } = r.schedule(p);
    const { status } = await plugin(r).postFilter(state, p, statuses);
    assert.equal(status?.message(), 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
  });

  test('the chosen node is the one with the cheapest victims, and only its victims are preempted', async () => {
    const r = rig(
      [node('n1', '2'), node('n2', '2'), node('n3', '2')],
      [pod('a1', { prio: 5, node: 'n1' }), pod('a2', { prio: 1, node: 'n1' }), pod('b1', { prio: 2, node: 'n2' }), pod('b2', { prio: 2, node: 'n2' }), pod('c1', { prio: 3, node: 'n3', cpu: '2' })],
      { allWaiting: true },
    );
    const p = pod('p', { prio: 10 });
    const { state, statuses } = r.schedule(p);
    const { result, status } = await plugin(r).postFilter(state, p, statuses);
    assert.ok(status?.isSuccess(), status?.message());
    // n1 needs a2 (prio 1), n2 needs one of b1/b2 (prio 2), n3 needs c1 (prio 3): n1 has the lowest top victim.
    assert.deepEqual(result, { nominatedNodeName: 'n1' });
    assert.deepEqual(r.rejected, ['a2 by DefaultPreemption: preempted']);
  });

  test('a nominated pod of at least equal priority keeps its room: the preemptor must evict more', async () => {
    const r = rig([node('n1', '3')], [pod('a', { prio: 1, node: 'n1' }), pod('b', { prio: 2, node: 'n1' })], { allWaiting: true });
    r.nominated.set('n1', [newPodInfo(pod('nom', { prio: 20, nominated: 'n1' }))]);
    const p = pod('p', { prio: 10, cpu: '2' });
    const { state, statuses } = r.schedule(p);
    const { result, status } = await plugin(r).postFilter(state, p, statuses);
    assert.ok(status?.isSuccess(), status?.message());
    assert.deepEqual(result, { nominatedNodeName: 'n1' });
    assert.deepEqual(r.rejected.sort(), ['a by DefaultPreemption: preempted', 'b by DefaultPreemption: preempted']);
  });

  test('a filter failure that persists without the victims is reported with its own reason', async () => {
    const r = rig([node('n1', '2')], [pod('high', { prio: 100, cpu: '1', node: 'n1' }), pod('low', { prio: 1, cpu: '1', node: 'n1' })]);
    const p = pod('p', { prio: 10, cpu: '2' });
    const { state, statuses } = r.schedule(p);
    const { status } = await plugin(r).postFilter(state, p, statuses);
    assert.equal(status?.message(), 'preemption: 0/1 nodes are available: 1 Insufficient cpu.');
  });

  test('an extender that supports preemption can veto a candidate node', async () => {
    const seen: string[][] = [];
    const extender = {
      name: () => 'veto-n1',
      isIgnorable: () => false,
      isInterested: () => true,
      supportsPreemption: () => true,
      processPreemption: async (_p: Pod, victims: Map<string, NodeVictims>) => {
        seen.push([...victims.keys()].sort());
        return new Map([...victims].filter(([n]) => n !== 'n1'));
      },
    } as unknown as Extender;
    const r = rig([node('n1', '1'), node('n2', '1')], [pod('a', { prio: 1, node: 'n1' }), pod('b', { prio: 5, node: 'n2' })], { extenders: [extender], allWaiting: true });
    const p = pod('p', { prio: 10 });
    const { state, statuses } = r.schedule(p);
    // Without the extender n1 (the lower-priority victim) would win.
    const { result, status } = await plugin(r).postFilter(state, p, statuses);
    assert.ok(status?.isSuccess(), status?.message());
    assert.deepEqual(seen, [['n1', 'n2']]);
    assert.deepEqual(result, { nominatedNodeName: 'n2' });
    assert.deepEqual(r.rejected, ['b by DefaultPreemption: preempted']);
  });

  test('an ignorable extender that fails is skipped', async () => {
    const extender = {
      name: () => 'broken',
      isIgnorable: () => true,
      isInterested: () => true,
      supportsPreemption: () => true,
      processPreemption: async () => {
        throw new Error('boom');
      },
    } as unknown as Extender;
    const r = rig([node('n1', '1')], [pod('a', { prio: 1, node: 'n1' })], { extenders: [extender], allWaiting: true });
    const p = pod('p', { prio: 10 });
    const { state, statuses } = r.schedule(p);
    const { result, status } = await plugin(r).postFilter(state, p, statuses);
    assert.ok(status?.isSuccess(), status?.message());
    assert.deepEqual(result, { nominatedNodeName: 'n1' });
  });
});
