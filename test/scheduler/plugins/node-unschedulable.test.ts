// NodeUnschedulable as upstream's node_unschedulable_test.go: a cordoned node rejects pods unless
// they tolerate node.kubernetes.io/unschedulable:NoSchedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { QueueingHint } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, NodeUnschedulablePlugin } from '../../../src/scheduler/plugins/node-unschedulable/index.js';
import { codeOf, handle, info, node, pod } from './basic-fixtures.js';

const plugin = new NodeUnschedulablePlugin();
const REJECT = [Code.UnschedulableAndUnresolvable, ['node(s) were unschedulable']];
const cases: { name: string; unschedulable?: boolean; tolerations?: Toleration[]; want: unknown }[] = [
  { name: 'a cordoned node rejects a pod without tolerations', unschedulable: true, want: REJECT },
  { name: 'a schedulable node accepts the pod', unschedulable: false, want: [Code.Success, []] },
  { name: 'a node without spec.unschedulable accepts the pod', want: [Code.Success, []] },
  {
    name: 'a cordoned node accepts a pod tolerating the unschedulable taint',
    unschedulable: true,
    tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    want: [Code.Success, []],
  },
  { name: 'a cordoned node accepts a pod tolerating everything', unschedulable: true, tolerations: [{ operator: 'Exists' }], want: [Code.Success, []] },
  {
    name: 'a toleration of the taint with another effect does not help',
    unschedulable: true,
    tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }],
    want: REJECT,
  },
];

for (const c of cases) {
  test(`Filter: ${c.name}`, () => {
    const p = pod('p', { containers: [{ name: 'c' }], tolerations: c.tolerations });
    assert.deepEqual(codeOf(plugin.filter(new CycleState(), p, info(node('n', { spec: { unschedulable: c.unschedulable } })))), c.want);
  });
}

test('a NodeInfo without its Node fails with upstream unknown-conditions reason', () => {
  assert.deepEqual(codeOf(plugin.filter(new CycleState(), pod('p'), new NodeInfo())), [Code.UnschedulableAndUnresolvable, ['node(s) had unknown conditions']]);
});

test('factory, name and hints: queue when a node becomes schedulable, or the pod itself gains the toleration', () => {
  assert.equal(NAME, 'NodeUnschedulable');
  assert.equal(factory(undefined, handle()).name, NAME);
  const [nodeEv, podEv] = plugin.eventsToRegister();
  const log = pino({ level: 'silent' });
  const cordoned = node('n', { spec: { unschedulable: true } });
  const open = node('n');
  assert.equal(nodeEv!.hint!(log, pod('p'), undefined, open), QueueingHint.Queue);
  assert.equal(nodeEv!.hint!(log, pod('p'), undefined, cordoned), QueueingHint.Skip);
  assert.equal(nodeEv!.hint!(log, pod('p'), cordoned, open), QueueingHint.Queue);
  assert.equal(nodeEv!.hint!(log, pod('p'), open, open), QueueingHint.Skip);
  const tolerant = pod('p', { containers: [], tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.equal(podEv!.hint!(log, pod('p'), pod('p'), tolerant), QueueingHint.Queue);
  assert.equal(podEv!.hint!(log, pod('p'), pod('p'), pod('p')), QueueingHint.Skip);
  assert.equal(podEv!.hint!(log, pod('p'), tolerant, tolerant), QueueingHint.Skip);
  assert.equal(podEv!.hint!(log, pod('p'), pod('other'), { ...tolerant, metadata: { uid: 'uid-other' } }), QueueingHint.Skip);
});
