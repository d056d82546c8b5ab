// The Endpoints controller (upstream pkg/controller/endpoint): for every Service with a selector,
// an Endpoints object of the same name listing the selected pods' addresses (ready ones in
// `addresses`, others in `notReadyAddresses`) per resolved port set. Services without a selector
// (including the `kubernetes` Service, whose Endpoints the API server maintains) and ExternalName
// services are left alone. Deleting a Service deletes its Endpoints.
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isForbidden, isNotFound } from '../../client/rest/errors.js';
import { newRateLimitingQueue, runWorkers } from '../../client/workqueue/index.js';
import { keyOf, splitMetaNamespaceKey } from '../../client/cache/index.js';
import { namespaceIndex } from '../../client/cache/indexers.js';
import type { Controller, ControllerContext } from '../context.js';
import { semanticEqual } from './equal.js';
import { formatRFC3339Nano, isServiceIPSet, serviceSelectsPod } from './pod-util.js';
import { queueServicesOnServiceAndPodChanges } from './service-membership.js';
import { computeSubsets, headlessServiceLabel, overCapacityAnnotation, truncateSubsets } from './subsets.js';
import { lastChangeTriggerTimeAnnotation, TriggerTimeTracker } from './trigger-time.js';

type Ep = Endpoints & KubeObject;

/** Endpoints of leader-election locks carry this annotation and have no Service: never delete them. */
const leaderElectionAnnotation = 'control-plane.alpha.kubernetes.io/leader';

/** Upstream drops a service after this many consecutive failures (5 ms · 2^15 ≈ 82 s of backoff). */
const maxRetries = 15;

export interface EndpointsControllerOptions {
  workers?: number;
}

export function newEndpointsController(ctx: ControllerContext, opts: EndpointsControllerOptions = {}): Controller {
  const services = ctx.informers.for(resources.services);
  const pods = ctx.informers.for(resources.pods);
  const endpoints = ctx.informers.for(resources.endpoints);
  const queue = newRateLimitingQueue<string>({ name: 'endpoint' });
  const log = ctx.log.child({ controller: 'endpoint' });
  const recorder = ctx.recorder('endpoint-controller');
  const client = ctx.client.resource(resources.endpoints);
  const triggerTimes = new TriggerTimeTracker();
  // The resourceVersion an update replaced, per key: seeing it again in the cache means the
  // cache has not caught up with our own write yet (upstream's staleEndpointsTracker).
  const staleVersions = new Map<string, string>();

  queueServicesOnServiceAndPodChanges(services, pods, queue);
  endpoints.addEventHandler({ onDelete: (obj) => queue.add(keyOf(obj)) });

  async function sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = services.getIndexer().getByKey(key) as Service | undefined;
    if (!svc) {
      // The service is gone: so are its endpoints. (If we were down when it was deleted, the
      // startup pass over all Endpoints brings us here.)
      const ep = endpoints.getIndexer().getByKey(key);
      if (ep?.metadata?.annotations?.[leaderElectionAnnotation] === undefined) {
        try {
          await client.delete(name, { namespace });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      triggerTimes.deleteService(namespace, name);
      staleVersions.delete(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    if (!hasSelector(svc)) return;

    const selected = (pods.getIndexer().byIndex(namespaceIndex, namespace) as Pod[]).filter((p) => serviceSelectsPod(svc, p));
    // Computed before the no-op check so the tracker's state always advances.
    const triggerTime = triggerTimes.compute(namespace, svc, selected);
    const { subsets, truncated } = truncateSubsets(computeSubsets(svc, selected));

    const current = endpoints.getIndexer().getByKey(key) as Ep | undefined;
    if (current && staleVersions.get(key) === current.metadata!.resourceVersion) {
      // Our own last write has not reached the cache yet: look again shortly (not an error).
      log.debug({ service: key, resourceVersion: current.metadata!.resourceVersion }, 'endpoints informer cache is out of date; requeuing');
      queue.addRateLimited(key);
      return;
    }
    const labels: Record<string, string> = { ...svc.metadata?.labels };
    if (!isServiceIPSet(svc)) labels[headlessServiceLabel] = '';
    if (
      current &&
      semanticEqual(current.subsets, subsets) &&
      semanticEqual(current.metadata!.labels, labels) &&
      (current.metadata!.annotations?.[overCapacityAnnotation] !== undefined) === truncated
    ) {
      return;
    }

    const next: Ep = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.apiVersion = 'v1';
    next.kind = 'Endpoints';
    next.subsets = subsets;
    next.metadata!.labels = labels;
    const annotations: Record<string, string> = { ...next.metadata!.annotations };
    if (triggerTime) annotations[lastChangeTriggerTimeAnnotation] = formatRFC3339Nano(triggerTime);
    else delete annotations[lastChangeTriggerTimeAnnotation];
    if (truncated) annotations[overCapacityAnnotation] = 'truncated';
    else delete annotations[overCapacityAnnotation];
    next.metadata!.annotations = annotations;

    try {
      if (!current) {
        await client.create(next, { namespace });
      } else {
        const updated = await client.update(next, { namespace });
        if (updated.metadata!.resourceVersion !== current.metadata!.resourceVersion) staleVersions.set(key, current.metadata!.resourceVersion!);
      }
    } catch (err) {
      // A terminating namespace refuses creates for good: nothing to retry.
      if (!current && isForbidden(err) && hasNamespaceTerminatingCause(err)) return;
      if (!current) recorder.eventf(next, 'Warning', 'FailedToCreateEndpoint', 'Failed to create endpoint for service %v/%v: %v', namespace, name, errorMessage(err));
      else recorder.eventf(next, 'Warning', 'FailedToUpdateEndpoint', 'Failed to update endpoint %v/%v: %v', namespace, name, errorMessage(err));
      throw err;
    }
  }

  return {
    name: 'endpoint',
    run: (signal) => {
      // checkLeftoverEndpoints: Endpoints whose Service was deleted while we were down.
      for (const key of endpoints.getIndexer().listKeys()) queue.add(key);
      return runWorkers(queue, opts.workers ?? 5, (key) => sync(key), signal, { log, maxRetries });
    },
  };
}

/** Upstream tests `selector == nil`; an empty selector cannot survive storage round trips upstream, so it counts as none. */
export function hasSelector(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

export function hasNamespaceTerminatingCause(err: unknown): boolean {
  const causes = (err as { details?: { causes?: { type?: string }[] } }).details?.causes ?? [];
  return causes.some((c) => c.type === 'NamespaceTerminating');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
