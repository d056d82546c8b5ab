// The ConfigMaps and Secrets the node's pods reference, kept current by watches instead of a
// GET per pod per sync (upstream pkg/kubelet/util/manager/watch_based_manager.go, the kubelet's
// default "Watch" change-detection strategy). Each referenced object (namespace/name) has one
// single-object reflector (fieldSelector metadata.name=NAME) shared by every pod that uses it —
// e.g. one watch on kube-root-ca.crt per namespace, however many pods mount their token volume.
// A pod registers the names it references; a watch stops when no pod references its object.
// An immutable object is not watched any more once seen, as upstream.
import type { KubeObject } from '../../api/object.js';
import type { ListerWatcher } from '../../client/types.js';
import { Reflector, type ReflectorStore } from '../../client/cache/index.js';
import type { Logger } from '../../util/log.js';

/** How long a read waits for a new watch's first list (upstream: 1 s, then "failed to sync"). */
const syncTimeoutMs = 1000;

class SingleObjectStore<T extends KubeObject> implements ReflectorStore<T> {
  object: T | undefined;
  synced = false;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly onImmutable: () => void) {}

  private set(obj: T | undefined): void {
    this.object = obj;
    if ((obj as { immutable?: boolean } | undefined)?.immutable) this.onImmutable();
  }
  add(obj: T): void {
    this.set(obj);
  }
  update(obj: T): void {
    this.set(obj);
  }
  delete(): void {
    this.object = undefined;
  }
  replace(items: T[]): void {
    this.set(items[0]);
    this.synced = true;
    for (const w of this.waiters.splice(0)) w();
  }
  resync(): void {}

  waitSynced(ms: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.synced), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

interface Watched<T extends KubeObject> {
  store: SingleObjectStore<T>;
  stop: AbortController;
  pods: number;
}

export class WatchedObjects<T extends KubeObject> {
  private readonly items = new Map<string, Watched<T>>();
  /** pod uid → keys ("namespace/name") it references. */
  private readonly pods = new Map<string, Set<string>>();

  constructor(
    /** Lists and watches the kind in one namespace. */
    private readonly listerWatcher: (namespace: string) => ListerWatcher<T>,
    private readonly kind: string,
    private readonly log: Logger,
  ) {}

  /** Sets the objects a pod references (upstream RegisterPod); watches start and stop to match. */
  registerPod(podUid: string, namespace: string, names: Iterable<string>): void {
    const keys = new Set([...names].filter((n) => n).map((n) => `${namespace}/${n}`));
    const before = this.pods.get(podUid) ?? new Set<string>();
    for (const k of keys) if (!before.has(k)) this.ref(k);
    for (const k of before) if (!keys.has(k)) this.unref(k);
    if (keys.size) this.pods.set(podUid, keys);
    else this.pods.delete(podUid);
  }

  unregisterPod(podUid: string): void {
    this.registerPod(podUid, '', []);
  }

  /**
   * The object as last seen by its watch; undefined when it does not exist. Throws when the
   * object is not referenced by a registered pod or its watch has not listed within a second.
   */
  async get(namespace: string, name: string): Promise<T | undefined> {
    const item = this.items.get(`${namespace}/${name}`);
    if (!item) throw new Error(`object ${JSON.stringify(`${namespace}/${name}`)} not registered`);
    if (!(await item.store.waitSynced(syncTimeoutMs))) throw new Error(`failed to sync ${this.kind} cache: timed out waiting for the condition`);
    return item.store.object;
  }

  /** Number of objects watched (tests). */
  get watchCount(): number {
    let n = 0;
    for (const i of this.items.values()) if (!i.stop.signal.aborted) n++;
    return n;
  }

  stop(): void {
    for (const i of this.items.values()) i.stop.abort();
    this.items.clear();
    this.pods.clear();
  }

  private ref(key: string): void {
    const existing = this.items.get(key);
    if (existing) {
      existing.pods++;
      return;
    }
    const [namespace, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const stop = new AbortController();
    const store = new SingleObjectStore<T>(() => stop.abort());
    const reflector = new Reflector(this.listerWatcher(namespace), store, {
      name: `${this.kind} ${key}`,
      fieldSelector: `metadata.name=${name}`,
      pageSize: 0,
      // The agent closed its client without stopping us: retrying would only keep the process alive.
      onError: (err) => {
        if (/transport (is|was) closed/.test(err.message)) this.stop();
      },
    });
    this.items.set(key, { store, stop, pods: 1 });
    void reflector.run(stop.signal).catch((err: unknown) => this.log.warn({ err, key }, `${this.kind} watch stopped`));
  }

  private unref(key: string): void {
    const item = this.items.get(key);
    if (!item || --item.pods > 0) return;
    item.stop.abort();
    this.items.delete(key);
  }
}
