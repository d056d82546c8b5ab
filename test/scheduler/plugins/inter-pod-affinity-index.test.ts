// InterPodAffinity's counts kept across cycles (pair-index.ts) stay equal to a count from scratch
// as the real scheduler cache changes between cycles: pods (with and without affinity terms)
// assumed, forgotten, confirmed, relabelled and deleted; nodes added, relabelled and removed. The
// oracle is a fresh plugin instance, whose first PreFilter counts every node.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { matchesLabels } from '../../../src/api/selectors/labels.js';
import { Snapshot } from '../../../src/scheduler/cache/snapshot.js';
import { keptVsFresh } from './kept-vs-fresh.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code, type Status } from '../../../src/scheduler/framework/status.js';
import { InterPodAffinity, interPodAffinityArgs, PreFilterState, type NamespaceLister } from '../../../src/scheduler/plugins/inter-pod-affinity/index.js';
import { PRE_FILTER_STATE_KEY } from '../../../src/scheduler/plugins/inter-pod-affinity/filtering.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

const node = (name: string, zone: string | undefined): Node => ({
  metadata: { name, labels: { [HOST]: name, ...(zone === undefined ? {} : { [ZONE]: zone }) } },
  status: { allocatable: { cpu: '64', memory: '64Gi', pods: '500' } },
});

const term = (app: string, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });

let uid = 0;
function pod(name: string, o: { app?: string; nodeName?: string; ns?: string; affinity?: PodAffinityTerm[]; anti?: PodAffinityTerm[] } = {}): Pod {
  const p: Pod = { metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}-${uid++}`, labels: o.app ? { app: o.app } : undefined }, spec: { nodeName: o.nodeName, containers: [{ name: 'c', image: 'x' }] } };
  if (o.affinity || o.anti) {
    p.spec!.affinity = {
      podAffinity: o.affinity ? { requiredDuringSchedulingIgnoredDuringExecution: o.affinity } : undefined,
      podAntiAffinity: o.anti ? { requiredDuringSchedulingIgnoredDuringExecution: o.anti } : undefined,
    };
  }
  return p;
}

const nsLabels: Record<string, Record<string, string>> = { default: { team: 'a' }, other: { team: 'b' } };
const namespaces: NamespaceLister = {
  labels: (name) => nsLabels[name],
  namesMatching: (sel) => Object.keys(nsLabels).filter((n) => matchesLabels(sel, nsLabels[n])),
};

/** Incoming pods: anti-affinity per host and zone, affinity per zone, namespaces and namespaceSelector terms. */
const incoming: Pod[] = [
  pod('anti-host', { app: 'green', anti: [term('green', HOST)] }),
  pod('anti-zone-two-terms', { app: 'green', anti: [term('green', ZONE), term('web', HOST)] }),
  pod('affinity-zone', { app: 'web', affinity: [term('web', ZONE), term('web', HOST)] }),
  pod('affinity-other-ns', { app: 'web', affinity: [term('web', ZONE, { namespaces: ['other'] })], anti: [term('green', HOST, { namespaceSelector: {} })] }),
  pod('anti-ns-selector', { app: 'web', anti: [term('web', ZONE, { namespaceSelector: { matchLabels: { team: 'b' } } })] }),
  pod('plain-web', { app: 'web' }),
  pod('plain-other-ns', { app: 'green', ns: 'other' }),
];

function newPlugin(snapshot: Snapshot): InterPodAffinity {
  return new InterPodAffinity({ args: interPodAffinityArgs(undefined), lister: () => snapshot, namespaces });
}

function answers(pl: InterPodAffinity, p: Pod, snapshot: Snapshot): unknown {
  const state = new CycleState();
  const pre = pl.preFilter(state, p) as Status | null;
  const out: Record<string, unknown> = { pre: pre?.code };
  const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
  if (s) {
    out.existing = s.existingAntiAffinityCounts.entries();
    out.affinity = s.affinityCounts.entries();
    out.anti = s.antiAffinityCounts.entries();
    out.filter = Object.fromEntries(snapshot.list().map((ni) => [ni.name, (pl.filter(state, p, ni) as Status | null)?.message() ?? 'ok']));
  }
  return out;
}

/** A cluster whose cache feeds a snapshot, with one long-lived plugin checked against a fresh one after every change. */
const cluster = () => keptVsFresh(newPlugin, answers, incoming);

describe('InterPodAffinity counts kept across cycles', () => {
  test('assume, forget, confirm, relabel and delete pods with and without terms: every cycle equals a count from scratch', () => {
    const { cache, snapshot, kept, check } = cluster();
    for (let i = 0; i < 6; i++) cache.addNode(node(`n${i}`, ['a', 'b', 'c'][i % 3]));
    check('nodes only');
    check('nodes only, again (the kept plugin now answers from its indexes)');
    const g = pod('g', { app: 'green', nodeName: 'n0', anti: [term('green', HOST)] });
    cache.assumePod(g);
    check('a pod with anti-affinity assumed');
    cache.addPod(g);
    check('confirmed');
    const w = pod('w', { app: 'web', nodeName: 'n1' });
    cache.assumePod(w);
    check('a plain matching pod assumed');
    cache.forgetPod(w);
    check('forgotten');
    const o = pod('o', { app: 'web', ns: 'other', nodeName: 'n2', anti: [term('web', ZONE, { namespaceSelector: { matchLabels: { team: 'a' } } })] });
    cache.addPod(o);
    check('a pod in another namespace whose term selects namespaces by label');
    const g2 = { ...g, metadata: { ...g.metadata, labels: { app: 'web' } } };
    cache.updatePod(g, g2);
    check('relabelled');
    cache.removePod(g2);
    check('deleted');
    for (let i = 0; i < 10; i++) {
      cache.assumePod(pod(`m${i}`, { app: 'green', nodeName: `n${(i * 5) % 6}`, anti: [term('green', HOST)] }));
      check(`workload pod ${i}`);
    }
    const state = new CycleState();
    kept.preFilter(state, incoming[0]!);
    // m0..m9 on n0,n5,n4,n3,n2,n1,n0,n5,n4,n3: each of them blocks its host for another green pod.
    assert.deepEqual(
      state.read<PreFilterState>(PRE_FILTER_STATE_KEY)!.antiAffinityCounts.entries(),
      [[HOST, 'n0', 2], [HOST, 'n1', 1], [HOST, 'n2', 1], [HOST, 'n3', 2], [HOST, 'n4', 2], [HOST, 'n5', 2]],
    );
    void snapshot;
  });

  test('nodes added, relabelled and removed: every cycle equals a count from scratch', () => {
    const { cache, check } = cluster();
    for (let i = 0; i < 4; i++) cache.addNode(node(`n${i}`, ['a', 'b'][i % 2]));
    for (let i = 0; i < 4; i++) cache.addPod(pod(`p${i}`, { app: i % 2 ? 'web' : 'green', nodeName: `n${i}`, anti: i === 0 ? [term('web', ZONE)] : undefined }));
    check('start');
    check('again');
    cache.addNode(node('n4', 'c'));
    check('a node added');
    cache.updateNode(node('n0', 'a'), node('n0', 'b'));
    check('the node with the anti-affinity pod moved zone');
    cache.updateNode(node('n1', 'b'), node('n1', undefined));
    check('a node lost its zone label');
    cache.removeNode(node('n0', 'b'));
    check('the node with the anti-affinity pod removed');
    cache.addNode(node('n0', 'c'));
    check('and back');
  });

  test('preemption on a cloned or the original state leaves the kept counts alone', () => {
    const { cache, snapshot, kept, check } = cluster();
    for (let i = 0; i < 3; i++) cache.addNode(node(`n${i}`, 'a'));
    cache.addPod(pod('g', { app: 'green', nodeName: 'n0', anti: [term('green', HOST)] }));
    check('start');
    check('again');
    const p = incoming[0]!;
    const state = new CycleState();
    kept.preFilter(state, p);
    const ni = snapshot.get('n0')!;
    const sim = state.clone();
    kept.preFilterExtensions().removePod(sim, p, ni.pods[0]!, ni);
    kept.preFilterExtensions().removePod(state, p, ni.pods[0]!, ni);
    assert.deepEqual(sim.read<PreFilterState>(PRE_FILTER_STATE_KEY)!.antiAffinityCounts.entries(), []);
    assert.deepEqual(state.read<PreFilterState>(PRE_FILTER_STATE_KEY)!.antiAffinityCounts.entries(), []);
    check('after the simulation');
  });

  test('a state read after the next cycle changed the shared counts is an error, not an answer from another cycle', () => {
    const { cache, snapshot, kept } = cluster();
    for (let i = 0; i < 3; i++) cache.addNode(node(`n${i}`, 'a'));
    cache.addPod(pod('g', { app: 'green', nodeName: 'n0', anti: [term('green', HOST)] }));
    cache.updateSnapshot(snapshot);
    const p = incoming[0]!;
    const cycle = (): CycleState => {
      const state = new CycleState();
      kept.preFilter(state, p);
      return state;
    };
    cycle(); // counted once; the second cycle builds the indexes the next ones share
    const first = cycle();
    const n1 = snapshot.get('n1')!;
    assert.equal(kept.filter(first, p, n1), null);
    cycle();
    assert.equal(kept.filter(first, p, n1), null, 'nothing changed in between: still current');
    cache.assumePod(pod('g2', { app: 'green', nodeName: 'n1', anti: [term('green', HOST)] }));
    cache.updateSnapshot(snapshot);
    const second = cycle();
    assert.match((kept.filter(second, p, n1) as Status).message(), /anti-affinity/);
    for (const stale of [first, first.clone()]) {
      const s = kept.filter(stale, p, n1) as Status;
      assert.equal(s.code, Code.Error);
      assert.match(s.message(), /earlier scheduling cycle/);
      assert.equal((kept.preFilterExtensions().removePod(stale, p, n1.pods[0]!, n1) as Status).code, Code.Error);
    }
  });

  test('random changes to pods and nodes: every cycle equals a count from scratch', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const { cache, check } = cluster();
    const zones = ['a', 'b', 'c'];
    const nodes = new Map<string, Node>();
    const pods = new Map<string, Pod>();
    const assumed = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const n = node(`n${i}`, zones[rnd(3)]);
      nodes.set(n.metadata!.name!, n);
      cache.addNode(n);
    }
    const templates: (() => Pod)[] = [
      () => pod('', { app: 'green', anti: [term('green', HOST)] }),
      () => pod('', { app: 'web', anti: [term('web', ZONE, { namespaceSelector: { matchLabels: { team: 'a' } } })] }),
      () => pod('', { app: 'web' }),
      () => pod('', { app: 'green', ns: 'other' }),
      () => pod('', { app: 'db', affinity: [term('web', ZONE)] }),
    ];
    for (let step = 0; step < 120; step++) {
      const names = [...nodes.keys()];
      const op = rnd(10);
      if (op < 5) {
        const t = templates[rnd(templates.length)]!();
        const p = { ...t, metadata: { ...t.metadata, name: `p${step}`, uid: `u${step}` }, spec: { ...t.spec!, nodeName: names[rnd(names.length)] } };
        pods.set(p.metadata.name, p);
        if (rnd(2)) {
          cache.assumePod(p);
          assumed.add(p.metadata.name);
        } else cache.addPod(p);
      } else if (op < 7 && pods.size) {
        const p = [...pods.values()][rnd(pods.size)]!;
        const name = p.metadata!.name!;
        if (assumed.has(name)) cache.forgetPod(p);
        else cache.removePod(p);
        assumed.delete(name);
        pods.delete(name);
      } else if (op < 8 && pods.size) {
        const p = [...pods.values()].find((x) => !assumed.has(x.metadata!.name!));
        if (p) {
          const q = { ...p, metadata: { ...p.metadata, labels: { app: ['web', 'green', 'db'][rnd(3)]! } } };
          cache.updatePod(p, q);
          pods.set(q.metadata.name!, q);
        }
      } else if (op < 9) {
        const old = nodes.get(names[rnd(names.length)]!)!;
        const n = node(old.metadata!.name!, rnd(5) === 0 ? undefined : zones[rnd(3)]);
        nodes.set(n.metadata!.name!, n);
        cache.updateNode(old, n);
      } else {
        const n = node(`m${step}`, zones[rnd(3)]);
        nodes.set(n.metadata!.name!, n);
        cache.addNode(n);
        if (rnd(2) && names.length > 2) {
          const gone = names[rnd(names.length)]!;
          cache.removeNode(nodes.get(gone)!);
          nodes.delete(gone);
        }
      }
      check(`step ${step} (op ${op})`);
    }
  });
});
