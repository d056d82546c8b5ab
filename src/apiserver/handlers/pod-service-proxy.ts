// pods/proxy and services/proxy (what `kubectl proxy` and dashboards use): the API server itself
// opens an HTTP(S) connection to a pod IP, or to a ready endpoint of a Service, and relays the
// request, as upstream's ProxyREST does. The name may carry a scheme and a port,
// "[scheme:]name[:port]"; a Service port is chosen by name or number, a pod port by number.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { StoredObject } from '../../api/object.js';
import { badRequest, notFound, serviceUnavailable, StatusError } from '../../api/status.js';
import type { ResourceRequest } from './resource.js';
import type { ApiServer } from '../server.js';
import type { RelayTarget as Target } from './http-relay.js';

export { relayHttp } from './http-relay.js';


/** "https:web:8443" → scheme, name, port (upstream's SplitSchemeNamePort). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } {
  const parts = id.split(':');
  if (parts.length === 1) return { scheme: '', name: parts[0]!, port: '' };
  if (parts.length === 2) return { scheme: '', name: parts[0]!, port: parts[1]! };
  if (parts.length === 3 && (parts[0] === 'http' || parts[0] === 'https')) return { scheme: parts[0], name: parts[1]!, port: parts[2]! };
  throw badRequest(`invalid service request ${id}`);
}

async function get<T>(api: ApiServer, plural: string, group: string, version: string, namespace: string, name: string): Promise<T> {
  const entry = api.registry.find(group, version, plural)!;
  return (await api.generic.get(entry, namespace, name).catch((err: unknown) => {
    if (err instanceof StatusError && err.code === 404) throw notFound(entry.gr, name);
    throw err;
  })) as unknown as T;
}

function restPath(r: ResourceRequest): string {
  const q = r.query.toString();
  return `/${r.info.rest.map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}

export async function podProxyTarget(api: ApiServer, r: ResourceRequest): Promise<Target> {
  const { scheme, name, port } = splitSchemeNamePort(r.info.name);
  const pod = await get<Pod>(api, 'pods', '', 'v1', r.info.namespace, name);
  const ip = pod.status?.podIP;
  if (!ip) throw serviceUnavailable(`address not allowed`);
  const portNumber = port ? Number(port) : (pod.spec?.containers?.[0]?.ports?.[0]?.containerPort ?? 80);
  if (!Number.isInteger(portNumber) || portNumber <= 0) throw badRequest(`invalid port ${port}`);
  return { scheme: scheme === 'https' ? 'https' : 'http', host: ip, port: portNumber, path: restPath(r) };
}

export async function serviceProxyTarget(api: ApiServer, r: ResourceRequest): Promise<Target> {
  const { scheme, name, port } = splitSchemeNamePort(r.info.name);
  const namespace = r.info.namespace;
  const svc = await get<Service>(api, 'services', '', 'v1', namespace, name);
  const ports = svc.spec?.ports ?? [];
  const svcPort = port ? ports.find((p) => p.name === port || String(p.port) === port) : ports.length === 1 ? ports[0] : undefined;
  if (!svcPort) throw serviceUnavailable(port ? `no service port "${port}" found for service "${name}"` : `no service port specified for service "${name}" with ${ports.length} ports`);
  const sliceEntry = api.registry.find('discovery.k8s.io', 'v1', 'endpointslices')!;
  const forService = (o: StoredObject) => o.metadata.labels?.['kubernetes.io/service-name'] === name;
  const slices = (await api.generic.list(sliceEntry, namespace, { filter: forService })).items as unknown as EndpointSlice[];
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (svcPort.name ?? ''));
    if (!slicePort?.port) continue;
    const ready = (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false && e.addresses.length);
    if (!ready.length) continue;
    const ep = ready[Math.floor(Math.random() * ready.length)]!;
    return { scheme: scheme === 'https' ? 'https' : 'http', host: ep.addresses[0]!, port: slicePort.port, path: restPath(r) };
  }
  throw serviceUnavailable(`no endpoints available for service "${name}"`);
}
