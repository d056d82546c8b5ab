// Reflector (reflector.go): keeps a store in step with the server. It lists (or, in WatchList
// mode, streams the initial state), replaces the store's content, then watches from the list's
// resourceVersion. A watch that ends is resumed from the last resourceVersion seen (bookmarks
// advance it); 410 Gone means that resourceVersion left the server's history, so it relists.
// Failures back off exponentially with jitter; every error goes to onError and the log, and the
// reflector keeps going until its signal aborts.
import type { KubeObject } from '../../api/object.js';
import type { ListerWatcher, ListOptions, WatchEvent, WatchOptions, WatchStream } from '../types.js';
import { Backoff, defaultBackoff, type BackoffOptions } from './backoff.js';
import { realClock, sleep, type Clock } from '../clock.js';
import { isGone, isTooLargeResourceVersion, isUnsupported, toError } from './errors.js';
import { defaultCacheLogger, type CacheLogger } from './logger.js';
import { listAllPages } from './pager.js';
import { handleWatch } from './watch-handler.js';
import { CacheIndexer } from './indexer.js';

/** What a reflector writes to: a DeltaFIFO for informers, or any Store. */
export interface ReflectorStore<T extends KubeObject> {
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
  replace(items: T[], resourceVersion: string): void;
  resync(): void;
}

export type ReflectorPhase = 'list' | 'watch' | 'event' | 'resync';

export interface ReflectorErrorContext {
  phase: ReflectorPhase;
  /** The reflector's name (for logs). */
  name: string;
  resourceVersion: string;
}

export type ReflectorErrorHandler = (err: Error, ctx: ReflectorErrorContext) => void;

export interface ReflectorOptions {
  /** For logs and errors, e.g. "pods" or "apps/v1/deployments in ns default". */
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the initial list (upstream: 500). 0 lists in one request. */
  pageSize?: number;
  /** How often to call store.resync() (when shouldResync allows). 0 = never. */
  resyncPeriodMs?: number;
  shouldResync?: () => boolean;
  /** Stream the initial state with sendInitialEvents instead of listing (WatchList, KEP-3157). */
  useWatchList?: boolean;
  /** Watches ask the server to end them after a random time in [min, 2·min) (upstream: 5 min). */
  minWatchTimeoutSeconds?: number;
  /** Watches decode objects without metadata.managedFields (the store's transform drops them anyway). */
  watchWithoutManagedFields?: boolean;
  backoff?: Partial<BackoffOptions>;
  clock?: Clock;
  random?: () => number;
  /** Called for every error, after it is logged. Must not throw. */
  onError?: ReflectorErrorHandler;
  logger?: CacheLogger;
}

/** A watch that ends within this time having delivered nothing counts as a failure (backoff). */
const shortWatchMs = 1000;

interface OpenWatch<T extends KubeObject> {
  stream: WatchStream<T>;
  it: AsyncIterator<WatchEvent<T>>;
}

export class Reflector<T extends KubeObject = KubeObject> {
  readonly name: string;
  private lastRV = '';
  /** The last RV is too old (410) or too new (504): the next list must be a consistent one. */
  private rvUnavailable = false;
  /** The server paginated a list before: keep paginating even at a specific resourceVersion. */
  private paginatedResult = false;
  private useWatchList: boolean;
  private listed = false;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly log: CacheLogger;
  private readonly random: () => number;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly store: ReflectorStore<T>,
    private readonly opts: ReflectorOptions = {},
  ) {
    this.name = opts.name ?? 'reflector';
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.backoff = new Backoff(this.clock, { ...defaultBackoff, ...opts.backoff }, this.random);
    this.log = opts.logger ?? defaultCacheLogger();
    this.useWatchList = opts.useWatchList ?? false;
  }

  /** The resourceVersion of the last list or event applied to the store ("" before the first). */
  get lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Lists and watches until `signal` aborts. Never rejects: failures are reported and retried. */
  async run(signal: AbortSignal): Promise<void> {
    const resync = this.resyncLoop(signal);
    let needSync = true;
    let open: OpenWatch<T> | undefined;
    while (!signal.aborted) {
      if (needSync) {
        try {
          open = this.useWatchList ? await this.watchListSync(signal) : await this.listSync(signal);
          needSync = false;
        } catch (err) {
          this.report(err, 'list');
          if (this.useWatchList && isUnsupported(err)) {
            this.log.warn({ reflector: this.name }, 'the server does not support WatchList (sendInitialEvents); falling back to list');
            this.useWatchList = false;
            continue;
          }
          await this.backoff.wait(signal);
          continue;
        }
        if (signal.aborted) break;
      }
      const outcome = await this.watch(signal, open);
      open = undefined;
      if (outcome === 'relist') needSync = true;
      if (outcome !== 'again') await this.backoff.wait(signal);
    }
    await resync;
  }

  private relistResourceVersion(): string {
    if (this.rvUnavailable) return '';
    // "0": any state the server has cached, the cheapest list; later lists must not go back in time.
    return this.lastRV === '' ? '0' : this.lastRV;
  }

  private async listSync(signal: AbortSignal): Promise<undefined> {
    const base: ListOptions = { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector };
    const list = async (resourceVersion: string) => {
      // Paginate only where it cannot defeat the server's cache: a list at a specific
      // resourceVersion with a limit would have to be served from storage (upstream's rule).
      const requested = this.opts.pageSize ?? 500;
      const pageSize = this.paginatedResult || resourceVersion === '' || resourceVersion === '0' ? requested : 0;
      return listAllPages(this.lw, { ...base, resourceVersion }, pageSize, signal);
    };
    let result;
    try {
      result = await list(this.relistResourceVersion());
    } catch (err) {
      if (!isGone(err) && !isTooLargeResourceVersion(err)) throw err;
      this.report(err, 'list');
      this.rvUnavailable = true;
      result = await list('');
    }
    if (signal.aborted) return undefined;
    if (result.paginated) this.paginatedResult = true;
    this.rvUnavailable = false;
    this.store.replace(result.items, result.resourceVersion);
    this.lastRV = result.resourceVersion;
    this.listed = true;
    this.log.debug({ reflector: this.name, items: result.items.length, resourceVersion: result.resourceVersion }, 'listed');
    return undefined;
  }

  /** WatchList: the initial state arrives as ADDED events up to a bookmark; the watch continues. */
  private async watchListSync(signal: AbortSignal): Promise<OpenWatch<T> | undefined> {
    const opts: WatchOptions = {
      ...this.watchOptions(),
      resourceVersion: this.rvUnavailable ? '' : this.lastRV,
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
    };
    const open = await this.openWatch(opts, signal);
    if (!open) return undefined;
    // The initial events build a private store: the real one is replaced at once at the end,
    // so tombstones are computed against a complete list, as after a paginated list.
    const temp = new CacheIndexer<T>({ freeze: false });
    let rv = opts.resourceVersion ?? '';
    try {
      const r = await handleWatch<T>(open.it, temp, {
        untilInitialEventsEnd: true,
        signal,
        onResourceVersion: (v) => (rv = v),
        onEventError: (err) => this.report(err, 'event'),
      });
      if (signal.aborted) return undefined;
      if (r.initialEventsEndRV === undefined) throw new Error('the watch ended before the initial-events-end bookmark');
      rv = r.initialEventsEndRV || rv;
    } catch (err) {
      open.stream.stop();
      if (isGone(err) || isTooLargeResourceVersion(err)) this.rvUnavailable = true;
      throw err;
    }
    this.rvUnavailable = false;
    this.store.replace(temp.list(), rv);
    this.lastRV = rv;
    this.listed = true;
    return open;
  }

  private watchOptions(): WatchOptions {
    const min = this.opts.minWatchTimeoutSeconds ?? 300;
    return {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      resourceVersion: this.lastRV,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(min * (1 + this.random())),
      ...(this.opts.watchWithoutManagedFields ? { withoutManagedFields: true } : {}),
    };
  }

  private async openWatch(opts: WatchOptions, signal: AbortSignal): Promise<OpenWatch<T> | undefined> {
    const stream = await this.lw.watch(opts);
    if (signal.aborted) {
      stream.stop();
      return undefined;
    }
    return { stream, it: stream[Symbol.asyncIterator]() };
  }

  /**
   * One watch, from the last resourceVersion. 'again' = it ended normally, watch again now;
   * 'retry' = it failed, back off and watch again; 'relist' = back off and list.
   */
  private async watch(signal: AbortSignal, open: OpenWatch<T> | undefined): Promise<'again' | 'retry' | 'relist'> {
    const started = this.clock.monotonic();
    let events = 0;
    const onAbort = () => open?.stream.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      open ??= await this.openWatch(this.watchOptions(), signal);
      if (!open) return 'again';
      const r = await handleWatch<T>(open.it, this.store, {
        signal,
        onResourceVersion: (rv) => (this.lastRV = rv),
        onEventError: (err) => this.report(err, 'event'),
      });
      events = r.events;
    } catch (err) {
      open?.stream.stop();
      if (signal.aborted) return 'again';
      this.report(err, 'watch');
      if (isGone(err)) {
        // Our resourceVersion has left the server's window: the next list must not ask for it.
        this.rvUnavailable = true;
        return 'relist';
      }
      return 'retry';
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    open.stream.stop();
    if (signal.aborted) return 'again';
    if (events === 0 && this.clock.monotonic() - started < shortWatchMs) {
      this.report(new Error('very short watch: the server closed it at once without any event'), 'watch');
      return 'retry';
    }
    this.log.debug({ reflector: this.name, events, resourceVersion: this.lastRV }, 'watch closed; resuming');
    return 'again';
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const period = this.opts.resyncPeriodMs ?? 0;
    if (period <= 0) return;
    while (!signal.aborted) {
      await sleep(this.clock, period, signal, { keepAlive: true });
      if (signal.aborted || !this.listed) continue;
      if (this.opts.shouldResync && !this.opts.shouldResync()) continue;
      try {
        this.store.resync();
      } catch (err) {
        this.report(err, 'resync');
      }
    }
  }

  private report(e: unknown, phase: ReflectorPhase): void {
    const err = toError(e);
    const ctx: ReflectorErrorContext = { phase, name: this.name, resourceVersion: this.lastRV };
    // 410 is routine (history is finite); anything else deserves a warning.
    if (isGone(err)) this.log.info({ reflector: this.name, phase, resourceVersion: this.lastRV, err: err.message }, 'resourceVersion expired; relisting');
    else this.log.warn({ reflector: this.name, phase, resourceVersion: this.lastRV, err }, `${phase} failed`);
    try {
      this.opts.onError?.(err, ctx);
    } catch (handlerErr) {
      this.log.error({ reflector: this.name, err: handlerErr }, 'reflector error handler threw');
    }
  }
}
