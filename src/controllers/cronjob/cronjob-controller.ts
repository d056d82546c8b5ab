// The CronJob controller (upstream pkg/controller/cronjob, the v2 controller): creates a Job per
// schedule time named `<cronjob>-<minutes since epoch>`, honouring suspend,
// startingDeadlineSeconds and concurrencyPolicy; keeps status.active / lastScheduleTime /
// lastSuccessfulTime; deletes finished Jobs beyond the history limits. Level-triggered: each sync
// requeues the key for the next schedule time.
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isAlreadyExists, isNotFound } from '../../client/rest/errors.js';
import { isDeletedFinalStateUnknown } from '../../client/cache/index.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { realClock, type Clock } from '../../client/clock.js';
import type { Controller, ControllerContext } from '../context.js';
import { controllerUIDIndex, controllerUIDIndexFunc, getControllerOf, newControllerRef, objectKey } from '../util/index.js';
import { findCondition, isJobFinished } from '../job/conditions.js';
import { sameStatus } from '../job/job-controller.js';
import { formatInZone, missedSchedules, parseSchedule } from './schedule.js';

export const cronJobKind = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

type CronJobObj = CronJob & KubeObject;
type JobObj = Job & KubeObject;

export interface CronJobControllerOptions {
  workers?: number;
  /** Drives schedule evaluation and requeue delays (tests fire schedules with a FakeClock). */
  clock?: Clock;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Upstream getJobName: the scheduled time in minutes since the epoch. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

function jobRef(job: JobObj): ObjectReference {
  return { kind: 'Job', namespace: job.metadata?.namespace, name: job.metadata?.name, uid: job.metadata?.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata?.resourceVersion };
}

function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  if (findCondition(job, 'Complete')?.status === 'True') return 'Complete';
  if (findCondition(job, 'Failed')?.status === 'True') return 'Failed';
  return undefined;
}

export function newCronJobController(ctx: ControllerContext, opts: CronJobControllerOptions = {}): Controller {
  const clock = opts.clock ?? realClock;
  const cjInformer = ctx.informers.for(resources.cronJobs);
  const jobInformer = ctx.informers.for(resources.jobs, { indexers: { [controllerUIDIndex]: controllerUIDIndexFunc } });
  const cjIndexer = cjInformer.getIndexer();
  const jobIndexer = jobInformer.getIndexer();
  const queue = newRateLimitingQueue<string>({ name: 'cronjob', clock });
  const log = ctx.log.child({ controller: 'cronjob' });
  const recorder = ctx.recorder('cronjob-controller');
  const cjClient = ctx.client.resource(resources.cronJobs);
  const jobClient = ctx.client.resource(resources.jobs);

  cjInformer.addEventHandler({
    onAdd: (cj) => queue.add(objectKey(cj)),
    onUpdate: (_o, cj) => queue.add(objectKey(cj)),
    onDelete: (obj) => {
      const key = isDeletedFinalStateUnknown(obj) ? obj.key : obj && objectKey(obj);
      if (key) queue.forget(key);
    },
  });
  const jobChanged = (job: JobObj) => {
    const ref = getControllerOf(job);
    if (ref?.kind !== cronJobKind.kind) return;
    const cj = cjIndexer.getByKey(`${job.metadata?.namespace}/${ref.name}`);
    if (cj?.metadata?.uid === ref.uid) queue.add(objectKey(cj));
  };
  jobInformer.addEventHandler({
    onAdd: jobChanged,
    onUpdate: (_o, j) => jobChanged(j),
    onDelete: (obj) => {
      const j = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (j) jobChanged(j);
    },
  });

  async function deleteJob(cj: CronJobObj, job: JobObj): Promise<boolean> {
    try {
      await jobClient.delete(job.metadata!.name!, { namespace: job.metadata?.namespace, propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) {
        recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${String(err)}`);
        return false;
      }
    }
    recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name ?? ''}`);
    return true;
  }

  /** Deletes the oldest finished Jobs beyond successful/failedJobsHistoryLimit. */
  async function cleanupHistory(cj: CronJobObj, jobs: JobObj[]): Promise<void> {
    const byStart = (a: JobObj, b: JobObj) => Date.parse(a.status?.startTime ?? a.metadata?.creationTimestamp ?? '') - Date.parse(b.status?.startTime ?? b.metadata?.creationTimestamp ?? '');
    for (const [type, limit] of [
      ['Complete', cj.spec?.successfulJobsHistoryLimit],
      ['Failed', cj.spec?.failedJobsHistoryLimit],
    ] as const) {
      if (limit === undefined || limit === null) continue;
      const finished = jobs.filter((j) => finishedType(j) === type && !j.metadata?.deletionTimestamp).sort(byStart);
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) await deleteJob(cj, j);
    }
  }

  async function sync(key: string): Promise<void> {
    const cached = cjIndexer.getByKey(key);
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const cj: CronJobObj = { ...structuredClone(cached), ...cronJobKind };
    const now = clock.now();
    const status = structuredClone(cj.status ?? {});
    const jobs = jobIndexer.byIndex(controllerUIDIndex, cj.metadata!.uid!).filter((j) => j.metadata?.namespace === cj.metadata?.namespace);
    const byUid = new Map(jobs.map((j) => [j.metadata?.uid, j]));

    // status.active: drop Jobs that finished (SawCompletedJob) or vanished; add running children.
    let active = (status.active ?? []).filter((ref) => {
      const j = byUid.get(ref.uid);
      if (!j) {
        // Not in the cache: it may just not have arrived yet; keep it only if the server has it.
        return false;
      }
      const done = finishedType(j);
      if (done) {
        recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, condition: ${done}`);
        return false;
      }
      return true;
    });
    for (const j of jobs) {
      if (!isJobFinished(j) && !active.some((r) => r.uid === j.metadata?.uid)) active.push(jobRef(j));
      const done = findCondition(j, 'Complete');
      if (done?.status === 'True' && j.status?.completionTime) {
        if (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime)) status.lastSuccessfulTime = j.status.completionTime;
      }
    }

    await cleanupHistory(cj, jobs);

    let nextAt: number | undefined;
    const spec = cj.spec!;
    if (!spec.suspend) {
      let parsed;
      try {
        parsed = parseSchedule(spec.schedule, spec.timeZone ?? undefined);
      } catch (err) {
        recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${spec.schedule} : ${String(err)}`);
        return;
      }
      const created = Date.parse(cj.metadata?.creationTimestamp ?? '') || now;
      let earliest = status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : created;
      if (spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null) earliest = Math.max(earliest, now - spec.startingDeadlineSeconds * 1000);
      const m = missedSchedules(parsed.schedule, earliest, now, parsed.tz);
      nextAt = m.next;
      if (m.missed > 100) {
        recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${m.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
      }
      const scheduled = m.mostRecent;
      const name = scheduled !== undefined ? jobNameFor(cj.metadata!.name!, scheduled) : '';
      const tooLate = scheduled !== undefined && spec.startingDeadlineSeconds !== undefined && spec.startingDeadlineSeconds !== null && scheduled + spec.startingDeadlineSeconds * 1000 < now;
      if (scheduled === undefined) {
        // Nothing due.
      } else if (tooLate) {
        recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatInZone(scheduled, parsed.tz)}`);
      } else if (jobs.some((j) => j.metadata?.name === name)) {
        // Already started for this time (status may lag behind our own create).
        status.lastScheduleTime ??= rfc3339(scheduled);
      } else if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
        recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      } else {
        if (spec.concurrencyPolicy === 'Replace') {
          const keep: ObjectReference[] = [];
          for (const ref of active) {
            const j = byUid.get(ref.uid);
            if (j && !(await deleteJob(cj, j))) keep.push(ref);
          }
          active = keep;
        }
        const job = jobFromTemplate(cj, name, scheduled, parsed.tz);
        try {
          const createdJob = await jobClient.create(job, { namespace: cj.metadata?.namespace });
          recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${createdJob.metadata?.name ?? ''}`);
          active.push(jobRef(createdJob));
        } catch (err) {
          if (!isAlreadyExists(err)) {
            recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${String(err)}`);
            throw err;
          }
        }
        status.lastScheduleTime = rfc3339(scheduled);
      }
    }

    status.active = active.length ? active : undefined;
    if (!sameStatus(status, cj.status ?? {})) {
      try {
        await cjClient.updateStatus({ ...cached, status });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    if (nextAt !== undefined) queue.addAfter(key, Math.max(1, nextAt - now + 100));
  }

  return {
    name: 'cronjob',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log }),
  };
}

/** Upstream getJobFromTemplate2: the Job for one schedule time. */
function jobFromTemplate(cj: CronJobObj, name: string, scheduled: number, tz: string): JobObj {
  const tmpl = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata?.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [scheduledTimestampAnnotation]: formatInZone(scheduled, tz) },
      ownerReferences: [newControllerRef(cj, cronJobKind)],
    },
    spec: structuredClone(tmpl.spec ?? { template: { spec: { containers: [] } } }),
  };
}
