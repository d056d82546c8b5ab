// The events.k8s.io/v1 event pipeline of client-go tools/events (event_broadcaster.go).
// Recorders hand events to the broadcaster, which fans them out to its watchers (fanout.ts).
// Writing to the sink goes through the isomorphic-event cache (series-cache.ts): an event is
// created once; repeating it makes it a series, PATCHed with {series: {count, lastObservedTime}}
// on the second occurrence, then refreshed every 30 minutes while it goes on and written a last
// time when it has been quiet for 6 minutes. There is no spam filter or aggregation here: series
// are how the new API keeps repeats cheap.
//
// Each event is written on its own, as upstream starts a goroutine per event: a slow server delays
// events instead of holding up the queue behind one write, which would fill it and drop events (a
// scheduler binding a thousand pods a second records a thousand Scheduled events). Writes wait in
// a list and at most maxInFlightWrites are sent at once, where upstream's goroutines wait for its
// client's rate limiter: they share the component's connection with its binds and status writes.
// The writes of one series stay in order (its PATCH follows the create before it).
//
// A server answer that is an error (a Status with a code) is logged and not retried, except
// AlreadyExists when re-creating a series whose PATCH found no object (the first create raced
// it); a transport error is retried up to 12 times, 10 s (+0–25 % jitter) apart.
import { hostname } from 'node:os';
import { createLogger, type Logger } from '../../util/log.js';
import { realClock, sleep, type Clock } from '../clock.js';
import { EventFanout, type EventWatcher } from '../record/fanout.js';
import { errorCode } from '../record/types.js';
import { Recorder, type EventRecorder } from './recorder.js';
import { EventSeriesCache, isomorphicKey } from './series-cache.js';
import type { EventSink, EventsV1Event } from './types.js';
import { RingQueue } from '../../util/ring-queue.js';

/** An event to write to a sink, and its series key (writes of one key go in order). */
interface EventWrite {
  key: string;
  sink: EventSink;
  event: EventsV1Event;
  signal: AbortSignal;
}

/** A series quiet this long is finished (its final count written); checked as often. */
export const finishTimeMs = 6 * 60_000;
/** How often every ongoing series is written again, so the server's copy is current and kept. */
export const refreshTimeMs = 30 * 60_000;

export interface EventBroadcasterOptions {
  /** Events queued per watcher before new ones are dropped (upstream: 1000). */
  maxQueuedEvents?: number;
  /** Wait between write retries after transport errors (upstream: 10 s, plus up to 25 %). */
  sleepDurationMs?: number;
  /** Attempts per write (upstream: 12). */
  maxTriesPerEvent?: number;
  /** Event writes in flight at once; the next waits for one to finish (default 32). */
  maxInFlightWrites?: number;
  clock?: Clock;
  log?: Logger;
  random?: () => number;
}

export class EventBroadcaster {
  private readonly fanout: EventFanout<EventsV1Event>;
  private readonly sleepMs: number;
  private readonly maxTries: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly cancel = new AbortController();
  /** Cache work (observe, refresh, finish) runs one at a time, as upstream's mutex has it. */
  private exclusive: Promise<unknown> = Promise.resolve();
  /** Cache work holding or waiting for the lock. */
  private lockHolders = 0;
  private readonly loops: Promise<void>[] = [];
  private readonly maxInFlight: number;
  /** Event writes not started yet, oldest first (at most one per series key; see below). */
  private readonly waiting = new RingQueue<EventWrite>();
  /** Writes (with their retries) in flight. */
  private inFlight = 0;
  /** Series keys with a write waiting or in flight → the writes to start after it, in order
   *  (undefined until there is one: most keys are written once). */
  private readonly followUps = new Map<string, EventWrite[] | undefined>();
  private writesDone: Array<() => void> = [];
  private shut = false;

  constructor(opts: EventBroadcasterOptions = {}) {
    this.sleepMs = opts.sleepDurationMs ?? 10_000;
    this.maxTries = opts.maxTriesPerEvent ?? 12;
    this.maxInFlight = opts.maxInFlightWrites ?? 32;
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? createLogger('events');
    this.random = opts.random ?? Math.random;
    this.fanout = new EventFanout(opts.maxQueuedEvents ?? 1000, this.log);
  }

  /**
   * A recorder reporting as `reportingController`; its instance defaults to
   * `<reportingController>-<hostname>`, as upstream's NewRecorder.
   */
  newRecorder(reportingController: string, reportingInstance = `${reportingController}-${hostname()}`): EventRecorder {
    return new Recorder({ reportingController, reportingInstance }, this.clock, this.log, (e) => this.action(e));
  }

  /** Writes every event to sink through a fresh series cache, and starts its refresh and finish loops. */
  startRecordingToSink(sink: EventSink): EventWatcher {
    const cache = new EventSeriesCache();
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, this.cancel.signal]);
    this.loops.push(
      this.every(refreshTimeMs, signal, () => this.refreshSeries(sink, cache, signal)),
      this.every(finishTimeMs, signal, () => this.finishSeries(sink, cache, signal)),
    );
    const record = (e: EventsV1Event): void => {
      const key = isomorphicKey(e);
      const toWrite = cache.observeKeyed(key, e, this.clock.now());
      if (toWrite) this.scheduleWrite({ key, sink, event: toWrite, signal });
    };
    // The cache is used under the lock, as upstream's mutex has it; while nobody holds it (a
    // refresh or finish writing series), an event is recorded at once, costing no promise.
    // Either way events are recorded in order: the fanout waits for a deferred one.
    const watcher = this.fanout.watch((e) => (this.lockHolders === 0 ? record(e) : this.locked(async () => record(e))));
    return {
      stop: () => {
        stop.abort();
        watcher.stop();
      },
    };
  }

  /** Logs every event (upstream's StartStructuredLogging). */
  startStructuredLogging(log: Logger = this.log, level: 'info' | 'debug' = 'info'): EventWatcher {
    return this.fanout.watch((e) => {
      const o = e.regarding ?? {};
      log[level](
        { object: o.namespace ? `${o.namespace}/${o.name}` : o.name, kind: o.kind, apiVersion: o.apiVersion, type: e.type, reason: e.reason, action: e.action, note: e.note },
        'Event occurred',
      );
    });
  }

  /** Calls handler for every event, in order, one at a time. */
  startEventWatcher(handler: (e: EventsV1Event) => Promise<void> | void): EventWatcher {
    return this.fanout.watch(handler);
  }

  /** Resolves once every event recorded so far has been handled (written, or given up), and any refresh or finish in progress is done. */
  async flush(): Promise<void> {
    await this.fanout.flush();
    if (this.followUps.size > 0) await new Promise<void>((resolve) => this.writesDone.push(resolve));
    await this.exclusive;
  }

  /** Stops accepting events, abandons pending retries, and resolves when queued events are handled. */
  async shutdown(): Promise<void> {
    this.shut = true;
    this.cancel.abort();
    await this.flush();
    this.fanout.stopAll();
    await Promise.all(this.loops);
  }

  private action(event: EventsV1Event): boolean {
    if (this.shut) {
      this.log.error({ reason: event.reason }, 'unable to record event: broadcaster is shut down');
      return false;
    }
    return this.fanout.send(event);
  }

  /** Starts the write when a slot is free, after the writes of the same series before it. */
  private scheduleWrite(w: EventWrite): void {
    if (this.followUps.has(w.key)) {
      const after = this.followUps.get(w.key);
      if (after) after.push(w);
      else this.followUps.set(w.key, [w]);
      return;
    }
    this.followUps.set(w.key, undefined);
    this.waiting.push(w);
    this.startWrites();
  }

  private startWrites(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      this.inFlight++;
      void this.write(this.waiting.shift()!);
    }
  }

  /** One event written (with its retries); then the next of its series is due, and a slot is free. */
  private async write(w: EventWrite): Promise<void> {
    try {
      await this.attemptRecording(w.sink, w.event, w.signal);
    } catch (err) {
      this.log.error({ err }, 'unable to write event');
    }
    this.inFlight--;
    const next = this.followUps.get(w.key)?.shift();
    if (next) this.waiting.push(next);
    else this.followUps.delete(w.key);
    this.startWrites();
    if (this.followUps.size === 0) for (const done of this.writesDone.splice(0)) done();
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    this.lockHolders++;
    const run = this.exclusive.then(fn);
    this.exclusive = run.then(
      () => this.lockHolders--,
      () => this.lockHolders--,
    );
    return run;
  }

  private async every(periodMs: number, signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    while (await sleep(this.clock, periodMs, signal)) {
      try {
        await fn();
      } catch (err) {
        this.log.error({ err }, 'event series upkeep failed');
      }
    }
  }

  /** Writes every ongoing series again (upstream's refreshExistingEventSeries). */
  private refreshSeries(sink: EventSink, cache: EventSeriesCache, signal: AbortSignal): Promise<void> {
    return this.locked(async () => {
      for (const [key, event] of cache.series()) {
        if (signal.aborted) return;
        const { written } = await this.recordEvent(sink, event, true);
        if (written) cache.replace(key, written);
      }
    });
  }

  /** Writes the final count of series quiet for finishTime and forgets them, and old singletons. */
  private finishSeries(sink: EventSink, cache: EventSeriesCache, signal: AbortSignal): Promise<void> {
    return this.locked(async () => {
      for (const [key, event] of cache.ended(this.clock.now() - finishTimeMs)) {
        if (signal.aborted) return;
        if (!(await this.recordEvent(sink, event)).retry) cache.delete(key);
      }
    });
  }

  private async attemptRecording(sink: EventSink, event: EventsV1Event, signal: AbortSignal): Promise<void> {
    for (let tries = 1; ; tries++) {
      if (!(await this.recordEvent(sink, event)).retry) return;
      if (tries >= this.maxTries) {
        this.log.error({ reason: event.reason, object: event.regarding?.name }, 'unable to write event (retry limit exceeded!)');
        return;
      }
      if (!(await sleep(this.clock, this.sleepMs * (1 + 0.25 * this.random()), signal))) {
        this.log.error({ reason: event.reason, object: event.regarding?.name }, 'unable to write event (broadcaster is shut down)');
        return;
      }
    }
  }

  /** One attempt: PATCH the series (or create the event); whether to retry; the written event when `keep` asks for it. */
  private async recordEvent(sink: EventSink, event: EventsV1Event, keep = false): Promise<{ written?: EventsV1Event; retry: boolean }> {
    const isSeries = event.series !== undefined;
    let error: unknown;
    if (isSeries) {
      try {
        // Upstream's two-way strategic merge patch between the event without series and with it.
        return { written: await sink.patch(event, { series: event.series }), retry: false };
      } catch (err) {
        error = err;
      }
    }
    // A series whose object is gone (deleted, or expired after its TTL) is created again.
    if (!isSeries || errorCode(error) === 404) {
      try {
        // (The recorder's events carry no resourceVersion: sent as they are.)
        const fresh = event.metadata.resourceVersion === undefined ? event : { ...event, metadata: { ...event.metadata, resourceVersion: undefined } };
        return { written: await sink.create(fresh, keep), retry: false };
      } catch (err) {
        error = err;
      }
    }
    const code = errorCode(error);
    const object = event.regarding?.name;
    if (code === 409 && isSeries) return { retry: true };
    if (code !== undefined) {
      this.log[code === 409 ? 'debug' : 'error']({ err: error, reason: event.reason, object }, 'server rejected event (will not retry!)');
      return { retry: false };
    }
    this.log.error({ err: error, reason: event.reason, object }, 'unable to write event (may retry after sleeping)');
    return { retry: true };
  }
}
