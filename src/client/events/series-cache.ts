// The isomorphic-event cache of client-go tools/events (event_broadcaster.go): events that agree
// on type, action, reason, reporting controller and instance, regarding and related objects are
// the same event happening again (the note may differ; the first one's is kept). The first
// occurrence is written as is; the second turns it into a series (count 2) written by PATCH; later
// ones only bump the count and lastObservedTime here, and the broadcaster writes the series when
// it refreshes (every 30 minutes) or finishes it (quiet for 6 minutes).
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { formatMicroTime } from '../record/time.js';
import type { EventsV1Event } from './types.js';

const refFields = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;

function refKey(r: ObjectReference | undefined): string[] {
  return refFields.map((f) => r?.[f] ?? '');
}

/** Upstream's eventKey: what makes two events the same event repeated. */
export function isomorphicKey(e: EventsV1Event): string {
  return JSON.stringify([e.type ?? '', e.action ?? '', e.reason ?? '', e.reportingController ?? '', e.reportingInstance ?? '', refKey(e.regarding), refKey(e.related)]);
}

export class EventSeriesCache {
  private readonly events = new Map<string, EventsV1Event>();

  /**
   * Records one occurrence at `now` (epoch ms) and returns what to write at once: a copy of the
   * event the first time, a copy with series {count: 2} the second, nothing later on.
   */
  observe(event: EventsV1Event, now: number): EventsV1Event | undefined {
    const key = isomorphicKey(event);
    const cached = this.events.get(key);
    if (!cached) {
      this.events.set(key, structuredClone(event));
      return structuredClone(event);
    }
    const lastObservedTime = formatMicroTime(now);
    if (cached.series) {
      cached.series = { count: cached.series.count + 1, lastObservedTime };
      return undefined;
    }
    cached.series = { count: 2, lastObservedTime };
    return structuredClone(cached);
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

  /** Keeps what the server returned for a series it accepted (upstream caches the written event). */
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
