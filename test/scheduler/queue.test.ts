// The scheduling queue on a fake clock: ordering, backoff (whole-second windows and popping from
// backoffQ when activeQ is empty, upstream's SchedulerPopFromBackoffQ, and without them), the
// unschedulable pool with queueing hints, in-flight events, gates, the 5-minute flush, the nominator.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { SchedulingQueue, type RegisteredHint } from '../../src/scheduler/queue/scheduling-queue.js';
import { Events, matches, nodeSchedulingPropertiesChange } from '../../src/scheduler/queue/events.js';
import { ActionType, QueueingHint, type QueuedPodInfo } from '../../src/scheduler/framework/types.js';
import { Status } from '../../src/scheduler/framework/status.js';
import { newPodInfo } from '../../src/scheduler/framework/pod-info.js';
import { createLogger } from '../../src/util/log.js';
import { metricsText } from '../../src/util/metrics.js';
import { makeNode, podWithUid } from './fixtures.js';

const log = createLogger('queue-test', { level: 'silent' });

/** Priority, then arrival (PrioritySort). */
const less = (a: QueuedPodInfo, b: QueuedPodInfo) => {
  const pa = a.podInfo.pod.spec?.priority ?? 0;
  const pb = b.podInfo.pod.spec?.priority ?? 0;
  return pa > pb || (pa === pb && a.timestamp < b.timestamp);
};

const gated = (pod: Pod) => ((pod.spec?.schedulingGates?.length ?? 0) > 0 ? new Status(Status.unschedulable().code, ['gated'], 'SchedulingGates') : null);

function newQueue(hints: RegisteredHint[] = [], opts: { onGated?: (p: Pod) => void; popFromBackoffQ?: boolean; preEnqueue?: (pod: Pod) => Status | null } = {}) {
  // On a whole second: backoff windows start here.
  const clock = { t: 1_000_000 };
  const q = new SchedulingQueue({
    less,
    preEnqueue: opts.preEnqueue ?? gated,
    hints: new Map([['default-scheduler', hints]]),
    log,
    now: () => clock.t,
    onGated: opts.onGated,
    popFromBackoffQ: opts.popFromBackoffQ,
  });
  return { q, clock };
}

/** scheduler_queue_incoming_pods_total for one queue and event (the counter is the process's: compare before and after). */
async function incoming(queue: string, event: string): Promise<number> {
  const line = (await metricsText()).split('\n').find((l) => l.startsWith(`scheduler_queue_incoming_pods_total{queue="${queue}",event="${event}"} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Pops and fails the pod with the given rejecting plugins. */
function failWith(q: SchedulingQueue, plugins: string[]) {
  const p = q.pop()!;
  for (const pl of plugins) p.unschedulablePlugins.add(pl);
  return { p, where: q.addUnschedulableIfNotPresent(p) };
}

/** A queue with the Fit hint and pods a, b added in that order. */
function queuedAB() {
  const { q } = newQueue([fitHint]);
  const a = podWithUid('a');
  const b = podWithUid('b');
  q.add(a);
  q.add(b);
  return { q, a, b };
}

const fitHint: RegisteredHint = { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable }, plugin: 'Fit' };
const taintHint: RegisteredHint = {
  event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint },
  plugin: 'Taint',
  hint: (_log, _pod, _old, newObj) => ((newObj as Node).spec?.taints?.length ? QueueingHint.Skip : QueueingHint.Queue),
};

describe('scheduling queue', () => {
  test('pops higher priority first, then in arrival order', () => {
    const { q, clock } = newQueue();
    q.add(podWithUid('low', { priority: 1 }));
    clock.t++;
    q.add(podWithUid('high', { priority: 10 }));
    clock.t++;
    q.add(podWithUid('low2', { priority: 1 }));
    assert.deepEqual([q.pop(), q.pop(), q.pop()].map((p) => p!.podInfo.pod.metadata!.name), ['high', 'low', 'low2']);
    assert.equal(q.pop(), undefined);
  });

  test('backoff is 1 s doubling per attempt up to 10 s', () => {
    const { q } = newQueue();
    const qpi = { attempts: 0 } as QueuedPodInfo;
    const d = (n: number) => q.backoffDuration({ ...qpi, attempts: n });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(d), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test('a pod failed by an error goes to backoffQ, is never popped early, and moves to activeQ once the second its backoff ends in is over', () => {
    const { q, clock } = newQueue();
    q.add(podWithUid('e'));
    clock.t += 300;
    const { where } = failWith(q, []);
    assert.equal(where, 'backoffQ');
    assert.equal(q.pop(), undefined, 'an error backoff is waited out even with activeQ empty');
    // Backoff ends at +1,300 ms, within the window [+1 s, +2 s): flushed when that window is over.
    clock.t += 1100;
    q.flushBackoffQCompleted();
    assert.equal(q.counts().backoffQ, 1);
    clock.t = 1_002_000;
    q.flushBackoffQCompleted();
    assert.equal(q.counts().activeQ, 1);
    assert.equal(q.pop()!.attempts, 2);
  });

  test('without pop-from-backoffQ, backoff ends to the millisecond and backoffQ is only left by the flush', () => {
    const { q, clock } = newQueue([fitHint], { popFromBackoffQ: false });
    const pod = podWithUid('e');
    q.add(pod);
    failWith(q, ['Fit']);
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('n'));
    assert.equal(q.whereIs(pod), 'backoffQ');
    assert.equal(q.pop(), undefined);
    clock.t += 999;
    q.flushBackoffQCompleted();
    assert.equal(q.whereIs(pod), 'backoffQ');
    clock.t += 2;
    q.flushBackoffQCompleted();
    assert.equal(q.whereIs(pod), 'activeQ');
  });

  test('with activeQ empty, pop takes the backoffQ pod whose backoff window ends first, by priority within a window', async () => {
    const { q, clock } = newQueue([fitHint]);
    const [popped0, failed0, moved0] = await Promise.all([incoming('active', 'PopFromBackoffQ'), incoming('unschedulable', 'ScheduleAttemptFailure'), incoming('backoff', 'NodeAdd')]);
    const early = podWithUid('early', { priority: 1 });
    const lateLow = podWithUid('late-low', { priority: 1 });
    const lateHigh = podWithUid('late-high', { priority: 5 });
    for (const p of [early, lateLow, lateHigh]) q.add(p);
    // Popped by priority: late-high, then early, then late-low; each fails at its own time.
    const fail = (uid: string | undefined, at: number) => {
      clock.t = at;
      const p = q.pop()!;
      assert.equal(p.podInfo.pod.metadata?.uid, uid);
      p.unschedulablePlugins.add('Fit');
      q.addUnschedulableIfNotPresent(p);
    };
    fail(lateHigh.metadata?.uid, 1_000_900); // backoff ends 1,001,900: window 1,001,000
    fail(early.metadata?.uid, 1_000_050); // ends 1,001,050: window 1,001,000 too
    fail(lateLow.metadata?.uid, 1_001_100); // ends 1,002,100: window 1,002,000
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('n'));
    assert.equal(q.counts().backoffQ, 3);
    const fresh = podWithUid('fresh');
    q.add(fresh);
    const names = [q.pop(), q.pop(), q.pop(), q.pop()].map((p) => p?.podInfo.pod.metadata?.name);
    assert.deepEqual(names, ['fresh', 'late-high', 'early', 'late-low'], 'activeQ first; then by window, and by priority within the first window');
    assert.equal(q.pop(), undefined);
    // Counted as upstream's scheduler_queue_incoming_pods_total counts them.
    assert.equal((await incoming('unschedulable', 'ScheduleAttemptFailure')) - failed0, 3);
    assert.equal((await incoming('backoff', 'NodeAdd')) - moved0, 3);
    assert.equal((await incoming('active', 'PopFromBackoffQ')) - popped0, 3);
  });

  test('with pop-from-backoffQ, PreEnqueue runs when a pod enters backoffQ: a gated pod parks instead', () => {
    let gate = false;
    const preEnqueue = (pod: Pod) => (gate ? new Status(Status.unschedulable().code, ['held'], 'Holder') : gated(pod));
    const { q } = newQueue([fitHint], { preEnqueue });
    const pod = podWithUid('held');
    q.add(pod);
    failWith(q, ['Fit']);
    gate = true;
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('n'));
    assert.equal(q.whereIs(pod), 'unschedulablePods');
    assert.equal(q.counts().gated, 1);
    assert.equal(q.pop(), undefined);
  });

  test('waitForPod resolves when a pod enters backoffQ (it can be popped at once)', async () => {
    const { q } = newQueue([fitHint]);
    const pod = podWithUid('wb');
    q.add(pod);
    failWith(q, ['Fit']);
    const waiting = q.waitForPod();
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('n'));
    await waiting;
    assert.equal(q.pop()!.podInfo.pod.metadata!.name, 'wb');
  });

  test('an unschedulable pod waits for an event its rejecting plugin registered for', () => {
    const { q, clock } = newQueue([fitHint, taintHint]);
    const pod = podWithUid('u');
    q.add(pod);
    assert.equal(failWith(q, ['Fit']).where, 'unschedulablePods');
    // A taint change is registered only by Taint, which did not reject the pod.
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actionType: ActionType.UpdateNodeTaint, label: 'NodeTaintChange' }, undefined, makeNode('n'));
    assert.equal(q.whereIs(pod), 'unschedulablePods');
    // An assigned pod event: nobody registered it at all.
    q.moveAllToActiveOrBackoffQueue(Events.AssignedPodAdd, undefined, podWithUid('x'));
    assert.equal(q.whereIs(pod), 'unschedulablePods');
    // A new node: still backing off (1 s, to the end of its window) → backoffQ; after that, activeQ.
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('n'));
    assert.equal(q.whereIs(pod), 'backoffQ');
    clock.t += 2000;
    q.flushBackoffQCompleted();
    assert.equal(q.whereIs(pod), 'activeQ');
  });

  test('a hint that says Skip keeps the pod parked; Queue after backoff moves it straight to activeQ', () => {
    const { q, clock } = newQueue([taintHint]);
    const pod = podWithUid('t');
    q.add(pod);
    failWith(q, ['Taint']);
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('tainted', { taints: [{ key: 'k', effect: 'NoSchedule' }] }));
    assert.equal(q.whereIs(pod), 'unschedulablePods');
    clock.t += 5000;
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('clean'));
    assert.equal(q.whereIs(pod), 'activeQ');
  });

  test('an event that arrives while the pod is being scheduled is replayed when it fails', () => {
    const { q } = newQueue([fitHint]);
    const pod = podWithUid('r');
    q.add(pod);
    const p = q.pop()!;
    assert.equal(q.whereIs(pod), 'inFlight');
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('late'));
    p.unschedulablePlugins.add('Fit');
    assert.equal(q.addUnschedulableIfNotPresent(p), 'backoffQ', 'the node added mid-cycle may fit it');
  });

  test('events from before the pop, or that its plugins did not register, are not replayed', () => {
    const { q } = queuedAB();
    const pa = q.pop()!;
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('early'));
    const pb = q.pop()!;
    q.moveAllToActiveOrBackoffQueue(Events.AssignedPodDelete, podWithUid('gone'), undefined);
    pb.unschedulablePlugins.add('Fit');
    assert.equal(q.addUnschedulableIfNotPresent(pb), 'unschedulablePods');
    pa.unschedulablePlugins.add('Fit');
    assert.equal(q.addUnschedulableIfNotPresent(pa), 'backoffQ');
  });

  test('pods done out of pop order, and a pod popped again, see exactly the events since their own pop', () => {
    const { q, a } = queuedAB();
    const pa = q.pop()!;
    const pb = q.pop()!;
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('mid'));
    pa.unschedulablePlugins.add('Fit');
    assert.equal(q.addUnschedulableIfNotPresent(pa), 'backoffQ', 'a saw the node added after its pop');
    q.activate([a]);
    const pa2 = q.pop()!;
    assert.equal(pa2.podInfo.pod.metadata?.uid, a.metadata?.uid);
    pb.unschedulablePlugins.add('Fit');
    assert.equal(q.addUnschedulableIfNotPresent(pb), 'backoffQ', 'b, popped before the event, saw it too');
    pa2.unschedulablePlugins.add('Fit');
    assert.equal(q.addUnschedulableIfNotPresent(pa2), 'unschedulablePods', 'a popped again saw nothing since');
  });

  test('pods parked for more than 5 minutes are retried regardless of events', () => {
    const { q, clock } = newQueue([fitHint]);
    const pod = podWithUid('old');
    q.add(pod);
    failWith(q, ['Fit']);
    clock.t += 4 * 60_000;
    q.flushUnschedulablePodsLeftover();
    assert.equal(q.whereIs(pod), 'unschedulablePods');
    clock.t += 61_000;
    q.flushUnschedulablePodsLeftover();
    assert.equal(q.whereIs(pod), 'activeQ');
  });

  test('gated pods wait outside activeQ and enter when an update removes their gates', () => {
    const gatedPods: string[] = [];
    const { q } = newQueue([fitHint], { onGated: (p) => gatedPods.push(p.metadata!.name!) });
    const pod = podWithUid('g', { schedulingGates: ['example.com/x'] });
    q.add(pod);
    assert.equal(q.whereIs(pod), 'unschedulablePods');
    assert.equal(q.counts().gated, 1);
    assert.deepEqual(gatedPods, ['g']);
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd, undefined, makeNode('n'));
    assert.equal(q.whereIs(pod), 'unschedulablePods', 'cluster events do not ungate');
    q.update(pod, { ...pod, metadata: { ...pod.metadata, resourceVersion: '2' }, spec: { ...pod.spec!, schedulingGates: [] } });
    assert.equal(q.whereIs(pod), 'activeQ');
    assert.equal(q.counts().gated, 0);
  });

  test('activate moves a parked pod to activeQ at once; delete removes it everywhere', () => {
    const { q } = newQueue([fitHint]);
    const pod = podWithUid('act');
    q.add(pod);
    failWith(q, ['Fit']);
    q.activate([pod]);
    assert.equal(q.whereIs(pod), 'activeQ');
    q.delete(pod);
    assert.equal(q.whereIs(pod), undefined);
    assert.equal(q.pop(), undefined);
  });

  test('waitForPod resolves when a pod is added', async () => {
    const { q } = newQueue();
    const waiting = q.waitForPod();
    q.add(podWithUid('w'));
    await waiting;
    assert.equal(q.pop()!.podInfo.pod.metadata!.name, 'w');
  });

  test('the nominator keeps nominated pods per node, highest priority first, and follows status updates', () => {
    const { q } = newQueue();
    const low = podWithUid('nl', { priority: 1 });
    const high = podWithUid('nh', { priority: 100 });
    q.nominator.addNominatedPod(newPodInfo(low), 'n1');
    q.nominator.addNominatedPod(newPodInfo(high), 'n1');
    assert.deepEqual(q.nominator.nominatedPodsForNode('n1').map((p) => p.pod.metadata!.name), ['nh', 'nl']);
    // An update without nominatedNodeName keeps the in-memory nomination (the write is on its way).
    q.nominator.updateNominatedPod(low, newPodInfo({ ...low, metadata: { ...low.metadata, labels: { a: 'b' } } }));
    assert.equal(q.nominator.nominatedPodsForNode('n1').length, 2);
    q.nominator.deleteNominatedPodIfExists(high);
    assert.deepEqual(q.nominator.nominatedPodsForNode('n1').map((p) => p.pod.metadata!.name), ['nl']);
    q.nominator.addNominatedPod(newPodInfo(low), '');
    assert.equal(q.nominator.nominatedPodsForNode('n1').length, 0);
  });
});

describe('cluster events', () => {
  test('a registered Pod event matches assigned and unscheduled pod events; "*" matches everything', () => {
    assert.ok(matches({ resource: 'Pod', actionType: ActionType.Delete }, Events.AssignedPodDelete));
    assert.ok(!matches({ resource: 'Pod', actionType: ActionType.Add }, Events.AssignedPodDelete));
    assert.ok(matches({ resource: '*', actionType: ActionType.All }, Events.NodeAdd));
    assert.ok(!matches({ resource: 'Node', actionType: ActionType.Add }, Events.AssignedPodAdd));
  });

  test('node updates are classified by what changed', () => {
    const a = makeNode('n', { cpu: '1' });
    const b = makeNode('n', { cpu: '2', labels: { x: 'y' }, taints: [{ key: 'k', effect: 'NoSchedule' }] });
    const labels = nodeSchedulingPropertiesChange(b, a).map((e) => e.label);
    assert.deepEqual(labels, ['NodeAllocatableChange', 'NodeLabelChange', 'NodeTaintChange']);
    assert.deepEqual(nodeSchedulingPropertiesChange(a, a), []);
  });
});
