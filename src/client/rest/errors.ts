// A non-2xx answer from the API server as a typed error carrying the metav1.Status, and the
// predicates callers branch on (upstream's k8s.io/apimachinery/pkg/api/errors Is* helpers).
// ApiError extends the API layer's StatusError so `isStatusError` holds on both sides of a
// transport; `status` keeps the Status exactly as the server sent it (details, causes).
import type { Status } from 'kubernetes-types/meta/v1.js';
import { StatusError, type StatusReason } from '../../api/status.js';

export class ApiError extends StatusError {
  override readonly name = 'ApiError';
  constructor(
    readonly status: Status,
    /** Seconds the server asked us to wait (Retry-After), if it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(status.code ?? 500, (status.reason ?? '') as StatusReason, status.message ?? `the server returned ${status.code ?? 'an error'}`, status.details);
  }
}

/** The reason upstream infers for a bare HTTP status when the body is not a Status. */
const reasonForCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const messageForCode: Record<number, string> = {
  401: 'Unauthorized',
  403: 'forbidden',
  404: 'the server could not find the requested resource',
  409: 'the server reported a conflict',
  429: 'the server has received too many requests and has asked us to try again later',
  500: 'an error on the server has prevented the request from succeeding',
  503: 'the server is currently unable to handle the request',
  504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
};

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** Builds the error for a response: the body's Status if it is one, else one synthesized from the
 *  code and the body text (as upstream's newUnstructuredResponseError). */
export function apiErrorFromResponse(code: number, bodyText: string, retryAfter?: string): ApiError {
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (isStatus(parsed)) return new ApiError({ ...parsed, code: parsed.code || code }, retryAfterSeconds);
  } catch {
    // not JSON: fall through to a synthesized Status
  }
  const trimmed = bodyText.trim();
  const base = messageForCode[code] ?? `the server responded with the status code ${code} but did not return more information`;
  return new ApiError(
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code,
      reason: reasonForCode[code] ?? (code >= 500 ? 'InternalError' : ''),
      message: trimmed && trimmed.length < 1024 ? `${base} (${trimmed})` : base,
      details: trimmed ? { causes: [{ reason: 'UnexpectedServerResponse', message: trimmed.slice(0, 1024) }] } : undefined,
    },
    retryAfterSeconds,
  );
}

/** A Status delivered as a watch ERROR event. */
export function apiErrorFromStatus(status: Status): ApiError {
  return new ApiError({ ...status, code: status.code || 500 });
}

export function parseRetryAfter(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

function reasonAndCode(err: unknown): { reason: string; code: number } | undefined {
  if (!(err instanceof StatusError)) return undefined;
  return { reason: err.reason, code: err.code };
}

/** True when the reason matches, or when no reason was given and the code matches (as upstream). */
function is(err: unknown, reason: string, code: number): boolean {
  const rc = reasonAndCode(err);
  if (!rc) return false;
  if (rc.reason) return rc.reason === reason;
  return rc.code === code;
}

export const isNotFound = (err: unknown): boolean => is(err, 'NotFound', 404);
export const isAlreadyExists = (err: unknown): boolean => is(err, 'AlreadyExists', 409);
export const isConflict = (err: unknown): boolean => is(err, 'Conflict', 409);
export const isInvalid = (err: unknown): boolean => is(err, 'Invalid', 422);
export const isForbidden = (err: unknown): boolean => is(err, 'Forbidden', 403);
export const isUnauthorized = (err: unknown): boolean => is(err, 'Unauthorized', 401);
export const isBadRequest = (err: unknown): boolean => is(err, 'BadRequest', 400);
export const isTooManyRequests = (err: unknown): boolean => {
  const rc = reasonAndCode(err);
  return !!rc && (rc.reason === 'TooManyRequests' || rc.code === 429);
};
/** 410: the resourceVersion is no longer available (reason Gone or Expired); relist. */
export const isGone = (err: unknown): boolean => {
  const rc = reasonAndCode(err);
  return !!rc && (rc.code === 410 || rc.reason === 'Gone' || rc.reason === 'Expired');
};
/** Reason Expired specifically (a continue token or resourceVersion too old). */
export const isExpired = (err: unknown): boolean => is(err, 'Expired', 410);
