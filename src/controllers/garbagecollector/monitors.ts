// One metadata-only informer ("monitor") per deletable resource, feeding the graph builder
// (upstream graph_builder.go syncMonitors/startMonitors). sync() starts monitors for resources
// that appeared (CRDs) and stops those for resources that went away; the graph keeps the nodes.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import { isDeletedFinalStateUnknown, SharedIndexInformer, type ResourceEventHandlerRegistration } from '../../client/cache/index.js';
import type { GraphBuilder } from './graph-builder.js';
import type { MetadataClient } from './metadata-client.js';
import { monitorKey, type MonitoredResource } from './resources.js';

interface Monitor {
  resource: MonitoredResource;
  informer: SharedIndexInformer<KubeObject>;
  registration: ResourceEventHandlerRegistration;
  running: Promise<void>;
}

export class Monitors {
  private readonly monitors = new Map<string, Monitor>();

  constructor(
    private readonly builder: GraphBuilder,
    private readonly metadata: MetadataClient,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
  ) {}

  /** Makes the running monitors exactly `resources`; returns whether anything changed. */
  async sync(resources: readonly MonitoredResource[]): Promise<{ added: string[]; removed: string[] }> {
    const wanted = new Map(resources.map((r) => [monitorKey(r.ref), r]));
    const added: string[] = [];
    const removed: string[] = [];
    for (const [key, m] of this.monitors) {
      if (wanted.has(key)) continue;
      this.monitors.delete(key);
      removed.push(key);
      await m.informer.stop();
    }
    for (const [key, r] of wanted) {
      if (this.monitors.has(key) || this.signal.aborted) continue;
      this.monitors.set(key, this.start(r));
      added.push(key);
    }
    return { added, removed };
  }

  /** True once every monitor has listed and the graph builder has seen every listed object. */
  isSynced(): boolean {
    return [...this.monitors.values()].every((m) => m.registration.hasSynced());
  }

  /** Waits until isSynced() (or the signal aborts); resolves to isSynced(). */
  async waitForSync(): Promise<boolean> {
    const aborted = new Promise<void>((resolve) => (this.signal.aborted ? resolve() : this.signal.addEventListener('abort', () => resolve(), { once: true })));
    await Promise.race([Promise.all([...this.monitors.values()].map((m) => m.registration.whenSynced())), aborted]);
    return this.isSynced();
  }

  keys(): string[] {
    return [...this.monitors.keys()];
  }

  async stop(): Promise<void> {
    const all = [...this.monitors.values()];
    this.monitors.clear();
    await Promise.all(all.map((m) => m.informer.stop()));
    await Promise.all(all.map((m) => m.running));
  }

  private start(resource: MonitoredResource): Monitor {
    const { apiVersion, kind } = resource;
    const informer = new SharedIndexInformer<KubeObject>(this.metadata.listerWatcher(resource.ref), {
      name: `garbage collector monitor for ${monitorKey(resource.ref)}`,
      // Only metadata is kept; drop managedFields, the bulk of it, which the graph never reads.
      transform: (obj) => (obj.metadata?.managedFields ? { ...obj, metadata: { ...obj.metadata, managedFields: undefined } } : obj),
    });
    const builder = this.builder;
    const registration = informer.addEventHandler({
      onAdd: (obj) => builder.processGraphChange({ type: 'add', obj, apiVersion, kind }),
      onUpdate: (oldObj, obj) => builder.processGraphChange({ type: 'update', obj, oldObj, apiVersion, kind }),
      onDelete: (obj) => {
        const last = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
        if (last) builder.processGraphChange({ type: 'delete', obj: last, apiVersion, kind });
      },
    });
    // Stopped through stop() (one abort listener per monitor on a shared signal would pile up).
    const running = informer.run().catch((err: unknown) => this.log.error({ err, resource: monitorKey(resource.ref) }, 'garbage collector monitor failed'));
    return { resource, informer, registration, running };
  }
}
