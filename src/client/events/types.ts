// Shapes shared by the events.k8s.io/v1 recorder, broadcaster and sinks.
import type { Event } from 'kubernetes-types/events/v1.js';
import type { Metadata } from '../../api/object.js';

/** An events.k8s.io/v1 Event whose metadata this package fills in. */
export type EventsV1Event = Omit<Event, 'metadata'> & { metadata: Metadata };

/**
 * Where events.k8s.io/v1 Events are written: the API server (rest-event-sink.ts) or a fake.
 * Errors that carry a numeric `code` (an HTTP status) mean the server answered; any other error
 * is a transport failure and is retried.
 */
export interface EventSink {
  /**
   * Creates event. The created object is returned only when `returnCreated` is set: recording a
   * new event never reads it (upstream's attemptRecording drops it too), so a sink may skip
   * decoding the server's answer.
   */
  create(event: EventsV1Event, returnCreated?: boolean): Promise<EventsV1Event | undefined>;
  /** A strategic merge patch of event (by its namespace and name). */
  patch(event: EventsV1Event, patch: Record<string, unknown>): Promise<EventsV1Event>;
}
