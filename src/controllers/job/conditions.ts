// Job conditions (upstream batch types and job_controller.go): constants and the helpers that
// add or flip a condition the way upstream does (lastTransitionTime changes only on a status flip).
import type { Job, JobCondition } from 'kubernetes-types/batch/v1.js';

export const reasonBackoffLimitExceeded = 'BackoffLimitExceeded';
export const reasonDeadlineExceeded = 'DeadlineExceeded';
export const reasonPodFailurePolicy = 'PodFailurePolicy';
export const reasonCompletionsReached = 'CompletionsReached';
export const messageBackoffLimitExceeded = 'Job has reached the specified backoff limit';
export const messageDeadlineExceeded = 'Job was active longer than specified deadline';
export const messageCompletionsReached = 'Reached expected number of succeeded pods';

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(job: Job, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete or Failed is True: the Job is done and its controller leaves it alone. */
export function isJobFinished(job: Job): boolean {
  return isConditionTrue(job, 'Complete') || isConditionTrue(job, 'Failed');
}

/**
 * Sets condition `type` in `conds` (mutating). Returns true when something changed. A condition
 * with the same status keeps its lastTransitionTime but takes the new reason and message.
 */
export function setCondition(conds: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string, now: string): boolean {
  const cur = conds.find((c) => c.type === type);
  if (!cur) {
    conds.push({ type, status, reason, message, lastProbeTime: now, lastTransitionTime: now });
    return true;
  }
  if (cur.status === status && cur.reason === reason && cur.message === message) return false;
  if (cur.status !== status) cur.lastTransitionTime = now;
  cur.status = status;
  cur.reason = reason;
  cur.message = message;
  cur.lastProbeTime = now;
  return true;
}
