// SharedIndexInformer (shared_informer.go): one reflector, one DeltaFIFO and one indexer shared by
// any number of handlers. It only wires the parts together: the reflector lists and watches into
// the FIFO, processLoop applies deltas to the indexer, and the processor hands notifications to
// each handler's own buffered listener.
import type { KubeObject } from '../../api/object.js';
import type { ListerWatcher } from '../types.js';
import type { BackoffOptions } from './backoff.js';
import { realClock, type Clock } from '../clock.js';
import { processDeltas, processLoop } from './controller.js';
import { DeltaFIFO, type TransformFunc } from './delta-fifo.js';
import { toError } from './errors.js';
import type { Notification, ResourceEventHandler, ResourceEventHandlerRegistration } from './handler.js';
import { CacheIndexer } from './indexer.js';
import { metaNamespaceIndexFunc, namespaceIndex } from './indexers.js';
import { metaNamespaceKey, type KeyFunc } from './keys.js';
import { dropManagedFields } from './managed-fields.js';
import { ProcessorListener } from './listener.js';
import { defaultCacheLogger, type CacheLogger } from './logger.js';
import { SharedProcessor } from './processor.js';
import { Reflector, type ReflectorPhase } from './reflector.js';
import type { Indexers, ReadonlyIndexer } from './store.js';

/** Upstream's floor for resync periods. */
export const minimumResyncPeriodMs = 1000;

export type InformerPhase = ReflectorPhase | 'handler' | 'process';

export type InformerErrorHandler = (err: Error, ctx: { phase: InformerPhase; name: string; resourceVersion: string }) => void;

export interface SharedInformerOptions<T extends KubeObject> {
  /** For logs, e.g. "pods". */
  name?: string;
  /** Default resync period of handlers added without one (ms, 0 = never). */
  resyncPeriodMs?: number;
  /** Extra indices; the namespace index is always there. */
  indexers?: Indexers<T>;
  /** Applied to every object before it is cached, e.g. to drop managedFields. */
  transform?: TransformFunc<T>;
  keyFunc?: KeyFunc<T>;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  useWatchList?: boolean;
  minWatchTimeoutSeconds?: number;
  backoff?: Partial<BackoffOptions>;
  /** Deep-freeze cached objects. Default: in development and tests only (freeze.ts). */
  freeze?: boolean;
  clock?: Clock;
  random?: () => number;
  logger?: CacheLogger;
  /** Every list/watch/handler error, after it is logged. */
  onError?: InformerErrorHandler;
}

export class SharedIndexInformer<T extends KubeObject = KubeObject> {
  readonly name: string;
  private readonly indexer: CacheIndexer<T>;
  private readonly processor = new SharedProcessor<T>();
  private readonly fifo: DeltaFIFO<T>;
  private readonly clock: Clock;
  private readonly log: CacheLogger;
  private transform: TransformFunc<T> | undefined;
  private errorHandler: InformerErrorHandler | undefined;
  private reflector: Reflector<T> | undefined;
  private readonly defaultResyncMs: number;
  private resyncCheckPeriodMs: number;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly opts: SharedInformerOptions<T> = {},
  ) {
    this.name = opts.name ?? 'informer';
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? defaultCacheLogger();
    this.transform = opts.transform;
    this.errorHandler = opts.onError;
    this.defaultResyncMs = opts.resyncPeriodMs ?? 0;
    this.resyncCheckPeriodMs = this.defaultResyncMs;
    const keyFunc = opts.keyFunc ?? metaNamespaceKey;
    this.indexer = new CacheIndexer<T>({ keyFunc, freeze: opts.freeze, indexers: { [namespaceIndex]: metaNamespaceIndexFunc, ...opts.indexers } });
    this.fifo = new DeltaFIFO<T>({ keyFunc, knownObjects: this.indexer, transform: (obj) => (this.transform ? this.transform(obj) : obj) });
  }

  /** The cache. Objects in it are shared: never mutate them. */
  getIndexer(): ReadonlyIndexer<T> {
    return this.indexer;
  }

  getStore(): ReadonlyIndexer<T> {
    return this.indexer;
  }

  /** Adds indices (allowed at any time; existing objects are indexed at once). */
  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Sets the transform; only before run(). */
  setTransform(transform: TransformFunc<T>): void {
    if (this.started) throw new Error(`informer ${this.name} has already started`);
    this.transform = transform;
  }

  /** Sets the error handler; only before run(). */
  setErrorHandler(handler: InformerErrorHandler): void {
    if (this.started) throw new Error(`informer ${this.name} has already started`);
    this.errorHandler = handler;
  }

  /**
   * Adds a handler with its own buffer. Added after start, it first gets every cached object
   * as an add with isInInitialList = true. `resyncPeriodMs` defaults to the informer's.
   */
  addEventHandler(handler: ResourceEventHandler<T>, opts: { resyncPeriodMs?: number } = {}): ResourceEventHandlerRegistration {
    if (this.stopped) throw new Error(`handler was not added to informer ${this.name}: it has stopped already`);
    let requested = opts.resyncPeriodMs ?? this.defaultResyncMs;
    if (requested > 0 && requested < minimumResyncPeriodMs) {
      this.log.warn({ informer: this.name, requested }, `resync period too small; raised to ${minimumResyncPeriodMs} ms`);
      requested = minimumResyncPeriodMs;
    }
    if (requested > 0 && (this.resyncCheckPeriodMs === 0 || requested < this.resyncCheckPeriodMs)) {
      if (this.started) {
        this.log.warn({ informer: this.name, requested, checkPeriod: this.resyncCheckPeriodMs }, 'resync period is smaller than the running informer can check; raised');
        requested = Math.max(requested, this.resyncCheckPeriodMs);
      } else {
        this.resyncCheckPeriodMs = requested;
        for (const l of this.processor.all()) l.resyncPeriodMs = this.effectiveResync(l.requestedResyncPeriodMs);
      }
    }
    const listener: ProcessorListener<T> = new ProcessorListener<T>(
      handler,
      requested,
      this.effectiveResync(requested),
      () => this.fifo.hasSynced(),
      () => this.fifo.whenSynced(),
      (err, n) => this.report(err, 'handler', n),
    );
    listener.determineNextResync(this.clock.monotonic());
    // Replay first, then subscribe: both synchronous, so no event can fall between them.
    if (this.started) for (const obj of this.indexer.list()) listener.add({ type: 'add', obj, isInInitialList: true });
    this.processor.add(listener);
    return listener;
  }

  /** Removes a handler; it is not called again. */
  removeEventHandler(registration: ResourceEventHandlerRegistration): boolean {
    return registration instanceof ProcessorListener && this.processor.remove(registration as ProcessorListener<T>);
  }

  /** Lists, watches and dispatches until `signal` aborts or stop(). Resolves once fully stopped. */
  run(signal?: AbortSignal): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`informer ${this.name} has been stopped; informers cannot be restarted`));
    if (this.running) return this.running;
    this.started = true;
    const ac = (this.controller = new AbortController());
    if (signal) {
      if (signal.aborted) ac.abort();
      else signal.addEventListener('abort', () => ac.abort(), { once: true });
    }
    this.reflector = new Reflector<T>(this.lw, this.fifo, {
      name: this.name,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      pageSize: this.opts.pageSize,
      useWatchList: this.opts.useWatchList,
      minWatchTimeoutSeconds: this.opts.minWatchTimeoutSeconds,
      // The well-known transform: its watches may leave managedFields out while decoding.
      watchWithoutManagedFields: this.transform === dropManagedFields,
      resyncPeriodMs: this.resyncCheckPeriodMs,
      shouldResync: () => this.processor.shouldResync(this.clock.monotonic()),
      backoff: this.opts.backoff,
      clock: this.clock,
      random: this.opts.random,
      logger: this.log,
      onError: (err, ctx) => this.callErrorHandler(err, ctx.phase),
    });
    const reflector = this.reflector;
    const distribute = (n: Notification<T>, sync: boolean) => this.processor.distribute(n, sync);
    this.running = (async () => {
      const reflecting = reflector.run(ac.signal);
      const processing = processLoop(this.fifo, (deltas, initial) => processDeltas(this.indexer, distribute, deltas, initial), (err) => this.report(err, 'process'));
      await new Promise<void>((resolve) => (ac.signal.aborted ? resolve() : ac.signal.addEventListener('abort', () => resolve(), { once: true })));
      this.stopped = true;
      this.fifo.close();
      await Promise.all([reflecting, processing]);
      this.processor.stop();
    })();
    return this.running;
  }

  /** Stops the informer and waits until it has. Handlers get nothing afterwards. */
  async stop(): Promise<void> {
    if (!this.running) {
      this.stopped = true;
      return;
    }
    this.controller?.abort();
    await this.running;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** The first list has been fully applied to the cache (not that handlers have seen it). */
  hasSynced(): boolean {
    return this.fifo.hasSynced();
  }

  /** Waits for hasSynced(); false if `signal` aborts or the informer stops first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    if (this.hasSynced()) return true;
    const stopped = new Promise<void>((resolve) => {
      void this.running?.then(() => resolve());
      if (signal) signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([this.fifo.whenSynced(), stopped]);
    return this.hasSynced();
  }

  /** The resourceVersion the cache reflects ("" before the first list). */
  lastSyncResourceVersion(): string {
    return this.reflector?.lastSyncResourceVersion ?? '';
  }

  /** Resolves when every handler has handled everything dispatched so far (tests, benchmarks). */
  async whenHandlersIdle(): Promise<void> {
    for (;;) {
      await Promise.all([...this.processor.all()].map((l) => l.whenIdle()));
      if (this.fifo.length === 0 && [...this.processor.all()].every((l) => l.pending === 0)) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private effectiveResync(requested: number): number {
    if (requested === 0) return 0;
    if (this.resyncCheckPeriodMs === 0) return 0;
    return Math.max(requested, this.resyncCheckPeriodMs);
  }

  private report(e: unknown, phase: 'handler' | 'process', n?: Notification<T>): void {
    const err = toError(e);
    const obj = n ? n.obj : undefined;
    this.log.error({ informer: this.name, phase, err, object: obj && 'metadata' in obj ? `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}` : undefined }, phase === 'handler' ? 'event handler failed' : 'processing deltas failed');
    this.callErrorHandler(err, phase);
  }

  private callErrorHandler(err: Error, phase: InformerPhase): void {
    try {
      this.errorHandler?.(err, { phase, name: this.name, resourceVersion: this.lastSyncResourceVersion() });
    } catch (handlerErr) {
      this.log.error({ informer: this.name, err: handlerErr }, 'informer error handler threw');
    }
  }
}
