// TaintToleration against upstream's taint_toleration_test.go cases: Filter statuses with the
// exact reason text, Score/NormalizeScore values, the toleration matcher and the queueing hints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { QueueingHint } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, TaintTolerationPlugin, toleratesTaint } from '../../../src/scheduler/plugins/taint-toleration/index.js';
import { handle, info, node, pod, runFilter, runScore } from './basic-fixtures.js';

const tainted = (name: string, taints: Taint[]) => node(name, { spec: { taints } });
const tolerating = (tolerations: Toleration[]) => pod('p', { containers: [{ name: 'c' }], tolerations });
const plugin = new TaintTolerationPlugin();
const log = pino({ level: 'silent' });

test('the factory builds the plugin under its upstream name', () => {
  assert.equal(NAME, 'TaintToleration');
  assert.equal(factory(undefined, handle()).name, 'TaintToleration');
});

const filterCases: { name: string; tolerations: Toleration[]; taints: Taint[]; want: [Code, string[]] }[] = [
  {
    name: 'a pod having no tolerations cannot be scheduled onto a node with nonempty taints',
    tolerations: [],
    taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    want: [Code.UnschedulableAndUnresolvable, ['node(s) had untolerated taint {dedicated: user1}']],
  },
  {
    name: 'a pod tolerating dedicated=user1:NoSchedule can be scheduled on the node dedicated to user1',
    tolerations: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    want: [Code.Success, []],
  },
  {
    name: 'a pod tolerating dedicated=user2 cannot be scheduled on the node dedicated to user1',
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }],
    taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    want: [Code.UnschedulableAndUnresolvable, ['node(s) had untolerated taint {dedicated: user1}']],
  },
  {
    name: 'a toleration with operator Exists tolerates the taint whatever its value',
    tolerations: [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
    taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    want: [Code.Success, []],
  },
  {
    name: 'a pod with several tolerations tolerates every one of several taints',
    tolerations: [
      { key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' },
      { key: 'foo', operator: 'Exists', effect: 'NoSchedule' },
    ],
    taints: [
      { key: 'dedicated', value: 'user2', effect: 'NoSchedule' },
      { key: 'foo', value: 'bar', effect: 'NoSchedule' },
    ],
    want: [Code.Success, []],
  },
  {
    name: 'a toleration whose key and value match but whose (non-empty) effect differs does not tolerate',
    tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
    taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    want: [Code.UnschedulableAndUnresolvable, ['node(s) had untolerated taint {foo: bar}']],
  },
  {
    name: 'a toleration with an empty effect tolerates a NoSchedule taint with the same key and value',
    tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar' }],
    taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    want: [Code.Success, []],
  },
  {
    name: 'a PreferNoSchedule taint never filters, tolerated or not',
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }],
    taints: [{ key: 'dedicated', value: 'user1', effect: 'PreferNoSchedule' }],
    want: [Code.Success, []],
  },
  {
    name: 'an untolerated NoExecute taint filters; an empty-valued taint prints as {key: }',
    tolerations: [],
    taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }],
    want: [Code.UnschedulableAndUnresolvable, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']],
  },
  {
    name: 'the first untolerated taint in the node order is the one reported',
    tolerations: [{ key: 'a', operator: 'Exists' }],
    taints: [
      { key: 'a', value: '1', effect: 'NoSchedule' },
      { key: 'b', value: '2', effect: 'NoExecute' },
      { key: 'c', value: '3', effect: 'NoSchedule' },
    ],
    want: [Code.UnschedulableAndUnresolvable, ['node(s) had untolerated taint {b: 2}']],
  },
];

for (const c of filterCases) {
  test(`Filter: ${c.name}`, () => {
    assert.deepEqual(runFilter(plugin, tolerating(c.tolerations), info(tainted('n', c.taints))), c.want);
  });
}

const scoreCases: { name: string; tolerations: Toleration[]; nodes: [string, Taint[]][]; want: Record<string, number> }[] = [
  {
    name: 'a node whose PreferNoSchedule taint is tolerated scores higher than one whose taint is not',
    tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
    nodes: [
      ['nodeA', [{ key: 'foo', value: 'bar', effect: 'PreferNoSchedule' }]],
      ['nodeB', [{ key: 'foo', value: 'blah', effect: 'PreferNoSchedule' }]],
    ],
    want: { nodeA: 100, nodeB: 0 },
  },
  {
    name: 'nodes whose taints are all tolerated score the same, however many taints they have',
    tolerations: [
      { key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'PreferNoSchedule' },
      { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'PreferNoSchedule' },
    ],
    nodes: [
      ['nodeA', []],
      ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: 'PreferNoSchedule' }]],
      ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: 'PreferNoSchedule' }, { key: 'disk-type', value: 'ssd', effect: 'PreferNoSchedule' }]],
    ],
    want: { nodeA: 100, nodeB: 100, nodeC: 100 },
  },
  {
    name: 'the more intolerable taints a node has, the lower it scores',
    tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
    nodes: [
      ['nodeA', []],
      ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: 'PreferNoSchedule' }]],
      ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: 'PreferNoSchedule' }, { key: 'disk-type', value: 'ssd', effect: 'PreferNoSchedule' }]],
    ],
    want: { nodeA: 100, nodeB: 50, nodeC: 0 },
  },
  {
    name: 'only PreferNoSchedule taints and tolerations count in scoring',
    tolerations: [
      { key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'NoSchedule' },
      { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' },
    ],
    nodes: [
      ['nodeA', []],
      ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: 'NoSchedule' }]],
      ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: 'PreferNoSchedule' }, { key: 'disk-type', value: 'ssd', effect: 'PreferNoSchedule' }]],
    ],
    want: { nodeA: 100, nodeB: 100, nodeC: 0 },
  },
  {
    name: 'without tolerations the pod prefers the node without taints',
    tolerations: [],
    nodes: [
      ['nodeA', []],
      ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: 'PreferNoSchedule' }]],
    ],
    want: { nodeA: 100, nodeB: 0 },
  },
];

for (const c of scoreCases) {
  test(`Score: ${c.name}`, () => {
    assert.deepEqual(runScore(plugin, tolerating(c.tolerations), c.nodes.map(([n, t]) => info(tainted(n, t)))), c.want);
  });
}

test('toleratesTaint: empty key with Exists tolerates any key; empty effect any effect; empty operator means Equal', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
  assert.equal(toleratesTaint({ operator: 'Exists', effect: 'NoSchedule' }, taint), false);
  assert.equal(toleratesTaint({ key: 'k', value: 'v' }, taint), true);
  assert.equal(toleratesTaint({ key: 'k', value: 'other' }, taint), false);
  assert.equal(toleratesTaint({ key: 'k', operator: 'Equal' }, { key: 'k', effect: 'NoSchedule' }), true);
  assert.equal(toleratesTaint({ key: 'other', operator: 'Exists' }, taint), false);
  assert.equal(toleratesTaint({ key: 'k', operator: 'Gt', value: '1' }, { key: 'k', value: '2', effect: 'NoSchedule' }), false);
});

test('queueing hints: a node event queues only when a NoSchedule/NoExecute taint became tolerated; a toleration update queues only the pod itself', () => {
  const [nodeEvent, podEvent] = plugin.eventsToRegister();
  const p = tolerating([]);
  const bad = tainted('n', [{ key: 'x', effect: 'NoSchedule' }]);
  const good = tainted('n', [{ key: 'x', effect: 'PreferNoSchedule' }]);
  assert.equal(nodeEvent!.hint!(log, p, undefined, good), QueueingHint.Queue);
  assert.equal(nodeEvent!.hint!(log, p, undefined, bad), QueueingHint.Skip);
  assert.equal(nodeEvent!.hint!(log, p, bad, good), QueueingHint.Queue);
  assert.equal(nodeEvent!.hint!(log, p, good, good), QueueingHint.Skip);
  assert.equal(podEvent!.hint!(log, p, p, p), QueueingHint.Queue);
  assert.equal(podEvent!.hint!(log, p, undefined, pod('other')), QueueingHint.Skip);
});

test('PreScore skips Score when no candidate node has a PreferNoSchedule taint (every node would score the same)', () => {
  const state = new CycleState();
  const nodes = [info(tainted('a', [{ key: 'k', value: 'v', effect: 'NoSchedule' }])), info(node('b'))];
  assert.equal(plugin.preScore(state, tolerating([]), nodes)?.code, Code.Skip);
  const prefer = [...nodes, info(tainted('c', [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }]))];
  assert.equal(plugin.preScore(state, tolerating([]), prefer), undefined);
});
