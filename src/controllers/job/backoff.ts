// The pod-recreate backoff after failures (upstream backoff_utils.go): after n consecutive
// failures since the last success, new pods wait base·2^(n-1) from the last failure, capped.
export const defaultPodFailureBackoffMs = 10_000;
export const maxPodFailureBackoffMs = 360_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** When the last failure was seen (ms since the epoch). */
  lastFailureTime?: number;
}

/** Updates a record with newly finished pods (their finish times in ms). */
export function updateBackoffRecord(rec: BackoffRecord, succeededAt: number[], failedAt: number[]): BackoffRecord {
  const lastSuccess = succeededAt.length ? Math.max(...succeededAt) : undefined;
  const failures = failedAt.filter((t) => lastSuccess === undefined || t > lastSuccess);
  const base = lastSuccess !== undefined ? 0 : rec.failuresAfterLastSuccess;
  const lastFailureTime = failures.length ? Math.max(rec.lastFailureTime ?? 0, ...failures) : lastSuccess !== undefined ? undefined : rec.lastFailureTime;
  return { failuresAfterLastSuccess: base + failures.length, lastFailureTime };
}

/** Milliseconds still to wait before creating pods (0 = now). */
export function remainingBackoffMs(rec: BackoffRecord, now: number, baseMs = defaultPodFailureBackoffMs, maxMs = maxPodFailureBackoffMs): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  const delay = Math.min(baseMs * 2 ** (rec.failuresAfterLastSuccess - 1), maxMs);
  return Math.max(0, rec.lastFailureTime + delay - now);
}
