import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { podPrinter } from '../../../src/api/printers/pod.js';
import type { KubeObject } from '../../../src/api/object.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:00:00Z';

function pod(status: Pod['status'], spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', creationTimestamp: created, ...meta },
    spec: { containers: [{ name: 'a' }], ...spec },
    status,
  };
}

const running = (name: string, ready = true, restartCount = 0): ContainerStatus => ({
  name,
  image: 'img',
  imageID: '',
  ready,
  restartCount,
  state: { running: { startedAt: created } },
});
const waiting = (name: string, reason: string, restartCount = 0): ContainerStatus => ({
  name,
  image: 'img',
  imageID: '',
  ready: false,
  restartCount,
  state: { waiting: { reason } },
});
const terminated = (name: string, t: { exitCode: number; reason?: string; signal?: number }): ContainerStatus => ({
  name,
  image: 'img',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: t },
});

const cells = (p: Pod) => podPrinter.cells(p as unknown as KubeObject, now);

const two = { containers: [{ name: 'a' }, { name: 'b' }] };
const initTwo = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };

const cases: [string, Pod, string, string][] = [
  ['a pending pod without statuses shows its phase', pod({ phase: 'Pending' }), '0/1', 'Pending'],
  ['a running pod with a ready container shows Running', pod({ phase: 'Running', containerStatuses: [running('a')] }), '1/1', 'Running'],
  ['a container still being created shows ContainerCreating', pod({ phase: 'Pending', containerStatuses: [waiting('a', 'ContainerCreating')] }), '0/1', 'ContainerCreating'],
  ['a crashing container shows CrashLoopBackOff', pod({ phase: 'Running', containerStatuses: [waiting('a', 'CrashLoopBackOff', 4)] }), '0/1', 'CrashLoopBackOff'],
  ['an image that cannot be pulled shows ImagePullBackOff', pod({ phase: 'Pending', containerStatuses: [waiting('a', 'ImagePullBackOff')] }), '0/1', 'ImagePullBackOff'],
  ['a container that finished cleanly shows Completed', pod({ phase: 'Succeeded', containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' })] }), '0/1', 'Completed'],
  ['a failed container shows its reason Error', pod({ phase: 'Failed', containerStatuses: [terminated('a', { exitCode: 1, reason: 'Error' })] }), '0/1', 'Error'],
  ['a terminated container without a reason shows ExitCode:N', pod({ phase: 'Failed', containerStatuses: [terminated('a', { exitCode: 2 })] }), '0/1', 'ExitCode:2'],
  ['a container killed by a signal without a reason shows Signal:N', pod({ phase: 'Failed', containerStatuses: [terminated('a', { exitCode: 137, signal: 9 })] }), '0/1', 'Signal:9'],
  ['the first container of a list decides when several have reasons', pod({ phase: 'Running', containerStatuses: [waiting('a', 'CrashLoopBackOff'), waiting('b', 'ContainerCreating')] }, two), '0/2', 'CrashLoopBackOff'],
  [
    'a completed sidecar next to a running ready container reads Running',
    pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('a'), terminated('b', { exitCode: 0, reason: 'Completed' })] }, two),
    '1/2',
    'Running',
  ],
  [
    'a completed container next to a running one in an unready pod reads NotReady',
    pod({ phase: 'Running', containerStatuses: [running('a'), terminated('b', { exitCode: 0, reason: 'Completed' })] }, two),
    '1/2',
    'NotReady',
  ],
  ['a pod waiting on its first init container shows Init:0/2', pod({ phase: 'Pending', initContainerStatuses: [waiting('i1', 'PodInitializing'), waiting('i2', 'PodInitializing')] }, initTwo), '0/1', 'Init:0/2'],
  [
    'a pod past its first init container shows Init:1/2',
    pod({ phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 0, reason: 'Completed' }), running('i2', false)] }, initTwo),
    '0/1',
    'Init:1/2',
  ],
  ['a crashing init container shows Init:CrashLoopBackOff', pod({ phase: 'Pending', initContainerStatuses: [waiting('i1', 'CrashLoopBackOff')] }, initTwo), '0/1', 'Init:CrashLoopBackOff'],
  ['a failed init container shows Init:Error', pod({ phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 1, reason: 'Error' })] }, initTwo), '0/1', 'Init:Error'],
  ['a failed init container without a reason shows Init:ExitCode:N', pod({ phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 3 })] }, initTwo), '0/1', 'Init:ExitCode:3'],
  ['an init container killed by a signal shows Init:Signal:N', pod({ phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 1, signal: 15 })] }, initTwo), '0/1', 'Init:Signal:15'],
  [
    'a started restartable init container (sidecar) counts toward READY and does not block',
    pod(
      { phase: 'Running', initContainerStatuses: [{ ...running('side'), started: true }], containerStatuses: [running('a')] },
      { initContainers: [{ name: 'side', restartPolicy: 'Always' }] },
    ),
    '2/2',
    'Running',
  ],
  ['a pod being deleted shows Terminating', pod({ phase: 'Running', containerStatuses: [running('a')] }, {}, { deletionTimestamp: '2024-05-01T11:59:00Z' }), '1/1', 'Terminating'],
  ['a finished pod being deleted keeps its final status', pod({ phase: 'Succeeded', containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' })] }, {}, { deletionTimestamp: '2024-05-01T11:59:00Z' }), '0/1', 'Completed'],
  ['a deleted pod on a lost node shows Unknown', pod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: '2024-05-01T11:59:00Z' }), '0/1', 'Unknown'],
  ['an evicted pod shows its status reason Evicted', pod({ phase: 'Failed', reason: 'Evicted' }), '0/1', 'Evicted'],
  ['a pod held by scheduling gates shows SchedulingGated', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), '0/1', 'SchedulingGated'],
];

for (const [name, p, ready, status] of cases) {
  test(`pod table: ${name}`, () => {
    const row = cells(p);
    assert.equal(row[1], ready, 'READY');
    assert.equal(row[2], status, 'STATUS');
  });
}

test('RESTARTS shows the count and how long ago the last container terminated', () => {
  const cs = { ...waiting('a', 'CrashLoopBackOff', 3), lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } } };
  assert.equal(cells(pod({ phase: 'Running', containerStatuses: [cs] }))[3], '3 (5m ago)');
  assert.equal(cells(pod({ phase: 'Running', containerStatuses: [running('a', true, 2)] }))[3], '2');
  assert.equal(cells(pod({ phase: 'Running', containerStatuses: [running('a')] }))[3], '0');
});

test('the pod row has NAME, AGE and the wide cells IP, NODE, NOMINATED NODE, READINESS GATES', () => {
  const p = pod(
    { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], conditions: [{ type: 'example.com/gate', status: 'True' }], containerStatuses: [running('a')] },
    { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/gate' }, { conditionType: 'other' }] },
  );
  assert.deepEqual(cells(p), ['p', '1/1', 'Running', '0', '60m', '10.0.0.5', 'node-1', '<none>', '1/2']);
  assert.deepEqual(cells(pod({ phase: 'Pending' })).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});

test('the pod columns are upstream\'s, with NAME formatted as a name and wide columns at priority 1', () => {
  assert.deepEqual(
    podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ],
  );
});
