// InterPodAffinity against upstream's semantics (interpodaffinity filtering_test.go and
// scoring_test.go): required affinity/anti-affinity and existing pods' anti-affinity per
// topology, the first pod of a self-affine group, namespaces and namespaceSelector, the
// PreFilter extensions preemption uses, and preferred-term scoring with its normalization.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import { Code, Status, type MaybeStatus } from '../../../src/scheduler/framework/status.js';
import { ActionType, QueueingHint, type NodeInfoLister, type NodeScore } from '../../../src/scheduler/framework/types.js';
import { isSchedulableAfterPodChange } from '../../../src/scheduler/plugins/inter-pod-affinity/events.js';
import { TopologyCounts } from '../../../src/scheduler/plugins/inter-pod-affinity/topology-counts.js';
import { matchesLabels } from '../../../src/api/selectors/labels.js';
import {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  InterPodAffinity,
  interPodAffinityArgs,
  NAME,
  type NamespaceLister,
} from '../../../src/scheduler/plugins/inter-pod-affinity/index.js';

// ---- fixtures ----

const node = (name: string, labels: Record<string, string> = {}): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } });

interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  node?: string;
  affinity?: PodAffinityTerm[];
  antiAffinity?: PodAffinityTerm[];
  preferredAffinity?: WeightedPodAffinityTerm[];
  preferredAntiAffinity?: WeightedPodAffinityTerm[];
}

function pod(name: string, o: PodOpts = {}): Pod {
  const p: Pod = { metadata: { name, namespace: o.ns ?? 'default', uid: name, labels: o.labels ?? {} }, spec: { nodeName: o.node, containers: [{ name: 'c', image: 'x' }] } };
  if (o.affinity || o.antiAffinity || o.preferredAffinity || o.preferredAntiAffinity) {
    p.spec!.affinity = {
      podAffinity: o.affinity || o.preferredAffinity ? { requiredDuringSchedulingIgnoredDuringExecution: o.affinity, preferredDuringSchedulingIgnoredDuringExecution: o.preferredAffinity } : undefined,
      podAntiAffinity:
        o.antiAffinity || o.preferredAntiAffinity ? { requiredDuringSchedulingIgnoredDuringExecution: o.antiAffinity, preferredDuringSchedulingIgnoredDuringExecution: o.preferredAntiAffinity } : undefined,
    };
  }
  return p;
}

/** A term selecting pods with key in values. */
const term = (key: string, values: string[], topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({
  labelSelector: { matchExpressions: [{ key, operator: 'In', values }] },
  topologyKey,
  ...extra,
});
const weighted = (weight: number, t: PodAffinityTerm): WeightedPodAffinityTerm => ({ weight, podAffinityTerm: t });

const ZONE = 'topology.kubernetes.io/zone';
const REGION = 'region';
const HOST = 'kubernetes.io/hostname';

function snapshot(nodes: Node[], pods: Pod[]): NodeInfoLister & { infos: NodeInfo[] } {
  const infos = nodes.map((n) => new NodeInfo(n, ...pods.filter((p) => p.spec?.nodeName === n.metadata?.name)));
  return {
    infos,
    list: () => infos,
    get: (name) => infos.find((i) => i.name === name),
    havePodsWithAffinityList: () => infos.filter((i) => i.podsWithAffinity.length > 0),
    havePodsWithRequiredAntiAffinityList: () => infos.filter((i) => i.podsWithRequiredAntiAffinity.length > 0),
  };
}

function namespaces(labels: Record<string, Record<string, string>> = {}): NamespaceLister {
  return {
    labels: (name) => labels[name],
    namesMatching: (sel) => Object.keys(labels).filter((n) => matchesLabels(sel, labels[n])),
  };
}

function plugin(lister: NodeInfoLister, nsLabels: Record<string, Record<string, string>> = {}, rawArgs?: Record<string, unknown>): InterPodAffinity {
  return new InterPodAffinity({ args: interPodAffinityArgs(rawArgs), lister: () => lister, namespaces: namespaces(nsLabels) });
}

const asStatus = (s: MaybeStatus): Status => s ?? Status.success();
const brief = (s: MaybeStatus) => {
  const st = asStatus(s);
  return st.isSuccess() ? 'Success' : `${st.code}: ${st.message()}`;
};

// ---- Filter ----

interface FilterCase {
  name: string;
  pod: Pod;
  pods: Pod[];
  nodes: Node[];
  nsLabels?: Record<string, Record<string, string>>;
  /** Expected per node: 'Success', or `${code}: ${message}`. */
  want: Record<string, string>;
}

const AFF = `${Code.UnschedulableAndUnresolvable}: ${ERR_REASON_AFFINITY_RULES_NOT_MATCH}`;
const ANTI = `${Code.Unschedulable}: ${ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH}`;
const EXISTING = `${Code.Unschedulable}: ${ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH}`;

const filterCases: FilterCase[] = [
  {
    name: 'a pod whose affinity term matches a pod on the node fits that node',
    pod: pod('p', { labels: { app: 'web' }, affinity: [term('service', ['securityscan'], HOST)] }),
    pods: [pod('e', { labels: { service: 'securityscan' }, node: 'n1' })],
    nodes: [node('n1'), node('n2')],
    want: { n1: 'Success', n2: AFF },
  },
  {
    name: 'an affinity term nobody matches rejects every node as unresolvable when the pod does not match its own term',
    pod: pod('p', { labels: { app: 'web' }, affinity: [term('service', ['securityscan'], HOST)] }),
    pods: [pod('e', { labels: { service: 'other' }, node: 'n1' })],
    nodes: [node('n1'), node('n2')],
    want: { n1: AFF, n2: AFF },
  },
  {
    name: 'the first pod of a group that matches its own affinity term may go to any node with the topology label',
    pod: pod('p', { labels: { service: 'securityscan' }, affinity: [term('service', ['securityscan'], ZONE)] }),
    pods: [pod('e', { labels: { service: 'other' }, node: 'n1' })],
    nodes: [node('n1', { [ZONE]: 'a' }), node('n2')],
    want: { n1: 'Success', n2: AFF },
  },
  {
    name: 'once one pod of the group exists, a self-affine pod must join its topology',
    pod: pod('p', { labels: { service: 'securityscan' }, affinity: [term('service', ['securityscan'], ZONE)] }),
    pods: [pod('e', { labels: { service: 'securityscan' }, node: 'n1' })],
    nodes: [node('n1', { [ZONE]: 'a' }), node('n2', { [ZONE]: 'a' }), node('n3', { [ZONE]: 'b' })],
    want: { n1: 'Success', n2: 'Success', n3: AFF },
  },
  {
    name: 'affinity by zone accepts every node of the zone hosting a matching pod',
    pod: pod('p', { affinity: [term('app', ['db'], ZONE)] }),
    pods: [pod('db', { labels: { app: 'db' }, node: 'n1' })],
    nodes: [node('n1', { [ZONE]: 'a' }), node('n2', { [ZONE]: 'a' }), node('n3', { [ZONE]: 'b' }), node('n4')],
    want: { n1: 'Success', n2: 'Success', n3: AFF, n4: AFF },
  },
  {
    name: 'with several affinity terms one existing pod must match all of them',
    pod: pod('p', { affinity: [term('app', ['db'], ZONE), term('tier', ['backend'], ZONE)] }),
    pods: [pod('db', { labels: { app: 'db' }, node: 'n1' }), pod('be', { labels: { tier: 'backend' }, node: 'n1' })],
    nodes: [node('n1', { [ZONE]: 'a' })],
    want: { n1: AFF },
  },
  {
    name: 'an affinity term only looks at pods in its namespaces',
    pod: pod('p', { affinity: [term('app', ['db'], HOST, { namespaces: ['other'] })] }),
    pods: [pod('db', { labels: { app: 'db' }, node: 'n1' }), pod('db2', { ns: 'other', labels: { app: 'db' }, node: 'n2' })],
    nodes: [node('n1'), node('n2')],
    want: { n1: AFF, n2: 'Success' },
  },
  {
    name: 'a namespaceSelector adds the namespaces whose labels it matches',
    pod: pod('p', { affinity: [term('app', ['db'], HOST, { namespaceSelector: { matchLabels: { team: 'a' } } })] }),
    pods: [pod('db', { ns: 'ns-a', labels: { app: 'db' }, node: 'n1' }), pod('db2', { ns: 'ns-b', labels: { app: 'db' }, node: 'n2' })],
    nodes: [node('n1'), node('n2')],
    nsLabels: { 'ns-a': { team: 'a' }, 'ns-b': { team: 'b' }, default: {} },
    want: { n1: 'Success', n2: AFF },
  },
  {
    name: 'an empty namespaceSelector matches pods in every namespace',
    pod: pod('p', { affinity: [term('app', ['db'], HOST, { namespaceSelector: {} })] }),
    pods: [pod('db', { ns: 'far-away', labels: { app: 'db' }, node: 'n2' })],
    nodes: [node('n1'), node('n2')],
    want: { n1: AFF, n2: 'Success' },
  },
  {
    name: 'anti-affinity keeps the pod out of the zone of a matching pod',
    pod: pod('p', { antiAffinity: [term('app', ['web'], ZONE)] }),
    pods: [pod('w', { labels: { app: 'web' }, node: 'n1' })],
    nodes: [node('n1', { [ZONE]: 'a' }), node('n2', { [ZONE]: 'a' }), node('n3', { [ZONE]: 'b' }), node('n4')],
    want: { n1: ANTI, n2: ANTI, n3: 'Success', n4: 'Success' },
  },
  {
    name: 'an existing pod whose anti-affinity matches the incoming pod keeps it out of its topology',
    pod: pod('p', { labels: { app: 'web' } }),
    pods: [pod('w', { node: 'n1', antiAffinity: [term('app', ['web'], ZONE)] })],
    nodes: [node('n1', { [ZONE]: 'a' }), node('n2', { [ZONE]: 'a' }), node('n3', { [ZONE]: 'b' })],
    want: { n1: EXISTING, n2: EXISTING, n3: 'Success' },
  },
  {
    name: "an existing pod's anti-affinity in another namespace does not apply",
    pod: pod('p', { labels: { app: 'web' } }),
    pods: [pod('w', { ns: 'other', node: 'n1', antiAffinity: [term('app', ['web'], HOST)] }), pod('q', { node: 'n2', antiAffinity: [term('app', ['db'], HOST)] })],
    nodes: [node('n1'), node('n2')],
    want: { n1: 'Success', n2: 'Success' },
  },
  {
    name: "an existing pod's anti-affinity namespaceSelector is matched against the incoming pod's namespace labels",
    pod: pod('p', { ns: 'prod', labels: { app: 'web' } }),
    pods: [pod('w', { ns: 'other', node: 'n1', antiAffinity: [term('app', ['web'], HOST, { namespaceSelector: { matchLabels: { env: 'prod' } } })] })],
    nodes: [node('n1'), node('n2')],
    nsLabels: { prod: { env: 'prod' } },
    want: { n1: EXISTING, n2: 'Success' },
  },
  {
    name: 'affinity is checked before anti-affinity: a node failing both reports the affinity rule',
    pod: pod('p', { affinity: [term('app', ['db'], HOST)], antiAffinity: [term('app', ['web'], ZONE)] }),
    pods: [pod('db', { labels: { app: 'db' }, node: 'n1' }), pod('w', { labels: { app: 'web' }, node: 'n2' })],
    nodes: [node('n1', { [ZONE]: 'a' }), node('n2', { [ZONE]: 'a' }), node('n3', { [ZONE]: 'b' })],
    want: { n1: ANTI, n2: AFF, n3: AFF },
  },
];

describe('InterPodAffinity Filter', () => {
  test('the plugin is registered under the upstream name', () => {
    assert.equal(NAME, 'InterPodAffinity');
  });

  for (const c of filterCases) {
    test(c.name, () => {
      const lister = snapshot(c.nodes, c.pods);
      const pl = plugin(lister, c.nsLabels);
      const state = new CycleState();
      const pre = pl.preFilter(state, c.pod);
      // Skip means the framework runs no Filter of this plugin: every node passes it.
      const skipped = pre?.code === Code.Skip;
      assert.ok(skipped || !pre || pre.isSuccess(), `preFilter: ${brief(pre)}`);
      const got: Record<string, string> = {};
      for (const ni of lister.infos) got[ni.name] = skipped ? 'Success' : brief(pl.filter(state, c.pod, ni));
      assert.deepEqual(got, c.want);
    });
  }

  test('PreFilter answers Skip when neither the pod nor any existing pod has required (anti-)affinity', () => {
    const lister = snapshot([node('n1')], [pod('e', { node: 'n1', preferredAffinity: [weighted(1, term('a', ['b'], HOST))] })]);
    const st = plugin(lister).preFilter(new CycleState(), pod('p'));
    assert.equal(st?.code, Code.Skip);
  });

  test('removing the blocking pod through the PreFilter extensions frees the node in a cloned state only', () => {
    const blocker = pod('w', { labels: { app: 'web' }, node: 'n1' });
    const lister = snapshot([node('n1', { [ZONE]: 'a' })], [blocker]);
    const pl = plugin(lister);
    const incoming = pod('p', { antiAffinity: [term('app', ['web'], ZONE)] });
    const state = new CycleState();
    pl.preFilter(state, incoming);
    const ni = lister.infos[0]!;
    assert.equal(brief(pl.filter(state, incoming, ni)), ANTI);

    const copy = state.clone();
    const copyNode = ni.clone();
    copyNode.removePod(blocker);
    assert.ok(!pl.preFilterExtensions().removePod(copy, incoming, newPodInfo(blocker), copyNode));
    assert.equal(brief(pl.filter(copy, incoming, copyNode)), 'Success');
    assert.equal(brief(pl.filter(state, incoming, ni)), ANTI, 'the original state is untouched');

    assert.ok(!pl.preFilterExtensions().addPod(copy, incoming, newPodInfo(blocker), copyNode));
    assert.equal(brief(pl.filter(copy, incoming, copyNode)), ANTI);
  });

  test("adding a pod whose anti-affinity matches the incoming pod blocks the node (a nominated pod's terms count)", () => {
    const lister = snapshot([node('n1'), node('n2')], []);
    const pl = plugin(lister);
    const incoming = pod('p', { labels: { app: 'web' }, affinity: [term('app', ['web'], HOST)] });
    const state = new CycleState();
    pl.preFilter(state, incoming);
    const nominated = pod('nom', { node: 'n1', labels: { app: 'web' }, antiAffinity: [term('app', ['web'], HOST)] });
    pl.preFilterExtensions().addPod(state, incoming, newPodInfo(nominated), lister.infos[0]!);
    assert.equal(brief(pl.filter(state, incoming, lister.infos[0]!)), EXISTING);
    // The nominated pod also matches the incoming pod's affinity: n2 is no longer a first-pod case.
    assert.equal(brief(pl.filter(state, incoming, lister.infos[1]!)), AFF);
  });

  test('Filter without PreFilter state is an error', () => {
    const lister = snapshot([node('n1')], []);
    assert.equal(plugin(lister).filter(new CycleState(), pod('p'), lister.infos[0]!)?.code, Code.Error);
  });
});

// ---- Score ----

interface ScoreCase {
  name: string;
  pod: Pod;
  pods: Pod[];
  nodes: Node[];
  args?: Record<string, unknown>;
  nsLabels?: Record<string, Record<string, string>>;
  /** Normalized scores per node, or 'skip' when PreScore skips. */
  want: Record<string, number> | 'skip';
}

const regionNodes = () => [node('m1', { [REGION]: 'china' }), node('m2', { [REGION]: 'india' }), node('m3', { [REGION]: 'china' })];

const scoreCases: ScoreCase[] = [
  {
    name: 'no affinity anywhere: PreScore skips',
    pod: pod('p'),
    pods: [pod('e', { node: 'm1', labels: { security: 'S1' } })],
    nodes: regionNodes(),
    want: 'skip',
  },
  {
    name: 'preferred affinity favours every node of the region hosting a matching pod',
    pod: pod('p', { preferredAffinity: [weighted(5, term('security', ['S1'], REGION))] }),
    pods: [pod('e', { node: 'm1', labels: { security: 'S1' } }), pod('f', { node: 'm2', labels: { security: 'S2' } })],
    nodes: regionNodes(),
    want: { m1: 100, m2: 0, m3: 100 },
  },
  {
    name: 'weights of several preferred terms add up and are normalized to the top node',
    pod: pod('p', { preferredAffinity: [weighted(8, term('security', ['S1'], REGION)), weighted(2, term('disk', ['ssd'], HOST))] }),
    pods: [pod('e', { node: 'm1', labels: { security: 'S1' } }), pod('f', { node: 'm2', labels: { disk: 'ssd' } })],
    nodes: [...regionNodes(), node('m4', { [REGION]: 'us' })],
    want: { m1: 100, m2: 25, m3: 100, m4: 0 },
  },
  {
    name: 'preferred anti-affinity disfavours the region hosting a matching pod',
    pod: pod('p', { preferredAntiAffinity: [weighted(5, term('security', ['S1'], REGION))] }),
    pods: [pod('e', { node: 'm1', labels: { security: 'S1' } })],
    nodes: regionNodes(),
    want: { m1: 0, m2: 100, m3: 0 },
  },
  {
    name: "an existing pod's required affinity matched by the incoming pod counts with hardPodAffinityWeight",
    pod: pod('p', { labels: { app: 'web' } }),
    pods: [pod('e', { node: 'm2', affinity: [term('app', ['web'], REGION)] })],
    nodes: regionNodes(),
    want: { m1: 0, m2: 100, m3: 0 },
  },
  {
    name: 'hardPodAffinityWeight 0 ignores existing pods\' required affinity (nothing left to score)',
    pod: pod('p', { labels: { app: 'web' } }),
    pods: [pod('e', { node: 'm2', affinity: [term('app', ['web'], REGION)] })],
    nodes: regionNodes(),
    args: { hardPodAffinityWeight: 0 },
    want: 'skip',
  },
  {
    name: "existing pods' preferred affinity and anti-affinity matching the incoming pod are summed",
    pod: pod('p', { labels: { app: 'web' } }),
    pods: [pod('e', { node: 'm1', preferredAffinity: [weighted(10, term('app', ['web'], REGION))] }), pod('f', { node: 'm2', preferredAntiAffinity: [weighted(10, term('app', ['web'], REGION))] })],
    nodes: regionNodes(),
    want: { m1: 100, m2: 0, m3: 100 },
  },
  {
    name: "ignorePreferredTermsOfExistingPods skips when the incoming pod has no preferred terms",
    pod: pod('p', { labels: { app: 'web' } }),
    pods: [pod('e', { node: 'm1', preferredAffinity: [weighted(10, term('app', ['web'], REGION))] })],
    nodes: regionNodes(),
    args: { ignorePreferredTermsOfExistingPods: true },
    want: 'skip',
  },
  {
    name: "an existing pod's preferred term with a namespaceSelector applies to incoming pods of matching namespaces",
    pod: pod('p', { ns: 'team-a', labels: { app: 'web' } }),
    pods: [pod('e', { ns: 'x', node: 'm2', preferredAffinity: [weighted(3, term('app', ['web'], HOST, { namespaceSelector: { matchLabels: { team: 'a' } } }))] })],
    nodes: regionNodes(),
    nsLabels: { 'team-a': { team: 'a' } },
    want: { m1: 0, m2: 100, m3: 0 },
  },
  {
    name: 'the incoming pod\'s preferred term ignores pods outside its namespaces',
    pod: pod('p', { preferredAffinity: [weighted(5, term('security', ['S1'], REGION))] }),
    pods: [pod('e', { ns: 'other', node: 'm1', labels: { security: 'S1' } })],
    nodes: regionNodes(),
    want: 'skip',
  },
];

function runScore(pl: InterPodAffinity, lister: ReturnType<typeof snapshot>, p: Pod): Record<string, number> | 'skip' {
  const state = new CycleState();
  const pre = pl.preScore(state, p, lister.infos);
  if (pre?.code === Code.Skip) return 'skip';
  assert.ok(!pre || pre.isSuccess(), `preScore: ${brief(pre)}`);
  const scores: NodeScore[] = lister.infos.map((ni) => {
    const s = pl.score(state, p, ni);
    assert.equal(typeof s, 'number');
    return { name: ni.name, score: s as number };
  });
  assert.ok(!pl.scoreExtensions().normalizeScore(state, p, scores));
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

describe('InterPodAffinity Score', () => {
  for (const c of scoreCases) {
    test(c.name, () => {
      const lister = snapshot(c.nodes, c.pods);
      assert.deepEqual(runScore(plugin(lister, c.nsLabels, c.args), lister, c.pod), c.want);
    });
  }

  test('raw scores sum the weights per topology pair before normalization', () => {
    const lister = snapshot(regionNodes(), [pod('e', { node: 'm1', labels: { s: '1' } }), pod('f', { node: 'm2', labels: { s: '1' } })]);
    const pl = plugin(lister);
    const p = pod('p', { preferredAffinity: [weighted(3, term('s', ['1'], REGION))], preferredAntiAffinity: [weighted(1, term('s', ['1'], HOST))] });
    const state = new CycleState();
    pl.preScore(state, p, lister.infos);
    assert.deepEqual(
      lister.infos.map((ni) => pl.score(state, p, ni)),
      [3 - 1, 3 - 1, 3],
    );
  });

  test('args are validated as upstream: hardPodAffinityWeight in [0, 100]', () => {
    assert.deepEqual(interPodAffinityArgs(undefined), { hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false });
    assert.throws(() => interPodAffinityArgs({ hardPodAffinityWeight: 101 }), /not in valid range \[0-100\]/);
  });
});

// ---- queueing hints ----

describe('InterPodAffinity queueing hints', () => {
  const waiting = pod('p', { labels: { app: 'web' }, affinity: [term('app', ['db'], HOST)], antiAffinity: [term('app', ['cache'], HOST)] });
  const cases: { name: string; old?: Pod; new?: Pod; want: QueueingHint }[] = [
    { name: 'an assigned pod matching the affinity is added', new: pod('db', { node: 'n1', labels: { app: 'db' } }), want: QueueingHint.Queue },
    { name: 'an assigned pod not matching the affinity is added', new: pod('x', { node: 'n1', labels: { app: 'x' } }), want: QueueingHint.Skip },
    { name: 'an unscheduled pod is added', new: pod('db', { labels: { app: 'db' } }), want: QueueingHint.Skip },
    { name: 'a pod is relabelled to match the affinity', old: pod('db', { node: 'n1' }), new: pod('db', { node: 'n1', labels: { app: 'db' } }), want: QueueingHint.Queue },
    { name: 'a pod is relabelled to stop matching the anti-affinity', old: pod('c', { node: 'n1', labels: { app: 'cache' } }), new: pod('c', { node: 'n1' }), want: QueueingHint.Queue },
    { name: 'an unrelated relabel', old: pod('c', { node: 'n1', labels: { a: '1' } }), new: pod('c', { node: 'n1', labels: { a: '2' } }), want: QueueingHint.Skip },
    { name: 'a pod matching the anti-affinity is deleted', old: pod('c', { node: 'n1', labels: { app: 'cache' } }), want: QueueingHint.Queue },
    { name: 'a pod with required anti-affinity of its own is deleted', old: pod('q', { node: 'n1', antiAffinity: [term('app', ['web'], HOST)] }), want: QueueingHint.Queue },
    { name: 'an unrelated pod is deleted', old: pod('q', { node: 'n1' }), want: QueueingHint.Skip },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(isSchedulableAfterPodChange(waiting, c.old, c.new), c.want));
  }

  test('the plugin registers pod and node events', () => {
    const pl = plugin(snapshot([], []));
    assert.deepEqual(
      pl.eventsToRegister().map((e) => [e.event.resource, e.event.actionType]),
      [
        ['Pod', ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete],
        ['Node', ActionType.Add | ActionType.UpdateNodeLabel],
      ],
    );
  });
});

describe('InterPodAffinity topology counts', () => {
  test('a pair that drops back to zero disappears, so size counts only pairs with matches', () => {
    const c = new TopologyCounts();
    const n = node('n1', { [ZONE]: 'a' });
    c.update(n, ZONE, 1);
    c.update(n, HOST, 1);
    c.update(node('plain'), ZONE, 1); // no zone label: ignored
    assert.equal(c.size, 2);
    const copy = c.clone();
    c.update(n, ZONE, -1);
    assert.equal(c.size, 1);
    assert.equal(c.get(ZONE, 'a'), 0);
    assert.equal(copy.get(ZONE, 'a'), 1, 'clones are independent');
    assert.ok(c.anyPositiveOnNode(n));
    c.update(n, HOST, -1);
    assert.equal(c.size, 0);
    assert.ok(!c.anyPositiveOnNode(n));
  });
});
