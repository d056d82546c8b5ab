// PodTopologySpread's sums kept across cycles (domain-index.ts) stay equal to a count from
// scratch as the real scheduler cache changes between cycles: pods assumed, forgotten, confirmed,
// relabelled, terminating and deleted; nodes added, relabelled, tainted and removed. The oracle is
// a fresh plugin instance, which counts every node on its first cycle.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { SchedulerCache } from '../../../src/scheduler/cache/cache.js';
import { Snapshot } from '../../../src/scheduler/cache/snapshot.js';
import { keptVsFresh } from './kept-vs-fresh.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code, type Status } from '../../../src/scheduler/framework/status.js';
import type { Handle, NodeScore } from '../../../src/scheduler/framework/types.js';
import { factory, type PodTopologySpread } from '../../../src/scheduler/plugins/pod-topology-spread/index.js';
import { PRE_FILTER_STATE_KEY } from '../../../src/scheduler/plugins/pod-topology-spread/plugin.js';
import type { SpreadFilterState } from '../../../src/scheduler/plugins/pod-topology-spread/filtering.js';
import { filterTopologySpreadConstraints, NodeInclusion } from '../../../src/scheduler/plugins/pod-topology-spread/constraints.js';
import { DomainIndex, DomainIndexes, type DomainIndexSpec, type DomainMode } from '../../../src/scheduler/plugins/pod-topology-spread/domain-index.js';
import { requiredNodeAffinity } from '../../../src/scheduler/plugins/pod-topology-spread/node-inclusion.js';

const log = pino({ level: 'silent' });
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

function node(name: string, zone: string | undefined, extra: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node {
  const labels: Record<string, string> = { [HOST]: name, ...extra.labels };
  if (zone !== undefined) labels[ZONE] = zone;
  return { metadata: { name, labels }, spec: { taints: extra.taints }, status: { allocatable: { cpu: '64', memory: '64Gi', pods: '500' } } };
}

let uid = 0;
function pod(name: string, o: { labels?: Record<string, string>; nodeName?: string; ns?: string; spread?: TopologySpreadConstraint[]; nodeSelector?: Record<string, string>; terminating?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}-${uid++}`, labels: o.labels, deletionTimestamp: o.terminating ? '2026-01-01T00:00:00Z' : undefined },
    spec: { nodeName: o.nodeName, containers: [{ name: 'c', image: 'x' }], topologySpreadConstraints: o.spread, nodeSelector: o.nodeSelector },
  };
}

const sel = { matchLabels: { app: 'web' } };
const hard = (key: string, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({ maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel, ...extra });
const soft = (key: string, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({ maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: sel, ...extra });

/** Incoming pods whose constraints cover the modes and inclusion policies. */
const incoming: Pod[] = [
  pod('zone-hard', { labels: { app: 'web' }, spread: [hard(ZONE)] }),
  pod('zone-and-host-hard', { labels: { app: 'web' }, spread: [hard(ZONE), hard(HOST, { maxSkew: 2 })] }),
  pod('zone-hard-honor-affinity', { labels: { app: 'web' }, nodeSelector: { disk: 'ssd' }, spread: [hard(ZONE, { nodeAffinityPolicy: 'Honor' })] }),
  pod('zone-hard-honor-taints', { labels: { app: 'web' }, spread: [hard(ZONE, { nodeTaintsPolicy: 'Honor', minDomains: 3 })] }),
  pod('zone-soft', { labels: { app: 'web' }, spread: [soft(ZONE), soft(HOST)] }),
  pod('other-ns', { ns: 'other', labels: { app: 'web' }, spread: [hard(ZONE)] }),
];

function newPlugin(snapshot: Snapshot): PodTopologySpread {
  const handle = { snapshotSharedLister: () => snapshot, log } as unknown as Handle;
  return factory({ defaultingType: 'List' }, handle) as PodTopologySpread;
}

/** Everything the plugin answers for pod p: filter state counts, per-node filter results, raw and normalized scores. */
function answers(pl: PodTopologySpread, p: Pod, snapshot: Snapshot): unknown {
  const nodes = snapshot.list();
  const state = new CycleState();
  const pre = pl.preFilter(state, p, nodes) as Status | undefined;
  const out: Record<string, unknown> = { pre: pre?.code };
  const fs = state.read<SpreadFilterState>(PRE_FILTER_STATE_KEY);
  if (fs) {
    out.counts = fs.tpValueToMatchNum.map((m) => [...m].sort());
    out.min = fs.constraints.map((_, i) => fs.minMatchNum(i));
    out.filter = Object.fromEntries(nodes.map((ni) => [ni.name, (pl.filter(state, p, ni) as Status | undefined)?.message() ?? 'ok']));
  }
  const scoreState = new CycleState();
  const ps = pl.preScore(scoreState, p, nodes) as Status | undefined;
  out.preScore = ps?.code;
  if (!ps) {
    const scores: NodeScore[] = nodes.map((ni) => ({ name: ni.name, score: pl.score(scoreState, p, ni) as number }));
    out.raw = scores.map((s) => s.score);
    pl.scoreExtensions().normalizeScore(scoreState, p, scores);
    out.normalized = scores.map((s) => s.score);
  }
  return out;
}

/** A cluster whose cache feeds a snapshot, with one long-lived plugin checked against a fresh one after every change. */
const cluster = () => keptVsFresh(newPlugin, answers, incoming);

describe('PodTopologySpread sums kept across cycles', () => {
  test('assume, forget, confirm, relabel, terminate and delete pods: every cycle equals a count from scratch', () => {
    const { cache, snapshot, kept, check } = cluster();
    const zones = ['a', 'b', 'c'];
    for (let i = 0; i < 9; i++) cache.addNode(node(`n${i}`, zones[i % 3], { labels: i % 2 ? { disk: 'ssd' } : {} }));
    check('nodes only');
    const web = (name: string, nodeName: string, ns = 'default') => pod(name, { labels: { app: 'web' }, nodeName, ns });
    const a = web('a', 'n0');
    cache.assumePod(a);
    check('one pod assumed');
    cache.addPod(a);
    check('the assumed pod confirmed');
    const b = web('b', 'n1');
    cache.assumePod(b);
    check('another assumed');
    cache.forgetPod(b);
    check('forgotten');
    cache.addPod(web('c', 'n3', 'other'));
    cache.addPod(pod('d', { labels: { app: 'db' }, nodeName: 'n4' }));
    check('pods of another namespace and other labels');
    const e = web('e', 'n4');
    cache.addPod(e);
    check('a matching pod beside a non-matching one');
    const eRelabelled = { ...e, metadata: { ...e.metadata, labels: { app: 'db' } } };
    cache.updatePod(e, eRelabelled);
    check('relabelled so it no longer matches');
    const aTerminating = { ...a, metadata: { ...a.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    cache.updatePod(a, aTerminating);
    check('terminating');
    cache.removePod(aTerminating);
    check('deleted');
    // Many cycles of one workload: the kept plugin must have answered from its index throughout.
    for (let i = 0; i < 12; i++) {
      cache.assumePod(web(`w${i}`, `n${(i * 4) % 9}`));
      check(`workload pod ${i}`);
    }
    const filterState = new CycleState();
    kept.preFilter(filterState, incoming[0]!, snapshot.list());
    const counts = filterState.read<SpreadFilterState>(PRE_FILTER_STATE_KEY)!.tpValueToMatchNum[0]!;
    // n0 (zone a) lost a; w0..w11 land on n0,n4,n8,n3,n7,n2,n6,n1,n5,n0,n4,n8 → a: n0×2 n3 n6 = 4; b: n4×2 n7 n1 = 4 (+e relabelled: no); c: n8×2 n2 n5 = 4.
    assert.deepEqual([...counts].sort(), [['a', 4], ['b', 4], ['c', 4]]);
  });

  test('nodes added, relabelled, tainted and removed: every cycle equals a count from scratch', () => {
    const { cache, check } = cluster();
    for (let i = 0; i < 6; i++) cache.addNode(node(`n${i}`, ['a', 'b'][i % 2]));
    for (let i = 0; i < 6; i++) cache.addPod(pod(`p${i}`, { labels: { app: 'web' }, nodeName: `n${i}` }));
    check('start');
    cache.addNode(node('n6', 'c', { labels: { disk: 'ssd' } }));
    check('a node in a new zone');
    cache.updateNode(node('n1', 'b'), node('n1', 'c', { labels: { disk: 'ssd' } }));
    check('a node moved to another zone');
    cache.updateNode(node('n2', 'a'), node('n2', 'a', { taints: [{ key: 'k', effect: 'NoSchedule' }] }));
    check('a node tainted');
    cache.updateNode(node('n3', 'b'), node('n3', undefined));
    check('a node lost its zone label');
    cache.removeNode(node('n0', 'a'));
    check('a node with a pod removed');
    cache.removeNode(node('n6', 'c'));
    check('an empty node removed');
    cache.addNode(node('n0', 'a'));
    check('a removed node back');
  });

  test('preemption on a cloned state changes neither the kept sums nor later cycles', () => {
    const { cache, snapshot, kept, check } = cluster();
    for (let i = 0; i < 4; i++) cache.addNode(node(`n${i}`, ['a', 'b'][i % 2]));
    cache.addPod(pod('x', { labels: { app: 'web' }, nodeName: 'n0' }));
    cache.addPod(pod('y', { labels: { app: 'web' }, nodeName: 'n2' }));
    check('start');
    const p = incoming[0]!;
    const state = new CycleState();
    kept.preFilter(state, p, snapshot.list());
    const before = [...state.read<SpreadFilterState>(PRE_FILTER_STATE_KEY)!.tpValueToMatchNum[0]!].sort();
    const sim = state.clone();
    const ni = snapshot.get('n0')!;
    kept.preFilterExtensions().removePod(sim, p, ni.pods[0]!, ni);
    // Also on the original state (not a clone): it must copy the shared counts, not change them.
    kept.preFilterExtensions().addPod(state, p, ni.pods[0]!, ni);
    assert.deepEqual([...sim.read<SpreadFilterState>(PRE_FILTER_STATE_KEY)!.tpValueToMatchNum[0]!].sort(), [['a', 1], ['b', 0]]);
    assert.deepEqual([...state.read<SpreadFilterState>(PRE_FILTER_STATE_KEY)!.tpValueToMatchNum[0]!].sort(), [['a', 3], ['b', 0]]);
    const again = new CycleState();
    kept.preFilter(again, p, snapshot.list());
    assert.deepEqual([...again.read<SpreadFilterState>(PRE_FILTER_STATE_KEY)!.tpValueToMatchNum[0]!].sort(), before);
    check('after the simulation');
  });

  test('a state read after the next cycle changed the shared counts is an error, not an answer from another cycle', () => {
    const { cache, snapshot, kept } = cluster();
    for (let i = 0; i < 2; i++) cache.addNode(node(`n${i}`, ['a', 'b'][i]));
    cache.updateSnapshot(snapshot);
    const p = incoming[0]!;
    const cycle = (): CycleState => {
      const state = new CycleState();
      kept.preFilter(state, p, snapshot.list());
      return state;
    };
    cycle(); // counted once; the second cycle builds the index the next ones share
    const first = cycle();
    const n0 = snapshot.get('n0')!;
    assert.equal((kept.filter(first, p, n0) as Status | undefined)?.code, undefined);
    const unchanged = cycle();
    // Nothing changed in between: both states are current.
    assert.equal((kept.filter(first, p, n0) as Status | undefined)?.code, undefined);
    assert.equal((kept.filter(unchanged, p, n0) as Status | undefined)?.code, undefined);
    cache.assumePod(pod('w', { labels: { app: 'web' }, nodeName: 'n0' }));
    cache.updateSnapshot(snapshot);
    const second = cycle();
    assert.deepEqual([...second.read<SpreadFilterState>(PRE_FILTER_STATE_KEY)!.tpValueToMatchNum[0]!].sort(), [['a', 1], ['b', 0]]);
    assert.equal((kept.filter(second, p, snapshot.get('n1')!) as Status | undefined)?.code, undefined);
    for (const stale of [first, first.clone()]) {
      const s = kept.filter(stale, p, n0) as Status;
      assert.equal(s.code, Code.Error);
      assert.match(s.message(), /earlier scheduling cycle/);
      assert.equal((kept.preFilterExtensions().removePod(stale, p, n0.pods[0]!, n0) as Status).code, Code.Error);
    }
  });

  test('random changes to pods and nodes: every cycle equals a count from scratch', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const { cache, check } = cluster();
    const zones = ['a', 'b', 'c', 'd'];
    const nodes = new Map<string, Node>();
    const pods = new Map<string, Pod>();
    const assumed = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const n = node(`n${i}`, zones[rnd(4)]);
      nodes.set(n.metadata!.name!, n);
      cache.addNode(n);
    }
    for (let step = 0; step < 150; step++) {
      const names = [...nodes.keys()];
      const op = rnd(10);
      if (op < 4 && names.length) {
        const labels = [{ app: 'web' }, { app: 'db' }, undefined][rnd(3)];
        const p = pod(`p${step}`, { labels, nodeName: names[rnd(names.length)], ns: rnd(5) === 0 ? 'other' : 'default' });
        pods.set(p.metadata!.name!, p);
        if (rnd(2)) {
          cache.assumePod(p);
          assumed.add(p.metadata!.name!);
        } else cache.addPod(p);
      } else if (op < 6 && pods.size) {
        const p = [...pods.values()][rnd(pods.size)]!;
        const name = p.metadata!.name!;
        if (assumed.has(name)) {
          if (rnd(2)) cache.forgetPod(p);
          else {
            cache.addPod(p);
            assumed.delete(name);
            continue;
          }
          assumed.delete(name);
        } else cache.removePod(p);
        pods.delete(name);
      } else if (op < 7 && pods.size) {
        const p = [...pods.values()].find((x) => !assumed.has(x.metadata!.name!));
        if (p) {
          const q = { ...p, metadata: { ...p.metadata, labels: p.metadata?.labels?.app === 'web' ? { app: 'db' } : { app: 'web' } } };
          cache.updatePod(p, q);
          pods.set(q.metadata.name!, q);
        }
      } else if (op < 9 && names.length) {
        const old = nodes.get(names[rnd(names.length)]!)!;
        const n = node(old.metadata!.name!, rnd(6) === 0 ? undefined : zones[rnd(4)], { labels: rnd(2) ? { disk: 'ssd' } : {}, taints: rnd(3) === 0 ? [{ key: 'k', effect: 'NoSchedule' }] : undefined });
        nodes.set(n.metadata!.name!, n);
        cache.updateNode(old, n);
      } else {
        const n = node(`m${step}`, zones[rnd(4)]);
        nodes.set(n.metadata!.name!, n);
        cache.addNode(n);
        if (rnd(2) && names.length > 2) {
          const gone = names[rnd(names.length)]!;
          cache.removeNode(nodes.get(gone)!);
          nodes.delete(gone);
          // Pods on the removed node stay in the cache (as upstream) until deleted.
        }
      }
      check(`step ${step} (op ${op})`);
    }
  });

  test('each mode (filter, scoring with and without every key) keeps sums equal to a count from scratch', () => {
    const cache = new SchedulerCache({ log });
    const snapshot = new Snapshot();
    const p = pod('p', { labels: { app: 'web' }, nodeSelector: { disk: 'ssd' }, spread: [soft(ZONE, { nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Honor' }), soft(HOST)] });
    const constraints = filterTopologySpreadConstraints(p.spec!.topologySpreadConstraints!, p.metadata!.labels, 'ScheduleAnyway');
    const modes: DomainMode[] = ['filter', 'score-all-keys', 'score-any-keys'];
    const spec = (mode: DomainMode): DomainIndexSpec => ({ mode, ns: 'default', constraints, inclusion: new NodeInclusion(constraints, p, requiredNodeAffinity(p)), counted: [true, mode === 'filter'] });
    const kept = new DomainIndexes();
    const sums = (idx: DomainIndex) => [idx.matchNums(0), idx.matchNums(1)].map((m) => [...m].sort());
    const check = (what: string) => {
      cache.updateSnapshot(snapshot);
      for (const mode of modes) {
        const got = sums(kept.get(spec(mode), snapshot.list()));
        assert.deepEqual(got, sums(new DomainIndex(spec(mode)).countOnce(snapshot.list())), `${what}: ${mode}`);
      }
    };
    for (let i = 0; i < 6; i++) cache.addNode(node(`n${i}`, i === 5 ? undefined : ['a', 'b'][i % 2], { labels: i % 3 ? { disk: 'ssd' } : {} }));
    check('nodes');
    check('again');
    const pods = [0, 1, 2, 3, 4, 5, 1, 3].map((n, i) => pod(`w${i}`, { labels: { app: 'web' }, nodeName: `n${n}` }));
    for (const [i, q] of pods.entries()) {
      cache.assumePod(q);
      check(`pod ${i} assumed`);
    }
    cache.forgetPod(pods[1]!);
    check('forgotten');
    cache.updateNode(node('n2', 'a', { labels: { disk: 'ssd' } }), node('n2', 'a', { labels: { disk: 'ssd' }, taints: [{ key: 'k', effect: 'NoExecute' }] }));
    check('tainted');
    cache.updateNode(node('n5', undefined), node('n5', 'b', { labels: { disk: 'ssd' } }));
    check('zone label added');
    cache.removeNode(node('n4', 'a'));
    check('node removed');
    const filterSums = sums(kept.get(spec('filter'), snapshot.list()));
    // Zone: ssd nodes (n1 b, n2 a tainted: out, n5 b) with their pods (n1: w1 forgotten, w6; n5: w5) → b 2; a has no node left.
    assert.deepEqual(filterSums[0], [['b', 2]]);
  });
});

