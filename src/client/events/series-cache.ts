// The isomorphic-event cache of client-go tools/events (event_broadcaster.go): events that agree
// on type, action, reason, reporting controller and instance, regarding and related objects are
// the same event happening again (the note may differ; the first one's is kept). The first
// occurrence is written as is; the second turns it into a series (count 2) written by PATCH; later
// ones only bump the count and lastObservedTime here, and the broadcaster writes the series when
// it refreshes (every 30 minutes) or finishes it (quiet for 6 minutes).
//
// Every event is kept here until it finishes (6 minutes), so per event this costs what it keeps:
// a scheduler records one event per pod, a thousand a second. Upstream deep-copies the event
// going in and each one going out; here the first occurrence is kept and written as the very
// object the recorder made (nothing here or in the broadcaster modifies an event it was handed,
// and watchers must not either), and the series, the only thing that changes, lives in a copy
// made at the second occurrence that only this cache holds and modifies; what goes out to be
// written from it is a copy again.
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { formatMicroTime } from '../record/time.js';
import type { EventsV1Event } from './types.js';

const none: ObjectReference = {};

/** Upstream's eventKey: what makes two events the same event repeated (one flat JSON array of the fields). */
export function isomorphicKey(e: EventsV1Event): string {
  const g = e.regarding ?? none;
  const r = e.related ?? none;
  return JSON.stringify([
    e.type ?? '',
    e.action ?? '',
    e.reason ?? '',
    e.reportingController ?? '',
    e.reportingInstance ?? '',
    g.kind ?? '',
    g.namespace ?? '',
    g.name ?? '',
    g.uid ?? '',
    g.apiVersion ?? '',
    g.resourceVersion ?? '',
    g.fieldPath ?? '',
    r.kind ?? '',
    r.namespace ?? '',
    r.name ?? '',
    r.uid ?? '',
    r.apiVersion ?? '',
    r.resourceVersion ?? '',
    r.fieldPath ?? '',
  ]);
}

export class EventSeriesCache {
  /** Key → the event: a singleton is the recorder's own object (shared, never modified); a series
   *  is an object only this cache holds (made at the second occurrence, or the server's answer). */
  private readonly events = new Map<string, EventsV1Event>();

  /**
   * Records one occurrence at `now` (epoch ms) and returns what to write at once: the event
   * itself the first time, a copy with series {count: 2} the second, nothing later on.
   */
  observe(event: EventsV1Event, now: number): EventsV1Event | undefined {
    return this.observeKeyed(isomorphicKey(event), event, now);
  }

  /** observe() for a caller that has the event's isomorphicKey already. */
  observeKeyed(key: string, event: EventsV1Event, now: number): EventsV1Event | undefined {
    const cached = this.events.get(key);
    if (!cached) {
      this.events.set(key, event);
      return event;
    }
    const lastObservedTime = formatMicroTime(now);
    if (cached.series) {
      cached.series = { count: cached.series.count + 1, lastObservedTime };
      return undefined;
    }
    const series: EventsV1Event = { ...cached, series: { count: 2, lastObservedTime } };
    this.events.set(key, series);
    return { ...series };
  }

  /** Copies of the cached events that are series, with their keys. */
  series(): Array<[key: string, event: EventsV1Event]> {
    return [...this.events].filter(([, e]) => e.series).map(([k, e]) => [k, structuredClone(e)]);
  }

  /**
   * Series last observed before `cutoff` (to write their final count, then forget) and singletons
   * that happened before it (forgotten at once, as nothing more needs writing).
   */
  ended(cutoff: number): Array<[key: string, event: EventsV1Event]> {
    const out: Array<[string, EventsV1Event]> = [];
    for (const [key, e] of this.events) {
      if (e.series) {
        if (Date.parse(e.series.lastObservedTime) < cutoff) out.push([key, structuredClone(e)]);
      } else if (Date.parse(e.eventTime) < cutoff) {
        this.events.delete(key);
      }
    }
    return out;
  }

  /** Keeps what the server returned for a series it accepted (upstream caches the written event);
   *  the object is the cache's from now on. */
  replace(key: string, event: EventsV1Event): void {
    if (this.events.has(key)) this.events.set(key, event);
  }

  delete(key: string): void {
    this.events.delete(key);
  }

  get size(): number {
    return this.events.size;
  }
}
