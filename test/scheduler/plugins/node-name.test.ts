// NodeName as upstream's node_name_test.go: no nodeName fits anywhere; a nodeName fits only its node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import { QueueingHint } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, NodeNamePlugin } from '../../../src/scheduler/plugins/node-name/index.js';
import { codeOf, handle, info, node, pod } from './basic-fixtures.js';

const plugin = new NodeNamePlugin();
const cases = [
  { name: 'a pod without spec.nodeName fits any node', nodeName: undefined, node: 'foo', want: [Code.Success, []] },
  { name: 'a pod naming the node fits it', nodeName: 'foo', node: 'foo', want: [Code.Success, []] },
  { name: 'a pod naming another node does not fit, unresolvably', nodeName: 'bar', node: 'foo', want: [Code.UnschedulableAndUnresolvable, ["node(s) didn't match the requested node name"]] },
];

for (const c of cases) {
  test(`Filter: ${c.name}`, () => {
    const p = pod('p', { containers: [{ name: 'c' }], nodeName: c.nodeName });
    assert.deepEqual(codeOf(plugin.filter(new CycleState(), p, info(node(c.node)))), c.want);
  });
}

test('factory, name and the Node/Add hint (queue only for the named node)', () => {
  assert.equal(NAME, 'NodeName');
  assert.equal(factory(undefined, handle()).name, 'NodeName');
  const hint = plugin.eventsToRegister()[0]!.hint!;
  const log = pino({ level: 'silent' });
  assert.equal(hint(log, pod('p', { containers: [], nodeName: 'a' }), undefined, node('a')), QueueingHint.Queue);
  assert.equal(hint(log, pod('p', { containers: [], nodeName: 'a' }), undefined, node('b')), QueueingHint.Skip);
  assert.equal(hint(log, pod('p'), undefined, node('b')), QueueingHint.Queue);
});
