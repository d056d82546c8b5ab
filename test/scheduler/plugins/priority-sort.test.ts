// PrioritySort as upstream's priority_sort_test.go: higher priority first, then earlier timestamp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newPodInfo } from '../../../src/scheduler/framework/pod-info.js';
import type { QueuedPodInfo } from '../../../src/scheduler/framework/types.js';
import { factory, NAME, PrioritySortPlugin } from '../../../src/scheduler/plugins/priority-sort/index.js';
import { handle, pod } from './basic-fixtures.js';

const queued = (p: Pod, timestamp: number): QueuedPodInfo => ({
  podInfo: newPodInfo(p),
  timestamp,
  attempts: 0,
  initialAttemptTimestamp: timestamp,
  unschedulablePlugins: new Set(),
  pendingPlugins: new Set(),
  gated: false,
});
const withPriority = (priority: number | undefined) => pod('p', { containers: [{ name: 'c' }], priority });

const cases = [
  { name: 'p1.priority less than p2.priority', p1: withPriority(50), p2: withPriority(100), t1: 1, t2: 1, want: false },
  { name: 'p1.priority greater than p2.priority', p1: withPriority(100), p2: withPriority(50), t1: 1, t2: 1, want: true },
  { name: 'equal priority, p1 added to the queue earlier', p1: withPriority(100), p2: withPriority(100), t1: 1, t2: 2, want: true },
  { name: 'equal priority, p2 added to the queue earlier', p1: withPriority(100), p2: withPriority(100), t1: 2, t2: 1, want: false },
  { name: 'equal priority and timestamp: neither is less', p1: withPriority(100), p2: withPriority(100), t1: 1, t2: 1, want: false },
  { name: 'a pod without priority counts as 0', p1: withPriority(undefined), p2: withPriority(-1), t1: 2, t2: 1, want: true },
];

const plugin = new PrioritySortPlugin();
for (const c of cases) {
  test(`Less: ${c.name}`, () => {
    assert.equal(plugin.less(queued(c.p1, c.t1), queued(c.p2, c.t2)), c.want);
  });
}

test('factory and name', () => {
  assert.equal(NAME, 'PrioritySort');
  assert.equal(factory(undefined, handle()).name, NAME);
});
