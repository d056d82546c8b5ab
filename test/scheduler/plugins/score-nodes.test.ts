// Score for many nodes at once (ScorePlugin.scoreNodes, ResourceScorer.pairs) must give exactly
// what Score gives node by node: the two-resource scorers against their array form on random
// inputs (zeros, requests beyond allocatable, odd weights), and NodeResourcesFit and
// BalancedAllocation over nodes with and without a row in a snapshot's table (no Node, cordoned,
// tainted, full), for pods with and without requests and with an extended resource.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Snapshot } from '../../../src/scheduler/cache/snapshot.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import type { Handle, ScorePlugin, PreScorePlugin } from '../../../src/scheduler/framework/types.js';
import { balancedResourceScorer, factory as balancedFactory } from '../../../src/scheduler/plugins/node-resources-balanced-allocation/index.js';
import { factory as fitFactory } from '../../../src/scheduler/plugins/node-resources-fit/index.js';
import type { ResourceScorer } from '../../../src/scheduler/plugins/node-resources-fit/resource-allocation.js';
import { leastAllocatedScorer, mostAllocatedScorer } from '../../../src/scheduler/plugins/node-resources-fit/scorers.js';
import { makeNode, podWithUid } from '../fixtures.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** pairs over n random (requested, allocatable) pairs equals the array form for each. */
function checkPairs(scorer: ResourceScorer, r: () => number): void {
  const n = 2000;
  const cols = [0, 1, 2, 3].map(() => new Float64Array(n));
  const pick = () => {
    const x = r();
    if (x < 0.1) return 0;
    if (x < 0.2) return 4000;
    return Math.floor(r() * 40 * 2 ** 30);
  };
  for (let i = 0; i < n; i++) for (const c of cols) c[i] = pick();
  const out = new Float64Array(n);
  scorer.pairs!(cols[0]!, cols[1]!, cols[2]!, cols[3]!, n, out);
  for (let i = 0; i < n; i++) {
    const want = scorer([cols[0]![i]!, cols[2]![i]!], [cols[1]![i]!, cols[3]![i]!]);
    assert.equal(out[i], want, `pair ${i}: requested ${cols[0]![i]}, ${cols[2]![i]} of ${cols[1]![i]}, ${cols[3]![i]}`);
  }
}

describe('two-resource scorers', () => {
  test('LeastAllocated, MostAllocated (any weights) and BalancedAllocation score pairs as their array form', () => {
    const r = rng(3);
    for (let k = 0; k < 5; k++) {
      const resources = [
        { name: 'cpu', weight: 1 + Math.floor(r() * 100) },
        { name: 'memory', weight: 1 + Math.floor(r() * 100) },
      ];
      checkPairs(leastAllocatedScorer(resources), r);
      checkPairs(mostAllocatedScorer(resources), r);
    }
    checkPairs(balancedResourceScorer, r);
  });

  test('scorers of other than two resources have no pair form', () => {
    assert.equal(leastAllocatedScorer([{ name: 'cpu', weight: 1 }]).pairs, undefined);
    assert.equal(mostAllocatedScorer([{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/gpu', weight: 1 }]).pairs, undefined);
  });
});

const handle = {} as Handle;
type Scorer = ScorePlugin & PreScorePlugin;

/** Nodes of varied size and state; in a snapshot (with table rows) or not. */
function nodeInfos(inSnapshot: boolean): NodeInfo[] {
  const r = rng(11);
  const infos: NodeInfo[] = [];
  for (let i = 0; i < 60; i++) {
    const cpu = ['0', '1', '2', '4'][Math.floor(r() * 4)]!;
    const n = makeNode(`n${i}`, { cpu, memory: ['0', '1Gi', '8Gi'][Math.floor(r() * 3)]!, pods: ['1', '110'][Math.floor(r() * 2)]! });
    n.status!.allocatable!['example.com/gpu'] = String(Math.floor(r() * 3));
    if (i % 7 === 0) n.spec!.unschedulable = true;
    if (i % 9 === 0) n.spec!.taints = [{ key: 'k', effect: 'NoSchedule' }];
    const ni = new NodeInfo(n);
    for (let k = Math.floor(r() * 4); k > 0; k--) ni.addPod(podWithUid(`p${i}-${k}`, { cpu: ['100m', '1'][Math.floor(r() * 2)], memory: r() < 0.5 ? '500Mi' : undefined, nodeName: `n${i}` }));
    infos.push(ni);
  }
  // A NodeInfo whose Node is gone (pods still bound to it).
  const gone = new NodeInfo();
  gone.addPod(podWithUid('orphan', { cpu: '1', nodeName: 'gone' }));
  infos.push(gone);
  if (inSnapshot) Snapshot.of(infos);
  return infos;
}

function pods(): Pod[] {
  const gpu = podWithUid('gpu', { cpu: '500m', memory: '1Gi' });
  gpu.spec!.containers[0]!.resources!.requests!['example.com/gpu'] = '1';
  return [podWithUid('both', { cpu: '250m', memory: '1Gi' }), podWithUid('cpu-only', { cpu: '2' }), podWithUid('best-effort'), gpu];
}

describe('scoreNodes equals score node by node', () => {
  const plugins: [string, () => Scorer][] = [
    ['NodeResourcesFit LeastAllocated', () => fitFactory(undefined, handle) as unknown as Scorer],
    ['NodeResourcesFit MostAllocated', () => fitFactory({ scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'memory', weight: 3 }, { name: 'cpu', weight: 1 }] } }, handle) as unknown as Scorer],
    ['NodeResourcesFit RequestedToCapacityRatio', () => fitFactory({ scoringStrategy: { type: 'RequestedToCapacityRatio', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }], requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } }, handle) as unknown as Scorer],
    ['NodeResourcesFit with an extended resource', () => fitFactory({ scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/gpu', weight: 2 }] } }, handle) as unknown as Scorer],
    ['NodeResourcesBalancedAllocation', () => balancedFactory(undefined, handle) as unknown as Scorer],
  ];
  for (const [name, make] of plugins) {
    for (const inSnapshot of [true, false]) {
      test(`${name}, nodes ${inSnapshot ? 'with' : 'without'} table rows`, () => {
        const pl = make();
        const nodes = nodeInfos(inSnapshot);
        for (const pod of pods()) {
          const state = new CycleState();
          if (pl.preScore(state, pod, nodes)) continue; // skipped for this pod (best effort)
          const want = nodes.map((ni) => pl.score(state, pod, ni));
          const got = new Float64Array(nodes.length);
          assert.equal(pl.scoreNodes!(state, pod, nodes, got), undefined);
          assert.deepEqual([...got], want, `pod ${pod.metadata!.name}`);
        }
      });
    }
  }
});
