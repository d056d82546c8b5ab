// The framework runtime with small test plugins: multiPoint expansion and weights, each
// extension point's rules (Skip, narrowing, first failure wins, normalize and weights, reverse
// Unreserve, Permit waits and timeouts, Bind Skip), filters with nominated pods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Framework, type FrameworkDeps } from '../../src/scheduler/framework/runtime.js';
import { CycleState } from '../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../src/scheduler/framework/node-info.js';
import { newPodInfo } from '../../src/scheduler/framework/pod-info.js';
import { Code, Status } from '../../src/scheduler/framework/status.js';
import type { Plugin, PluginFactory, WaitingPod } from '../../src/scheduler/framework/types.js';
import { emptyPlugins } from '../../src/scheduler/config/defaults.js';
import type { PluginRef, Plugins, Profile } from '../../src/scheduler/config/types.js';
import { Nominator } from '../../src/scheduler/queue/nominator.js';
import { Snapshot } from '../../src/scheduler/cache/snapshot.js';
import { createLogger } from '../../src/util/log.js';
import { makeNode, podWithUid } from './fixtures.js';

const log = createLogger('runtime-test', { level: 'silent' });

function deps(nominator = new Nominator()): FrameworkDeps {
  return {
    client: {} as FrameworkDeps['client'],
    informers: {} as FrameworkDeps['informers'],
    recorder: {} as FrameworkDeps['recorder'],
    log,
    nominator,
    extenders: [],
    snapshot: () => new Snapshot(),
    activate: () => undefined,
  };
}

const sort: Plugin & Record<string, unknown> = { name: 'Sort', less: () => true };
const binder: Plugin & Record<string, unknown> = { name: 'Binder', bind: async () => null };

function framework(plugins: Record<string, Plugin>, set: (p: Plugins) => void, nominator?: Nominator): Framework {
  const registry = new Map<string, PluginFactory>();
  for (const [name, p] of Object.entries({ Sort: sort, Binder: binder, ...plugins })) registry.set(name, () => p);
  const p = emptyPlugins();
  p.multiPoint.enabled = [{ name: 'Sort' }, { name: 'Binder' }];
  set(p);
  const profile: Profile = { schedulerName: 'test', plugins: p, pluginConfig: [] };
  return new Framework(profile, registry, deps(nominator));
}

const refs = (...names: (string | [string, number])[]): PluginRef[] => names.map((n) => (typeof n === 'string' ? { name: n } : { name: n[0], weight: n[1] }));
const names = (ps: { name: string }[]) => ps.map((p) => p.name);
const node = (name: string) => new NodeInfo(makeNode(name));

describe('framework runtime', () => {
  test('multiPoint plugins land on every point they implement; explicit ones come first, with their weight', () => {
    const a = { name: 'A', filter: () => null, score: () => 1 };
    const b = { name: 'B', filter: () => null, score: () => 1 };
    const c = { name: 'C', filter: () => null };
    const f = framework({ A: a, B: b, C: c }, (p) => {
      p.multiPoint.enabled.push(...refs(['A', 2], 'B', 'C'));
      p.score.enabled = refs(['B', 5]);
      p.filter.disabled = refs('A');
    });
    assert.deepEqual(names(f.filterPlugins), ['B', 'C']);
    assert.deepEqual(names(f.scorePlugins), ['B', 'A']);
    assert.deepEqual(f.scoreWeights, [5, 2]);
  });

  test('"*" disables every multiPoint plugin at that point', () => {
    const a = { name: 'A', filter: () => null, score: () => 1 };
    const f = framework({ A: a }, (p) => {
      p.multiPoint.enabled.push(...refs('A'));
      p.score.disabled = refs('*');
    });
    assert.deepEqual(names(f.scorePlugins), []);
    assert.deepEqual(names(f.filterPlugins), ['A']);
  });

  test('a plugin enabled at a point it does not implement is an error', () => {
    assert.throws(() => framework({ A: { name: 'A', filter: () => null } as Plugin }, (p) => (p.score.enabled = refs('A'))), /does not extend score/);
  });

  test('PreFilter Skip skips that Filter; results are intersected; an empty intersection is unresolvable', () => {
    const calls: string[] = [];
    const skipper = { name: 'Skipper', preFilter: () => Status.skip(), filter: () => (calls.push('Skipper'), Status.unschedulable('no')) };
    const n1 = { name: 'N1', preFilter: () => ({ result: { nodeNames: new Set(['a', 'b']) } }), filter: () => (calls.push('N1'), null) };
    const n2 = { name: 'N2', preFilter: () => ({ result: { nodeNames: new Set(['b', 'c']) } }) };
    const f = framework({ Skipper: skipper, N1: n1, N2: n2 }, (p) => p.multiPoint.enabled.push(...refs('Skipper', 'N1', 'N2')));
    const state = new CycleState();
    const pod = podWithUid('p');
    const out = f.runPreFilterPlugins(state, pod, []);
    assert.equal(out.status, undefined);
    assert.deepEqual([...out.result!.nodeNames!], ['b']);
    assert.deepEqual(out.narrowedBy, ['N1', 'N2']);
    assert.equal(f.runFilterPlugins(state, pod, node('b')), null);
    assert.deepEqual(calls, ['N1']);

    const n3 = { name: 'N3', preFilter: () => ({ result: { nodeNames: new Set(['z']) } }) };
    const g = framework({ N1: n1, N3: n3 }, (p) => p.multiPoint.enabled.push(...refs('N1', 'N3')));
    const bad = g.runPreFilterPlugins(new CycleState(), pod, []);
    assert.equal(bad.status!.code, Code.UnschedulableAndUnresolvable);
    assert.equal(bad.status!.message(), "node(s) didn't satisfy plugin(s) [N1 N3] simultaneously");
  });

  test('Filter stops at the first plugin that rejects and names it; a thrown error is an Error status', () => {
    const calls: string[] = [];
    const f = framework(
      {
        F1: { name: 'F1', filter: () => (calls.push('F1'), Status.unschedulable('too small')) } as Plugin,
        F2: { name: 'F2', filter: () => (calls.push('F2'), null) } as Plugin,
        Boom: { name: 'Boom', filter: () => { throw new Error('kaput'); } } as Plugin,
      },
      (p) => p.multiPoint.enabled.push(...refs('F1', 'F2')),
    );
    const s = f.runFilterPlugins(new CycleState(), podWithUid('p'), node('a'))!;
    assert.equal(s.plugin, 'F1');
    assert.deepEqual(s.reasons, ['too small']);
    assert.deepEqual(calls, ['F1']);
    const g = framework({ Boom: { name: 'Boom', filter: () => { throw new Error('kaput'); } } as Plugin }, (p) => p.multiPoint.enabled.push(...refs('Boom')));
    const e = g.runFilterPlugins(new CycleState(), podWithUid('p'), node('a'))!;
    assert.equal(e.code, Code.Error);
    assert.match(e.message(), /running "Boom" filter plugin: kaput/);
  });

  test('Score: normalized per plugin, multiplied by weight, summed; PreScore Skip drops a plugin; out of range is an error', () => {
    const raw = { name: 'Raw', score: (_s: CycleState, _p: Pod, n: NodeInfo) => (n.name === 'a' ? 10 : 20), scoreExtensions: () => ({ normalizeScore: (_s: CycleState, _p: Pod, scores: { score: number }[]) => { for (const x of scores) x.score *= 5; } }) };
    const flat = { name: 'Flat', score: () => 50 };
    const skipped = { name: 'Skipped', preScore: () => Status.skip(), score: () => 100 };
    const f = framework({ Raw: raw, Flat: flat, Skipped: skipped } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs(['Raw', 2], ['Flat', 1], 'Skipped')));
    const state = new CycleState();
    const nodes = [node('a'), node('b')];
    assert.equal(f.runPreScorePlugins(state, podWithUid('p'), nodes), null);
    const { totals } = f.runScorePlugins(state, podWithUid('p'), nodes);
    assert.deepEqual([...totals!], [10 * 5 * 2 + 50, 20 * 5 * 2 + 50]);

    const g = framework({ Big: { name: 'Big', score: () => 101 } } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs('Big')));
    const r = g.runScorePlugins(new CycleState(), podWithUid('p'), nodes);
    assert.equal(r.status!.code, Code.Error);
    assert.match(r.status!.message(), /invalid score 101/);
  });

  test('Score through scoreNodes: the same totals as score() node by node; a failing or throwing batch is an Error naming the plugin', () => {
    const perNode = (n: NodeInfo) => (n.name === 'a' ? 10 : 30);
    const each = { name: 'Each', score: (_s: CycleState, _p: Pod, n: NodeInfo) => perNode(n) };
    const batch = {
      name: 'Batch',
      score: () => {
        throw new Error('not called when scoreNodes exists');
      },
      scoreNodes: (_s: CycleState, _p: Pod, ns: readonly NodeInfo[], out: Float64Array) => {
        ns.forEach((n, i) => (out[i] = perNode(n)));
      },
      scoreExtensions: () => ({ normalizeScore: (_s: CycleState, _p: Pod, scores: { score: number }[]) => { for (const x of scores) x.score += 1; } }),
    };
    const nodes = [node('a'), node('b'), node('c')];
    const f = framework({ Each: each, Batch: batch } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs(['Each', 2], ['Batch', 3])));
    const { totals } = f.runScorePlugins(new CycleState(), podWithUid('p'), nodes);
    assert.deepEqual([...totals!], [10 * 2 + 11 * 3, 30 * 2 + 31 * 3, 30 * 2 + 31 * 3]);

    const failing = { name: 'Failing', score: () => 0, scoreNodes: () => Status.unschedulable('no') };
    const throwing = { name: 'Throwing', score: () => 0, scoreNodes: () => { throw new Error('boom'); } };
    for (const [pl, msg] of [[failing, 'running Score plugin "Failing": no'], [throwing, 'running Score plugin "Throwing": boom']] as const) {
      const g = framework({ [pl.name]: pl } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs(pl.name)));
      const r = g.runScorePlugins(new CycleState(), podWithUid('p'), nodes);
      assert.equal(r.status!.code, Code.Error);
      assert.equal(r.status!.plugin, pl.name);
      assert.equal(r.status!.message(), msg);
    }
  });

  test('Reserve runs in order, Unreserve in reverse; a rejection names the plugin', () => {
    const calls: string[] = [];
    const r = (name: string, fail = false) => ({ name, reserve: () => (calls.push(`reserve ${name}`), fail ? Status.unschedulable('no room') : null), unreserve: () => calls.push(`unreserve ${name}`) });
    const f = framework({ R1: r('R1'), R2: r('R2', true), R3: r('R3') } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs('R1', 'R2', 'R3')));
    const s = f.runReservePluginsReserve(new CycleState(), podWithUid('p'), 'n')!;
    assert.equal(s.plugin, 'R2');
    f.runReservePluginsUnreserve(new CycleState(), podWithUid('p'), 'n');
    assert.deepEqual(calls, ['reserve R1', 'reserve R2', 'unreserve R3', 'unreserve R2', 'unreserve R1']);
  });

  test('Permit Wait holds the pod until every waiting plugin allows it, or a timeout rejects it', async () => {
    const waiter = (name: string, timeoutMs: number) => ({ name, permit: () => ({ status: new Status(Code.Wait), timeoutMs }) });
    const f = framework({ W1: waiter('W1', 60_000), W2: waiter('W2', 60_000) } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs('W1', 'W2')));
    const pod = podWithUid('p');
    assert.equal(f.runPermitPlugins(new CycleState(), pod, 'n')!.code, Code.Wait);
    const wp = f.getWaitingPod(pod.metadata!.uid!) as WaitingPod;
    const result = f.waitOnPermit(pod);
    wp.allow('W1');
    wp.allow('W2');
    assert.equal(await result, null);
    assert.equal(f.getWaitingPod(pod.metadata!.uid!), undefined);

    const g = framework({ Quick: waiter('Quick', 20) } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs('Quick')));
    const pod2 = podWithUid('q');
    g.runPermitPlugins(new CycleState(), pod2, 'n');
    const s = (await g.waitOnPermit(pod2))!;
    assert.equal(s.code, Code.Unschedulable);
    assert.equal(s.plugin, 'Quick');
    assert.match(s.message(), /rejected due to timeout after waiting 0.02s at plugin Quick/);
  });

  test('Bind: a plugin that Skips passes the pod to the next', async () => {
    const calls: string[] = [];
    const f = framework(
      { Skipper: { name: 'Skipper', bind: async () => (calls.push('Skipper'), Status.skip()) }, Real: { name: 'Real', bind: async () => (calls.push('Real'), null) } } as Record<string, Plugin>,
      (p) => {
        p.multiPoint.enabled = refs('Sort', 'Skipper', 'Real');
      },
    );
    assert.equal(await f.runBindPlugins(new CycleState(), podWithUid('p'), 'n'), null);
    assert.deepEqual(calls, ['Skipper', 'Real']);
  });

  test('PostFilter: the first success wins; otherwise reasons are joined and the first rejector named', async () => {
    const pf = (name: string, s: Status | null, nominatedNodeName?: string) => ({ name, postFilter: async () => ({ status: s, result: nominatedNodeName === undefined ? undefined : { nominatedNodeName } }) });
    const f = framework({ P1: pf('P1', Status.unschedulable('a')), P2: pf('P2', Status.unschedulable('b')) } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs('P1', 'P2')));
    const r = await f.runPostFilterPlugins(new CycleState(), podWithUid('p'), { get: () => undefined, entries: () => [] });
    assert.equal(r.status.code, Code.Unschedulable);
    assert.deepEqual(r.status.reasons, ['a', 'b']);
    assert.equal(r.status.plugin, 'P1');
    const g = framework({ P1: pf('P1', null, 'n9') } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs('P1')));
    const ok = await g.runPostFilterPlugins(new CycleState(), podWithUid('p'), { get: () => undefined, entries: () => [] });
    assert.ok(ok.status.isSuccess());
    assert.equal(ok.result!.nominatedNodeName, 'n9');
  });

  test('filters count pods nominated to the node with priority ≥ the pod’s, and must pass without them too', () => {
    const nominator = new Nominator();
    // At most one pod per node (counting the node's pods).
    const onlyOne = { name: 'OnlyOne', filter: (_s: CycleState, _p: Pod, n: NodeInfo) => (n.pods.length >= 1 ? Status.unschedulable('full') : null) };
    const f = framework({ OnlyOne: onlyOne } as Record<string, Plugin>, (p) => p.multiPoint.enabled.push(...refs('OnlyOne')), nominator);
    const n = node('n1');
    const pod = podWithUid('me', { priority: 10 });
    assert.equal(f.runFilterPluginsWithNominatedPods(new CycleState(), pod, n), null);
    nominator.addNominatedPod(newPodInfo(podWithUid('lower', { priority: 1 })), 'n1');
    assert.equal(f.runFilterPluginsWithNominatedPods(new CycleState(), pod, n), null, 'a lower-priority nomination does not hold room');
    nominator.addNominatedPod(newPodInfo(podWithUid('higher', { priority: 100 })), 'n1');
    assert.equal(f.runFilterPluginsWithNominatedPods(new CycleState(), pod, n)?.reasons[0], 'full');
    assert.equal(n.pods.length, 0, 'the snapshot NodeInfo is not modified');
  });
});
