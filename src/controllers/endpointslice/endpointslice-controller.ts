// The EndpointSlice controller (upstream pkg/controller/endpointslice): for every Service with a
// selector, EndpointSlices (labelled kubernetes.io/service-name and managed-by
// endpointslice-controller.k8s.io, owned by the Service) holding at most 100 endpoints each, one
// set per address family. Slices of a deleted Service go with it through their ownerReference
// (the garbage collector's job); this controller never recreates slices while the Service is
// being deleted.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { isDeletedFinalStateUnknown, splitMetaNamespaceKey } from '../../client/cache/index.js';
import { namespaceIndex } from '../../client/cache/indexers.js';
import type { Controller, ControllerContext } from '../context.js';
import { errorMessage, hasNamespaceTerminatingCause, hasSelector } from '../endpoints/endpoints-controller.js';
import { formatRFC3339Nano, serviceSelectsPod } from '../endpoints/pod-util.js';
import { queueServicesOnServiceAndPodChanges } from '../endpoints/service-membership.js';
import { lastChangeTriggerTimeAnnotation, TriggerTimeTracker } from '../endpoints/trigger-time.js';
import { controllerName, defaultMaxEndpointsPerSlice, managedByLabel, reconcile, serviceNameLabel } from './reconciler.js';
import { EndpointSliceTracker } from './tracker.js';

type Slice = EndpointSlice & KubeObject;

const maxRetries = 15;

export interface EndpointSliceControllerOptions {
  workers?: number;
  /** Upstream's --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
}

const isOurs = (s: EndpointSlice) => s.metadata?.labels?.[managedByLabel] === controllerName;
const serviceKeyOf = (s: EndpointSlice) => {
  const name = s.metadata?.labels?.[serviceNameLabel];
  return name ? `${s.metadata?.namespace ?? ''}/${name}` : undefined;
};

export function newEndpointSliceController(ctx: ControllerContext, opts: EndpointSliceControllerOptions = {}): Controller {
  const services = ctx.informers.for(resources.services);
  const pods = ctx.informers.for(resources.pods);
  const nodes = ctx.informers.for(resources.nodes);
  const slices = ctx.informers.for(resources.endpointSlices);
  const queue = newRateLimitingQueue<string>({ name: 'endpoint_slice' });
  const log = ctx.log.child({ controller: 'endpointslice' });
  const recorder = ctx.recorder('endpoint-slice-controller');
  const client = ctx.client.resource(resources.endpointSlices);
  const triggerTimes = new TriggerTimeTracker();
  const tracker = new EndpointSliceTracker();
  const max = opts.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;

  const enqueueForSlice = (s: EndpointSlice) => {
    const k = serviceKeyOf(s);
    if (k) queue.add(k);
  };
  queueServicesOnServiceAndPodChanges(services, pods, queue);
  slices.addEventHandler({
    onAdd: (s) => {
      if (isOurs(s) && tracker.shouldSync(s)) enqueueForSlice(s);
    },
    onUpdate: (old, s) => {
      // Users may relabel a slice (service name or manager): both services need a look.
      if (old.metadata?.labels?.[serviceNameLabel] !== s.metadata?.labels?.[serviceNameLabel]) {
        enqueueForSlice(old);
        enqueueForSlice(s);
      } else if (isOurs(old) !== isOurs(s) || (isOurs(s) && tracker.shouldSync(s))) {
        enqueueForSlice(s);
      }
    },
    onDelete: (obj) => {
      const s = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (s && isOurs(s) && tracker.handleDeletion(s)) enqueueForSlice(s);
    },
  });

  async function sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = services.getIndexer().getByKey(key) as Service | undefined;
    if (!svc) {
      // Its slices are the garbage collector's (ownerReference); only our memory of it goes.
      triggerTimes.deleteService(namespace, name);
      tracker.deleteService(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !hasSelector(svc)) return;

    const selected = (pods.getIndexer().byIndex(namespaceIndex, namespace) as Pod[]).filter((p) => serviceSelectsPod(svc, p));
    const existing = (slices.getIndexer().byIndex(namespaceIndex, namespace) as Slice[]).filter(
      (s) => isOurs(s) && s.metadata?.labels?.[serviceNameLabel] === name && !s.metadata?.deletionTimestamp,
    );
    if (tracker.stale(key, existing)) {
      // Our own last write has not reached the cache yet: look again shortly (not an error).
      log.debug({ service: key }, 'EndpointSlice informer cache is out of date; requeuing');
      queue.addRateLimited(key);
      return;
    }
    const triggerTime = triggerTimes.compute(namespace, svc, selected);

    const plan = reconcile({
      service: svc,
      pods: selected,
      existing,
      getNode: (n) => (n ? (nodes.getIndexer().getByKey(n) as Node | undefined) : undefined),
      maxEndpointsPerSlice: max,
    });
    try {
      await apply(key, svc, plan, triggerTime);
    } catch (err) {
      recorder.eventf(svc as Service & KubeObject, 'Warning', 'FailedToUpdateEndpointSlices', 'Error updating Endpoint Slices for Service %s/%s: %v', namespace, name, errorMessage(err));
      throw err;
    }
    // Pods on unknown nodes were left out; retry (with backoff) until their node shows up.
    if (plan.errors.length) throw new Error(plan.errors.join('; '));
  }

  async function apply(key: string, svc: Service, plan: ReturnType<typeof reconcile>, triggerTime: Date | undefined): Promise<void> {
    const namespace = svc.metadata!.namespace!;
    const annotate = (s: EndpointSlice): Slice => {
      const out = structuredClone(s) as Slice;
      const annotations: Record<string, string> = { ...out.metadata?.annotations };
      if (triggerTime) annotations[lastChangeTriggerTimeAnnotation] = formatRFC3339Nano(triggerTime);
      else delete annotations[lastChangeTriggerTimeAnnotation];
      out.metadata = { ...out.metadata, annotations };
      return out;
    };
    // No new slices for a Service being deleted: they would race the garbage collector.
    if (!svc.metadata?.deletionTimestamp) {
      for (const s of plan.create) {
        try {
          tracker.recordWrite(key, await client.create(annotate(s), { namespace }));
        } catch (err) {
          if (hasNamespaceTerminatingCause(err)) return;
          throw new Error(`failed to create EndpointSlice for Service ${namespace}/${svc.metadata?.name}: ${errorMessage(err)}`, { cause: err });
        }
      }
    }
    for (const s of plan.update) {
      try {
        tracker.recordWrite(key, await client.update(annotate(s), { namespace }));
      } catch (err) {
        throw new Error(`failed to update ${s.metadata?.name} EndpointSlice for Service ${namespace}/${svc.metadata?.name}: ${errorMessage(err)}`, { cause: err });
      }
    }
    for (const s of plan.delete) {
      try {
        await client.delete(s.metadata!.name!, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`failed to delete ${s.metadata?.name} EndpointSlice for Service ${namespace}/${svc.metadata?.name}: ${errorMessage(err)}`, { cause: err });
      }
      tracker.expectDeletion(key, s);
    }
  }

  return {
    name: 'endpointslice',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log, maxRetries }),
  };
}
