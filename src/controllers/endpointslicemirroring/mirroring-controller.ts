// The EndpointSlice mirroring controller (upstream pkg/controller/endpointslicemirroring): the
// Endpoints of a Service without a selector are written by hand (or by some other tool), so no
// controller builds slices for them; this one mirrors them into EndpointSlices labelled
// managed-by endpointslicemirroring-controller.k8s.io and owned by the Endpoints. Endpoints
// labelled skip-mirror=true (the `kubernetes` Service's, whose slice the API server keeps) or
// used as leader-election locks are not mirrored; mirrored slices go away when the Endpoints, or
// the Service, go away or the Service gains a selector.
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { isDeletedFinalStateUnknown, splitMetaNamespaceKey } from '../../client/cache/index.js';
import { namespaceIndex } from '../../client/cache/indexers.js';
import type { Controller, ControllerContext } from '../context.js';
import { errorMessage, hasNamespaceTerminatingCause } from '../endpoints/endpoints-controller.js';
import { managedByLabel, serviceNameLabel } from '../endpointslice/reconciler.js';
import { EndpointSliceTracker } from '../endpointslice/tracker.js';
import { objectKey } from '../util/index.js';
import { defaultMaxEndpointsPerSubset, mirroringControllerName, reconcileMirror, shouldMirror, type MirrorPlan } from './reconciler.js';

type Slice = EndpointSlice & KubeObject;

const maxRetries = 15;

export interface EndpointSliceMirroringOptions {
  workers?: number;
  /** Upstream --mirroring-max-endpoints-per-subset (default 1000). */
  maxEndpointsPerSubset?: number;
}

const isMirrored = (s: EndpointSlice) => s.metadata?.labels?.[managedByLabel] === mirroringControllerName;
const endpointsKeyOf = (s: EndpointSlice) => {
  const name = s.metadata?.labels?.[serviceNameLabel];
  return name ? `${s.metadata?.namespace ?? ''}/${name}` : undefined;
};
/** Upstream checks `Selector == nil`: an empty selector still counts as having one. */
const selectorless = (svc: Service) => svc.spec?.selector === undefined || svc.spec.selector === null;

export function newEndpointSliceMirroringController(ctx: ControllerContext, opts: EndpointSliceMirroringOptions = {}): Controller {
  const endpoints = ctx.informers.for(resources.endpoints);
  const services = ctx.informers.for(resources.services);
  const slices = ctx.informers.for(resources.endpointSlices);
  const queue = newRateLimitingQueue<string>({ name: 'endpoint_slice_mirroring' });
  const log = ctx.log.child({ controller: 'endpointslice-mirroring' });
  const recorder = ctx.recorder('endpoint-slice-mirroring-controller');
  const client = ctx.client.resource(resources.endpointSlices);
  const tracker = new EndpointSliceTracker();
  const max = opts.maxEndpointsPerSubset ?? defaultMaxEndpointsPerSubset;

  const enqueueForSlice = (s: EndpointSlice) => {
    const k = endpointsKeyOf(s);
    if (k) queue.add(k);
  };

  services.addEventHandler({
    onAdd: (svc) => {
      if (selectorless(svc)) queue.add(objectKey(svc));
    },
    onUpdate: (old, svc) => {
      if (selectorless(old) !== selectorless(svc)) queue.add(objectKey(svc));
    },
    onDelete: (obj) => {
      const svc = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (svc && selectorless(svc)) queue.add(objectKey(svc));
    },
  });
  endpoints.addEventHandler({
    onAdd: (ep) => {
      if (shouldMirror(ep)) queue.add(objectKey(ep));
    },
    onUpdate: (old, ep) => {
      // Gaining skip-mirror must clean up what was mirrored before.
      if (shouldMirror(ep) || shouldMirror(old)) queue.add(objectKey(ep));
    },
    onDelete: (obj) => {
      const ep = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (ep && shouldMirror(ep)) queue.add(objectKey(ep));
    },
  });
  slices.addEventHandler({
    onAdd: (s) => {
      if (isMirrored(s) && tracker.shouldSync(s)) enqueueForSlice(s);
    },
    onUpdate: (old, s) => {
      // Users may relabel a slice (service name or manager): both Endpoints need a look.
      if (old.metadata?.labels?.[serviceNameLabel] !== s.metadata?.labels?.[serviceNameLabel]) {
        enqueueForSlice(old);
        enqueueForSlice(s);
      } else if (isMirrored(old) !== isMirrored(s) || (isMirrored(s) && tracker.shouldSync(s))) {
        enqueueForSlice(s);
      }
    },
    onDelete: (obj) => {
      const s = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (s && isMirrored(s) && tracker.handleDeletion(s)) enqueueForSlice(s);
    },
  });

  function mirroredSlices(namespace: string, name: string): Slice[] {
    return (slices.getIndexer().byIndex(namespaceIndex, namespace) as Slice[]).filter((s) => isMirrored(s) && s.metadata?.labels?.[serviceNameLabel] === name && !s.metadata?.deletionTimestamp);
  }

  async function deleteMirroredSlices(key: string, namespace: string, name: string): Promise<void> {
    tracker.deleteService(key);
    const errors: string[] = [];
    for (const s of mirroredSlices(namespace, name)) {
      try {
        await client.delete(s.metadata!.name!, { namespace });
      } catch (err) {
        if (!isNotFound(err)) errors.push(errorMessage(err));
      }
    }
    if (errors.length) throw new Error(`error(s) deleting EndpointSlices for ${key} Endpoints, including: ${errors[0]}`);
  }

  async function sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ep = endpoints.getIndexer().getByKey(key) as (Endpoints & KubeObject) | undefined;
    const svc = services.getIndexer().getByKey(key) as Service | undefined;
    if (!ep || !shouldMirror(ep) || !svc || !selectorless(svc)) {
      await deleteMirroredSlices(key, namespace, name);
      return;
    }
    const existing = mirroredSlices(namespace, name);
    if (tracker.stale(key, existing)) {
      // Our own last write has not reached the cache yet: look again shortly (not an error).
      queue.addRateLimited(key);
      return;
    }
    const plan = reconcileMirror(ep, existing, max);
    if (plan.invalidAddresses > 0) recorder.eventf(ep, 'Warning', 'InvalidIPAddress', 'Skipped %d invalid IP addresses when mirroring to EndpointSlices', plan.invalidAddresses);
    if (plan.skippedAddresses > plan.invalidAddresses) {
      recorder.eventf(ep, 'Warning', 'TooManyAddressesToMirror', 'A max of %d addresses can be mirrored to EndpointSlices per Endpoints subset. %d addresses were skipped', max, plan.skippedAddresses);
    }
    await apply(key, ep, plan);
  }

  async function apply(key: string, ep: Endpoints, plan: MirrorPlan): Promise<void> {
    const namespace = ep.metadata!.namespace!;
    const what = `Endpoints ${namespace}/${ep.metadata?.name}`;
    // No new slices for Endpoints being deleted: they would race the garbage collector.
    if (!ep.metadata?.deletionTimestamp) {
      for (const s of plan.create) {
        try {
          tracker.recordWrite(key, await client.create(s as Slice, { namespace }));
        } catch (err) {
          if (hasNamespaceTerminatingCause(err)) return;
          throw new Error(`failed to create EndpointSlice for ${what}: ${errorMessage(err)}`, { cause: err });
        }
      }
    }
    for (const s of plan.update) {
      try {
        tracker.recordWrite(key, await client.update(s as Slice, { namespace }));
      } catch (err) {
        throw new Error(`failed to update ${s.metadata?.name} EndpointSlice for ${what}: ${errorMessage(err)}`, { cause: err });
      }
    }
    for (const s of plan.delete) {
      try {
        await client.delete(s.metadata!.name!, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`failed to delete ${s.metadata?.name} EndpointSlice for ${what}: ${errorMessage(err)}`, { cause: err });
      }
      tracker.expectDeletion(key, s);
    }
  }

  return {
    name: 'endpointslice-mirroring',
    run: (signal) => runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log, maxRetries }),
  };
}
