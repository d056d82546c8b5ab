// metav1.Status errors, as the API server returns them. Every failure a handler can produce is
// one of these constructors, so the code, reason and message shape match upstream
// (k8s.io/apimachinery/pkg/api/errors).
import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable'
  // StatusReasonUnknown: what upstream answers for an error that is not a Status (reason omitted).
  | '';

export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** An error that the API server answers with as a metav1.Status. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
  }

  toStatus(): Status & { kind: 'Status'; apiVersion: 'v1' } {
    const status: Status & { kind: 'Status'; apiVersion: 'v1' } = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);

export const notFound = (gr: GroupResource, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });

export const alreadyExists = (gr: GroupResource, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });

/** The optimistic-concurrency conflict message upstream uses. */
export const staleResourceVersion = (gr: GroupResource, name: string) =>
  conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again');

export const gone = (message: string) => new StatusError(410, 'Gone', message);

/** 410 for a resourceVersion older than retained history ("too old resource version"). */
export const expired = (message: string) => new StatusError(410, 'Expired', message);

export const methodNotAllowed = (verb: string, gr: GroupResource) =>
  new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {
    group: gr.group || undefined,
    kind: gr.resource,
    causes: [{ message: `${verb} is not supported` }],
  });

export const notAcceptable = (message: string) => new StatusError(406, 'NotAcceptable', message);

export const tooLarge = (message: string) => new StatusError(413, 'RequestEntityTooLarge', message);

export const unsupportedMediaType = (contentType: string) =>
  new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`, {
    causes: [{ message: `unsupported content type ${JSON.stringify(contentType)}` }],
  });

export const forbidden = (message: string) => new StatusError(403, 'Forbidden', message);

export const unauthorized = (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message);

export const internalError = (message: string) =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export const timeout = (message: string) => new StatusError(504, 'Timeout', message);

export const tooManyRequests = (message: string) => new StatusError(429, 'TooManyRequests', message);

export const serviceUnavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);

/** One validation failure, as upstream's field.Error. */
export interface FieldError {
  /** FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueTooMany, FieldValueTypeInvalid, FieldValueNotFound */
  type: string;
  /** Path as upstream prints it: metadata.name, spec.containers[0].image, metadata.labels[app]. */
  field: string;
  /** The human message, without the field prefix. */
  detail: string;
  /** The offending value, if any (quoted in the message as upstream does). */
  value?: unknown;
}

const typeWords: Record<string, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
};

/** Renders one field error the way upstream's field.Error.Error() does. */
export function fieldErrorMessage(e: FieldError): string {
  const word = typeWords[e.type] ?? 'Invalid value';
  const hasValue = e.value !== undefined && (e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' || e.type === 'FieldValueDuplicate' || e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueNotFound' || e.type === 'FieldValueTooMany');
  const value = hasValue ? `: ${typeof e.value === 'string' ? JSON.stringify(e.value) : JSON.stringify(e.value)}` : '';
  return `${e.field}: ${word}${value}${e.detail ? `: ${e.detail}` : ''}`;
}

/** 422 Invalid, with one cause per field error, exactly as upstream's NewInvalid. */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const causes: StatusCause[] = errors.map((e) => ({
    reason: e.type,
    message: fieldErrorMessage(e).slice(e.field.length + 2),
    field: e.field,
  }));
  const list = errors.map(fieldErrorMessage);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

/** utilerrors.Aggregate's Error(): one message as is, several de-duplicated as "[a, b]". */
export function aggregateText(messages: readonly string[]): string {
  if (messages.length === 1) return messages[0];
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}
