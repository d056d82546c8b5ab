// Where a Service the API server calls is served (an APIService's, an admission webhook's, a
// conversion webhook's): one of its ready endpoints, as kube-apiserver with
// --enable-aggregator-routing and webhook endpoint routing (the API server's host need not route
// ClusterIPs), or why there is none, in the aggregator's availability reasons and words.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ResourceRegistry } from './registry/resource-registry.js';
import type { WatchCache } from './watch-cache.js';

export interface ServiceReference {
  namespace?: string;
  name?: string;
  /** Default 443. */
  port?: number;
}

export type ServiceEndpoint =
  | { host: string; port: number; /** The name its certificate must carry. */ serverName: string }
  | { reason: 'ServiceNotFound' | 'ServicePortError' | 'EndpointsNotFound' | 'MissingEndpoints'; message: string };

export function resolveServiceEndpoint(ref: ServiceReference, cache: WatchCache, registry: ResourceRegistry): ServiceEndpoint {
  const namespace = ref.namespace ?? '';
  const name = ref.name ?? '';
  const port = ref.port ?? 443;
  const services = registry.find('', 'v1', 'services');
  const slices = registry.find('discovery.k8s.io', 'v1', 'endpointslices');
  const service = services && (cache.resourceFor(services.prefix).objects.get(`${services.prefix}${namespace}/${name}`) as Service | undefined);
  if (!service || !slices) return { reason: 'ServiceNotFound', message: `service/${name} in "${namespace}" is not present` };
  const servicePort = (service.spec?.ports ?? []).find((p) => p.port === port);
  if (!servicePort) return { reason: 'ServicePortError', message: `service/${name} in "${namespace}" is not listening on port ${port}` };
  const prefix = `${slices.prefix}${namespace}/`;
  let found = false;
  for (const [key, obj] of cache.resourceFor(slices.prefix).objects) {
    if (!key.startsWith(prefix) || obj.metadata.labels?.['kubernetes.io/service-name'] !== name) continue;
    found = true;
    const slice = obj as unknown as EndpointSlice;
    const target = (slice.ports ?? []).find((p) => (p.name ?? '') === (servicePort.name ?? ''))?.port;
    const ready = (slice.endpoints ?? []).find((e) => e.conditions?.ready !== false && e.addresses.length);
    if (target && ready) return { host: ready.addresses[0], port: target, serverName: `${name}.${namespace}.svc` };
  }
  if (!found) return { reason: 'EndpointsNotFound', message: `cannot find endpoints for service/${name} in "${namespace}"` };
  return { reason: 'MissingEndpoints', message: `endpoints for service/${name} in "${namespace}" have no addresses with port name "${servicePort.name ?? ''}"` };
}
