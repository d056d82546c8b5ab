// Shapes shared by the recorder, the correlator and the sinks.
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Metadata } from '../../api/object.js';

/** A core/v1 Event whose metadata this package fills in. */
export type CoreEvent = Omit<Event, 'metadata'> & { metadata: Metadata };

export type EventType = 'Normal' | 'Warning';

export type { ObjectReference };

/**
 * Where events are written: the API server's core/v1 events (see rest-event-sink.ts), or a fake.
 * Errors that carry a numeric `code` (an HTTP status, as StatusError/ApiError do) mean the server
 * answered and the write is not retried; any other error is treated as a transport failure and
 * retried, as upstream does.
 */
export interface EventSink {
  create(event: CoreEvent): Promise<CoreEvent>;
  /** A strategic merge patch of event (by its namespace and name). */
  patch(event: CoreEvent, patch: Record<string, unknown>): Promise<CoreEvent>;
}

/** The HTTP status a sink error carries, if the server answered. */
export function errorCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}
