// One endpoint of one service port as the proxy sees it (upstream pkg/proxy/endpoint.go's
// BaseEndpointInfo), and the choice of which endpoints may carry traffic (upstream
// topology.go CategorizeEndpoints): ready ones; serving-and-terminating ones only when no
// endpoint is ready; with a Local traffic policy, only those on this node.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { servicePortKeyOf, serviceKeyOf, type ServicePortKey } from './service-port.js';

export interface EndpointInfo {
  ip: string;
  port: number;
  /** "ip:port", the endpoint's identity within a service port. */
  key: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName: string | undefined;
  hostname: string | undefined;
  zone: string | undefined;
}

export const serviceNameLabel = 'kubernetes.io/service-name';

/** The service a slice belongs to ("namespace/name"), or undefined if it is not labelled. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[serviceNameLabel];
  return name ? serviceKeyOf(slice.metadata?.namespace ?? '', name) : undefined;
}

/**
 * The endpoints of each service port from all the slices of one service, de-duplicated by
 * ip:port (an endpoint may briefly appear in two slices while the controller moves it).
 * Only IPv4/IPv6 slices are used (FQDN slices are not proxied, as upstream).
 */
export function endpointsBySlices(slices: Iterable<EndpointSlice>): Map<ServicePortKey, EndpointInfo[]> {
  const byPort = new Map<ServicePortKey, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const service = sliceServiceKey(slice);
    if (!service) continue;
    for (const p of slice.ports ?? []) {
      if (p.port === undefined || p.port === null) continue;
      const key = servicePortKeyOf(service, p.name ?? '');
      let eps = byPort.get(key);
      if (!eps) byPort.set(key, (eps = new Map()));
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip) continue;
        const c = ep.conditions ?? {};
        // Unset conditions mean ready/serving (upstream: nil is interpreted as true), not terminating.
        const ready = c.ready ?? true;
        const info: EndpointInfo = {
          ip,
          port: p.port,
          key: ip.includes(':') ? `[${ip}]:${p.port}` : `${ip}:${p.port}`,
          ready,
          serving: c.serving ?? ready,
          terminating: c.terminating ?? false,
          nodeName: ep.nodeName,
          hostname: ep.hostname,
          zone: ep.zone,
        };
        const prev = eps.get(info.key);
        // Prefer the ready copy when the same endpoint is in two slices.
        if (!prev || (!prev.ready && info.ready)) eps.set(info.key, info);
      }
    }
  }
  const out = new Map<ServicePortKey, EndpointInfo[]>();
  for (const [key, eps] of byPort) out.set(key, [...eps.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  return out;
}

/**
 * The endpoints traffic may go to: ready ones, or the serving terminating ones when none is
 * ready; `localNode` restricts the choice to endpoints on that node (Local traffic policy).
 */
export function usableEndpoints(all: readonly EndpointInfo[], localNode?: string): EndpointInfo[] {
  const candidates = localNode === undefined ? all : all.filter((e) => e.nodeName === localNode);
  const ready = candidates.filter((e) => e.ready);
  if (ready.length) return ready;
  return candidates.filter((e) => e.serving && e.terminating);
}

export function endpointsEqual(a: readonly EndpointInfo[] | undefined, b: readonly EndpointInfo[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
