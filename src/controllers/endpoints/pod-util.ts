// Pod and Service facts shared by the Endpoints and EndpointSlice controllers (upstream's
// pkg/api/v1/pod and staging endpointslice/util): readiness, membership, port resolution.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { matchesLabels, selectorFromSet } from '../../api/selectors/labels.js';

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** podutil.IsPodTerminal: Succeeded or Failed pods never serve again. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The pod's IPs: status.podIPs, or status.podIP when a writer set only that. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

export function isIPv6(ip: string | undefined): boolean {
  return !!ip && ip.includes(':');
}

/**
 * endpointsliceutil.ShouldPodBeInEndpoints: terminal pods and pods without an IP never are;
 * terminating pods only when `includeTerminating`.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** endpointutil.ShouldSetHostname: the pod names this service as its subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;
}

/** helper.IsServiceIPSet: a cluster IP that is neither empty nor "None". */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/**
 * podutil.FindPort: a numeric targetPort as is; a named one from the pod's containers (and
 * restartable init containers, i.e. sidecars) whose port has that name and the service port's
 * protocol. Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = svcPort.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** Whether the service has a selector (the services these controllers manage) and it selects the pod. */
export function serviceSelectsPod(svc: Service, pod: Pod): boolean {
  const sel = svc.spec?.selector;
  if (!sel) return false;
  if (svc.metadata?.namespace !== pod.metadata?.namespace) return false;
  return matchesLabels(selectorFromSet(sel), pod.metadata?.labels);
}

/**
 * What of a pod the endpoints depend on (upstream's podEndpointsChanged): a pod update that
 * changes none of it (and not the labels) needs no resync of any service.
 */
export function podEndpointFingerprint(pod: Pod): string {
  return JSON.stringify([
    podIPs(pod),
    isPodReady(pod),
    !!pod.metadata?.deletionTimestamp,
    pod.status?.phase ?? '',
    pod.spec?.nodeName ?? '',
    pod.spec?.hostname ?? '',
    pod.spec?.subdomain ?? '',
    pod.metadata?.uid ?? '',
    pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '',
  ]);
}

export function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

/** Go's time.RFC3339Nano of a millisecond-precision time: fraction without trailing zeros. */
export function formatRFC3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}
