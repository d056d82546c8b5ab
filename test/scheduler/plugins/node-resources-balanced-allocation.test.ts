// NodeResourcesBalancedAllocation against upstream's semantics (balanced_allocation_test.go):
// (1 - std deviation of requested fractions) × 100, real requests, best-effort pods skipped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { Code, type Status } from '../../../src/scheduler/framework/status.js';
import type { Handle } from '../../../src/scheduler/framework/types.js';
import { balancedResourceScorer, factory, NAME, type NodeResourcesBalancedAllocation } from '../../../src/scheduler/plugins/node-resources-balanced-allocation/index.js';

const handle = {} as Handle;
const plugin = (args?: Record<string, unknown>) => factory(args, handle) as NodeResourcesBalancedAllocation;

const node = (name: string, allocatable: Record<string, string>): Node => ({ metadata: { name }, status: { allocatable } });
let seq = 0;
function pod(reqs: Record<string, string>[], nodeName?: string): Pod {
  seq++;
  return { metadata: { name: `p${seq}`, namespace: 'default', uid: `u${seq}` }, spec: { nodeName, containers: reqs.map((r, i) => ({ name: `c${i}`, resources: { requests: r } })) } };
}

function scores(pl: NodeResourcesBalancedAllocation, p: Pod, nodes: Node[], existing: Pod[] = []): number[] | Status {
  const state = new CycleState();
  const s = pl.preScore(state, p);
  if (s) return s;
  return nodes.map((n) => pl.score(state, p, new NodeInfo(n, ...existing.filter((e) => e.spec?.nodeName === n.metadata?.name))) as number);
}

describe('NodeResourcesBalancedAllocation', () => {
  const cases: { name: string; args?: Record<string, unknown>; pod: Pod; nodes: Node[]; existing?: Pod[]; want: number[] }[] = [
    {
      name: 'nothing scheduled, resources requested, differently sized nodes',
      pod: pod([{ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' }]),
      nodes: [node('node1', { cpu: '4000', memory: '10000' }), node('node2', { cpu: '6000', memory: '10000' })],
      // node1: fractions 0.75 and 0.5 → std 0.125 → 87; node2: 0.5 and 0.5 → 100.
      want: [87, 100],
    },
    {
      name: 'resources requested, pods scheduled with resources',
      pod: pod([{ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' }]),
      nodes: [node('node1', { cpu: '10000', memory: '20000' }), node('node2', { cpu: '10000', memory: '20000' })],
      existing: [pod([{ cpu: '3000', memory: '0' }], 'node1'), pod([{ cpu: '3000', memory: '5000' }], 'node2')],
      // node1: 0.6 and 0.25 → 82; node2: 0.6 and 0.5 → 95.
      want: [82, 95],
    },
    {
      name: 'requested resources exceed node capacity: fractions are capped at 1',
      pod: pod([{ cpu: '3000', memory: '0' }]),
      nodes: [node('node1', { cpu: '4000', memory: '10000' }), node('node2', { cpu: '4000', memory: '10000' })],
      existing: [pod([{ cpu: '3000', memory: '0' }], 'node1'), pod([{ cpu: '3000', memory: '5000' }], 'node2')],
      // node1: 1 and 0 → 50; node2: 1 and 0.5 → 75.
      want: [50, 75],
    },
    {
      name: 'containers without requests count as zero, not as 100m/200Mi',
      pod: pod([{ cpu: '1000' }]),
      nodes: [node('node1', { cpu: '4000', memory: '10000' })],
      existing: [pod([{}], 'node1')],
      // cpu 0.25, memory 0 → 87.
      want: [87],
    },
    {
      name: 'three resources use the full standard deviation formula',
      args: { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/foo', weight: 1 }] },
      pod: pod([{ cpu: '1000', memory: '2000', 'example.com/foo': '1' }]),
      nodes: [node('node1', { cpu: '4000', memory: '10000', 'example.com/foo': '4' }), node('node2', { cpu: '4000', memory: '10000' })],
      // node1: 0.25, 0.2, 0.25 → std 0.0236 → 97; node2 lacks the resource: 0.25 and 0.2 → 97.
      want: [97, 97],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(scores(plugin(c.args), c.pod, c.nodes, c.existing), c.want));

  test('a best-effort pod skips the plugin in PreScore', () => {
    const s = scores(plugin(), pod([{}]), [node('node1', { cpu: '1', memory: '1Gi' })]);
    assert.equal((s as Status).code, Code.Skip);
  });

  test('the scorer matches upstream on two and three fractions', () => {
    assert.equal(balancedResourceScorer([1, 1], [4, 2]), 87);
    assert.equal(balancedResourceScorer([1, 0, 3], [2, 0, 4]), 87);
    assert.equal(balancedResourceScorer([0, 0], [0, 0]), 100);
  });

  test('the name and events are upstream\'s: a Score plugin registers none', () => {
    assert.equal(NAME, 'NodeResourcesBalancedAllocation');
    assert.deepEqual(plugin().eventsToRegister(), []);
  });
});
