// NodeAffinity against upstream's node_affinity_test.go cases: PreFilter results (Skip, narrowed
// node names, conflicting terms), Filter statuses with upstream's reasons, preferred-term scoring
// normalized to 0–100, addedAffinity args and the node queueing hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Affinity, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { QueueingHint } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, NodeAffinityPlugin, RequiredNodeAffinity, type NodeAffinityArgs } from '../../../src/scheduler/plugins/node-affinity/index.js';
import { codeOf, handle, info, node, pod, preFilterOf, runFilter, runScore } from './basic-fixtures.js';

const REASON = "node(s) didn't match Pod's node affinity/selector";
const ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
const ok: [Code, string[]] = [Code.Success, []];
const rejected: [Code, string[]] = [Code.UnschedulableAndUnresolvable, [REASON]];
const log = pino({ level: 'silent' });

const required = (...terms: NodeSelectorTerm[]): Affinity => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const exprs = (...matchExpressions: NodeSelectorRequirement[]): NodeSelectorTerm => ({ matchExpressions });
const fields = (...matchFields: NodeSelectorRequirement[]): NodeSelectorTerm => ({ matchFields });
const nameIn = (...values: string[]): NodeSelectorRequirement => ({ key: 'metadata.name', operator: 'In', values });

interface FilterCase {
  name: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  nodeName?: string;
  labels?: Record<string, string>;
  args?: NodeAffinityArgs;
  want: [Code, string[]];
  /** Expected PreFilter narrowing (undefined = all nodes). */
  nodeNames?: string[];
  preFilterSkip?: boolean;
  preFilterStatus?: [Code, string[]];
}

const filterCases: FilterCase[] = [
  { name: 'a nodeSelector label missing on the node rejects it', nodeSelector: { foo: 'bar' }, want: rejected },
  { name: 'the same labels match', nodeSelector: { foo: 'bar' }, labels: { foo: 'bar' }, want: ok },
  { name: 'node labels that are a superset of the nodeSelector match', nodeSelector: { foo: 'bar' }, labels: { foo: 'bar', baz: 'blah' }, want: ok },
  { name: 'node labels that are a subset of the nodeSelector do not match', nodeSelector: { foo: 'bar', baz: 'blah' }, labels: { foo: 'bar' }, want: rejected },
  { name: 'In matches one of the values', affinity: required(exprs({ key: 'foo', operator: 'In', values: ['bar', 'value2'] })), labels: { foo: 'bar' }, want: ok },
  { name: 'Gt compares integers (0206 > 0204)', affinity: required(exprs({ key: 'kernel-version', operator: 'Gt', values: ['0204'] })), labels: { 'kernel-version': '0206' }, want: ok },
  { name: 'Lt rejects a larger value and a non-integer label', affinity: required(exprs({ key: 'v', operator: 'Lt', values: ['5'] })), labels: { v: 'x5' }, want: rejected },
  { name: 'NotIn matches a different value', affinity: required(exprs({ key: 'mem-type', operator: 'NotIn', values: ['DDR', 'DDR2'] })), labels: { 'mem-type': 'DDR3' }, want: ok },
  { name: 'NotIn matches a node without the label', affinity: required(exprs({ key: 'mem-type', operator: 'NotIn', values: ['DDR'] })), labels: {}, want: ok },
  { name: 'Exists matches any value', affinity: required(exprs({ key: 'GPU', operator: 'Exists' })), labels: { GPU: 'NVIDIA-GRID-K1' }, want: ok },
  { name: 'DoesNotExist rejects a node with the label', affinity: required(exprs({ key: 'GPU', operator: 'DoesNotExist' })), labels: { GPU: 'x' }, want: rejected },
  { name: 'In with values the node does not have rejects it', affinity: required(exprs({ key: 'foo', operator: 'In', values: ['value1', 'value2'] })), labels: { foo: 'bar' }, want: rejected },
  { name: 'nil nodeSelectorTerms match no node', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} as never } }, labels: { foo: 'bar' }, want: rejected },
  { name: 'an empty list of nodeSelectorTerms matches no node', affinity: required(), labels: { foo: 'bar' }, want: rejected },
  { name: 'a term with empty matchExpressions matches no node', affinity: required(exprs()), labels: { foo: 'bar' }, want: rejected },
  { name: 'a pod without affinity or selector skips the plugin', labels: { foo: 'bar' }, want: ok, preFilterSkip: true },
  { name: 'an affinity without required node affinity skips the plugin', affinity: { nodeAffinity: {} }, want: ok, preFilterSkip: true },
  {
    name: 'matchExpressions of one term are ANDed (all match)',
    affinity: required(exprs({ key: 'GPU', operator: 'Exists' }, { key: 'GPU', operator: 'NotIn', values: ['AMD', 'INTER'] })),
    labels: { GPU: 'NVIDIA-GRID-K1' },
    want: ok,
  },
  {
    name: 'matchExpressions of one term are ANDed (one fails)',
    affinity: required(exprs({ key: 'GPU', operator: 'Exists' }, { key: 'GPU', operator: 'In', values: ['AMD', 'INTER'] })),
    labels: { GPU: 'NVIDIA-GRID-K1' },
    want: rejected,
  },
  {
    name: 'terms are ORed',
    affinity: required(exprs({ key: 'foo', operator: 'In', values: ['bar', 'value2'] }), exprs({ key: 'diffkey', operator: 'In', values: ['wrong', 'value2'] })),
    labels: { foo: 'bar' },
    want: ok,
  },
  { name: 'affinity and nodeSelector both satisfied', nodeSelector: { foo: 'bar' }, affinity: required(exprs({ key: 'foo', operator: 'Exists' })), labels: { foo: 'bar' }, want: ok },
  {
    name: 'affinity satisfied but nodeSelector not',
    nodeSelector: { foo: 'bar' },
    affinity: required(exprs({ key: 'foo', operator: 'Exists' })),
    labels: { foo: 'barrrrrr' },
    want: rejected,
  },
  { name: 'an invalid value in a term makes the term match nothing', affinity: required(exprs({ key: 'foo', operator: 'NotIn', values: ['invalid value: ___@#$%^'] })), labels: { foo: 'bar' }, want: rejected },
  {
    name: 'an invalid term does not stop a valid term from matching',
    affinity: required(exprs({ key: 'foo', operator: 'Gt', values: ['x'] }), exprs({ key: 'foo', operator: 'Exists' })),
    labels: { foo: 'bar' },
    want: ok,
  },
  { name: 'matchFields metadata.name In matches the named node and narrows PreFilter to it', affinity: required(fields(nameIn('node1'))), nodeName: 'node1', want: ok, nodeNames: ['node1'] },
  { name: 'matchFields metadata.name In rejects another node', affinity: required(fields(nameIn('node1'))), nodeName: 'node2', want: rejected, nodeNames: ['node1'] },
  { name: 'matchFields NotIn excludes the named node', affinity: required(fields({ key: 'metadata.name', operator: 'NotIn', values: ['node2'] })), nodeName: 'node2', want: rejected },
  { name: 'matchFields with two values is invalid and matches nothing', affinity: required(fields(nameIn('node1', 'node2'))), nodeName: 'node1', want: rejected, nodeNames: ['node1', 'node2'] },
  {
    name: 'two terms: matchFields does not match but matchExpressions does (no narrowing)',
    affinity: required(fields(nameIn('node1')), exprs({ key: 'foo', operator: 'In', values: ['bar'] })),
    nodeName: 'node2',
    labels: { foo: 'bar' },
    want: ok,
  },
  {
    name: 'one term: matchExpressions match but matchFields does not',
    affinity: required({ matchFields: [nameIn('node1')], matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }),
    nodeName: 'node2',
    labels: { foo: 'bar' },
    want: rejected,
    nodeNames: ['node1'],
  },
  {
    name: 'one term: both matchFields and matchExpressions match',
    affinity: required({ matchFields: [nameIn('node1')], matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }),
    nodeName: 'node1',
    labels: { foo: 'bar' },
    want: ok,
    nodeNames: ['node1'],
  },
  {
    name: 'two terms naming nodes narrow PreFilter to their union',
    affinity: required(fields(nameIn('node1')), fields(nameIn('node2'))),
    nodeName: 'node2',
    want: ok,
    nodeNames: ['node1', 'node2'],
  },
  {
    name: 'conflicting metadata.name requirements in one term fail PreFilter',
    affinity: required(fields(nameIn('node1'), nameIn('node2'))),
    nodeName: 'node1',
    want: [Code.UnschedulableAndUnresolvable, ['pod affinity terms conflict']],
    preFilterStatus: [Code.UnschedulableAndUnresolvable, ['pod affinity terms conflict']],
  },
  {
    name: 'matches the added affinity and the pod affinity',
    args: { addedAffinity: required(exprs({ key: 'zone', operator: 'In', values: ['foo'] })).nodeAffinity },
    affinity: required(exprs({ key: 'x', operator: 'Exists' })),
    labels: { zone: 'foo', x: '' },
    want: ok,
  },
  {
    name: 'matches the added affinity but not the pod affinity',
    args: { addedAffinity: required(exprs({ key: 'zone', operator: 'In', values: ['foo'] })).nodeAffinity },
    affinity: required(exprs({ key: 'x', operator: 'Exists' })),
    labels: { zone: 'foo' },
    want: rejected,
  },
  {
    name: 'a node outside the added affinity is rejected even for a pod without affinity',
    args: { addedAffinity: required(exprs({ key: 'zone', operator: 'In', values: ['foo'] })).nodeAffinity },
    labels: { zone: 'bar' },
    want: [Code.UnschedulableAndUnresolvable, [ENFORCED]],
  },
];

for (const c of filterCases) {
  test(`Filter: ${c.name}`, () => {
    const plugin = new NodeAffinityPlugin(c.args);
    const p = pod('p', { containers: [{ name: 'c' }], nodeSelector: c.nodeSelector, affinity: c.affinity });
    const ni = info(node(c.nodeName ?? 'node1', { metadata: { labels: c.labels } }));
    const state = new CycleState();
    const { result, status } = preFilterOf(plugin.preFilter(state, p, [ni]));
    assert.equal(status?.code === Code.Skip, c.preFilterSkip ?? false, 'PreFilter Skip');
    assert.deepEqual(result?.nodeNames ? [...result.nodeNames].sort() : undefined, c.nodeNames);
    if (c.preFilterStatus) {
      assert.deepEqual(codeOf(status), c.preFilterStatus);
      return;
    }
    assert.deepEqual(runFilter(plugin, p, ni, new CycleState()), c.want);
    // Filter without PreFilter's state computes the same answer.
    if (!c.preFilterSkip) assert.deepEqual(codeOf(plugin.filter(new CycleState(), p, ni)), c.want);
  });
}

const pref = (weight: number, ...matchExpressions: NodeSelectorRequirement[]): PreferredSchedulingTerm => ({ weight, preference: { matchExpressions } });
const fooBar = { key: 'foo', operator: 'In', values: ['bar'] };
const keyValue = { key: 'key', operator: 'In', values: ['value'] };
const az1 = { key: 'az', operator: 'In', values: ['az1'] };
const labels = {
  l1: { foo: 'bar' },
  l2: { key: 'value' },
  l3: { az: 'az1' },
  l4: { abc: 'az11', def: 'az22' },
  l5: { foo: 'bar', key: 'value', az: 'az1' },
};
const affinity1: Affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [pref(2, fooBar)] } };
const affinity2: Affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [pref(2, fooBar), pref(4, keyValue), pref(5, fooBar, keyValue, az1)] } };

const scoreCases: { name: string; affinity?: Affinity; args?: NodeAffinityArgs; nodes: [string, Record<string, string>][]; want: Record<string, number> }[] = [
  { name: 'without node affinity every node scores 0', nodes: [['m1', labels.l1], ['m2', labels.l2], ['m3', labels.l3]], want: { m1: 0, m2: 0, m3: 0 } },
  { name: 'no node matches the preferred terms: all 0', affinity: affinity1, nodes: [['m1', labels.l4], ['m2', labels.l2], ['m3', labels.l3]], want: { m1: 0, m2: 0, m3: 0 } },
  { name: 'only m1 matches: it scores 100', affinity: affinity1, nodes: [['m1', labels.l1], ['m2', labels.l2], ['m3', labels.l3]], want: { m1: 100, m2: 0, m3: 0 } },
  {
    name: 'weights of matching terms add up and normalize to the best node (2/11, 11/11, 4/11)',
    affinity: affinity2,
    nodes: [['m1', labels.l1], ['m5', labels.l5], ['m2', labels.l2]],
    want: { m1: 18, m5: 100, m2: 36 },
  },
  {
    name: 'addedAffinity preferred terms add to the pod’s own',
    affinity: affinity1,
    args: { addedAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [pref(3, keyValue)] } },
    nodes: [['m1', labels.l1], ['m2', labels.l2], ['m5', labels.l5]],
    want: { m1: 40, m2: 60, m5: 100 },
  },
  {
    name: 'an empty preferred term matches every node; a zero-weight term counts for nothing',
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: {} }, pref(0, fooBar)] } },
    nodes: [['m1', labels.l1], ['m2', labels.l2]],
    want: { m1: 100, m2: 100 },
  },
];

for (const c of scoreCases) {
  test(`Score: ${c.name}`, () => {
    const plugin = new NodeAffinityPlugin(c.args);
    const p = pod('p', { containers: [{ name: 'c' }], affinity: c.affinity });
    assert.deepEqual(runScore(plugin, p, c.nodes.map(([n, l]) => info(node(n, { metadata: { labels: l } })))), c.want);
  });
}

test('PreScore skips a pod without preferred terms when no addedAffinity preference exists', () => {
  const s = new NodeAffinityPlugin().preScore(new CycleState(), pod('p'), []);
  assert.equal(s?.code, Code.Skip);
});

test('the factory takes NodeAffinityArgs and rejects an invalid addedAffinity', () => {
  assert.equal(NAME, 'NodeAffinity');
  assert.equal(factory({ addedAffinity: required(exprs({ key: 'a', operator: 'Exists' })).nodeAffinity }, handle()).name, 'NodeAffinity');
  assert.throws(() => factory({ addedAffinity: required(exprs({ key: 'a', operator: 'Gt', values: ['x'] })).nodeAffinity }, handle()), /addedAffinity/);
});

test('queueing hint: queue on a node added or updated into matching, skip otherwise', () => {
  const [reg] = new NodeAffinityPlugin({ addedAffinity: required(exprs({ key: 'zone', operator: 'Exists' })).nodeAffinity }).eventsToRegister();
  const hint = reg!.hint!;
  const p = pod('p', { containers: [{ name: 'c' }], nodeSelector: { foo: 'bar' } });
  const match = node('n', { metadata: { labels: { foo: 'bar', zone: 'a' } } });
  const noMatch = node('n', { metadata: { labels: { zone: 'a' } } });
  const outsideAdded = node('n', { metadata: { labels: { foo: 'bar' } } });
  assert.equal(hint(log, p, undefined, match), QueueingHint.Queue);
  assert.equal(hint(log, p, undefined, noMatch), QueueingHint.Skip);
  assert.equal(hint(log, p, undefined, outsideAdded), QueueingHint.Skip);
  assert.equal(hint(log, p, noMatch, match), QueueingHint.Queue);
  assert.equal(hint(log, p, match, match), QueueingHint.Skip);
});

test('RequiredNodeAffinity is reusable by other plugins (nodeSelector AND required terms)', () => {
  const r = RequiredNodeAffinity.forPod(pod('p', { containers: [{ name: 'c' }], nodeSelector: { a: '1' }, affinity: required(exprs({ key: 'b', operator: 'In', values: ['2'] })) }));
  assert.equal(r.match(node('n', { metadata: { labels: { a: '1', b: '2' } } })), true);
  assert.equal(r.match(node('n', { metadata: { labels: { a: '1' } } })), false);
});
