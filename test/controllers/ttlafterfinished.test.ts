// The TTL-after-finished controller against the real API server, on a fake clock: a finished Job
// is deleted ttlSecondsAfterFinished after its Complete/Failed condition, not before; the
// deletion cascades in the foreground (the garbage collector runs too and removes its pods).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { isJobFinished, jobFinishTime, needsCleanup, timeLeft, ttlAfterFinishedControllerWith } from '../../src/controllers/ttlafterfinished/index.js';
import { garbageCollectorControllerWith } from '../../src/controllers/garbagecollector/index.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { FakeClock, type Clock } from '../../src/client/clock.js';

const t0 = Date.parse('2030-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function finished(type: 'Complete' | 'Failed', at: number, ttl: number | undefined): Job {
  return { spec: { ttlSecondsAfterFinished: ttl, template: {} }, status: { conditions: [{ type, status: 'True', lastTransitionTime: iso(at) }] } } as Job;
}

describe('TTL arithmetic (pure)', () => {
  const cases: Array<{ name: string; job: Job; cleanup: boolean; remaining?: number }> = [
    { name: 'a complete Job with a TTL expires TTL seconds after its condition', job: finished('Complete', t0, 60), cleanup: true, remaining: 50_000 },
    { name: 'a failed Job with TTL 0 has expired as soon as it finished', job: finished('Failed', t0, 0), cleanup: true, remaining: -10_000 },
    { name: 'a finished Job without a TTL is never cleaned up', job: finished('Complete', t0, undefined), cleanup: false },
    { name: 'a running Job with a TTL is not cleaned up', job: { spec: { ttlSecondsAfterFinished: 5, template: {} }, status: { active: 1 } } as Job, cleanup: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(needsCleanup(c.job), c.cleanup);
      if (c.remaining !== undefined) assert.equal(timeLeft(c.job, t0 + 10_000).remainingMs, c.remaining);
    });
  }

  test('the finish time falls back to status.completionTime when the condition has no time', () => {
    const job = { spec: { ttlSecondsAfterFinished: 1, template: {} }, status: { completionTime: iso(t0), conditions: [{ type: 'Complete', status: 'True' }] } } as Job;
    assert.ok(isJobFinished(job));
    assert.equal(jobFinishTime(job), t0);
  });
});

describe('TTL-after-finished controller', () => {
  const fake = new FakeClock(t0 + 10_000);
  // Resolves when the controller schedules a long wait (the TTL), so the test never polls.
  let onLongTimer: ((ms: number) => void) | undefined;
  const clock: Clock = {
    now: () => fake.now(),
    monotonic: () => fake.monotonic(),
    setTimeout(fn, ms) {
      const h = fake.setTimeout(fn, ms);
      if (ms >= 10_000) onLongTimer?.(ms);
      return h;
    },
  };
  let rig: ControllerRig;
  before(async () => {
    rig = await startControllers([ttlAfterFinishedControllerWith({ clock }), garbageCollectorControllerWith({ workers: 2 })]);
  });
  after(async () => {
    await rig?.close();
  });
  const jobs = () => rig.client.resource(resources.jobs);

  async function job(name: string, ttl: number, finishedAt: number): Promise<Job> {
    const labels = { job: name };
    const created = await jobs().create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'default' },
      spec: { ttlSecondsAfterFinished: ttl, template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    await rig.client.resource(resources.pods).create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-pod`, namespace: 'default', labels, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: created.metadata!.uid!, controller: true, blockOwnerDeletion: true }] },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
    });
    return jobs().updateStatus({
      ...created,
      status: {
        startTime: iso(finishedAt - 5000),
        completionTime: iso(finishedAt),
        succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: iso(finishedAt) },
          { type: 'Complete', status: 'True', lastTransitionTime: iso(finishedAt) },
        ],
      },
    });
  }

  test('a Job whose TTL ran out long ago is deleted at once, and its pod with it', async () => {
    await job('expired', 60, t0 - 3_600_000);
    await waitForObject(jobs(), 'default', 'expired', (o) => o === undefined, 'the expired Job to be deleted');
    await waitForObject(rig.client.resource(resources.pods), 'default', 'expired-pod', (o) => o === undefined, 'its pod to be deleted');
  });

  test('a Job is kept until its TTL runs out on the clock, then deleted with foreground propagation', async () => {
    const scheduled = new Promise<number>((resolve) => (onLongTimer = resolve));
    await job('later', 60, t0);
    // Finished at t0, TTL 60 s, now t0+10 s: the controller waits 50 s.
    assert.equal(await scheduled, 50_000);
    assert.equal((await jobs().get('later', { namespace: 'default' })).metadata?.deletionTimestamp, undefined);
    const seen = waitForObjects(jobs(), (js) => js.some((j) => j.metadata?.name === 'later' && j.metadata.finalizers?.includes('foregroundDeletion')) || !js.some((j) => j.metadata?.name === 'later'), 'the Job to be deleted in the foreground', { namespace: 'default' });
    fake.step(50_000);
    await seen;
    await waitForObject(jobs(), 'default', 'later', (o) => o === undefined, 'the Job to be gone');
    await waitForObject(rig.client.resource(resources.pods), 'default', 'later-pod', (o) => o === undefined, 'its pod to be gone');
  });
});
