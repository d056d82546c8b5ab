// SharedInformerFactory (informers/factory.go): one informer per (resource, namespace,
// selectors), however many controllers ask for it, so each list+watch reaches the server once.
// The factory does not know how to talk to the server: it is given a function that builds a
// ListerWatcher for a resource (the REST client provides one; tests provide fakes). Resources are
// named by the REST client's ResourceRef, so the key handed to that function can go straight to
// client.resource(key).
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../../api/object.js';
import type { ResourceRef } from '../rest/resource-ref.js';
import type { ListerWatcher } from '../types.js';
import type { TransformFunc } from './delta-fifo.js';
import { defaultCacheLogger } from './logger.js';
import { SharedIndexInformer, type SharedInformerOptions } from './shared-informer.js';
import type { Indexers } from './store.js';

/** What one shared informer watches: a resource (its ref's T types the cache), narrowed. */
export interface InformerKey<T extends KubeObject = KubeObject> extends ResourceRef<T> {
  /** "" or absent: all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export type ListerWatcherFactory = <T extends KubeObject>(key: InformerKey<T>) => ListerWatcher<T>;

/** Options every informer of the factory gets (selectors and naming come from the key). */
export type FactoryInformerOptions = Omit<SharedInformerOptions<KubeObject>, 'name' | 'labelSelector' | 'fieldSelector' | 'indexers' | 'transform' | 'keyFunc'>;

export interface SharedInformerFactoryOptions extends FactoryInformerOptions {
  listerWatcherFor: ListerWatcherFactory;
  /** Restrict every informer to one namespace unless its key names another. */
  namespace?: string;
  /** Per resource ("group/plural", e.g. "apps/deployments" or "/pods") resync periods. */
  customResyncMs?: Record<string, number>;
}

export interface ForResourceOptions<T extends KubeObject> {
  /** Used instead of the factory's listerWatcherFor, only when this call creates the informer. */
  listerWatcher?: (key: InformerKey<T>) => ListerWatcher<T>;
  /** Added to the informer if it lacks them (indices with the same name are assumed equal). */
  indexers?: Indexers<T>;
  /** Only when this call creates the informer: the first caller's transform wins. */
  transform?: TransformFunc<T>;
}

/** Every informer of the factory listens on one signal; a controller manager runs dozens. */
function newSharedAbortController(): AbortController {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  return ac;
}

export function informerKeyString(key: InformerKey): string {
  const gr = `${key.group}/${key.version}/${key.plural}`;
  return [gr, key.namespace ?? '', key.labelSelector ?? '', key.fieldSelector ?? ''].join('|');
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  private readonly runs = new Map<string, Promise<void>>();
  private readonly ac = newSharedAbortController();
  private shuttingDown = false;

  constructor(private readonly opts: SharedInformerFactoryOptions) {}

  /** The shared informer for `key`, created on first request. Call start() to run new ones. */
  forResource<T extends KubeObject>(key: InformerKey<T>, o: ForResourceOptions<T> = {}): SharedIndexInformer<T> {
    if (this.shuttingDown) throw new Error('the informer factory is shut down');
    const full: InformerKey<T> = { ...key, namespace: key.namespace ?? this.opts.namespace ?? '' };
    const id = informerKeyString(full);
    let informer = this.informers.get(id) as SharedIndexInformer<T> | undefined;
    if (!informer) {
      const { listerWatcherFor, namespace: _ns, customResyncMs, ...shared } = this.opts;
      const lw = o.listerWatcher ? o.listerWatcher(full) : listerWatcherFor<T>(full);
      const name = `${full.group ? `${full.group}/` : ''}${full.plural}${full.namespace ? ` in ${full.namespace}` : ''}`;
      const resync = customResyncMs?.[`${full.group}/${full.plural}`] ?? shared.resyncPeriodMs;
      informer = new SharedIndexInformer<T>(lw, {
        ...(shared as SharedInformerOptions<T>),
        resyncPeriodMs: resync,
        name,
        labelSelector: full.labelSelector,
        fieldSelector: full.fieldSelector,
        indexers: o.indexers,
        transform: o.transform,
      });
      this.informers.set(id, informer as unknown as SharedIndexInformer<KubeObject>);
    } else if (o.indexers) {
      const have = informer.getIndexer().getIndexers();
      const missing = Object.fromEntries(Object.entries(o.indexers).filter(([name]) => !(name in have)));
      if (Object.keys(missing).length) informer.addIndexers(missing);
    }
    return informer;
  }

  /** Runs every informer not yet running (call again after asking for more). */
  start(): void {
    if (this.shuttingDown) return;
    for (const [id, informer] of this.informers) {
      if (this.runs.has(id)) continue;
      const run = informer.run(this.ac.signal).catch((err: unknown) => {
        (this.opts.logger ?? defaultCacheLogger()).error({ informer: informer.name, err }, 'informer failed');
      });
      this.runs.set(id, run);
    }
  }

  /** Waits until every started informer has synced; per key, whether it did. */
  async waitForCacheSync(signal?: AbortSignal): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    await Promise.all(
      [...this.informers].filter(([id]) => this.runs.has(id)).map(async ([id, informer]) => out.set(id, await informer.waitForCacheSync(signal))),
    );
    return out;
  }

  /** Stops every informer and waits for them. The factory cannot be used afterwards. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.ac.abort();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await Promise.all(this.runs.values());
  }

  /** Keys of the informers created so far. */
  keys(): string[] {
    return [...this.informers.keys()];
  }
}
