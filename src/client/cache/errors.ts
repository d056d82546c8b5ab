// Classifying the errors a ListerWatcher throws. The client library's Status errors, a Status
// delivered as a watch ERROR event and plain network errors all come through here, so the
// reflector decides "relist" versus "back off and retry" in one place.
import type { Status } from 'kubernetes-types/meta/v1.js';

/** A metav1.Status that arrived as a watch ERROR event (or from a list), as an Error. */
export class WatchStatusError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(readonly status: Status) {
    super(status.message ?? `watch error: ${status.reason ?? 'unknown'} (${status.code ?? 0})`);
    this.name = 'WatchStatusError';
    this.code = status.code ?? 500;
    this.reason = status.reason ?? '';
  }
}

/** The HTTP status code an error carries, if any (`code`, `statusCode` or `status.code`). */
export function errorCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; status?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.status === 'number') return e.status;
  if (typeof e.status === 'object' && e.status !== null && typeof (e.status as { code?: unknown }).code === 'number') {
    return (e.status as { code: number }).code;
  }
  return undefined;
}

/**
 * 410 Gone / Expired: the resourceVersion asked for is no longer in the server's history (watch
 * window or compacted storage). The only way forward is a fresh list.
 */
export function isGone(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const flag = (err as { isGone?: unknown }).isGone;
  if (flag === true) return true;
  if (typeof flag === 'function') {
    try {
      if ((flag as () => unknown).call(err) === true) return true;
    } catch {
      // A broken predicate is no answer; fall back to the code.
    }
  }
  const reason = (err as { reason?: unknown }).reason;
  return errorCode(err) === 410 || reason === 'Gone' || reason === 'Expired';
}

/** 504 "Too large resource version": the server has not caught up with the RV we ask for yet. */
export function isTooLargeResourceVersion(err: unknown): boolean {
  const causes = (err as { details?: Status['details'] } | null)?.details?.causes;
  return errorCode(err) === 504 && (causes?.some((c) => c.reason === 'ResourceVersionTooLarge') ?? /too large resource version/i.test(String((err as Error)?.message)));
}

/** 400/403/404/405-like answers to a WatchList request mean "this server cannot do it": use list. */
export function isUnsupported(err: unknown): boolean {
  const code = errorCode(err);
  return code === 400 || code === 404 || code === 405 || code === 415 || code === 501;
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
