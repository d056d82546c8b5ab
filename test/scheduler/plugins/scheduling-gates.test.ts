// SchedulingGates: a gated pod is held before the queue with upstream's message; no gates, no hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Code } from '../../../src/scheduler/framework/status.js';
import { ActionType, QueueingHint } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, SchedulingGatesPlugin } from '../../../src/scheduler/plugins/scheduling-gates/index.js';
import { codeOf, handle, pod } from './basic-fixtures.js';

const plugin = new SchedulingGatesPlugin();
const cases = [
  { name: 'a pod without scheduling gates enters the queue', gates: undefined, want: [Code.Success, []] },
  { name: 'an empty gate list enters the queue', gates: [], want: [Code.Success, []] },
  { name: 'one gate holds the pod', gates: ['foo'], want: [Code.Pending, ['waiting for scheduling gates: [foo]']] },
  { name: 'several gates are listed in order, space-separated as Go prints a slice', gates: ['foo', 'bar'], want: [Code.Pending, ['waiting for scheduling gates: [foo bar]']] },
];

for (const c of cases) {
  test(`PreEnqueue: ${c.name}`, () => {
    const p = pod('p', { containers: [{ name: 'c' }], schedulingGates: c.gates?.map((name) => ({ name })) });
    assert.deepEqual(codeOf(plugin.preEnqueue(p)), c.want);
  });
}

test('factory, name, and the gates-eliminated event always queues', () => {
  assert.equal(NAME, 'SchedulingGates');
  assert.equal(factory(undefined, handle()).name, NAME);
  const [ev] = plugin.eventsToRegister();
  assert.equal(ev!.event.actionType, ActionType.UpdatePodSchedulingGatesEliminated);
  assert.equal(ev!.hint!(pino({ level: 'silent' }), pod('p'), pod('p'), pod('p')), QueueingHint.Queue);
});
