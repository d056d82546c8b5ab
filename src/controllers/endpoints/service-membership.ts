// Which services a pod event concerns (upstream's GetPodServiceMemberships and
// GetServicesToUpdateOnPodChange), shared by the Endpoints and EndpointSlice controllers.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { ReadonlyIndexer } from '../../client/cache/store.js';
import { namespaceIndex } from '../../client/cache/indexers.js';
import { isDeletedFinalStateUnknown, keyOf } from '../../client/cache/index.js';
import type { SharedIndexInformer } from '../../client/cache/shared-informer.js';
import { podEndpointFingerprint, sameLabels, serviceSelectsPod } from './pod-util.js';

/** Keys (namespace/name) of the services in the pod's namespace whose selector selects it. */
export function podServiceKeys(services: ReadonlyIndexer<Service & KubeObject>, pod: Pod): Set<string> {
  const ns = pod.metadata?.namespace ?? '';
  const keys = new Set<string>();
  for (const svc of services.byIndex(namespaceIndex, ns)) {
    if (serviceSelectsPod(svc, pod)) keys.add(`${ns}/${svc.metadata!.name!}`);
  }
  return keys;
}

/**
 * Services to resync after a pod update: none if nothing endpoints depend on changed; the
 * services of the new pod, plus those of the old one when the labels changed (it may have left).
 */
export function servicesForPodUpdate(services: ReadonlyIndexer<Service & KubeObject>, oldPod: Pod, newPod: Pod): Set<string> {
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
  const labelsChanged = !sameLabels(oldPod.metadata?.labels, newPod.metadata?.labels);
  const podChanged = podEndpointFingerprint(oldPod) !== podEndpointFingerprint(newPod);
  if (!labelsChanged && !podChanged) return new Set();
  const keys = podServiceKeys(services, newPod);
  if (labelsChanged) for (const k of podServiceKeys(services, oldPod)) keys.add(k);
  return keys;
}

/**
 * The event handlers both endpoint controllers (Endpoints and EndpointSlice) need: a Service is
 * queued when it changes, and every Service selecting a pod is queued when that pod changes.
 */
export function queueServicesOnServiceAndPodChanges(
  services: SharedIndexInformer<Service & KubeObject>,
  pods: SharedIndexInformer<Pod & KubeObject>,
  queue: { add(key: string): void },
): void {
  const addAll = (keys: Iterable<string>) => {
    for (const k of keys) queue.add(k);
  };
  services.addEventHandler({
    onAdd: (svc) => queue.add(keyOf(svc)),
    onUpdate: (_old, svc) => queue.add(keyOf(svc)),
    onDelete: (svc) => queue.add(keyOf(svc)),
  });
  pods.addEventHandler({
    onAdd: (pod) => addAll(podServiceKeys(services.getIndexer(), pod)),
    onUpdate: (oldPod, pod) => addAll(servicesForPodUpdate(services.getIndexer(), oldPod, pod)),
    onDelete: (obj) => {
      const pod = isDeletedFinalStateUnknown(obj) ? obj.obj : obj;
      if (pod) addAll(podServiceKeys(services.getIndexer(), pod));
    },
  });
}
