// What a fresh cluster has before anyone asks: the four system namespaces, the default RBAC
// policy, the `kubernetes` Service (and its Endpoints/EndpointSlice) pointing at this server, and
// the two system PriorityClasses. Idempotent: a restart reconciles what is there.
import type { KubeObject } from '../api/object.js';
import { StatusError } from '../api/status.js';
import { formatMetaTime } from '../api/canonical-time.js';
import { systemContext } from './registry/context.js';
import type { ApiServer } from './server.js';
import { reconcileBootstrapPolicy } from './authorization/bootstrap-policy.js';


async function ensure(api: ApiServer, group: string, version: string, plural: string, namespace: string, obj: KubeObject, reconcile?: (current: KubeObject) => KubeObject | undefined): Promise<void> {
  const entry = api.registry.find(group, version, plural);
  if (!entry) throw new Error(`bootstrap: ${group}/${version}/${plural} is not served`);
  const name = obj.metadata!.name!;
  let current: KubeObject | undefined;
  try {
    current = await api.generic.get(entry, namespace, name);
  } catch (err) {
    if (!(err instanceof StatusError) || err.code !== 404) throw err;
  }
  if (!current) {
    await api.generic.create(entry, namespace, obj, systemContext());
    return;
  }
  const next = reconcile?.(structuredClone(current));
  if (next) await api.generic.update(entry, namespace, name, '', systemContext(), () => next);
}

/**
 * kube-aggregator's record of metrics.k8s.io: served by this server itself (a local APIService,
 * no spec.service), where metrics-server would register its Service.
 */
async function ensureMetricsAPIService(api: ApiServer): Promise<void> {
  await ensure(api, 'apiregistration.k8s.io', 'v1', 'apiservices', '', {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
    spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100 },
  });
  await ensureLocalAvailable(api, 'v1beta1.metrics.k8s.io');
}

/** A local APIService's status, as kube-aggregator's availability controller writes it. */
async function ensureLocalAvailable(api: ApiServer, name: string): Promise<void> {
  const entry = api.registry.find('apiregistration.k8s.io', 'v1', 'apiservices')!;
  const current = await api.generic.get(entry, '', name);
  const conditions = (current.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Available' && c.status === 'True')) return;
  const status = { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: formatMetaTime(Date.now()), reason: 'Local', message: 'Local APIServices are always available' }] };
  await api.generic.update(entry, '', name, 'status', systemContext(), (obj) => ({ ...obj, status }));
}

export async function bootstrapCluster(api: ApiServer): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(api, '', 'v1', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // Written alongside the rest (nothing here depends on it): two writes on a first start.
  const metricsAPIService = ensureMetricsAPIService(api);
  metricsAPIService.catch(() => undefined); // awaited (and thrown) below
  // Before the server reports ready: components authorized by these roles start after that.
  await reconcileBootstrapPolicy(api);
  for (const [name, value, description] of [
    ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
    ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
  ] as const) {
    await ensure(api, 'scheduling.k8s.io', 'v1', 'priorityclasses', '', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name },
      value,
      description,
      preemptionPolicy: 'PreemptLowerPriority',
    });
  }
  const { host, port } = api.advertise;
  await ensure(api, '', 'v1', 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: api.services.firstIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None' },
  }, (current) => {
    const spec = current.spec as { ports: { targetPort: number }[] };
    if (spec.ports[0]?.targetPort === port) return undefined;
    spec.ports[0].targetPort = port;
    return current;
  });
  const addresses = [{ ip: host }];
  const endpointPorts = [{ name: 'https', port, protocol: 'TCP' }];
  await ensure(api, '', 'v1', 'endpoints', 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses, ports: endpointPorts }],
  }, (current) => {
    const subsets = [{ addresses, ports: endpointPorts }];
    if (JSON.stringify(current.subsets) === JSON.stringify(subsets)) return undefined;
    return { ...current, subsets };
  });
  const slice = {
    addressType: 'IPv4',
    endpoints: [{ addresses: [host], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  const labels = { 'kubernetes.io/service-name': 'kubernetes' };
  await ensure(api, 'discovery.k8s.io', 'v1', 'endpointslices', 'default', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    // Only the service-name label, as upstream's endpoints adapter writes it: no controller manages this slice.
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    ...slice,
  }, (current) => {
    const same = JSON.stringify({ addressType: current.addressType, endpoints: current.endpoints, ports: current.ports }) === JSON.stringify(slice) && JSON.stringify(current.metadata?.labels) === JSON.stringify(labels);
    if (same) return undefined;
    return { ...current, ...slice, metadata: { ...current.metadata, labels } };
  });
  await metricsAPIService;
}
