// The snapshot's NodeTable rows (framework/node-table.ts) give the Filter and Score plugins the
// same answers as their full paths: random nodes (cordoned, tainted, full, with and without pods,
// extended resources) and random pods (cpu/memory only, zero requests, ephemeral-storage,
// extended resources, tolerations), each node once as a snapshot NodeInfo (with a row) and once
// as a clone (no row, the full path), then again after the snapshot NodeInfos change in place.
// And a fixed-seed scheduling run places every pod where it did before the table existed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { Snapshot } from '../../src/scheduler/cache/snapshot.js';
import { CycleState } from '../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../src/scheduler/framework/node-info.js';
import { COL_ALLOC_CPU, COL_REQUESTED_CPU, nodeRow } from '../../src/scheduler/framework/node-table.js';
import { Code, type MaybeStatus } from '../../src/scheduler/framework/status.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../src/scheduler/framework/types.js';
import { NodeResourcesFit, parseFitArgs } from '../../src/scheduler/plugins/node-resources-fit/index.js';
import { NodeResourcesBalancedAllocation } from '../../src/scheduler/plugins/node-resources-balanced-allocation/plugin.js';
import { parseBalancedAllocationArgs } from '../../src/scheduler/plugins/node-resources-balanced-allocation/args.js';
import { NodeUnschedulablePlugin } from '../../src/scheduler/plugins/node-unschedulable/index.js';
import { TaintTolerationPlugin } from '../../src/scheduler/plugins/taint-toleration/index.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { defaultConfiguration } from '../../src/scheduler/config/defaults.js';
import { inTreeRegistry } from '../../src/scheduler/plugins/registry.js';
import { newControllerContext } from '../../src/controllers/context.js';
import { createLogger } from '../../src/util/log.js';
import type { Client } from '../../src/client/rest/client.js';
import { makeNode, podWithUid } from './fixtures.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const EFFECTS = ['NoSchedule', 'NoExecute', 'PreferNoSchedule'] as const;
const KEYS = ['a', 'b', 'node.kubernetes.io/unschedulable'];

function randomNode(r: () => number, i: number): Node {
  const allocatable: Record<string, string> = { cpu: pick(r, ['0', '500m', '1', '2']), memory: pick(r, ['0', '512Mi', '1Gi', '2Gi']), pods: pick(r, ['0', '1', '2', '3', '110']) };
  if (r() < 0.3) allocatable['ephemeral-storage'] = pick(r, ['0', '1Gi']);
  if (r() < 0.3) allocatable['example.com/gpu'] = pick(r, ['0', '1', '2']);
  const taints: Taint[] = [];
  for (let k = Math.floor(r() * 3); k > 0; k--) taints.push({ key: pick(r, KEYS), value: r() < 0.5 ? 'v' : undefined, effect: pick(r, EFFECTS) });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${i}` },
    spec: { unschedulable: r() < 0.2 ? true : undefined, taints: taints.length ? taints : r() < 0.5 ? [] : undefined },
    status: { allocatable, capacity: allocatable },
  };
}

let podSeq = 0;
function randomPod(r: () => number): Pod {
  const requests: Record<string, string> = {};
  if (r() < 0.8) requests.cpu = pick(r, ['0', '100m', '300m', '1', '3']);
  if (r() < 0.8) requests.memory = pick(r, ['0', '100Mi', '500Mi', '1Gi', '3Gi']);
  if (r() < 0.1) requests['ephemeral-storage'] = pick(r, ['0', '100Mi', '2Gi']);
  if (r() < 0.1) requests['example.com/gpu'] = pick(r, ['1', '2']);
  const tolerations: Toleration[] = [];
  for (let k = Math.floor(r() * 2.5); k > 0; k--) {
    tolerations.push(r() < 0.3 ? { operator: 'Exists', effect: r() < 0.5 ? undefined : pick(r, EFFECTS) } : { key: pick(r, KEYS), operator: r() < 0.5 ? 'Exists' : 'Equal', value: 'v', effect: r() < 0.3 ? undefined : pick(r, EFFECTS) });
  }
  const name = `p-${podSeq++}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: [{ name: 'c', image: 'x', resources: Object.keys(requests).length ? { requests } : undefined }], tolerations: tolerations.length ? tolerations : undefined },
  };
}

type Plugin = FilterPlugin & Partial<PreFilterPlugin & PreScorePlugin & ScorePlugin>;
const statusOf = (s: MaybeStatus) => (s ? { code: s.code, reasons: [...s.reasons], plugin: s.plugin } : { code: Code.Success, reasons: [], plugin: '' });

function plugins(): Plugin[] {
  return [new NodeUnschedulablePlugin(), new TaintTolerationPlugin(), new NodeResourcesFit(parseFitArgs(undefined)), new NodeResourcesFit(parseFitArgs({ scoringStrategy: { type: 'MostAllocated' } }))];
}

/** Every plugin's Filter status and (for scorers) Score on `ni`, for pod `p`. */
function answers(ps: Plugin[], balanced: NodeResourcesBalancedAllocation, p: Pod, ni: NodeInfo): unknown[] {
  const out: unknown[] = [];
  for (const pl of ps) {
    const state = new CycleState();
    pl.preFilter?.(state, p, [ni]);
    out.push(statusOf(pl.filter(state, p, ni)));
    if (pl.score) {
      // (TaintToleration's PreScore reads the row's PreferNoSchedule flag.)
      out.push(statusOf(pl.preScore?.(state, p, [ni])));
      out.push(pl.score(state, p, ni));
    }
  }
  const state = new CycleState();
  balanced.preScore(state, p);
  out.push(balanced.score(state, p, ni));
  return out;
}

test('snapshot NodeInfos with table rows answer as clones without rows (random nodes and pods, before and after in-place changes)', () => {
  const r = rng(42);
  const ps = plugins();
  const balanced = new NodeResourcesBalancedAllocation(parseBalancedAllocationArgs(undefined));
  const infos: NodeInfo[] = [];
  for (let i = 0; i < 150; i++) {
    const ni = new NodeInfo(randomNode(r, i));
    for (let k = Math.floor(r() * 3); k > 0; k--) ni.addPod(randomPod(r));
    infos.push(ni);
  }
  const snapshot = Snapshot.of(infos);
  let fastRows = 0;
  const compareAll = (round: string) => {
    for (let k = 0; k < 40; k++) {
      const p = randomPod(r);
      for (const ni of snapshot.list()) {
        assert.ok(nodeRow(ni) >= 0, 'a snapshot NodeInfo has a row');
        const plain = ni.clone();
        assert.equal(nodeRow(plain), -1, 'a clone has no row');
        assert.deepEqual(answers(ps, balanced, p, ni), answers(ps, balanced, p, plain), `${round}: pod ${JSON.stringify(p.spec)} on ${JSON.stringify(ni.node)} with ${ni.pods.length} pods`);
        fastRows++;
      }
    }
  };
  compareAll('fresh');
  // In-place changes (as the cache's updateSnapshot and preemption make): pods come and go, nodes change or go.
  for (const ni of snapshot.list()) {
    const x = r();
    if (x < 0.3) ni.addPod(randomPod(r));
    else if (x < 0.5 && ni.pods.length) ni.removePod(ni.pods[0]!.pod);
    else if (x < 0.7) ni.setNode({ ...randomNode(r, 0), metadata: { name: ni.name } });
    else if (x < 0.75) ni.removeNode();
  }
  compareAll('changed');
  assert.ok(fastRows > 10_000);
});

test('rows follow the snapshot: a replaced or deleted NodeInfo gives its row back, and a reused row is rewritten', () => {
  const a = new NodeInfo(makeNode('a', { cpu: '1' }));
  const b = new NodeInfo(makeNode('b', { cpu: '2' }));
  const s = Snapshot.of([a, b]);
  const rowA = nodeRow(a);
  assert.equal(s.table.get(rowA, COL_ALLOC_CPU), 1000);
  s.delete('a');
  assert.equal(nodeRow(a), -1);
  const c = new NodeInfo(makeNode('c', { cpu: '3' }));
  s.set('c', c);
  assert.equal(nodeRow(c), rowA, 'the released row is reused');
  assert.equal(s.table.get(rowA, COL_ALLOC_CPU), 3000);
  c.addPod(podWithUid('p', { cpu: '500m', nodeName: 'c' }));
  assert.equal(s.table.get(nodeRow(c), COL_REQUESTED_CPU), 500, 'a changed NodeInfo has its row rewritten on read');
  s.clear();
  assert.equal(nodeRow(b), -1);
  assert.equal(nodeRow(c), -1);
});

/** Places pods with a fixed seed on nodes of varied size, some cordoned or tainted; a hash of the placements. */
async function placementHash(): Promise<string> {
  const log = createLogger('node-table-test', { level: 'silent' });
  const client = { resource: () => ({}) } as unknown as Client;
  const ctx = newControllerContext(client, log, {});
  const registry = inTreeRegistry();
  const config = defaultConfiguration((n: string) => registry.has(n));
  const random = rng(7);
  const s = new Scheduler({ client, informers: ctx.informers, recorder: () => ({}) as never, log, config, registry, random });
  const r = rng(99);
  for (let i = 0; i < 300; i++) {
    const n = makeNode(`node-${i}`, { cpu: pick(r, ['2', '4', '8']), memory: pick(r, ['4Gi', '16Gi']), pods: pick(r, ['10', '110']) });
    if (i % 17 === 0) n.spec!.unschedulable = true;
    if (i % 13 === 0) n.spec!.taints = [{ key: 'dedicated', value: 'x', effect: pick(r, ['NoSchedule', 'NoExecute', 'PreferNoSchedule'] as const) }];
    s.cache.addNode(n);
  }
  const fwk = s.profiles.get('default-scheduler')!;
  const out: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const p = podWithUid(`pod-${i}`, { cpu: pick(r, ['100m', '250m', '1']), memory: pick(r, ['100Mi', '500Mi', '2Gi']) });
    if (i % 7 === 0) p.spec!.tolerations = [{ key: 'dedicated', operator: 'Exists' }];
    try {
      const res = await s.schedulePod(fwk, new CycleState(), p);
      s.cache.assumePod({ ...p, spec: { ...p.spec!, nodeName: res.suggestedHost } });
      out.push(res.suggestedHost);
    } catch (err) {
      out.push(`unschedulable: ${(err as Error).message}`);
    }
  }
  let h = 0;
  for (const x of out) for (let i = 0; i < x.length; i++) h = (h * 31 + x.charCodeAt(i)) | 0;
  return `${h} ${out.filter((x) => x.startsWith('unschedulable')).length}`;
}

test('a fixed-seed scheduling run places every pod as before the table existed', async () => {
  // Hash and unschedulable count from this run on the scheduler without NodeTable (commit 595c3be).
  assert.equal(await placementHash(), EXPECTED_PLACEMENT);
});

const EXPECTED_PLACEMENT = '-217998268 207';
