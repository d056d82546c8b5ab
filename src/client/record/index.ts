// tools/record: event recorders writing core/v1 Events through the EventCorrelator.
export { EventBroadcaster, type EventBroadcasterOptions, type EventWatcher } from './broadcaster.js';
export { getReference, type EventRecorder, type EventSource } from './recorder.js';
export {
  EventCorrelator,
  eventAggregatorByReason,
  eventAggregatorByReasonMessage,
  getEventKey,
  getSpamKey,
  type CorrelateResult,
  type CorrelatorOptions,
} from './correlator.js';
export { errorCode, type CoreEvent, type EventSink, type EventType } from './types.js';
export { sprintf } from './sprintf.js';
export { restEventSink } from './rest-event-sink.js';
export { rateLimitedEventSink, type EventRateLimit } from './rate-limited-sink.js';
