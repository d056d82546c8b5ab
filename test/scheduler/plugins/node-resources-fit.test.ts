// NodeResourcesFit against upstream's semantics (noderesources/fit_test.go,
// least_allocated_test.go, most_allocated_test.go, requested_to_capacity_ratio_test.go): Filter
// reasons and codes, scores of each strategy, args defaults and validation, queueing hints.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { Code, Status } from '../../../src/scheduler/framework/status.js';
import { QueueingHint, type Handle } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, NodeResourcesFit } from '../../../src/scheduler/plugins/node-resources-fit/index.js';
import { buildBrokenLinearFunction } from '../../../src/scheduler/plugins/node-resources-fit/scorers.js';

const log = pino({ level: 'silent' });
const handle = {} as Handle;

function node(name: string, allocatable: Record<string, string>): Node {
  return { metadata: { name }, status: { allocatable, capacity: allocatable } };
}

let seq = 0;
/** A pod with one container per requests map (upstream st.MakePod().Req(...).Req(...)). */
function pod(opts: { node?: string; reqs?: Record<string, string>[]; init?: Record<string, string>[]; overhead?: Record<string, string>; uid?: string } = {}): Pod {
  const c = (r: Record<string, string>, i: number, p: string): Container => ({ name: `${p}${i}`, image: 'x', resources: { requests: r } });
  seq++;
  return {
    metadata: { name: `p${seq}`, namespace: 'default', uid: opts.uid ?? `uid-${seq}` },
    spec: {
      nodeName: opts.node,
      containers: (opts.reqs ?? []).map((r, i) => c(r, i, 'c')),
      initContainers: opts.init?.map((r, i) => c(r, i, 'i')),
      overhead: opts.overhead,
    },
  };
}

function runFilter(plugin: NodeResourcesFit, p: Pod, ni: NodeInfo): Status | undefined {
  const state = new CycleState();
  plugin.preFilter(state, p);
  return plugin.filter(state, p, ni) ?? undefined;
}

function runScore(plugin: NodeResourcesFit, p: Pod, nodes: Node[], existing: Pod[]): { name: string; score: number }[] {
  const infos = nodes.map((n) => new NodeInfo(n, ...existing.filter((e) => e.spec?.nodeName === n.metadata?.name)));
  const state = new CycleState();
  plugin.preScore(state, p);
  return infos.map((ni) => ({ name: ni.name, score: plugin.score(state, p, ni) as number }));
}

const fit = (args?: Record<string, unknown>) => factory(args, handle) as NodeResourcesFit;

// Upstream makeResources(10, 20, 32, 5, 20, 5): 10m cpu, 20 bytes memory, 32 pods, 5 example.com/foo, 20 ephemeral, 5 hugepages-2Mi.
const small = { cpu: '10m', memory: '20', pods: '32', 'example.com/foo': '5', 'ephemeral-storage': '20', 'hugepages-2Mi': '5' };

describe('NodeResourcesFit Filter', () => {
  const cases: { name: string; pod: Pod; existing: Pod[]; alloc?: Record<string, string>; args?: Record<string, unknown>; code?: Code; reasons?: string[] }[] = [
    { name: 'a pod that requests nothing always fits, even on a full node', pod: pod(), existing: [pod({ reqs: [{ cpu: '10m', memory: '20' }] })] },
    {
      name: 'a pod that needs more cpu and memory than is left fails with both reasons, resolvable by preemption',
      pod: pod({ reqs: [{ cpu: '1m', memory: '1' }] }),
      existing: [pod({ reqs: [{ cpu: '10m', memory: '20' }] })],
      code: Code.Unschedulable,
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    { name: 'a pod that fits in what is left passes', pod: pod({ reqs: [{ cpu: '1m', memory: '1' }] }), existing: [pod({ reqs: [{ cpu: '5m', memory: '5' }] })] },
    {
      name: 'an init container larger than the containers decides the request',
      pod: pod({ reqs: [{ cpu: '1m', memory: '1' }], init: [{ cpu: '3m', memory: '1' }] }),
      existing: [pod({ reqs: [{ cpu: '8m', memory: '19' }] })],
      code: Code.Unschedulable,
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'a sidecar (restartable init container) adds to the regular containers',
      pod: (() => {
        const p = pod({ reqs: [{ cpu: '1m', memory: '1' }], init: [{ cpu: '1m', memory: '1' }] });
        p.spec!.initContainers![0]!.restartPolicy = 'Always';
        return p;
      })(),
      existing: [pod({ reqs: [{ cpu: '9m', memory: '5' }] })],
      code: Code.Unschedulable,
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'pod overhead counts toward the request',
      pod: pod({ reqs: [{ cpu: '1m', memory: '1' }], overhead: { cpu: '3m', memory: '15' } }),
      existing: [pod({ reqs: [{ cpu: '5m', memory: '5' }] })],
      code: Code.Unschedulable,
      reasons: ['Insufficient memory'],
    },
    {
      name: 'a request larger than the whole allocatable is unresolvable',
      pod: pod({ reqs: [{ cpu: '11m', memory: '1' }] }),
      existing: [pod({ reqs: [{ cpu: '1m', memory: '20' }] })],
      code: Code.UnschedulableAndUnresolvable,
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    {
      name: 'extended resources are checked against allocatable minus requested',
      pod: pod({ reqs: [{ cpu: '1m', memory: '1', 'example.com/foo': '3' }] }),
      existing: [pod({ reqs: [{ 'example.com/foo': '3' }] })],
      code: Code.Unschedulable,
      reasons: ['Insufficient example.com/foo'],
    },
    {
      name: 'an extended resource the node does not have is unresolvable',
      pod: pod({ reqs: [{ 'example.com/bar': '1' }] }),
      existing: [],
      code: Code.UnschedulableAndUnresolvable,
      reasons: ['Insufficient example.com/bar'],
    },
    { name: 'ignoredResources skips an extended resource', pod: pod({ reqs: [{ 'example.com/bar': '1' }] }), existing: [], args: { ignoredResources: ['example.com/bar'] } },
    { name: 'ignoredResourceGroups skips every resource of a group', pod: pod({ reqs: [{ 'example.com/bar': '1', 'example.com/foo': '9' }] }), existing: [], args: { ignoredResourceGroups: ['example.com'] } },
    {
      name: 'hugepages are never ignored',
      pod: pod({ reqs: [{ 'hugepages-2Mi': '6' }] }),
      existing: [],
      args: { ignoredResourceGroups: ['hugepages-2Mi'] },
      code: Code.UnschedulableAndUnresolvable,
      reasons: ['Insufficient hugepages-2Mi'],
    },
    {
      name: 'ephemeral storage is checked',
      pod: pod({ reqs: [{ 'ephemeral-storage': '10' }] }),
      existing: [pod({ reqs: [{ 'ephemeral-storage': '15' }] })],
      code: Code.Unschedulable,
      reasons: ['Insufficient ephemeral-storage'],
    },
    {
      name: 'a node at its pod limit rejects even a pod that requests nothing',
      pod: pod(),
      existing: [pod(), pod()],
      alloc: { ...small, pods: '2' },
      code: Code.Unschedulable,
      reasons: ['Too many pods'],
    },
    {
      name: 'too many pods comes first, then the resources',
      pod: pod({ reqs: [{ cpu: '1m', memory: '1' }] }),
      existing: [pod({ reqs: [{ cpu: '10m', memory: '20' }] })],
      alloc: { ...small, pods: '1' },
      code: Code.Unschedulable,
      reasons: ['Too many pods', 'Insufficient cpu', 'Insufficient memory'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const ni = new NodeInfo(node('n1', c.alloc ?? small), ...c.existing);
      const s = runFilter(fit(c.args), c.pod, ni);
      if (!c.code) return assert.equal(s, undefined, s?.message());
      assert.equal(s?.code, c.code);
      assert.deepEqual(s?.reasons, c.reasons);
    });
  }

  test('Filter without PreFilter state is an error', () => {
    const s = fit().filter(new CycleState(), pod(), new NodeInfo(node('n1', small)));
    assert.equal(s?.code, Code.Error);
  });
});

describe('NodeResourcesFit Score', () => {
  const n = (name: string, cpu: string, memory: string, extra: Record<string, string> = {}) => node(name, { cpu, memory, pods: '110', ...extra });
  const cases: { name: string; args?: Record<string, unknown>; pod: Pod; nodes: Node[]; existing?: Pod[]; want: number[] }[] = [
    { name: 'LeastAllocated: nothing scheduled, nothing requested', pod: pod(), nodes: [n('node1', '4000', '10000'), n('node2', '4000', '10000')], want: [100, 100] },
    {
      name: 'LeastAllocated: nothing scheduled, resources requested, differently sized nodes',
      pod: pod({ reqs: [{ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' }] }),
      nodes: [n('node1', '4000', '10000'), n('node2', '6000', '10000')],
      want: [37, 50],
    },
    {
      name: 'LeastAllocated: no resources requested, pods scheduled with resources',
      pod: pod(),
      nodes: [n('node1', '10000', '20000'), n('node2', '10000', '20000')],
      existing: [
        pod({ node: 'node1', reqs: [{ cpu: '3000', memory: '0' }] }),
        pod({ node: 'node1', reqs: [{ cpu: '3000', memory: '0' }] }),
        pod({ node: 'node2', reqs: [{ cpu: '3000', memory: '0' }] }),
        pod({ node: 'node2', reqs: [{ cpu: '3000', memory: '5000' }] }),
      ],
      want: [70, 57],
    },
    {
      name: 'LeastAllocated: requested resources exceed node capacity',
      pod: pod({ reqs: [{ cpu: '3000', memory: '0' }] }),
      nodes: [n('node1', '4000', '10000'), n('node2', '4000', '10000')],
      existing: [pod({ node: 'node1', reqs: [{ cpu: '3000', memory: '0' }] }), pod({ node: 'node2', reqs: [{ cpu: '3000', memory: '5000' }] })],
      want: [50, 25],
    },
    {
      name: 'LeastAllocated: different weights on cpu and memory',
      args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'memory', weight: 2 }, { name: 'cpu', weight: 1 }] } },
      pod: pod({ reqs: [{ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' }] }),
      nodes: [n('node1', '4000', '10000'), n('node2', '6000', '10000')],
      want: [41, 50],
    },
    {
      name: 'LeastAllocated: an extended resource the pod does not request is bypassed',
      args: { scoringStrategy: { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/foo', weight: 1 }] } },
      pod: pod({ reqs: [{ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' }] }),
      nodes: [n('node1', '6000', '10000'), n('node2', '6000', '10000', { 'example.com/foo': '4' })],
      want: [50, 50],
    },
    {
      name: 'LeastAllocated: an extended resource the pod requests is scored where the node has it',
      args: { scoringStrategy: { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/foo', weight: 1 }] } },
      pod: pod({ reqs: [{ cpu: '1000', memory: '2000', 'example.com/foo': '2' }, { cpu: '2000', memory: '3000' }] }),
      nodes: [n('node1', '6000', '10000', { 'example.com/foo': '4' }), n('node2', '6000', '10000', { 'example.com/foo': '10' })],
      want: [50, 60],
    },
    {
      name: 'LeastAllocated: containers without requests count as 100m cpu and 200Mi memory',
      pod: pod({ reqs: [{}] }),
      nodes: [n('node1', '1', '1Gi'), n('node2', '2', '2Gi')],
      existing: [pod({ node: 'node1', reqs: [{}] })],
      // node1: cpu (1000-200)/1000 → 80, memory (1024-400)/1024 → 60; node2: cpu 95, memory 90.
      want: [70, 92],
    },
    {
      name: 'MostAllocated: resources requested, pods scheduled with resources',
      args: { scoringStrategy: { type: 'MostAllocated' } },
      pod: pod({ reqs: [{ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' }] }),
      nodes: [n('node1', '10000', '20000'), n('node2', '10000', '20000')],
      existing: [pod({ node: 'node1', reqs: [{ cpu: '3000', memory: '0' }] }), pod({ node: 'node2', reqs: [{ cpu: '3000', memory: '5000' }] })],
      // node1: cpu 60, memory 25 → 42; node2: cpu 60, memory 50 → 55.
      want: [42, 55],
    },
    {
      name: 'MostAllocated: requests above capacity score as full',
      args: { scoringStrategy: { type: 'MostAllocated' } },
      pod: pod({ reqs: [{ cpu: '5000', memory: '9000' }] }),
      nodes: [n('node1', '4000', '10000'), n('node2', '4000', '10000')],
      want: [95, 95],
    },
    {
      name: 'RequestedToCapacityRatio: bin packing shape',
      args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } },
      pod: pod({ reqs: [{ cpu: '3000', memory: '5000' }] }),
      nodes: [n('node1', '4000', '10000'), n('node2', '6000', '10000')],
      // node1: cpu 75, memory 50 → 63 (rounded); node2: cpu 50, memory 50 → 50.
      want: [63, 50],
    },
    {
      name: 'RequestedToCapacityRatio: spreading shape, zero scores leave the mean',
      args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }] } } },
      pod: pod({ reqs: [{ cpu: '4000', memory: '5000' }] }),
      nodes: [n('node1', '4000', '10000')],
      // cpu fully used scores 0 and is left out of the mean: memory 50 alone.
      want: [50],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = runScore(fit(c.args), c.pod, c.nodes, c.existing ?? []);
      assert.deepEqual(
        got.map((g) => g.score),
        c.want,
      );
    });
  }

  test('broken linear function interpolates and truncates like Go', () => {
    const f = buildBrokenLinearFunction([
      { utilization: 10, score: 1 },
      { utilization: 30, score: 5 },
      { utilization: 70, score: 2 },
    ]);
    assert.deepEqual([0, 10, 15, 30, 50, 69, 70, 100].map(f), [1, 1, 2, 5, 4, 3, 2, 2]);
  });
});

describe('NodeResourcesFit args', () => {
  test('defaults to LeastAllocated on cpu and memory with weight 1', () => {
    assert.equal(NAME, 'NodeResourcesFit');
    assert.deepEqual(fit().scoringResources, [
      { name: 'cpu', weight: 1 },
      { name: 'memory', weight: 1 },
    ]);
  });
  for (const [name, args, msg] of [
    ['a negative weight is rejected', { scoringStrategy: { resources: [{ name: 'memory', weight: -1 }] } }, /scoringStrategy.resources\[0\].weight/],
    ['a weight above 100 is rejected', { scoringStrategy: { resources: [{ name: 'cpu', weight: 101 }] } }, /not in valid range \[1, 100\]/],
    ['an unknown strategy is rejected', { scoringStrategy: { type: 'Fancy' } }, /Unsupported value: "Fancy"/],
    ['RequestedToCapacityRatio needs a shape', { scoringStrategy: { type: 'RequestedToCapacityRatio' } }, /shape: Required value/],
    ['shape utilization must increase', { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 50, score: 1 }, { utilization: 50, score: 2 }] } } }, /increasing order/],
    ['a shape score above 10 is rejected', { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 50, score: 11 }] } } }, /score: Invalid value: 11/],
    ['a resource group with a slash is rejected', { ignoredResourceGroups: ['example.com/foo'] }, /can't contain '\/'/],
  ] as const) {
    test(name, () => assert.throws(() => fit(args as Record<string, unknown>), msg));
  }
});

describe('NodeResourcesFit queueing hints', () => {
  const events = fit().eventsToRegister();
  const podHint = events.find((e) => e.event.resource === 'Pod')!.hint!;
  const nodeHint = events.find((e) => e.event.resource === 'Node')!.hint!;
  const target = pod({ reqs: [{ cpu: '2', memory: '1Gi' }] });

  test('deleting a scheduled pod requeues; deleting an unscheduled one does not', () => {
    assert.equal(podHint(log, target, pod({ node: 'n1' }), undefined), QueueingHint.Queue);
    assert.equal(podHint(log, target, pod(), undefined), QueueingHint.Skip);
  });
  test('a scheduled pod scaled down in a resource the target requests requeues', () => {
    const before = pod({ node: 'n1', reqs: [{ cpu: '2' }], uid: 'same' });
    const after = pod({ node: 'n1', reqs: [{ cpu: '1' }], uid: 'same' });
    assert.equal(podHint(log, target, before, after), QueueingHint.Queue);
    assert.equal(podHint(log, target, after, before), QueueingHint.Skip);
  });
  test('a new node requeues only if the pod fits on it empty', () => {
    assert.equal(nodeHint(log, target, undefined, node('big', { cpu: '4', memory: '4Gi', pods: '10' })), QueueingHint.Queue);
    assert.equal(nodeHint(log, target, undefined, node('tiny', { cpu: '1', memory: '4Gi', pods: '10' })), QueueingHint.Skip);
  });
  test('a node update requeues only if allocatable grew in something the pod requests', () => {
    const a = node('n', { cpu: '4', memory: '4Gi', pods: '10' });
    assert.equal(nodeHint(log, target, a, node('n', { cpu: '8', memory: '4Gi', pods: '10' })), QueueingHint.Queue);
    assert.equal(nodeHint(log, target, a, node('n', { cpu: '4', memory: '4Gi', pods: '10', 'example.com/foo': '1' })), QueueingHint.Skip);
    assert.equal(nodeHint(log, target, a, node('n', { cpu: '4', memory: '4Gi', pods: '20' })), QueueingHint.Queue);
  });
});
