// NodeAffinity's answers remembered per selection and Node object (match-memo.ts) agree with a
// fresh computation: random selections (nodeSelector and required terms with every operator,
// matchFields) against random nodes, through one long-lived plugin (the memo warm, pods sharing
// selections, nodes replaced by relabelled copies) and a fresh plugin per check as the oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Affinity, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { NodeAffinityPlugin, RequiredNodeAffinity } from '../../../src/scheduler/plugins/node-affinity/index.js';
import { MatchMemo, matches } from '../../../src/scheduler/plugins/node-affinity/match-memo.js';
import { codeOf, node, pod, runFilter } from './basic-fixtures.js';

/** A small deterministic PRNG (the cases must be the same on every run). */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const KEYS = ['zone', 'disk', 'gen', 'gpu'];
const VALUES = ['a', 'b', 'c', '1', '5', '12'];

function randomNode(r: () => number, i: number, version = 0): Node {
  const labels: Record<string, string> = {};
  for (const k of KEYS) if (r() < 0.6) labels[k] = VALUES[Math.floor(r() * VALUES.length)]!;
  return node(`node-${i}`, { metadata: { name: `node-${i}`, labels, resourceVersion: String(version) } });
}

function randomRequirement(r: () => number): NodeSelectorRequirement {
  const key = KEYS[Math.floor(r() * KEYS.length)]!;
  const pick = () => VALUES[Math.floor(r() * VALUES.length)]!;
  switch (Math.floor(r() * 6)) {
    case 0:
      return { key, operator: 'In', values: [pick(), pick()] };
    case 1:
      return { key, operator: 'NotIn', values: [pick()] };
    case 2:
      return { key, operator: 'Exists' };
    case 3:
      return { key, operator: 'DoesNotExist' };
    case 4:
      return { key, operator: 'Gt', values: [String(Math.floor(r() * 10))] };
    default:
      return { key, operator: 'Lt', values: [String(Math.floor(r() * 10))] };
  }
}

function randomPod(r: () => number, name: string, nodes: number): Pod {
  const nodeSelector = r() < 0.4 ? { [KEYS[Math.floor(r() * KEYS.length)]!]: VALUES[Math.floor(r() * VALUES.length)]! } : undefined;
  let affinity: Affinity | undefined;
  if (r() < 0.8) {
    const terms: NodeSelectorTerm[] = [];
    const n = 1 + Math.floor(r() * 2);
    for (let t = 0; t < n; t++) {
      const term: NodeSelectorTerm = { matchExpressions: Array.from({ length: 1 + Math.floor(r() * 2) }, () => randomRequirement(r)) };
      if (r() < 0.2) term.matchFields = [{ key: 'metadata.name', operator: r() < 0.5 ? 'In' : 'NotIn', values: [`node-${Math.floor(r() * nodes)}`] }];
      terms.push(term);
    }
    affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
  }
  return pod(name, { nodeSelector, affinity });
}

test('remembered answers equal a fresh evaluation as pods repeat selections and nodes are relabelled', () => {
  const r = rng(7);
  const NODES = 40;
  let nodes = Array.from({ length: NODES }, (_, i) => randomNode(r, i));
  const longLived = new NodeAffinityPlugin();
  // A pool of selections that pods draw from, so most pods find their selection remembered.
  const pool = Array.from({ length: 12 }, (_, i) => randomPod(r, `template-${i}`, NODES));
  let checked = 0;
  let rejected = 0;
  for (let round = 0; round < 30; round++) {
    // Some nodes change: a new Node object with other labels (as the informer delivers an update).
    if (round % 3 === 2) nodes = nodes.map((n, i) => (r() < 0.3 ? randomNode(r, i, round) : n));
    const infos = nodes.map((n) => new NodeInfo(n));
    for (let p = 0; p < 8; p++) {
      const template = pool[Math.floor(r() * pool.length)]!;
      // A copy of the template (a new Pod object with the same selection), as a ReplicaSet's pods are.
      const candidate = structuredClone({ ...template, metadata: { ...template.metadata, name: `p-${round}-${p}` } });
      const state = new CycleState();
      for (const ni of infos) {
        const got = runFilter(longLived, candidate, ni, state);
        const fresh = runFilter(new NodeAffinityPlugin(), candidate, ni);
        assert.deepEqual(got, fresh, `pod ${candidate.metadata?.name} on ${ni.name} (${JSON.stringify(ni.node?.metadata?.labels)})`);
        const direct = RequiredNodeAffinity.forPod(candidate).match(ni.node!);
        assert.equal(got[1].length === 0, direct);
        checked++;
        if (!direct) rejected++;
      }
    }
  }
  // Both answers occur often enough for the comparison to mean something.
  assert.ok(rejected > checked / 10 && rejected < (checked * 9) / 10, `${rejected} of ${checked} rejected`);
});

test('a relabelled node (a new Node object) is evaluated afresh, not answered from memory', () => {
  const plugin = new NodeAffinityPlugin();
  const p = pod('p', { nodeSelector: { zone: 'a' } });
  const before = node('n', { metadata: { name: 'n', labels: { zone: 'a' } } });
  const after = node('n', { metadata: { name: 'n', labels: { zone: 'b' } } });
  assert.deepEqual(runFilter(plugin, p, new NodeInfo(before))[0], 'Success');
  assert.deepEqual(runFilter(plugin, p, new NodeInfo(after))[0], 'UnschedulableAndUnresolvable');
  assert.deepEqual(runFilter(plugin, p, new NodeInfo(before))[0], 'Success');
});

test('selections beyond the memo size are still answered correctly (least recently used dropped)', () => {
  const memo = new MatchMemo();
  const n = node('n', { metadata: { name: 'n', labels: { v: '100' } } });
  for (let i = 0; i < 300; i++) {
    const selector = { v: String(i % 150) };
    assert.equal(matches(memo.forSelection(selector, undefined), n), new RequiredNodeAffinity(selector, undefined).match(n));
  }
  // The same selection text gives the same remembered object; a different one does not.
  assert.equal(memo.forSelection({ v: '1' }, undefined), memo.forSelection({ v: '1' }, undefined));
  assert.notEqual(memo.forSelection({ v: '1' }, undefined), memo.forSelection({ v: '2' }, undefined));
});

test('Filter without PreFilter (as preemption may call it) still evaluates the pod', () => {
  const plugin = new NodeAffinityPlugin();
  const p = pod('p', { nodeSelector: { zone: 'a' } });
  const yes = new NodeInfo(node('y', { metadata: { name: 'y', labels: { zone: 'a' } } }));
  const no = new NodeInfo(node('x', { metadata: { name: 'x', labels: { zone: 'b' } } }));
  assert.equal(codeOf(plugin.filter(new CycleState(), p, yes))[0], 'Success');
  assert.equal(codeOf(plugin.filter(new CycleState(), p, no))[0], 'UnschedulableAndUnresolvable');
});
