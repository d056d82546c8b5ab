// tools/events: event recorders writing events.k8s.io/v1 Events, repeats kept as series.
export { EventBroadcaster, finishTimeMs, refreshTimeMs, type EventBroadcasterOptions } from './broadcaster.js';
export { Recorder, type EventRecorder, type Reporter } from './recorder.js';
export { EventSeriesCache, isomorphicKey } from './series-cache.js';
export { restEventSink } from './rest-event-sink.js';
export type { EventSink, EventsV1Event } from './types.js';
export type { EventWatcher } from '../record/fanout.js';
