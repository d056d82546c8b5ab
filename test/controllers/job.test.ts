// The Job controller against the real API server: completions with parallelism, tracking
// finalizers, backoffLimit, Indexed completion, suspend, podFailurePolicy, activeDeadlineSeconds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import type { ControllerDescriptor } from '../../src/controllers/context.js';
import { newJobController, jobTrackingFinalizer, completionIndexAnnotation } from '../../src/controllers/job/index.js';
import { getControllerOf } from '../../src/controllers/util/index.js';
import type { KubeObject } from '../../src/api/object.js';
import { finishPod, jobObject, type JobObj } from './job-fixtures.js';

let rig: ControllerRig;
// A short pod-recreate backoff so failure tests do not wait 10 s per retry.
const fastJobController: ControllerDescriptor = { name: 'job', create: (ctx) => newJobController(ctx, { backoffBaseMs: 50, backoffMaxMs: 200 }) };
before(async () => {
  rig = await startControllers([fastJobController]);
});
after(async () => {
  await rig?.close();
});

const ns = 'default';
const pods = () => rig.client.resource(resources.pods);
const jobs = () => rig.client.resource(resources.jobs);
const cond = (j: JobObj | undefined, type: string) => j?.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/** Waits until the Job has exactly n active (not finished, not terminating) pods and returns them. */
async function activePods(job: JobObj, n: number): Promise<(Pod & KubeObject)[]> {
  const all = await waitForObjects(
    pods(),
    (ps) => ps.filter((p) => isActiveOf(job, p)).length === n,
    `${n} active pods of ${job.metadata!.name}`,
    { namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${job.metadata!.name}` },
  );
  return all.filter((p) => isActiveOf(job, p));
}
function isActiveOf(job: JobObj, p: Pod): boolean {
  return getControllerOf(p as KubeObject)?.uid === job.metadata!.uid && !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

describe('job controller', () => {
  test('a Job with completions 3 and parallelism 2 runs two pods at a time and completes after three successes', async () => {
    const job = await jobs().create(jobObject('c3p2', { completions: 3, parallelism: 2 }));
    const first = await activePods(job, 2);
    for (const p of first) assert.ok(p.metadata?.finalizers?.includes(jobTrackingFinalizer), 'pods carry the tracking finalizer');
    const running = await waitForObject(jobs(), ns, 'c3p2', (j) => j?.status?.active === 2 && !!j.status.startTime, 'active 2');
    assert.ok(running!.status!.startTime);
    await finishPod(rig.client, first[0], 'Succeeded');
    await finishPod(rig.client, first[1], 'Succeeded');
    // Only one more is needed.
    const second = await activePods(job, 1);
    await finishPod(rig.client, second[0], 'Succeeded');
    const done = await waitForObject(jobs(), ns, 'c3p2', (j) => !!cond(j, 'Complete'), 'Complete');
    assert.equal(done!.status!.succeeded, 3);
    assert.equal(done!.status!.active ?? 0, 0);
    assert.ok(done!.status!.completionTime);
    assert.ok(cond(done, 'SuccessCriteriaMet'), 'SuccessCriteriaMet precedes Complete');
    const types = done!.status!.conditions!.map((c) => c.type);
    assert.ok(types.indexOf('SuccessCriteriaMet') < types.indexOf('Complete'));
    assert.equal((done!.status!.uncountedTerminatedPods?.succeeded ?? []).length, 0);
    // Every counted pod lost its finalizer.
    await waitForObjects(pods(), (ps) => ps.filter((p) => p.metadata?.labels?.['job-name'] === 'c3p2').every((p) => !p.metadata?.finalizers?.includes(jobTrackingFinalizer)), 'finalizers removed', { namespace: ns });
    const evs = await rig.client.resource(resources.coreEvents).list({ namespace: ns });
    const reasons = evs.items.filter((e) => e.involvedObject?.name === 'c3p2').map((e) => e.reason);
    assert.ok(reasons.includes('SuccessfulCreate'));
    await waitForObjects(rig.client.resource(resources.coreEvents), (es) => es.some((e) => e.involvedObject?.name === 'c3p2' && e.reason === 'Completed'), 'Completed event', { namespace: ns });
  });

  test('failures beyond backoffLimit fail the Job with FailureTarget then Failed, reason BackoffLimitExceeded', async () => {
    const job = await jobs().create(jobObject('boom', { backoffLimit: 1 }));
    const [p1] = await activePods(job, 1);
    await finishPod(rig.client, p1, 'Failed');
    const [p2] = await activePods(job, 1);
    assert.notEqual(p2.metadata!.uid, p1.metadata!.uid, 'a replacement pod was created after the backoff');
    await finishPod(rig.client, p2, 'Failed');
    const failed = await waitForObject(jobs(), ns, 'boom', (j) => !!cond(j, 'Failed'), 'Failed');
    const f = cond(failed, 'Failed')!;
    assert.equal(f.reason, 'BackoffLimitExceeded');
    assert.equal(f.message, 'Job has reached the specified backoff limit');
    assert.ok(cond(failed, 'FailureTarget'));
    assert.equal(failed!.status!.failed, 2);
    assert.equal(failed!.status!.completionTime, undefined);
    await waitForObjects(rig.client.resource(resources.coreEvents), (es) => es.some((e) => e.involvedObject?.name === 'boom' && e.reason === 'BackoffLimitExceeded' && e.type === 'Warning'), 'BackoffLimitExceeded event', { namespace: ns });
  });

  test('an Indexed Job gives each pod its index (annotation, hostname) and reports completedIndexes as ranges', async () => {
    const job = await jobs().create(jobObject('idx', { completions: 4, parallelism: 4, completionMode: 'Indexed' }));
    const ps = await activePods(job, 4);
    const byIndex = new Map(ps.map((p) => [Number(p.metadata!.annotations![completionIndexAnnotation]), p]));
    assert.deepEqual([...byIndex.keys()].sort(), [0, 1, 2, 3]);
    for (const [i, p] of byIndex) {
      assert.equal(p.spec!.hostname, `idx-${i}`);
      assert.match(p.metadata!.name!, new RegExp(`^idx-${i}-`));
    }
    await Promise.all([0, 1, 3].map((i) => finishPod(rig.client, byIndex.get(i)!, 'Succeeded')));
    await waitForObject(jobs(), ns, 'idx', (j) => j?.status?.completedIndexes === '0-1,3', 'completedIndexes 0-1,3');
    // Index 2 fails once and is retried with the same index.
    await finishPod(rig.client, byIndex.get(2)!, 'Failed');
    const [retry] = await waitForObjects(pods(), (all) => all.some((p) => isActiveOf(job, p)), 'index 2 retried', { namespace: ns, labelSelector: 'batch.kubernetes.io/job-name=idx' }).then((all) => all.filter((p) => isActiveOf(job, p)));
    assert.equal(retry.metadata!.annotations![completionIndexAnnotation], '2');
    await finishPod(rig.client, retry, 'Succeeded');
    const done = await waitForObject(jobs(), ns, 'idx', (j) => !!cond(j, 'Complete'), 'Complete');
    assert.equal(done!.status!.completedIndexes, '0-3');
    assert.equal(done!.status!.succeeded, 4);
    assert.equal(done!.status!.failed, 1);
  });

  test('suspending a Job deletes its active pods and sets Suspended; resuming recreates them', async () => {
    const job = await jobs().create(jobObject('sus', { parallelism: 2, completions: 2 }));
    await activePods(job, 2);
    await jobs().patch('sus', { spec: { suspend: true } }, { namespace: ns, type: 'merge' });
    const suspended = await waitForObject(jobs(), ns, 'sus', (j) => !!cond(j, 'Suspended') && j!.status?.active === 0, 'Suspended');
    assert.equal(cond(suspended, 'Suspended')!.reason, 'JobSuspended');
    await waitForObjects(pods(), (ps) => ps.filter((p) => isActiveOf(job, p) || p.metadata?.deletionTimestamp).length === 0, 'pods gone', { namespace: ns, labelSelector: 'batch.kubernetes.io/job-name=sus' });
    await jobs().patch('sus', { spec: { suspend: false } }, { namespace: ns, type: 'merge' });
    await activePods(job, 2);
    const resumed = await waitForObject(jobs(), ns, 'sus', (j) => j?.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'False') ?? false, 'resumed');
    assert.equal(resumed!.status!.conditions!.find((c) => c.type === 'Suspended')!.reason, 'JobResumed');
  });

  test('a podFailurePolicy FailJob rule on an exit code fails the Job at once with reason PodFailurePolicy', async () => {
    const job = await jobs().create(
      jobObject('pfp', { backoffLimit: 6, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } }),
    );
    const [p] = await activePods(job, 1);
    await finishPod(rig.client, p, 'Failed', 42);
    const failed = await waitForObject(jobs(), ns, 'pfp', (j) => !!cond(j, 'Failed'), 'Failed');
    assert.equal(cond(failed, 'Failed')!.reason, 'PodFailurePolicy');
    assert.match(cond(failed, 'Failed')!.message!, /failed with exit code 42 matching FailJob rule at index 0/);
  });

  test('a podFailurePolicy Ignore rule does not count the failure against backoffLimit', async () => {
    const job = await jobs().create(jobObject('ign', { backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } }] } }));
    const [p] = await activePods(job, 1);
    await finishPod(rig.client, p, 'Failed', 7);
    const [again] = await activePods(job, 1);
    assert.notEqual(again.metadata!.uid, p.metadata!.uid);
    await finishPod(rig.client, again, 'Succeeded');
    const done = await waitForObject(jobs(), ns, 'ign', (j) => !!cond(j, 'Complete'), 'Complete');
    assert.equal(done!.status!.failed ?? 0, 0);
  });

  test('activeDeadlineSeconds fails the Job with DeadlineExceeded and deletes its running pods', async () => {
    const job = await jobs().create(jobObject('dl', { activeDeadlineSeconds: 1, parallelism: 2, completions: 2 }));
    await activePods(job, 2);
    const failed = await waitForObject(jobs(), ns, 'dl', (j) => !!cond(j, 'Failed'), 'Failed', 10_000);
    assert.equal(cond(failed, 'Failed')!.reason, 'DeadlineExceeded');
    assert.equal(failed!.status!.active ?? 0, 0);
    await waitForObjects(rig.client.resource(resources.coreEvents), (es) => es.some((e) => e.involvedObject?.name === 'dl' && e.reason === 'DeadlineExceeded'), 'DeadlineExceeded event', { namespace: ns });
  });
});
