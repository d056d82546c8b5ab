// What every controller is given: a client, shared informers (one list+watch per resource
// however many controllers use it), an event recorder per component, and a logger. A controller
// is level-triggered: it reads informer caches and reconciles keys from a rate-limited work
// queue, never acting on a single event.
import type { Logger } from 'pino';
import type { KubeObject } from '../api/object.js';
import type { Client } from '../client/rest/client.js';
import type { ResourceRef } from '../client/rest/resource-ref.js';
import { listerWatcher } from '../client/rest/lister-watcher.js';
import { SharedInformerFactory, type InformerKey } from '../client/cache/informer-factory.js';
import type { SharedIndexInformer } from '../client/cache/shared-informer.js';
import type { Indexers } from '../client/cache/store.js';
import type { TransformFunc } from '../client/cache/delta-fifo.js';
import { EventBroadcaster, restEventSink, type EventRecorder, type EventSink } from '../client/record/index.js';
import * as eventsV1 from '../client/events/index.js';
import { CONTROLLER_ACCOUNTS_NAMESPACE } from './clientbuilder/builder.js';

export interface InformerOptions<T extends KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Indexers<T>;
  transform?: TransformFunc<T>;
}

/** Shared informers over a client: one list+watch per resource, namespace and selectors. */
export class Informers {
  readonly factory: SharedInformerFactory;

  constructor(
    private readonly client: Client,
    opts: { resyncPeriodMs?: number } = {},
  ) {
    this.factory = new SharedInformerFactory({
      resyncPeriodMs: opts.resyncPeriodMs,
      listerWatcherFor: <T extends KubeObject>(key: InformerKey<T>) =>
        listerWatcher(this.client.resource(key), { namespace: key.namespace || undefined, labelSelector: key.labelSelector, fieldSelector: key.fieldSelector }),
    });
  }

  /** The shared informer for a resource (created on first request; start() runs new ones). */
  for<T extends KubeObject>(ref: ResourceRef<T>, opts: InformerOptions<T> = {}): SharedIndexInformer<T> {
    return this.factory.forResource<T>(
      { ...ref, namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
      { indexers: opts.indexers, transform: opts.transform },
    );
  }

  start(): void {
    this.factory.start();
  }

  /** True when every started informer has synced (false if the signal aborted first). */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const synced = await this.factory.waitForCacheSync(signal);
    return [...synced.values()].every(Boolean);
  }

  shutdown(): Promise<void> {
    return Promise.resolve(this.factory.shutdown());
  }
}

export interface ControllerContext {
  client: Client;
  informers: Informers;
  /** An event recorder whose events carry `component` as their source. */
  recorder(component: string): EventRecorder;
  /**
   * An events.k8s.io/v1 recorder reporting as `reportingController` (what kube-scheduler records
   * with: Eventf(regarding, related, type, reason, action, note)). Its broadcaster starts on first
   * use, so components that never record this way do not run it.
   */
  eventsRecorder(reportingController: string): eventsV1.EventRecorder;
  log: Logger;
}

export interface Controller {
  readonly name: string;
  /** Runs until the signal aborts; resolves after in-flight work is done. Informers are synced first by the manager. */
  run(signal: AbortSignal): Promise<void>;
}

/** How the manager knows a controller: its name (for --controllers) and how to build it. */
export interface ControllerDescriptor {
  name: string;
  /** The ServiceAccount (in kube-system) upstream's controller of this name uses for its own credentials. */
  serviceAccount?: string;
  create(ctx: ControllerContext): Controller;
}

/**
 * `eventSink`: where the recorders' events go (default: the API through `client`; the node agent's
 * is rate-limited). `informers`: another context's, shared (close() leaves them running).
 */
export function newControllerContext(client: Client, log: Logger, opts: { host?: string; eventSink?: EventSink; informers?: Informers } = {}): ControllerContext & { close(): Promise<void> } {
  const informers = opts.informers ?? new Informers(client);
  const broadcaster = new EventBroadcaster({ log });
  broadcaster.startRecordingToSink(opts.eventSink ?? restEventSink(client));
  const recorders = new Map<string, EventRecorder>();
  let eventsBroadcaster: eventsV1.EventBroadcaster | undefined;
  const eventsRecorders = new Map<string, eventsV1.EventRecorder>();
  return {
    client,
    informers,
    log,
    recorder(component) {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = broadcaster.newRecorder({ component, host: opts.host })));
      return r;
    },
    eventsRecorder(reportingController) {
      let r = eventsRecorders.get(reportingController);
      if (!r) {
        if (!eventsBroadcaster) {
          eventsBroadcaster = new eventsV1.EventBroadcaster({ log });
          eventsBroadcaster.startRecordingToSink(eventsV1.restEventSink(client));
        }
        // Upstream's instance is "<controller>-<hostname>".
        r = opts.host ? eventsBroadcaster.newRecorder(reportingController, `${reportingController}-${opts.host}`) : eventsBroadcaster.newRecorder(reportingController);
        eventsRecorders.set(reportingController, r);
      }
      return r;
    },
    async close() {
      if (!opts.informers) await informers.shutdown();
      await Promise.all([broadcaster.shutdown(), eventsBroadcaster?.shutdown()]);
    },
  };
}

/**
 * Who the controller manager in a k8ts process is: its shared informers read as this user, and
 * so do its controllers when they do not have credentials of their own
 * (--use-service-account-credentials=false, where upstream leaves granting that credential every
 * controller's permissions to the cluster's operator: k8ts makes it a member of system:masters).
 */
export const CONTROLLER_MANAGER_USER = { username: 'system:kube-controller-manager', groups: ['system:masters'] };

/**
 * The identity a controller writes with under --use-service-account-credentials: its
 * ServiceAccount in kube-system, bound by the default policy to system:controller:<name>.
 */
export function controllerServiceAccountUser(serviceAccount: string): { username: string; groups: string[] } {
  const ns = CONTROLLER_ACCOUNTS_NAMESPACE;
  return { username: `system:serviceaccount:${ns}:${serviceAccount}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] };
}
