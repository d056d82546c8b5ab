// The EventCorrelator of client-go tools/record (events_cache.go): what happens to an event
// between the recorder and the API server. In order:
// 1. aggregate — once 10 events that differ only in message arrive for one source+object+type+
//    reason within 10 minutes, later ones become one "(combined from similar events): …" event;
// 2. observe — an event seen before (same key) becomes a patch bumping count/lastTimestamp/message
//    of the object already written, instead of a new object;
// 3. spam filter — per source+object, a token bucket (burst 25, one more every 5 minutes) drops
//    the excess. The observation is counted even when the event is then dropped, as upstream.
import { realClock, type Clock } from '../clock.js';
import { TokenBucket } from '../workqueue/token-bucket.js';
import { LruCache } from './lru.js';
import { formatTime, nextNameSuffix } from './time.js';
import type { CoreEvent } from './types.js';

export const maxLruCacheEntries = 4096;
export const defaultSpamBurst = 25;
export const defaultSpamQps = 1 / 300;
export const defaultAggregateMaxEvents = 10;
export const defaultAggregateIntervalSeconds = 600;

export interface CorrelatorOptions {
  lruCacheSize?: number;
  /** Spam filter bucket size per source+object. */
  burstSize?: number;
  /** Spam filter refill rate per source+object, events per second. */
  qps?: number;
  /** Similar events within the interval before they are aggregated. */
  maxEvents?: number;
  maxIntervalSeconds?: number;
  /** Groups events for aggregation: [aggregateKey, localKey]. */
  keyFunc?: (e: CoreEvent) => [string, string];
  messageFunc?: (e: CoreEvent) => string;
  /** Replaces the spam key (upstream's SpamKeyFunc). */
  spamKeyFunc?: (e: CoreEvent) => string;
  clock?: Clock;
}

export interface CorrelateResult {
  /** The event to write (undefined when skipped). */
  event?: CoreEvent;
  /** When set, PATCH the existing event with this instead of creating one. */
  patch?: Record<string, unknown>;
  skip: boolean;
}

const ref = (e: CoreEvent) => e.involvedObject ?? {};

/** Source, object, type, reason and message: events with equal keys are the same event repeated. */
export function getEventKey(e: CoreEvent): string {
  const o = ref(e);
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message]
    .map((s) => s ?? '')
    .join('');
}

/** Source and object: the unit the spam filter rate-limits. */
export function getSpamKey(e: CoreEvent): string {
  const o = ref(e);
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion].map((s) => s ?? '').join('');
}

/** Aggregates by exact source, object, type, reason and reporter; events in a group differ by message. */
export function eventAggregatorByReason(e: CoreEvent): [string, string] {
  const o = ref(e);
  const key = [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance]
    .map((s) => s ?? '')
    .join('');
  return [key, e.message ?? ''];
}

export function eventAggregatorByReasonMessage(e: CoreEvent): string {
  return `(combined from similar events): ${e.message ?? ''}`;
}

interface AggregateRecord {
  localKeys: Set<string>;
  lastTimestamp: number;
}

interface EventLog {
  count: number;
  firstTimestamp?: string;
  name: string;
  resourceVersion?: string;
}

export class EventCorrelator {
  private readonly clock: Clock;
  private readonly spam: LruCache<string, TokenBucket>;
  private readonly aggregates: LruCache<string, AggregateRecord>;
  private readonly observed: LruCache<string, EventLog>;
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;
  private readonly keyFunc: (e: CoreEvent) => [string, string];
  private readonly messageFunc: (e: CoreEvent) => string;
  private readonly spamKeyFunc: (e: CoreEvent) => string;

  constructor(opts: CorrelatorOptions = {}) {
    const size = opts.lruCacheSize ?? maxLruCacheEntries;
    this.clock = opts.clock ?? realClock;
    this.spam = new LruCache(size);
    this.aggregates = new LruCache(size);
    this.observed = new LruCache(size);
    this.burst = opts.burstSize ?? defaultSpamBurst;
    this.qps = opts.qps ?? defaultSpamQps;
    this.maxEvents = opts.maxEvents ?? defaultAggregateMaxEvents;
    this.maxIntervalMs = (opts.maxIntervalSeconds ?? defaultAggregateIntervalSeconds) * 1000;
    this.keyFunc = opts.keyFunc ?? eventAggregatorByReason;
    this.messageFunc = opts.messageFunc ?? eventAggregatorByReasonMessage;
    this.spamKeyFunc = opts.spamKeyFunc ?? getSpamKey;
  }

  /** Decides what to write for event (which it does not modify). */
  correlate(event: CoreEvent): CorrelateResult {
    const [aggregated, key] = this.aggregate(event);
    const { event: observed, patch } = this.observe(aggregated, key);
    if (this.filtered(observed)) return { skip: true };
    return { event: observed, patch, skip: false };
  }

  /** Records what the server returned (its name and resourceVersion) for later patches. */
  updateState(event: CoreEvent): void {
    this.observed.set(getEventKey(event), {
      count: event.count ?? 0,
      firstTimestamp: event.firstTimestamp,
      name: event.metadata.name ?? '',
      resourceVersion: event.metadata.resourceVersion,
    });
  }

  private aggregate(event: CoreEvent): [CoreEvent, string] {
    const now = this.clock.now();
    const eventKey = getEventKey(event);
    const [aggregateKey, localKey] = this.keyFunc(event);
    let record = this.aggregates.get(aggregateKey);
    if (!record || now - record.lastTimestamp > this.maxIntervalMs) record = { localKeys: new Set(), lastTimestamp: 0 };
    record.localKeys.add(localKey);
    record.lastTimestamp = now;
    this.aggregates.set(aggregateKey, record);
    if (record.localKeys.size < this.maxEvents) return [event, eventKey];

    // Keep the set at the threshold: drop any one key (the first, as good as any).
    record.localKeys.delete(record.localKeys.values().next().value as string);
    const ts = formatTime(now);
    const aggregate: CoreEvent = {
      metadata: { name: `${ref(event).name ?? ''}.${nextNameSuffix(now)}`, namespace: event.metadata.namespace },
      count: 1,
      firstTimestamp: ts,
      involvedObject: event.involvedObject,
      lastTimestamp: ts,
      message: this.messageFunc(event),
      type: event.type,
      reason: event.reason,
      source: event.source,
      reportingComponent: event.reportingComponent,
      reportingInstance: event.reportingInstance,
    };
    return [aggregate, aggregateKey];
  }

  private observe(input: CoreEvent, key: string): { event: CoreEvent; patch?: Record<string, unknown> } {
    const event: CoreEvent = { ...input, metadata: { ...input.metadata } };
    const last = this.observed.get(key);
    let patch: Record<string, unknown> | undefined;
    if (last && last.count > 0) {
      event.metadata.name = last.name;
      event.metadata.resourceVersion = last.resourceVersion;
      event.firstTimestamp = last.firstTimestamp;
      event.count = last.count + 1;
      // What upstream's two-way strategic merge patch between the event with count, lastTimestamp
      // and message blanked and the event itself comes to.
      patch = { count: event.count, lastTimestamp: event.lastTimestamp, message: event.message };
    }
    this.observed.set(key, {
      count: event.count ?? 0,
      firstTimestamp: event.firstTimestamp,
      name: event.metadata.name ?? '',
      resourceVersion: event.metadata.resourceVersion,
    });
    return { event, patch };
  }

  private filtered(event: CoreEvent): boolean {
    const key = this.spamKeyFunc(event);
    const now = this.clock.now();
    let bucket = this.spam.get(key);
    if (!bucket) bucket = new TokenBucket(this.qps, this.burst, now);
    const accepted = bucket.tryAccept(now);
    this.spam.set(key, bucket);
    return !accepted;
  }
}
