// The slow-start batch (upstream slowStartBatch): call fn `count` times in batches of 1, 2, 4, ...
// (each batch concurrently), stopping after the first batch with a failure. A controller that
// cannot create pods (quota, admission, a bad template) then makes one failing call, not a
// thousand.

/** Upstream SlowStartInitialBatchSize. */
export const slowStartInitialBatchSize = 1;

export interface SlowStartResult {
  /** How many calls succeeded. */
  successes: number;
  /** The first error of the failing batch, if one failed. Calls after that batch were never made. */
  error?: unknown;
}

export async function slowStartBatch(count: number, initialBatchSize: number, fn: (index: number) => Promise<void>): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const start = index;
    index += batch;
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, i) => fn(start + i)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length > 0) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}
