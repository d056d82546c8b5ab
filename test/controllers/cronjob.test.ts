// The CronJob controller against the real API server, on a fake clock: a schedule fires without
// waiting a minute; concurrency policies, history cleanup, status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { startControllers, waitForObject, waitForObjects, type ControllerRig } from '../helpers/controllers.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { FakeClock } from '../../src/client/clock.js';
import type { ControllerDescriptor } from '../../src/controllers/context.js';
import { newCronJobController, scheduledTimestampAnnotation } from '../../src/controllers/cronjob/index.js';
import type { KubeObject } from '../../src/api/object.js';
import { isConflict } from '../../src/client/rest/errors.js';

let rig: ControllerRig;
let clock: FakeClock;
before(async () => {
  clock = new FakeClock(Date.now());
  const cron: ControllerDescriptor = { name: 'cronjob', create: (ctx) => newCronJobController(ctx, { clock }) };
  rig = await startControllers([cron]);
});
after(async () => {
  await rig?.close();
});

const ns = 'default';
const cjs = () => rig.client.resource(resources.cronJobs);
const jobs = () => rig.client.resource(resources.jobs);
type JobObj = Job & KubeObject;

function cronJob(name: string, spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJob & KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    spec: {
      schedule: '* * * * *',
      timeZone: 'Etc/UTC',
      jobTemplate: { metadata: { labels: { cron: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

const jobsOf = (name: string, n: number, pred: (js: JobObj[]) => boolean = () => true) =>
  waitForObjects(jobs(), (js) => js.filter((j) => !j.metadata?.deletionTimestamp).length === n && pred(js), `${n} jobs of ${name}`, { namespace: ns, labelSelector: `cron=${name}` }).then((js) => js.filter((j) => !j.metadata?.deletionTimestamp));

/** Plays the Job controller: marks a Job complete or failed. */
async function finishJob(job: JobObj, type: 'Complete' | 'Failed'): Promise<void> {
  for (let cur = job; ; ) {
    const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const pre = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
    const reason = type === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded';
    const next: JobObj = {
      ...cur,
      status: {
        startTime: t,
        ...(type === 'Complete' ? { completionTime: t, succeeded: 1 } : { failed: 1 }),
        conditions: [
          { type: pre, status: 'True', reason, message: 'x', lastTransitionTime: t, lastProbeTime: t },
          { type, status: 'True', reason, message: 'x', lastTransitionTime: t, lastProbeTime: t },
        ],
      },
    };
    try {
      await jobs().updateStatus(next);
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      cur = await jobs().get(job.metadata!.name!, { namespace: ns });
    }
  }
}

/** Moves the fake clock to the next minute boundary (plus a little), firing due schedules. */
async function nextMinute(): Promise<number> {
  const target = (Math.floor(clock.now() / 60_000) + 1) * 60_000 + 1_000;
  await clock.advance(target - clock.now());
  return Math.floor(target / 60_000) * 60_000;
}

describe('cronjob controller', () => {
  test('at a schedule time it creates a Job named after the minute, with the scheduled-timestamp annotation, and records it in status', async () => {
    await cjs().create(cronJob('every'));
    const minute = await nextMinute();
    const [job] = await jobsOf('every', 1);
    assert.equal(job.metadata!.name, `every-${minute / 60_000}`);
    assert.equal(job.metadata!.annotations![scheduledTimestampAnnotation], new Date(minute).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const cj = await waitForObject(cjs(), ns, 'every', (c) => c?.status?.active?.length === 1 && !!c.status.lastScheduleTime, 'active 1');
    assert.equal(cj!.status!.active![0].name, job.metadata!.name);
    await finishJob(job, 'Complete');
    const after = await waitForObject(cjs(), ns, 'every', (c) => !c?.status?.active?.length && !!c?.status?.lastSuccessfulTime, 'job seen completed');
    assert.ok(after!.status!.lastSuccessfulTime);
    await waitForObjects(rig.client.resource(resources.coreEvents), (es) => es.some((e) => e.involvedObject?.name === 'every' && e.reason === 'SawCompletedJob'), 'SawCompletedJob', { namespace: ns });
    await cjs().patch('every', { spec: { suspend: true } }, { namespace: ns, type: 'merge' });
  });

  test('concurrencyPolicy Forbid skips a run while the previous Job is active', async () => {
    await cjs().create(cronJob('forbid', { concurrencyPolicy: 'Forbid' }));
    await nextMinute();
    await jobsOf('forbid', 1);
    await nextMinute();
    await waitForObjects(rig.client.resource(resources.coreEvents), (es) => es.some((e) => e.involvedObject?.name === 'forbid' && e.reason === 'JobAlreadyActive'), 'JobAlreadyActive', { namespace: ns });
    assert.equal((await jobsOf('forbid', 1)).length, 1);
    await cjs().patch('forbid', { spec: { suspend: true } }, { namespace: ns, type: 'merge' });
  });

  test('concurrencyPolicy Replace deletes the running Job and starts the new one', async () => {
    await cjs().create(cronJob('replace', { concurrencyPolicy: 'Replace' }));
    await nextMinute();
    const [first] = await jobsOf('replace', 1);
    const minute = await nextMinute();
    const [second] = await jobsOf('replace', 1, (js) => js.some((j) => j.metadata?.name === `replace-${minute / 60_000}`));
    assert.notEqual(second.metadata!.name, first.metadata!.name);
    await cjs().patch('replace', { spec: { suspend: true } }, { namespace: ns, type: 'merge' });
  });

  test('concurrencyPolicy Allow runs Jobs side by side, and finished Jobs beyond the history limits are deleted', async () => {
    await cjs().create(cronJob('allow', { concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }));
    // The fake clock may already be past the creation minute: wait for a first Job, then one more.
    await nextMinute();
    await waitForObjects(jobs(), (js) => js.length >= 1, 'a first job', { namespace: ns, labelSelector: 'cron=allow' });
    let m = await nextMinute();
    const two = await waitForObjects(jobs(), (js) => js.some((j) => j.metadata?.name === `allow-${m / 60_000}`) && js.length >= 2, 'two jobs side by side', { namespace: ns, labelSelector: 'cron=allow' });
    for (const j of two) await finishJob(j, 'Complete');
    const left = await jobsOf('allow', 1);
    assert.equal(left[0].metadata!.name, `allow-${m / 60_000}`, 'the newest successful Job is kept');
    m = await nextMinute();
    const withNew = await jobsOf('allow', 2);
    const newest = withNew.find((j) => j.metadata!.name === `allow-${m / 60_000}`)!;
    await finishJob(newest, 'Failed');
    // failedJobsHistoryLimit 0: the failed Job goes at once; one successful one stays.
    const final = await jobsOf('allow', 1);
    assert.equal(final[0].metadata!.name, left[0].metadata!.name);
    await cjs().patch('allow', { spec: { suspend: true } }, { namespace: ns, type: 'merge' });
  });
});
