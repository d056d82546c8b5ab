// The event pipeline of client-go tools/record (event.go): recorders hand events to a
// broadcaster, which fans them out to each watcher (the API sink, a logger) through its own bounded
// queue (fanout.ts). Recording never blocks and never throws: a full queue drops the event with an
// error log, as upstream's DropIfChannelFull broadcaster does.
//
// Writing to the sink (recordToSink): correlate (aggregate, count, spam-filter), then create or
// patch. A server answer that is an error (a Status with a code) is logged and not retried; a
// transport error is retried up to 12 times, 10 s apart (the first wait randomised so clients do not
// retry in step after an API server outage).
import { hostname } from 'node:os';
import { createLogger, type Logger } from '../../util/log.js';
import { realClock, sleep, type Clock } from '../clock.js';
import { EventCorrelator, type CorrelatorOptions } from './correlator.js';
import { EventFanout, type EventWatcher } from './fanout.js';
import { Recorder, type EventRecorder, type EventSource } from './recorder.js';
import { errorCode, type CoreEvent, type EventSink } from './types.js';

export interface EventBroadcasterOptions {
  /** Events queued per watcher before new ones are dropped (upstream: 1000). */
  maxQueuedEvents?: number;
  /** Wait between write retries after transport errors (upstream: 10 s). */
  sleepDurationMs?: number;
  /** Attempts per event (upstream: 12). */
  maxTriesPerEvent?: number;
  correlator?: Omit<CorrelatorOptions, 'clock'>;
  clock?: Clock;
  log?: Logger;
  random?: () => number;
}

export type { EventWatcher };

export class EventBroadcaster {
  private readonly fanout: EventFanout<CoreEvent>;
  private readonly sleepMs: number;
  private readonly maxTries: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly correlatorOptions: Omit<CorrelatorOptions, 'clock'>;
  private readonly cancel = new AbortController();
  private shut = false;

  constructor(opts: EventBroadcasterOptions = {}) {
    this.sleepMs = opts.sleepDurationMs ?? 10_000;
    this.maxTries = opts.maxTriesPerEvent ?? 12;
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? createLogger('events');
    this.fanout = new EventFanout(opts.maxQueuedEvents ?? 1000, this.log);
    this.random = opts.random ?? Math.random;
    this.correlatorOptions = opts.correlator ?? {};
  }

  /** A recorder whose events carry source (host defaults to this machine's hostname). */
  newRecorder(source: { component: string; host?: string }): EventRecorder {
    const full: EventSource = { component: source.component, host: source.host ?? hostname() };
    return new Recorder(full, this.clock, this.log, (e) => this.action(e));
  }

  /** Writes every event to sink, through a fresh EventCorrelator. */
  startRecordingToSink(sink: EventSink): EventWatcher {
    const correlator = new EventCorrelator({ ...this.correlatorOptions, clock: this.clock });
    return this.startEventWatcher((e) => this.recordToSink(sink, e, correlator));
  }

  /** Logs every event (upstream's StartStructuredLogging). */
  startStructuredLogging(log: Logger = this.log, level: 'info' | 'debug' = 'info'): EventWatcher {
    return this.startEventWatcher((e) => {
      const o = e.involvedObject ?? {};
      log[level](
        { object: o.namespace ? `${o.namespace}/${o.name}` : o.name, fieldPath: o.fieldPath, kind: o.kind, apiVersion: o.apiVersion, type: e.type, reason: e.reason, message: e.message },
        'Event occurred',
      );
    });
  }

  /** Calls handler for every event, in order, one at a time. */
  startEventWatcher(handler: (e: CoreEvent) => Promise<void> | void): EventWatcher {
    return this.fanout.watch(handler);
  }

  /** Resolves once every event recorded so far has been handled by every watcher. */
  flush(): Promise<void> {
    return this.fanout.flush();
  }

  /** Stops accepting events, abandons pending retries, and resolves when queued events are handled. */
  async shutdown(): Promise<void> {
    this.shut = true;
    this.cancel.abort();
    await this.flush();
    this.fanout.stopAll();
  }

  /** Queues event for every watcher; false when it had to be dropped for some watcher. */
  private action(event: CoreEvent): boolean {
    if (this.shut) {
      this.log.error({ reason: event.reason }, 'unable to record event: broadcaster is shut down');
      return false;
    }
    return this.fanout.send(event);
  }

  private async recordToSink(sink: EventSink, input: CoreEvent, correlator: EventCorrelator): Promise<void> {
    const result = correlator.correlate(input);
    if (result.skip || !result.event) return;
    const event = result.event;
    for (let tries = 1; ; tries++) {
      if (await this.recordEvent(sink, event, result.patch, (event.count ?? 0) > 1, correlator)) return;
      if (tries >= this.maxTries) {
        this.log.error({ reason: event.reason, object: event.involvedObject?.name }, 'unable to write event (retry limit exceeded!)');
        return;
      }
      const delay = tries === 1 ? this.sleepMs * this.random() : this.sleepMs;
      if (!(await sleep(this.clock, delay, this.cancel.signal))) {
        this.log.error({ reason: event.reason, object: event.involvedObject?.name }, 'unable to write event (broadcaster is shut down)');
        return;
      }
    }
  }

  /** One attempt; true when the event was written or should be abandoned, false to retry. */
  private async recordEvent(
    sink: EventSink,
    event: CoreEvent,
    patch: Record<string, unknown> | undefined,
    updateExisting: boolean,
    correlator: EventCorrelator,
  ): Promise<boolean> {
    let written: CoreEvent | undefined;
    let error: unknown;
    if (updateExisting && patch) {
      try {
        written = await sink.patch(event, patch);
      } catch (err) {
        error = err;
      }
    }
    // The event may have been deleted (or expired) since: create it again.
    if (!updateExisting || !patch || errorCode(error) === 404) {
      error = undefined;
      try {
        written = await sink.create({ ...event, metadata: { ...event.metadata, resourceVersion: undefined } });
      } catch (err) {
        error = err;
      }
    }
    if (written && error === undefined) {
      correlator.updateState(written);
      return true;
    }
    const code = errorCode(error);
    if (code !== undefined) {
      // The server answered: the request itself is bad (or the event exists); retrying will not help.
      const level = code === 409 || isNamespaceTerminating(error) ? 'debug' : 'error';
      this.log[level]({ err: error, reason: event.reason, object: event.involvedObject?.name }, 'server rejected event (will not retry!)');
      return true;
    }
    this.log.error({ err: error, reason: event.reason, object: event.involvedObject?.name }, 'unable to write event (may retry after sleeping)');
    return false;
  }
}

function isNamespaceTerminating(err: unknown): boolean {
  const details = (err as { details?: { causes?: Array<{ reason?: string }> } }).details;
  return details?.causes?.some((c) => c.reason === 'NamespaceTerminating') ?? false;
}
