// When a finished Job expires (upstream ttlafterfinished: needsCleanup, jobFinishTime, timeLeft).
import type { Job } from 'kubernetes-types/batch/v1.js';

/** A Complete or Failed condition with status True (upstream jobutil.IsJobFinished). */
export function isJobFinished(job: Job): boolean {
  return job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') ?? false;
}

/** Has a TTL and has finished. */
export function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished !== undefined && job.spec.ttlSecondsAfterFinished !== null && isJobFinished(job);
}

/**
 * When the Job finished: its Complete/Failed condition's lastTransitionTime (as upstream),
 * else status.completionTime. Throws if neither says.
 */
export function jobFinishTime(job: Job): number {
  const cond = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const at = Date.parse(cond?.lastTransitionTime ?? '') || Date.parse(job.status?.completionTime ?? '');
  if (!at) throw new Error(`unable to find the time when the Job ${job.metadata?.namespace}/${job.metadata?.name} finished`);
  return at;
}

/** Milliseconds until the Job expires (<= 0: expired) and the expiry time, at `now`. */
export function timeLeft(job: Job, now: number): { remainingMs: number; expireAt: number; finishAt: number } {
  const finishAt = jobFinishTime(job);
  const expireAt = finishAt + (job.spec!.ttlSecondsAfterFinished ?? 0) * 1000;
  return { remainingMs: expireAt - now, expireAt, finishAt };
}
