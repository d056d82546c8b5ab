// The diagnosis map built lazily on first read (node-to-status.ts) reads as a Map written in
// order would; shared frozen rejection statuses pass through the runtime's Filter unchanged, or
// as a copy when a plugin returns one under another name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeToStatusMap } from '../../src/scheduler/framework/node-to-status.js';
import { Code, Status } from '../../src/scheduler/framework/status.js';
import { Framework, type FrameworkDeps } from '../../src/scheduler/framework/runtime.js';
import { CycleState } from '../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../src/scheduler/framework/node-info.js';
import { emptyPlugins } from '../../src/scheduler/config/defaults.js';
import type { Plugin, PluginFactory } from '../../src/scheduler/framework/types.js';
import { Nominator } from '../../src/scheduler/queue/nominator.js';
import { Snapshot } from '../../src/scheduler/cache/snapshot.js';
import { NodeAffinityPlugin } from '../../src/scheduler/plugins/node-affinity/index.js';
import { createLogger } from '../../src/util/log.js';
import { makeNode, podWithUid } from './fixtures.js';

test('NodeToStatusMap: reads after writes, writes after reads, repeated names (last wins), absent status', () => {
  const m = new NodeToStatusMap();
  const reference = new Map<string, Status>();
  const a = Status.unschedulable('a');
  const b = Status.unresolvable('b');
  const c = Status.unschedulable('c');
  const write = (n: string, s: Status) => (m.set(n, s), reference.set(n, s));
  write('n1', a);
  write('n2', b);
  write('n1', c);
  assert.equal(m.size, reference.size);
  assert.deepEqual([...m.entries()], [...reference.entries()]);
  write('n3', a);
  assert.equal(m.get('n3'), a);
  write('n2', a);
  assert.equal(m.get('n2'), a);
  assert.equal(m.get('n1'), c);
  assert.deepEqual([...m.entries()], [...reference.entries()]);
  assert.equal(m.get('other'), undefined);
  m.absentNodesStatus = b;
  assert.equal(m.get('other'), b);
  assert.equal(m.isUnresolvable('other'), true);
  assert.equal(m.isUnresolvable('n1'), false);
});

test('a shared rejection status is frozen and named; Filter returns it as is, or a copy under another name', () => {
  const s = Status.shared(Code.UnschedulableAndUnresolvable, 'r', 'P');
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.reasons));
  assert.equal(s.withPlugin('Q').plugin, 'P');

  const affinity = new NodeAffinityPlugin();
  // A plugin under another name returning NodeAffinity's shared status.
  const wrapper: Plugin & Record<string, unknown> = { name: 'Wrapper', filter: (st: CycleState, p: never, ni: NodeInfo) => affinity.filter(st, p, ni) };
  const registry = new Map<string, PluginFactory>([
    ['Sort', () => ({ name: 'Sort', less: () => true }) as Plugin],
    ['Binder', () => ({ name: 'Binder', bind: async () => null }) as Plugin],
    ['NodeAffinity', () => affinity],
    ['Wrapper', () => wrapper],
  ]);
  const deps = (): FrameworkDeps => ({
    client: {} as FrameworkDeps['client'],
    informers: {} as FrameworkDeps['informers'],
    recorder: {} as FrameworkDeps['recorder'],
    log: createLogger('node-to-status-test', { level: 'silent' }),
    nominator: new Nominator(),
    extenders: [],
    snapshot: () => new Snapshot(),
    activate: () => undefined,
  });
  const fw = (filter: string) => {
    const p = emptyPlugins();
    p.multiPoint.enabled = [{ name: 'Sort' }, { name: 'Binder' }];
    p.filter.enabled = [{ name: filter }];
    return new Framework({ schedulerName: 'test', plugins: p, pluginConfig: [] }, registry, deps());
  };
  const pod = podWithUid('p', { nodeSelector: { zone: 'a' } });
  const ni = new NodeInfo(makeNode('n', { labels: { zone: 'b' } }));

  const direct = fw('NodeAffinity').runFilterPlugins(new CycleState(), pod, ni);
  assert.equal(direct?.plugin, 'NodeAffinity');
  assert.deepEqual([direct?.code, direct?.reasons], [Code.UnschedulableAndUnresolvable, ["node(s) didn't match Pod's node affinity/selector"]]);

  const wrapped = fw('Wrapper').runFilterPlugins(new CycleState(), pod, ni);
  assert.equal(wrapped?.plugin, 'Wrapper');
  assert.deepEqual([wrapped?.code, wrapped?.reasons], [direct?.code, direct?.reasons]);
  assert.notEqual(wrapped, direct);
});
