// Retrying a write that lost a race (client-go util/retry RetryOnConflict): fn runs again while it
// fails with 409 Conflict, at most `steps` times in all, with the backoff's wait between tries.
// fn reads whatever fresh state its retry needs itself (attempt > 0 says it is a retry); the last
// conflict, and any other error at once, is thrown.
import { isConflict } from './rest/errors.js';

export interface ConflictBackoff {
  /** Tries in all (client-go Backoff.Steps); Infinity for no bound. */
  steps: number;
  /** Waits before the next try (default: none). */
  wait?: () => Promise<unknown>;
}

export async function retryOnConflict<T>(backoff: ConflictBackoff, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isConflict(err) || attempt + 1 >= backoff.steps) throw err;
    }
    await backoff.wait?.();
  }
}
