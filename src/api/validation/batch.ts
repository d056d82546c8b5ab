// batch/v1 validation (pkg/apis/batch/validation): Job and CronJob.
import { asObject, asString, child, deepEqual, immutable, invalid, nonNegative, notSupported, required, type Errors } from './field.js';
import { CronParseError, isKnownTimeZone, parseCronSchedule } from './cron.js';
import { validatePodTemplateSpec } from './pod.js';
import { selectorMatches, validateLabelSelector } from './selector.js';

type Obj = Record<string, unknown>;

const maxParallelismForIndexedJob = 100000;

/** validateJobSpec: the rules shared by Jobs and CronJobs' job templates. */
export function validateJobSpec(spec: unknown, field: string): Errors {
  const s = asObject(spec);
  const errs: Errors = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) errs.push(...nonNegative(s[k], child(field, k)));
  const mode = s.completionMode;
  if (mode !== undefined && mode !== null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(child(field, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (s.completions === undefined || s.completions === null) errs.push(required(child(field, 'completions'), 'when completion mode is Indexed'));
      if (typeof s.parallelism === 'number' && s.parallelism > maxParallelismForIndexedJob) {
        errs.push(invalid(child(field, 'parallelism'), s.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
    }
  }
  const prp = s.podReplacementPolicy;
  if (prp !== undefined && prp !== null) {
    if (s.podFailurePolicy) {
      if (prp !== 'Failed') errs.push(notSupported(child(field, 'podReplacementPolicy'), prp, ['Failed']));
    } else if (prp !== 'TerminatingOrFailed' && prp !== 'Failed') {
      errs.push(notSupported(child(field, 'podReplacementPolicy'), prp, ['Failed', 'TerminatingOrFailed']));
    }
  }
  errs.push(...validatePodTemplateSpec(s.template, child(field, 'template')));
  const restart = asString(asObject(asObject(s.template).spec).restartPolicy);
  const restartPath = child(field, 'template', 'spec', 'restartPolicy');
  // An unset policy was defaulted to Always, which a Job cannot use.
  if (restart === 'Always' || restart === '') errs.push(required(restartPath, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(notSupported(restartPath, restart, ['OnFailure', 'Never']));
  else if (s.podFailurePolicy && restart !== 'Never') errs.push(invalid(restartPath, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** ValidateJob: the spec plus the selector that PrepareForCreate generated (or the user set with
 *  manualSelector) matching the template. */
export function validateJob(job: Obj): Errors {
  const spec = asObject(job.spec);
  const errs: Errors = [];
  if (spec.selector === undefined || spec.selector === null) {
    errs.push(required('spec.selector', ''));
  } else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    const labels = asObject(asObject(asObject(spec.template).metadata).labels) as Record<string, string>;
    if (!selectorMatches(spec.selector, labels)) {
      errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validateJobSpec(job.spec, 'spec'));
  return errs;
}

/** A Job's spec is immutable except for the fields upstream lets controllers and users scale. */
export function validateJobSpecUpdate(job: Obj, old: Obj): Errors {
  const s = asObject(job.spec);
  const o = asObject(old.spec);
  const errs: Errors = [];
  errs.push(...immutable(s.selector, o.selector, 'spec.selector'));
  // Elastic Indexed Jobs may change completions, in step with parallelism.
  if (s.completionMode === 'Indexed') {
    if (!deepEqual(s.completions, o.completions) && typeof s.completions === 'number' && s.completions !== s.parallelism) {
      errs.push(invalid('spec.completions', s.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  } else {
    errs.push(...immutable(s.completions, o.completions, 'spec.completions'));
  }
  errs.push(...immutable(s.completionMode, o.completionMode, 'spec.completionMode'));
  errs.push(...immutable(s.podFailurePolicy, o.podFailurePolicy, 'spec.podFailurePolicy'));
  errs.push(...immutable(s.backoffLimitPerIndex, o.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'));
  // The template may change only while the Job is suspended (to let queues set node affinity and
  // the like); outside that it is immutable.
  if (!(o.suspend === true) && !deepEqual(s.template, o.template)) errs.push(invalid('spec.template', s.template, 'field is immutable'));
  return errs;
}

export function validateCronJobSpec(spec: unknown, oldSpec: unknown, field = 'spec'): Errors {
  const s = asObject(spec);
  const o = oldSpec === undefined ? undefined : asObject(oldSpec);
  const errs: Errors = [];
  const schedule = asString(s.schedule);
  if (!schedule) {
    errs.push(required(child(field, 'schedule'), ''));
  } else {
    try {
      parseCronSchedule(schedule);
    } catch (e) {
      if (!(e instanceof CronParseError)) throw e;
      errs.push(invalid(child(field, 'schedule'), schedule, e.message));
    }
    const allowTZ = o !== undefined && asString(o.schedule).includes('TZ');
    if (allowTZ && schedule.includes('TZ') && s.timeZone !== undefined && s.timeZone !== null) {
      errs.push(invalid(child(field, 'schedule'), schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(invalid(child(field, 'schedule'), schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errs.push(...nonNegative(s.startingDeadlineSeconds, child(field, 'startingDeadlineSeconds')));
  if (typeof s.timeZone === 'string' && (o === undefined || o.timeZone !== s.timeZone)) {
    const tz = s.timeZone;
    if (tz.length === 0 || !isKnownTimeZone(tz) || tz === 'Local') errs.push(invalid(child(field, 'timeZone'), tz, 'unknown time zone ' + tz));
    else if (!/^[A-Za-z0-9_+\-/]+$/.test(tz)) errs.push(invalid(child(field, 'timeZone'), tz, 'unknown time zone ' + tz));
  }
  const cp = asString(s.concurrencyPolicy);
  if (!cp) errs.push(required(child(field, 'concurrencyPolicy'), ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(notSupported(child(field, 'concurrencyPolicy'), cp, ['Allow', 'Forbid', 'Replace']));
  const jt = asObject(s.jobTemplate);
  const jtPath = child(field, 'jobTemplate');
  errs.push(...validateJobSpec(jt.spec, child(jtPath, 'spec')));
  const jtSpec = asObject(jt.spec);
  if (jtSpec.selector !== undefined && jtSpec.selector !== null) errs.push(invalid(child(jtPath, 'spec', 'selector'), jtSpec.selector, '`selector` will be auto-generated'));
  if (jtSpec.manualSelector === true) errs.push(notSupported(child(jtPath, 'spec', 'manualSelector'), true, ['nil', 'false']));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, child(field, 'successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, child(field, 'failedJobsHistoryLimit')));
  return errs;
}

/** CronJob names leave room for the 11-character suffix of the Jobs they create. */
export function validateCronJobName(name: string | undefined): Errors {
  return (name ?? '').length > 52 ? [invalid('metadata.name', name, 'must be no more than 52 characters')] : [];
}
