// Computing an Endpoints object's subsets for a Service (upstream's syncService body, with
// endpoints.RepackSubsets and truncateEndpoints). Pure: the controller feeds it cache contents.
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js';
import { findPort, isIPv6, isPodReady, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from './pod-util.js';

/** Endpoints holds at most this many addresses; beyond it they are truncated and annotated. */
export const maxEndpointsCapacity = 1000;
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';
export const headlessServiceLabel = 'service.kubernetes.io/headless';

/**
 * podToEndpointAddressForService: the pod IP of the service's (first) IP family. The family is
 * spec.ipFamilies[0]; without it, the cluster IP's family, or for headless services the pod IP's.
 */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let v6: boolean;
  const families = svc.spec?.ipFamilies ?? [];
  if (families.length > 0) v6 = families[0] === 'IPv6';
  else if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') v6 = isIPv6(svc.spec.clusterIP);
  else v6 = isIPv6(pod.status?.podIP);
  const ip = podIPs(pod).find((x) => isIPv6(x) === v6);
  if (!ip) return undefined;
  // Upstream always sets nodeName (a pointer to the pod's, possibly empty, node name).
  return {
    ip,
    nodeName: pod.spec?.nodeName ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
}

/** The desired subsets (repacked and sorted, not yet truncated) for a service and its selected pods. */
export function computeSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses ?? false;
  const raw: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = podToEndpointAddress(svc, pod);
    if (!addr) continue;
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
    const ready = publishNotReady || isPodReady(pod);
    const add = (ports: EndpointPort[]) => raw.push(ready ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    const svcPorts = svc.spec?.ports ?? [];
    if (svcPorts.length === 0) {
      // A headless service may have no ports: its endpoints are addresses only.
      if (svc.spec?.clusterIP === 'None') add([]);
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      add([ep]);
    }
  }
  return repackSubsets(raw);
}

const addrKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);

/**
 * endpoints.RepackSubsets: one subset per distinct set of addresses, carrying every port those
 * addresses all offer; an address ready for a port in any input is ready. Sorted for stable output.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  // port key → (the port, address key → ready); a port-less subset uses a sentinel key.
  const byPort = new Map<string, { port?: EndpointPort; addrs: Map<string, boolean> }>();
  const note = (port: EndpointPort | undefined, addr: EndpointAddress, ready: boolean) => {
    const k = addrKey(addr);
    if (!allAddrs.has(k)) allAddrs.set(k, addr);
    const pk = port ? portKey(port) : '';
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, addrs: new Map() }));
    entry.addrs.set(k, (entry.addrs.get(k) ?? false) || ready);
  };
  for (const s of subsets) {
    const ports = s.ports?.length ? s.ports : [undefined];
    for (const p of ports) {
      for (const a of s.addresses ?? []) note(p, a, true);
      for (const a of s.notReadyAddresses ?? []) note(p, a, false);
    }
  }
  // Group ports by the exact set of (address, readiness) they map to.
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const gk = [...addrs.entries()].map(([k, r]) => `${k}=${r}`).sort().join(',');
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { addrs, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.addrs) (r ? ready : notReady).push(allAddrs.get(k)!);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready;
    if (notReady.length) s.notReadyAddresses = notReady;
    if (g.ports.length) s.ports = g.ports;
    out.push(s);
  }
  return sortSubsets(out);
}

function compareAddr(a: EndpointAddress, b: EndpointAddress): number {
  return compareIP(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
}

/** IPv4 numerically (10.0.0.9 before 10.0.0.10), otherwise as strings. */
function compareIP(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d) return d;
    }
    return 0;
  }
  return cmp(a, b);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const s of subsets) {
    s.addresses?.sort(compareAddr);
    s.notReadyAddresses?.sort(compareAddr);
    s.ports?.sort((a, b) => cmp(portKey(a), portKey(b)));
  }
  const key = (s: EndpointSubset) => JSON.stringify([(s.ports ?? []).map(portKey), (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? '']);
  return subsets.sort((a, b) => cmp(key(a), key(b)));
}

export function countAddresses(subsets: EndpointSubset[] | undefined): number {
  return (subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
}

/**
 * truncateEndpoints: keeps at most maxEndpointsCapacity addresses, ready ones first, each
 * subset keeping its proportional share (rounded up). Returns the subsets and whether it cut.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = maxEndpointsCapacity): { subsets: EndpointSubset[]; truncated: boolean } {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= max) return { subsets, truncated: false };
  const truncateReady = totalReady > max;
  const budget = truncateReady ? max : max - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = budget;
  const out = subsets.map((s) => {
    const n = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const toBeAdded = Math.min(Math.ceil((n / numTotal) * budget), canBeAdded);
    const next: EndpointSubset = { ...s };
    if (truncateReady) {
      next.addresses = (s.addresses ?? []).slice(0, toBeAdded);
      delete next.notReadyAddresses;
      canBeAdded -= next.addresses.length;
      if (!next.addresses.length) delete next.addresses;
    } else {
      next.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= next.notReadyAddresses.length;
      if (!next.notReadyAddresses.length) delete next.notReadyAddresses;
    }
    return next;
  });
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}
